// Image benchmark for `npm run bench`: the runtime image of the generated multi-stage Dockerfile against the
// single-stage one Mentor generated before (test/fixtures/bench/single-stage.Dockerfile), for the sample app,
// and the runtime image size of every layout in test/fixtures/apps. Built on the test-bed engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export async function benchImages(ROOT) {
  const require = createRequire(import.meta.url);
  const out = (p) => require(path.join(ROOT, 'out', p));
  const { connectDocker } = out('src/docker/connect.js');
  const { detectPythonProject } = out('src/core/pythonProject.js');
  const { renderDockerfile } = out('src/core/dockerfileTemplate.js');
  const { renderDockerignore } = out('src/core/dockerignoreTemplate.js');
  const { folderProjectFiles } = out('src/local/folderFiles.js');
  let engine;
  try {
    engine = await connectDocker();
  } catch (error) {
    return { error: `no Docker engine (${error.message.split('.')[0]}); run scripts/engine/engine-up.sh first` };
  }
  // image sizes straight from the engine API (Mentor's own engine interface has no inspect)
  const Docker = require(path.join(ROOT, 'node_modules/dockerode'));
  const host = process.env.DOCKER_HOST ?? '';
  const docker = host.startsWith('unix://') ? new Docker({ socketPath: host.slice('unix://'.length) }) : new Docker();
  const imageBytes = async (reference) => (await docker.getImage(reference).inspect()).Size;
  const build = async (name, source, dockerfile) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-bench-image-'));
    try {
      fs.cpSync(source, dir, { recursive: true });
      const project = await detectPythonProject(folderProjectFiles(dir));
      fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile ?? renderDockerfile(project));
      fs.writeFileSync(path.join(dir, '.dockerignore'), renderDockerignore());
      const tag = `mentor-bench-image-${name}:latest`;
      const started = performance.now();
      await engine.build({ contextDir: dir, dockerfile: 'Dockerfile', tags: [tag], onProgress: () => undefined });
      const buildMs = Math.round(performance.now() - started);
      return { bytes: await imageBytes(tag), buildMs };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const sample = path.join(ROOT, 'test/fixtures/mentor-ai-backend');
  const multiStage = await build('sample-multi', sample);
  // the same base image for both, so the difference is the Dockerfile's
  const base = /^FROM (\S+) AS build$/m.exec(renderDockerfile(await detectPythonProject(folderProjectFiles(sample))))[1];
  const single = fs.readFileSync(path.join(ROOT, 'test/fixtures/bench/single-stage.Dockerfile'), 'utf8').replace(/^FROM \S+$/m, `FROM ${base}`);
  const singleStage = await build('sample-single', sample, single);
  const baseBytes = await imageBytes(base);
  const apps = {};
  const appsDir = path.join(ROOT, 'test/fixtures/apps');
  for (const app of fs.existsSync(appsDir) ? fs.readdirSync(appsDir).sort() : []) {
    if (!fs.statSync(path.join(appsDir, app)).isDirectory() || fs.existsSync(path.join(appsDir, app, 'Dockerfile'))) continue;
    apps[app] = await build(app, path.join(appsDir, app)).catch((error) => ({ error: error.message.split('\n')[0] }));
  }
  await engine.close();
  return { base, baseBytes, singleStage, multiStage, apps };
}
