// What a deploy would change on a live service, in words a person can check before confirming, and the
// env vars / secret references that exist live but not in settings (never dropped silently).
import { DeployConfig, SecretRef } from './deployConfig';

/** The parts of a live service a deploy can change, read from its current revision template. */
export interface LiveConfig {
  image?: string;
  memory?: string;
  cpu?: string;
  minInstances?: number;
  maxInstances?: number;
  concurrency?: number;
  timeoutSeconds?: number;
  serviceAccount?: string;
  env: Record<string, string>;
  secrets: Record<string, SecretRef>;
}

export interface PlanChange {
  what: string;
  from: string;
  to: string;
}

export interface DeployPlan {
  changes: PlanChange[];
  /** Env var names set live but absent from mentor.env / mentor.secrets. */
  droppedEnv: string[];
  /** Secret references set live but absent from mentor.secrets, as "NAME → secret:version". */
  droppedSecrets: string[];
}

/** Reads LiveConfig out of a Cloud Run v2 service (plain-call JSON: camelCase, strings for enums). */
export function liveConfigOf(service: {
  template?: {
    containers?: { image?: string | null; env?: { name?: string | null; value?: string | null; valueSource?: { secretKeyRef?: { secret?: string | null; version?: string | null } | null } | null }[] | null; resources?: { limits?: Record<string, string> | null } | null }[] | null;
    scaling?: { minInstanceCount?: number | null; maxInstanceCount?: number | null } | null;
    maxInstanceRequestConcurrency?: number | null;
    timeout?: { seconds?: unknown } | null;
    serviceAccount?: string | null;
  } | null;
}): LiveConfig {
  const template = service.template ?? {};
  const container = template.containers?.[0] ?? {};
  const env: Record<string, string> = {};
  const secrets: Record<string, SecretRef> = {};
  for (const variable of container.env ?? []) {
    if (!variable.name) continue;
    const ref = variable.valueSource?.secretKeyRef;
    if (ref?.secret) secrets[variable.name] = { secret: ref.secret, version: ref.version || 'latest' };
    else env[variable.name] = variable.value ?? '';
  }
  return {
    image: container.image ?? undefined,
    memory: container.resources?.limits?.memory,
    cpu: container.resources?.limits?.cpu,
    minInstances: template.scaling?.minInstanceCount ?? undefined,
    maxInstances: template.scaling?.maxInstanceCount ?? undefined,
    concurrency: template.maxInstanceRequestConcurrency ?? undefined,
    timeoutSeconds: template.timeout?.seconds == null ? undefined : Number(String(template.timeout.seconds)),
    serviceAccount: template.serviceAccount ?? undefined,
    env,
    secrets,
  };
}

const show = (value: unknown) => (value === undefined || value === '' ? '(default)' : String(value));
const showRef = (ref: SecretRef) => `${ref.secret}:${ref.version}`;

export function planDeploy(live: LiveConfig, config: DeployConfig, image: string): DeployPlan {
  const changes: PlanChange[] = [];
  const compare = (what: string, from: unknown, to: unknown) => {
    if (show(from) !== show(to)) changes.push({ what, from: show(from), to: show(to) });
  };
  compare('image', live.image, image);
  compare('memory', live.memory, config.memory);
  compare('cpu', live.cpu, String(config.cpu));
  compare('min instances', live.minInstances, config.minInstances);
  compare('max instances', live.maxInstances, config.maxInstances);
  compare('concurrency', live.concurrency, config.concurrency);
  compare('timeout (s)', live.timeoutSeconds, config.timeoutSeconds);
  if (config.serviceAccount) compare('service account', live.serviceAccount, config.serviceAccount);
  // Env values may be sensitive even when not secrets: name what changes, not the values.
  for (const name of Object.keys(config.env)) {
    if (!(name in live.env)) changes.push({ what: `env ${name}`, from: '(unset)', to: '(set)' });
    else if (live.env[name] !== config.env[name]) changes.push({ what: `env ${name}`, from: '(value)', to: '(new value)' });
  }
  for (const [name, ref] of Object.entries(config.secrets)) {
    const before = live.secrets[name];
    if (!before || showRef(before) !== showRef(ref)) {
      changes.push({ what: `secret ${name}`, from: before ? showRef(before) : '(unset)', to: showRef(ref) });
    }
  }
  const droppedEnv = Object.keys(live.env).filter((name) => !(name in config.env) && !(name in config.secrets));
  const droppedSecrets = Object.entries(live.secrets).filter(([name]) => !(name in config.secrets) && !(name in config.env))
    .map(([name, ref]) => `${name} → ${showRef(ref)}`);
  return { changes, droppedEnv, droppedSecrets };
}

/** Keeps live env vars and secret refs the settings do not mention (the safe answer to a dropped ref). */
export function keepLiveExtras(config: DeployConfig, live: LiveConfig): DeployConfig {
  const env = { ...config.env };
  const secrets = { ...config.secrets };
  for (const [name, value] of Object.entries(live.env)) if (!(name in env) && !(name in secrets)) env[name] = value;
  for (const [name, ref] of Object.entries(live.secrets)) if (!(name in secrets) && !(name in env)) secrets[name] = ref;
  return { ...config, env, secrets };
}

export function describePlan(plan: DeployPlan): string {
  const lines = plan.changes.map((c) => `• ${c.what}: ${c.from} → ${c.to}`);
  if (plan.droppedEnv.length) lines.push(`• env vars set live but not in settings: ${plan.droppedEnv.join(', ')}`);
  if (plan.droppedSecrets.length) lines.push(`• secret refs set live but not in settings: ${plan.droppedSecrets.join(', ')}`);
  return lines.length ? lines.join('\n') : 'No configuration changes (same image and settings).';
}
