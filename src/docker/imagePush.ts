// Tagging and pushing images through dockerode. The stream is parsed by pushStream.ts; registry errors
// arrive inside the 200 stream, so success is decided by the parsed events, not the status code.

import type { IncomingMessage } from 'node:http';
import type Dockerode from 'dockerode';
import { UserFacingError } from '../core/errors';
import { engineMessage, isStatus } from './container';
import { PushStreamParser, parseImageReference, pushFailure } from './pushStream';
import type { PushOptions, PushResult } from './types';

export async function tagImage(docker: Dockerode, source: string, target: string): Promise<void> {
  const { repository, tag } = parseImageReference(target);
  try {
    await docker.getImage(source).tag({ repo: repository, tag });
  } catch (error) {
    if (isStatus(error, 404)) {
      throw new UserFacingError(`The image ${source} does not exist locally. Build it first.`, 'notFound', [], engineMessage(error));
    }
    throw new UserFacingError(`Docker could not tag ${source} as ${target}: ${engineMessage(error)}`, 'operationFailed', [], engineMessage(error));
  }
}

export async function pushImage(docker: Dockerode, reference: string, options: PushOptions = {}): Promise<PushResult> {
  const started = Date.now();
  const { signal } = options;
  throwIfAborted(signal);
  const { repository, tag } = parseImageReference(reference);
  const parser = new PushStreamParser(options.onProgress);
  let response: IncomingMessage | undefined;
  const onAbort = () => response?.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const pushOptions: Dockerode.ImagePushOptions = { tag, authconfig: options.auth, abortSignal: signal };
    response = (await docker.getImage(repository).push(pushOptions)) as IncomingMessage;
    if (signal?.aborted) response.destroy();
    for await (const chunk of response) parser.pushChunk(chunk as Buffer);
    parser.end();
  } catch (error) {
    if (signal?.aborted) throw abortError();
    throw pushError(error, parser, reference);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  throwIfAborted(signal);
  if (parser.error) throw pushFailure(parser.error.message, reference);
  if (!parser.digest) {
    throw new UserFacingError(`The push of ${reference} ended without the registry confirming a digest. Push again.`,
      'operationFailed', [{ kind: 'retry', label: 'Retry' }]);
  }
  return {
    reference: `${repository}@${parser.digest}`,
    digest: parser.digest,
    pushedBytes: parser.pushedBytes,
    layersPushed: parser.layersPushed,
    layersReused: parser.layersReused,
    durationMs: Date.now() - started,
  };
}

function pushError(error: unknown, parser: PushStreamParser, reference: string): Error {
  if (error instanceof UserFacingError) return error;
  if (parser.error) return pushFailure(parser.error.message, reference);
  if (isStatus(error, 404)) return pushFailure(engineMessage(error), reference);
  const code = (error as NodeJS.ErrnoException).code;
  const syscall = (error as NodeJS.ErrnoException).syscall;
  if (syscall === 'connect' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || (error as Error).message === 'aborted') {
    return new UserFacingError(
      `The connection to Docker broke while pushing ${reference}. Check that Docker is still running, then push again.`,
      'engineUnavailable',
      [{ kind: 'retry', label: 'Retry' }],
      (error as Error).message,
    );
  }
  if ((error as { statusCode?: number }).statusCode !== undefined) return pushFailure(engineMessage(error), reference);
  return error instanceof Error ? error : new Error(String(error));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

function abortError(): Error {
  const error = new Error('The push was aborted.');
  error.name = 'AbortError';
  return error;
}
