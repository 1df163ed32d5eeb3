// DockerEngine on top of dockerode (loaded by connect.ts). Builds use the classic builder's JSON stream.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Dockerode from 'dockerode';
import { UserFacingError } from '../core/errors';
import { shellExports, wrappedCommand } from '../core/memoryEnv';
import { packContext } from './buildContext';
import { BuildStreamParser, buildFailure } from './buildStream';
import { DockerodeContainer, isStatus, engineMessage, MANAGED_LABEL, PORT_LABEL } from './container';
import { pushImage, tagImage } from './imagePush';
import type {
  BuildOptions, BuildResult, DockerEngine, DockerEngineInfo, PushOptions, PushResult, RunOptions, RunningContainer,
} from './types';

/** An aborted build's intermediate container: how long the engine gets to remove it, and our limit. */
const ABORT_GRACE_MS = 3000;
const ABORT_CLEANUP_MS = 15000;

export class DockerodeEngine implements DockerEngine {
  private readonly followers = new Set<AbortController>();

  constructor(
    readonly docker: Dockerode,
    readonly info: DockerEngineInfo,
  ) {}

  async build(options: BuildOptions): Promise<BuildResult> {
    const started = Date.now();
    const { signal } = options;
    throwIfAborted(signal);
    if (options.tags.length === 0) throw new UserFacingError('A build needs at least one image tag.', 'invalidArgument');
    const context = await packContext(options.contextDir, options.dockerfile ?? 'Dockerfile');
    const parser = new BuildStreamParser(options.onProgress);
    let response: IncomingMessage | undefined;
    const onAbort = () => {
      response?.destroy();
      context.stream.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      throwIfAborted(signal);
      const buildOptions = {
        // several `t` parameters tag the image with every name at once (POST /build accepts a list)
        t: options.tags.length === 1 ? options.tags[0] : options.tags,
        dockerfile: context.dockerfile,
        buildargs: options.buildArgs,
        rm: true,
        forcerm: true,
        abortSignal: signal,
      } as unknown as Dockerode.ImageBuildOptions;
      response = (await this.docker.buildImage(context.stream, buildOptions)) as IncomingMessage;
      if (signal?.aborted) response.destroy();
      for await (const chunk of response) parser.pushChunk(chunk as Buffer);
      parser.end();
    } catch (error) {
      if (signal?.aborted) {
        await this.removeIntermediateContainers(parser.intermediateContainers);
        throw abortError();
      }
      throw this.buildError(error, parser);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) {
      await this.removeIntermediateContainers(parser.intermediateContainers);
      throw abortError();
    }
    const failure = parser.failure();
    if (failure) throw failure;
    let imageId = parser.imageId;
    if (!imageId || !imageId.startsWith('sha256:')) {
      try {
        imageId = (await this.docker.getImage(options.tags[0]).inspect()).Id;
      } catch {
        // keep the short id from "Successfully built", if any
      }
    }
    if (!imageId) {
      throw new UserFacingError('The build ended without producing an image.', 'buildFailed', [], parser.tail.join('\n'));
    }
    return {
      imageId,
      tags: [...options.tags],
      contextBytes: context.bytes(),
      contextFiles: context.files,
      durationMs: Date.now() - started,
    };
  }

  /** Entrypoint and Cmd that start the image's own process under the stdin wrapper (core/memoryEnv). */
  private async wrappedForMemoryEnv(image: string): Promise<{ Entrypoint: string[]; Cmd: string[] }> {
    let config: { Entrypoint?: string | string[] | null; Cmd?: string | string[] | null } | undefined;
    try {
      config = (await this.docker.getImage(image).inspect()).Config;
    } catch (error) {
      if (isStatus(error, 404)) throw new UserFacingError(`The image ${image} does not exist locally. Build it first.`, 'notFound', [], engineMessage(error));
      throw new UserFacingError(`Docker could not inspect ${image}: ${engineMessage(error)}`, 'operationFailed');
    }
    try {
      // The API gives arrays; a bare string is the shell form some older images carry.
      const argv = (v: string | string[] | null | undefined) => (typeof v === 'string' ? ['/bin/sh', '-c', v] : v);
      const wrapped = wrappedCommand(argv(config?.Entrypoint), argv(config?.Cmd));
      return { Entrypoint: wrapped.entrypoint, Cmd: wrapped.cmd };
    } catch (error) {
      throw new UserFacingError(`${image}: ${(error as Error).message}`, 'invalidArgument');
    }
  }

