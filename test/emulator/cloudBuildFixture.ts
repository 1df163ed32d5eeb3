// What the Cloud Build tests share: the real @google-cloud/cloudbuild clients on either transport, a small
// executor that stands in for the engine's (it implements the emulator's BuildExecutor seam, nothing of
// Google's), and git helpers for a bare repository that plays GitHub.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { v1, v2 } from '@google-cloud/cloudbuild';
import { PassThroughClient } from 'google-auth-library';
import type { BuildExecutor, BuildLogLine, BuildMessage, BuildReporter, BuildSource } from '../../emulator/buildExecution';
import { PROJECT, clientOptions, type Harness } from './fixture';

export type Transport = 'grpc' | 'rest';

export interface BuildClients {
  builds: v1.CloudBuildClient;
  repos: v2.RepositoryManagerClient;
  close(): Promise<void>;
}

export function buildClients(transport: Transport, h: Harness): BuildClients {
  const opts = transport === 'grpc'
    ? clientOptions(h.emulator.port)
    : { apiEndpoint: '127.0.0.1', port: h.emulator.restPort, protocol: 'http', fallback: 'rest' as const, authClient: new PassThroughClient(), projectId: PROJECT };
  // Order matters in REST mode: both clients share one proto root, and the operations client each builds
  // writes its own GetOperation HTTP rules into it; v1's cover v1's global names (operations/…) and the
  // regional ones, v2's only the regional ones. So the v1 client is made last.
  const repos = new v2.RepositoryManagerClient(opts);
  const builds = new v1.CloudBuildClient(opts);
  return { builds, repos, close: async () => { await Promise.all([builds.close(), repos.close()]); } };
}

export interface ExecutedBuild {
  build: BuildMessage;
  source: BuildSource | undefined;
}

/**
 * Runs each step "instantly": a log line per step, SUCCESS, exit code 0, and the step's last arg as its
 * output. A step whose args contain "fail" fails the build (exit 3); one with "hang" waits for the abort.
 */
export class FakeExecutor implements BuildExecutor {
  readonly runs: ExecutedBuild[] = [];

  async run(build: BuildMessage, source: BuildSource | undefined, reporter: BuildReporter, signal: AbortSignal): Promise<void> {
    this.runs.push({ build: structuredClone(build), source });
    const log = (line: BuildLogLine) => reporter.log(line);
    log({ text: `starting build "${build.id}"` });
    build.results = { buildStepOutputs: [] };
    for (const [i, step] of build.steps.entries()) {
      step.status = 'WORKING';
      reporter.changed(build);
      log({ step: i, text: `${step.name} ${(step.args ?? []).join(' ')}` });
      if (step.args?.includes('hang')) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        step.status = 'CANCELLED';
        build.status = 'CANCELLED';
        reporter.changed(build);
        return;
      }
      const failed = step.args?.includes('fail');
      step.status = failed ? 'FAILURE' : 'SUCCESS';
      step.exitCode = failed ? 3 : 0;
      build.results.buildStepOutputs?.push(Buffer.from(step.args?.at(-1) ?? '').toString('base64'));
      if (failed) {
        build.status = 'FAILURE';
        build.statusDetail = `Build step ${i} "${step.name}" failed: step exited with non-zero status: 3`;
        build.failureInfo = { type: 'USER_BUILD_STEP', detail: build.statusDetail };
        reporter.changed(build);
        return;
      }
    }
    log({ text: 'DONE' });
    build.status = 'SUCCESS';
    reporter.changed(build);
  }
}

/** A bare repository standing in for github.com/OWNER/NAME, and a clone of it to commit and push from. */
export class TempRepo {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-cb-'));
  readonly bare = path.join(this.root, 'owner', 'shop.git');
  readonly work = path.join(this.root, 'work');

  constructor() {
    fs.mkdirSync(path.dirname(this.bare), { recursive: true });
    this.git(this.root, 'init', '--bare', '--initial-branch=main', this.bare);
    this.git(this.root, 'clone', '--quiet', this.bare, this.work);
    this.git(this.work, 'checkout', '--quiet', '-B', 'main');
  }

  private git(cwd: string, ...args: string[]): string {
    return execFileSync('git', args, {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    }).trim();
  }

  /** Writes the files, commits and pushes `branch`; returns the new commit. */
  commitAndPush(files: Record<string, string>, branch = 'main'): string {
    this.git(this.work, 'checkout', '--quiet', '-B', branch);
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
      fs.writeFileSync(path.join(this.work, file), text);
    }
    this.git(this.work, 'add', '-A');
    this.git(this.work, 'commit', '--quiet', '--allow-empty', '-m', `change ${Date.now()}`);
    this.git(this.work, 'push', '--quiet', 'origin', branch);
    return this.git(this.work, 'rev-parse', 'HEAD');
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

interface BuildOperation {
  promise(): Promise<[unknown, ...unknown[]]>;
  metadata?: unknown;
}

/**
 * How a CreateBuild/RunBuildTrigger operation ended: a successful build is its response; any other end is
 * an error ("Build failed; check build logs for details"), and google-gax keeps the metadata of its last
 * poll before that, so the finished build is read with GetBuild, as a real caller has to.
 */
export async function settled<B = Record<string, unknown>>(op: BuildOperation, builds: v1.CloudBuildClient): Promise<{ build: B; error?: Error & { code?: number } }> {
  try {
    const [build] = await op.promise();
    return { build: build as B };
  } catch (error) {
    const name = (op.metadata as { build?: { name?: string } } | undefined)?.build?.name;
    if (!name) throw error;
    const [build] = await builds.getBuild({ name });
    return { build: build as B, error: error as Error };
  }
}

/** Polls `probe` until it returns something truthy (bounded). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const CLOUDBUILD_YAML = `steps:
- id: build
  name: gcr.io/cloud-builders/docker
  args: [build, -t, '\${_IMAGE}:$SHORT_SHA', .]
- id: deploy
  name: gcr.io/google.com/cloudsdktool/cloud-sdk:slim
  entrypoint: bash
  args: [-c, 'echo deploying $_SERVICE from $BRANCH_NAME@$COMMIT_SHA in $$HOME']
tags: [mentor, shop]
substitutions:
  _SERVICE: shop
  _IMAGE: 127.0.0.1:5000/mentor-demo/apps/shop
options:
  logging: CLOUD_LOGGING_ONLY
`;
