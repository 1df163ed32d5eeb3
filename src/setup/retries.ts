// The waits Google Cloud needs during setup: a new service account is not readable everywhere at once, a
// just-enabled API answers PERMISSION_DENIED for a while, and IAM policies change under us (etag conflicts).
import { Code } from '../gcp/errorMapping';
import { IamPolicy } from '../gcp/setupApi';
import { SetupContext } from './setupContext';

const BACKOFF_MS = [1000, 2000, 4000, 8000, 8000, 8000, 8000];

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function messageOf(error: unknown): string {
  return String((error as { details?: string; message?: string })?.details || (error as Error)?.message || '');
}

/** Right after an enable, calls to that API fail with PERMISSION_DENIED for seconds to minutes; retry them then, and only then. */
export async function afterEnabling<T>(ctx: SetupContext, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!ctx.apisJustEnabled || codeOf(error) !== Code.PERMISSION_DENIED || attempt >= BACKOFF_MS.length) throw error;
      ctx.progress('Waiting for the APIs just enabled to answer…');
      await ctx.sleep(BACKOFF_MS[attempt]);
    }
  }
}

/** Polls until `read` returns something (eventual consistency); undefined after the last attempt. */
export async function waitUntilReadable<T>(ctx: SetupContext, what: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    const found = await read();
    if (found !== undefined || attempt >= BACKOFF_MS.length) return found;
    ctx.progress(`Waiting for ${what} to become visible…`);
    await ctx.sleep(BACKOFF_MS[attempt]);
  }
}

/** Adds `member` to each role; returns whether anything changed. Pure: the policy passed in is not modified. */
export function withMemberInRoles(policy: IamPolicy, member: string, roles: readonly string[]): { policy: IamPolicy; changed: boolean } {
  const bindings = policy.bindings.map((b) => ({ ...b, members: [...b.members] }));
  let changed = false;
  for (const role of roles) {
    // A binding with a condition is a narrower grant: only an unconditional one counts, and conditional ones stay as they are.
    const binding = bindings.find((b) => b.role === role && !b.condition);
    if (binding?.members.includes(member)) continue;
    if (binding) binding.members.push(member);
    else bindings.push({ role, members: [member] });
    changed = true;
  }
  return { policy: { ...policy, bindings }, changed };
}

export function missingRoles(policy: IamPolicy, member: string, roles: readonly string[]): string[] {
  return roles.filter((role) => !policy.bindings.some((b) => b.role === role && !b.condition && b.members.includes(member)));
}

/**
 * get → modify → set with the etag read, so a change someone else made in between is never overwritten: the
 * set is refused (ABORTED, or FAILED_PRECONDITION naming the etag) and we read again. A member created a
 * moment ago may not be known to IAM yet (INVALID_ARGUMENT "does not exist"): that is retried too.
 */
export async function grantRoles(ctx: SetupContext, policies: { get(): Promise<IamPolicy>; set(policy: IamPolicy): Promise<IamPolicy> },
  member: string, roles: readonly string[]): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const current = await policies.get();
    const { policy, changed } = withMemberInRoles(current, member, roles);
    if (!changed) return false;
    try {
      await policies.set(policy);
      return true;
    } catch (error) {
      const code = codeOf(error);
      const retryable = code === Code.ABORTED || (code === Code.FAILED_PRECONDITION && /etag/i.test(messageOf(error))) ||
        (code === Code.INVALID_ARGUMENT && /does not exist/i.test(messageOf(error)));
      if (!retryable || attempt >= BACKOFF_MS.length) throw error;
      ctx.progress('The IAM policy changed meanwhile; reading it again…');
      await ctx.sleep(BACKOFF_MS[attempt] / 2);
    }
  }
}
