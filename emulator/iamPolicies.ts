// IAM policy validation as the IAM API applies it to SetIamPolicy requests.
import { invalidArgument } from './apiError';
import type { IamPolicy } from './apiTypes';

const MEMBER = /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|deleted:user|deleted:serviceAccount|deleted:group):.+|principal(Set)?:\/\/.+|projectOwner:.+|projectEditor:.+|projectViewer:.+)$/;

export function validatedPolicy(policy: IamPolicy | undefined): IamPolicy {
  if (!policy) throw invalidArgument('Violation in SetIamPolicyRequest.policy: required field not present.');
  const bindings = (policy.bindings ?? []).map((b, i) => {
    if (!b.role || !/^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/[A-Za-z0-9_.]+$/.test(b.role)) {
      throw invalidArgument(`Invalid role '${b.role ?? ''}' in policy.bindings[${i}].`);
    }
    for (const member of b.members ?? []) {
      if (!MEMBER.test(member)) throw invalidArgument(`Invalid member '${member}' in policy.bindings[${i}] for role ${b.role}.`);
    }
    return { ...b, members: [...new Set(b.members ?? [])] };
  });
  return { version: policy.version || 1, bindings: bindings.filter((b) => b.members.length > 0) };
}