  async run(options: RunOptions): Promise<RunningContainer> {
    const name = options.name ?? `mentor-${randomBytes(5).toString('hex')}`;
    const portKey = `${options.containerPort}/tcp`;
    const hostConfig: Dockerode.HostConfig = {
      PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
    };
    if (options.memoryBytes > 0) {
      hostConfig.Memory = options.memoryBytes;
      hostConfig.MemorySwap = options.memoryBytes; // no swap, like Cloud Run: going over the limit kills the app
    }
    if (options.nanoCpus > 0) hostConfig.NanoCpus = options.nanoCpus;
    const memoryEnv = options.memoryEnv && Object.keys(options.memoryEnv).length ? options.memoryEnv : undefined;
    const command = memoryEnv ? await this.wrappedForMemoryEnv(options.image) : {};
    let container: Dockerode.Container;
    try {
      container = await this.docker.createContainer({
        name,
        Image: options.image,
        Env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`),
        ...command,
        ExposedPorts: { [portKey]: {} },
        Labels: { ...options.labels, [MANAGED_LABEL]: 'true', [PORT_LABEL]: String(options.containerPort) },
        Tty: false,
        // With memoryEnv, stdin stays open for the one attach that delivers the values, then closes (EOF).
        OpenStdin: Boolean(memoryEnv),
        StdinOnce: Boolean(memoryEnv),
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        HostConfig: hostConfig,
      });
    } catch (error) {
      if (isStatus(error, 404)) {
        throw new UserFacingError(`The image ${options.image} does not exist locally. Build it first.`, 'notFound', [], engineMessage(error));
      }
      if (isStatus(error, 409)) {
        throw new UserFacingError(`A container named ${name} already exists. Stop it first, or choose another name.`, 'conflict', [], engineMessage(error));
      }
      throw new UserFacingError(`Docker could not create the container: ${engineMessage(error)}`, 'operationFailed');
    }
    try {
      const stdin = memoryEnv ? await container.attach({ stream: true, stdin: true, hijack: true }) : undefined;
      await container.start();
      if (stdin) await new Promise<void>((resolve, reject) => {
        stdin.once('error', reject);
        stdin.end(shellExports(memoryEnv!), () => resolve());
      });
      const inspect = await container.inspect();
      const binding = inspect.NetworkSettings?.Ports?.[portKey]?.find((b) => b && b.HostPort);
      const hostPort = binding ? Number(binding.HostPort) : 0;
      return new DockerodeContainer(container, inspect.Id, name, hostPort, this.followers);
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      if (memoryEnv && /\/bin\/sh|no such file/i.test(engineMessage(error))) {
        throw new UserFacingError(`${options.image} has no /bin/sh (with cat), which passing secrets in memory needs. Run without them (mentor.localSecrets: none), or use a base image with a shell.`,
          'invalidArgument', [{ kind: 'openSettings', label: 'Open Settings', setting: 'mentor.localSecrets' }], engineMessage(error));
      }
      throw new UserFacingError(`Docker could not start the container: ${engineMessage(error)}`, 'operationFailed', [], engineMessage(error));
    }
  }

  async findContainers(labels: Record<string, string>): Promise<RunningContainer[]> {
    const filters = { label: Object.entries(labels).map(([key, value]) => `${key}=${value}`) };
    const list = await this.docker.listContainers({ all: true, filters: JSON.stringify(filters) } as Dockerode.ContainerListOptions);
    return list.map((summary) => {
      const name = (summary.Names?.[0] ?? summary.Id).replace(/^\//, '');
      const wanted = Number(summary.Labels?.[PORT_LABEL]);
      const ports = (summary.Ports ?? []).filter((p) => p.Type === 'tcp' && p.PublicPort);
      const port = ports.find((p) => p.PrivatePort === wanted) ?? ports[0];
      return new DockerodeContainer(this.docker.getContainer(summary.Id), summary.Id, name, port?.PublicPort ?? 0, this.followers);
    });
  }

  tag(source: string, target: string): Promise<void> {
    return tagImage(this.docker, source, target);
  }

  push(reference: string, options: PushOptions): Promise<PushResult> {
    return pushImage(this.docker, reference, options);
  }

  async close(): Promise<void> {
    for (const follower of this.followers) follower.abort();
    this.followers.clear();
  }

  /** The engine removes an aborted build's container itself (forcerm); make sure, and wait for it. */
  private async removeIntermediateContainers(ids: readonly string[]): Promise<void> {
    const deadline = Date.now() + ABORT_CLEANUP_MS;
    for (const id of ids) {
      const container = this.docker.getContainer(id);
      let forced = false;
      while (Date.now() < deadline) {
        try {
          await container.inspect();
        } catch (error) {
          if (isStatus(error, 404)) break;
        }
        if (!forced && Date.now() > deadline - ABORT_CLEANUP_MS + ABORT_GRACE_MS) {
          forced = true;
          await container.remove({ force: true }).catch(() => undefined);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private buildError(error: unknown, parser: BuildStreamParser): Error {
    if (error instanceof UserFacingError) return error;
    const failure = parser.failure();
    if (failure) return failure;
    const code = (error as NodeJS.ErrnoException).code;
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (statusCode !== undefined) {
      // e.g. 500 "Cannot locate specified Dockerfile: Dockerfile", 400 "dockerfile parse error line 3: unknown instruction: RUNN"
      return buildFailure(engineMessage(error), parser.step, parser.totalSteps, parser.instruction, parser.tail);
    }
    const syscall = (error as NodeJS.ErrnoException).syscall;
    if (syscall !== 'connect' && (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ELOOP')) {
      const file = (error as NodeJS.ErrnoException).path;
      return new UserFacingError(
        `Could not read ${file ?? 'a file'} for the build context (${code}). Fix its permissions, or add it to .dockerignore.`,
        'buildFailed',
        [],
        String((error as Error).message),
      );
    }
    if (syscall === 'connect' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || (error as Error).message === 'aborted') {
      return new UserFacingError(
        'The connection to Docker broke during the build. Check that Docker is still running, then build again.',
        'engineUnavailable',
        [{ kind: 'retry', label: 'Retry' }],
        (error as Error).message,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

export function abortError(): Error {
  const error = new Error('The operation was aborted.');
  error.name = 'AbortError';
  return error;
}
