// The PUSH phase of a build: each image of Build.images pushed through the engine once all steps succeeded,
// its digest recorded in results.images ("If any of the images fail to be pushed, the build is marked
// FAILURE"). An image no step produced fails the build as Cloud Build's worker words it.
import type { BuildMessage } from './buildExecution';
import { engineMessage } from '../src/docker/container';
import { pushImage } from '../src/docker/imagePush';
import { registryOf, type RegistryCredentials, type RuntimeEngine } from './runtimeEngine';
import { nowTimestamp } from './timestamps';

export interface PushFailure {
  type: 'PUSH_FAILED' | 'PUSH_IMAGE_NOT_FOUND' | 'PUSH_NOT_AUTHORIZED';
  detail: string;
}

export interface BuiltImage {
  name: string;
  digest: string;
  pushTiming: { startTime: { seconds: string; nanos?: number }; endTime: { seconds: string; nanos?: number } };
}

/** Pushes build.images in order; the first failure ends the phase. `onLine` gets the PUSH phase's log lines. */
export async function pushBuildImages(engine: RuntimeEngine, build: BuildMessage, auth: Record<string, RegistryCredentials>,
  onLine: (text: string) => void, signal: AbortSignal): Promise<{ images: BuiltImage[]; failure?: PushFailure }> {
  const images: BuiltImage[] = [];
  const wanted = build.images ?? [];
  const missing: string[] = [];
  for (const image of wanted) {
    if (!(await engine.docker.getImage(image).inspect().then(() => true, () => false))) missing.push(image);
  }
  if (missing.length) {
    return { images, failure: { type: 'PUSH_IMAGE_NOT_FOUND', detail: `failed to find one or more images after execution of build steps: ${JSON.stringify(missing)}` } };
  }
  for (const image of wanted) {
    onLine(`Pushing ${image}`);
    const startTime = nowTimestamp();
    const registry = registryOf(image);
    const credentials = registry ? auth[registry] ?? auth['*'] : undefined;
    try {
      const seen = new Set<string>();
      const result = await pushImage(engine.docker, image, {
        signal,
        auth: credentials ? { username: credentials.username, password: credentials.password, serveraddress: registry } : undefined,
        onProgress: (p) => {
          if (p.current !== undefined || !p.status) return; // byte counts would flood the log
          const line = p.layer ? `${p.layer}: ${p.status}` : p.status;
          if (!seen.has(line)) onLine(line);
          seen.add(line);
        },
      });
      images.push({ name: image, digest: result.digest, pushTiming: { startTime, endTime: nowTimestamp() } });
    } catch (error) {
      const message = engineMessage(error);
      const type = /unauthorized|authentication required|denied|permission/i.test(message) ? 'PUSH_NOT_AUTHORIZED' : 'PUSH_FAILED';
      return { images, failure: { type, detail: `error pushing image ${JSON.stringify(image)}: ${message}` } };
    }
  }
  return { images };
}
