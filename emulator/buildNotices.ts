// What Cloud Build tells the outside world about a build: a Pub/Sub message to projects/P/topics/cloud-builds
// on every status change (data = the Build as REST JSON, attributes buildId and status; published only when
// the topic exists), and each log line as a Cloud Logging entry (log `cloudbuild`, resource type `build`, the
// step in the `build_step` label). Pub/Sub goes over its REST API to the host given (the Pub/Sub emulator,
// PUBSUB_EMULATOR_HOST); nothing that goes wrong there may touch the build.
import type { BuildLogLine, BuildMessage } from './buildExecution';
import { stepLabel } from './cloudBuildRules';
import type { LoggingBackend } from './loggingBackend';
import { lookupType, responseToJson } from './protoJson';
import { nowTimestamp } from './timestamps';

export const BUILDS_TOPIC = 'cloud-builds';
const PUBLISH_TIMEOUT_MS = 5000;

export interface NoticeCounts {
  published: number;
  /** The topic did not exist (404): Cloud Build publishes nothing then. */
  noTopic: number;
  failed: number;
}

export class BuildNotices {
  readonly counts: NoticeCounts = { published: 0, noTopic: 0, failed: 0 };
  /** One chain per build, so its notices arrive in the order its statuses changed. */
  private readonly chains = new Map<string, Promise<void>>();

  /** `pubsubHost` is "HOST:PORT" of a Pub/Sub REST endpoint (http); unset = no notices. */
  constructor(public pubsubHost: string | undefined, private readonly logging: LoggingBackend) {}

  statusChanged(build: BuildMessage): void {
    const host = this.pubsubHost;
    if (!host) return;
    const data = Buffer.from(JSON.stringify(responseToJson(lookupType('google.devtools.cloudbuild.v1.Build'), build))).toString('base64');
    const message = { data, attributes: { buildId: build.id, status: build.status } };
    const url = `http://${host}/v1/projects/${build.projectId}/topics/${BUILDS_TOPIC}:publish`;
    const previous = this.chains.get(build.id) ?? Promise.resolve();
    const next = previous.then(() => this.publish(url, message)).finally(() => {
      if (this.chains.get(build.id) === next) this.chains.delete(build.id);
    });
    this.chains.set(build.id, next);
  }

  /** Resolves when every notice sent so far got its answer (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.all([...this.chains.values()]);
  }

  private async publish(url: string, message: object): Promise<void> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messages: [message] }),
        signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) this.counts.published += 1;
      else if (res.status === 404) this.counts.noTopic += 1;
      else this.counts.failed += 1;
    } catch {
      this.counts.failed += 1; // no Pub/Sub there, or it hung: the build goes on regardless
    }
  }

  /** One line of the build's log into Cloud Logging, unless the build's logging option keeps it out. */
  logLine(build: BuildMessage, line: BuildLogLine): void {
    const logging = build.options?.logging;
    if (logging === 'NONE' || logging === 'GCS_ONLY') return;
    try {
      this.logging.write({
        entries: [{
          logName: `projects/${build.projectId}/logs/cloudbuild`,
          resource: { type: 'build', labels: { build_id: build.id, build_trigger_id: build.buildTriggerId ?? '', project_id: build.projectId } },
          // build_tags: the build's tags, comma-joined (what log sinks filter triggered builds by).
          labels: { build_step: stepLabel(build, line.step), ...(build.tags?.length ? { build_tags: build.tags.join(',') } : {}) },
          textPayload: line.text,
          severity: 'INFO',
          timestamp: nowTimestamp(),
        }],
      } as never);
    } catch {
      // a line Logging refuses must not fail the build
    }
  }
}
