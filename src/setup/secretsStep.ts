// Secrets: for each variable the app reads, a Secret Manager secret the runtime service account may read,
// referenced by a pinned version in mentor.secrets. The value travels from the wizard's password field (or a
// chosen file) to addSecretVersion and nowhere else: not into answers, settings, logs or progress notes.
import { afterEnabling, grantRoles, missingRoles } from './retries';
import { CheckResult, SECRET_ACCESSOR_ROLE, SetupContext, SetupStep, projectOf, serviceAccountEmail } from './setupContext';

/** Secret IDs: letters, digits, hyphens and underscores, up to 255 characters. Env names already fit. */
export const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

export function parseSecretRef(ref: string): { secretId: string; version: string } {
  const [secretId, version = 'latest'] = ref.split(':');
  return { secretId, version };
}

/** Variables the app reads that have neither a secret reference nor a "not a secret" answer. */
export function pendingSecretVars(ctx: SetupContext): string[] {
  return ctx.appEnvVars.filter((name) => !ctx.answers.secrets[name] && !ctx.answers.notSecrets.includes(name));
}

export const secretsStep: SetupStep = {
  id: 'secrets',
  title: 'Secrets',
  async check(ctx): Promise<CheckResult> {
    const project = projectOf(ctx);
    const member = `serviceAccount:${serviceAccountEmail(ctx.answers)}`;
    const problems: string[] = [];
    for (const [name, ref] of Object.entries(ctx.answers.secrets)) {
      const { secretId } = parseSecretRef(ref);
      if (!(await afterEnabling(ctx, () => ctx.api.secretExists(project, secretId)))) problems.push(`${name}: secret ${secretId} does not exist`);
      else if (missingRoles(await ctx.api.getSecretIamPolicy(project, secretId), member, [SECRET_ACCESSOR_ROLE]).length) {
        problems.push(`${name}: the runtime service account cannot read ${secretId}`);
      }
    }
    if (problems.length) return { status: 'needsAction', summary: problems.join('; '), fix: 'Save a value for each (below).' };
    const pending = pendingSecretVars(ctx);
    const refs = Object.keys(ctx.answers.secrets).length;
    if (pending.length) {
      return { status: 'needsAction', summary: `${refs} secret${refs === 1 ? '' : 's'} set; the app also reads ${pending.join(', ')}.`,
        fix: 'Save a value for each below, or mark it "Not a Secret".' };
    }
    return { status: 'done', summary: refs ? `${refs} secret${refs === 1 ? '' : 's'}, readable by the runtime service account.` : 'The app reads no secrets.' };
  },
  gcloud(ctx) {
    const project = ctx.answers.project ?? 'PROJECT_ID';
    const email = serviceAccountEmail(ctx.answers);
    const ids = Object.values(ctx.answers.secrets).map((ref) => parseSecretRef(ref).secretId);
    return (ids.length ? ids : ['SECRET_ID']).flatMap((id) => [
      `gcloud secrets create ${id} --replication-policy=automatic --project ${project}`,
      `gcloud secrets versions add ${id} --data-file=- --project ${project}   # paste the value, then Ctrl-D`,
      `gcloud secrets add-iam-policy-binding ${id} --member=serviceAccount:${email} --role=${SECRET_ACCESSOR_ROLE} --project ${project}`,
    ]).join('\n');
  },
};

/**
 * Creates the secret if missing, adds `value` as a new version, lets the runtime service account read it, and
 * records the pinned reference. Returns the reference ("ID:VERSION").
 */
export async function saveSecret(ctx: SetupContext, envName: string, secretId: string, value: Uint8Array): Promise<string> {
  if (!SECRET_ID.test(secretId)) throw new Error(`"${secretId}" is not a valid secret name (letters, digits, - and _).`);
  if (!value.length) throw new Error(`Type a value for ${envName}, or pick a file.`);
  const project = projectOf(ctx);
  if (!(await afterEnabling(ctx, () => ctx.api.secretExists(project, secretId)))) {
    ctx.progress(`Creating secret ${secretId}…`);
    await afterEnabling(ctx, () => ctx.api.createSecret(project, secretId));
  }
  ctx.progress(`Adding a version to ${secretId}…`);
  const version = await ctx.api.addSecretVersion(project, secretId, value);
  ctx.progress(`Letting the runtime service account read ${secretId}…`);
  await grantRoles(ctx, { get: () => ctx.api.getSecretIamPolicy(project, secretId), set: (p) => ctx.api.setSecretIamPolicy(project, secretId, p) },
    `serviceAccount:${serviceAccountEmail(ctx.answers)}`, [SECRET_ACCESSOR_ROLE]);
  const ref = `${secretId}:${version}`;
  ctx.answers.secrets[envName] = ref;
  ctx.answers.notSecrets = ctx.answers.notSecrets.filter((n) => n !== envName);
  return ref;
}
