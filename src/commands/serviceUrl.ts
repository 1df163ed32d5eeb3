// Shared by Open URL and Copy URL: the service from the node or a quick pick, and its URL or a clear error.
import { UserFacingError } from '../core/errors';
import { ServiceNode } from '../tree/nodes';
import { MentorContext } from './context';
import { pickService } from './pickers';

export async function serviceUrl(ctx: MentorContext, node: ServiceNode | undefined): Promise<string> {
  const service = node?.service ?? (await pickService(ctx, 'Which service?'));
  if (!service.uri) {
    throw new UserFacingError(`${service.id} has no URL yet: it has never become ready.`, 'notFound');
  }
  return service.uri;
}
