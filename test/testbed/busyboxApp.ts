// A tiny app for runtime-mode tests: busybox httpd serving files its start script writes (what the revision
// was given), built once per version tag and pushed to the test-bed registry. Builds in seconds, offline.
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { pushImage } from '../../src/docker/imagePush';
import type { DockerodeEngine } from '../../src/docker/dockerodeEngine';

const DOCKERFILE = 'FROM busybox:latest\nARG VERSION=v1\nENV APP_VERSION=$VERSION\nCOPY start.sh /start.sh\nCMD ["sh", "/start.sh"]\n';

/** Builds `app:VERSION` for each version (APP_VERSION in the container) with this start script, and pushes it. */
export async function buildAndPushBusyboxApp(engine: DockerodeEngine, app: string, startScript: string, versions = ['v1', 'v2']): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-busybox-app-'));
  try {
    await fs.writeFile(path.join(dir, 'start.sh'), startScript);
    await fs.writeFile(path.join(dir, 'Dockerfile'), DOCKERFILE);
    for (const version of versions) {
      await engine.build({ contextDir: dir, tags: [`${app}:${version}`], buildArgs: { VERSION: version } });
      await pushImage(engine.docker, `${app}:${version}`);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** GET with a timeout and no keep-alive (each request may land on another instance). */
export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 10_000, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
