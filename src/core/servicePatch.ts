// A deploy's write to a live service is a PATCH of what Cloud Run holds: the image of the serving
// container, the env vars and secret refs the settings name, and the other owned fields only where a
// setting is set explicitly. Everything else — sidecars, volumes and mounts, command/args, probes,
// execution environment, labels, annotations, VPC, binary authorization, session affinity — goes back
// exactly as it was read (with its etag, so a concurrent change is refused instead of overwritten).
import { DeployConfig, ingressValue, PatchableSetting } from './deployConfig';

/** The JSON shape of a Cloud Run v2 service as far as the patch reads it; everything else is carried along. */
export interface ServiceSpec {
  ingress?: string | null;
  template?: TemplateSpec | null;
  [field: string]: unknown;
}
export interface TemplateSpec {
  revision?: string | null;
  containers?: ContainerSpec[] | null;
  scaling?: { minInstanceCount?: number | null; maxInstanceCount?: number | null; [field: string]: unknown } | null;
  maxInstanceRequestConcurrency?: number | null;
  timeout?: { seconds?: unknown; nanos?: unknown } | null;
  serviceAccount?: string | null;
  [field: string]: unknown;
}
export interface EnvVarSpec {
  name?: string | null;
  value?: string | null;
  valueSource?: { secretKeyRef?: { secret?: string | null; version?: string | null } | null } | null;
}
export interface ContainerSpec {
  name?: string | null;
  image?: string | null;
  env?: EnvVarSpec[] | null;
  ports?: { name?: string | null; containerPort?: number | null }[] | null;
  resources?: { limits?: Record<string, string> | null; [field: string]: unknown } | null;
  [field: string]: unknown;
}

/** The container that receives requests: the one with a port (Cloud Run allows one), else the first. */
export function servingContainerIndex(template: TemplateSpec | null | undefined): number {
  const containers = template?.containers ?? [];
  const withPort = containers.findIndex((c) => (c.ports ?? []).length > 0);
  return withPort >= 0 ? withPort : 0;
}

/** What a variable means: its plain value or its secret reference (proto defaults like `value: ""` aside). */
export function envMeaning(e: EnvVarSpec): string {
  const ref = e.valueSource?.secretKeyRef;
  return ref?.secret ? `secret ${ref.secret}:${ref.version || 'latest'}` : `value ${e.value ?? ''}`;
}

/** Replaces (in place, keeping the order) or appends the variable; an equivalent live entry stays as it was read. */
function setEnv(env: EnvVarSpec[], variable: EnvVarSpec): void {
  const at = env.findIndex((e) => e.name === variable.name);
  if (at < 0) env.push(variable);
  else if (envMeaning(env[at]) !== envMeaning(variable)) env[at] = variable;
}

/**
 * The live service with this deploy's changes: a new object; `live` is not modified. `explicit` says which
 * PATCHABLE_SETTINGS the user set. `removeEnv` lists live variables to drop (the user chose to remove them).
 */
export function patchLiveService(live: ServiceSpec, config: DeployConfig, explicit: ReadonlySet<PatchableSetting>,
  image: string, revision: string, removeEnv: readonly string[] = []): ServiceSpec {
  const spec = structuredClone(live);
  const template: TemplateSpec = (spec.template ??= {});
  template.revision = revision;
  const containers = (template.containers ??= []);
  if (!containers.length) containers.push({});
  const container = containers[servingContainerIndex(template)];
  container.image = image;
  const env = (container.env ?? []).filter((e) => !removeEnv.includes(String(e.name)));
  for (const [name, value] of Object.entries(config.env)) setEnv(env, { name, value });
  for (const [name, ref] of Object.entries(config.secrets)) setEnv(env, { name, valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } } });
  container.env = env;
  const limits = () => ((container.resources ??= {}).limits ??= {});
  if (explicit.has('memory')) limits().memory = config.memory;
  if (explicit.has('cpu')) limits().cpu = String(config.cpu);
  if (explicit.has('port')) {
    const ports = container.ports?.length ? container.ports : [{ name: 'http1' }];
    ports[0] = { ...ports[0], containerPort: config.port };
    container.ports = ports;
  }
  if (explicit.has('minInstances')) (template.scaling ??= {}).minInstanceCount = config.minInstances;
  if (explicit.has('maxInstances')) (template.scaling ??= {}).maxInstanceCount = config.maxInstances;
  if (explicit.has('concurrency')) template.maxInstanceRequestConcurrency = config.concurrency;
  if (explicit.has('timeoutSeconds')) template.timeout = { seconds: config.timeoutSeconds };
  if (explicit.has('serviceAccount')) template.serviceAccount = config.serviceAccount || undefined;
  if (explicit.has('ingress')) spec.ingress = ingressValue(config.ingress);
  return spec;
}
