// What people read about a build: the status bar text, the explorer row, the end-of-build notification,
// and the log lines (Cloud Build's Cloud Logging entries, contract 2). Pure, so tests can pin the wording.
import { BuildSummary, DeployOutput } from './builds';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** "failed", "timed out", "cancelled", … for the failure family; the phase otherwise. */
export function resultWord(build: BuildSummary): string {
  switch (build.status) {
    case 'SUCCESS': return 'success';
    case 'WORKING': return 'working';
    case 'QUEUED': case 'PENDING': case 'STATUS_UNKNOWN': return 'queued';
    case 'TIMEOUT': return 'timed out';
    case 'CANCELLED': return 'cancelled';
    case 'EXPIRED': return 'expired';
    case 'INTERNAL_ERROR': return 'internal error';
    default: return 'failed';
  }
}

/** The status bar text for the build of HEAD. */
export function statusBarText(build: BuildSummary): string {
  switch (build.phase) {
    case 'queued': return '$(clock) Build: queued';
    case 'working': return `$(sync~spin) Build: working${build.runningStep ? ` · ${build.runningStep}` : ''}`;
    case 'success': return build.deployOutput?.revision ? '$(check) Deployed' : '$(check) Build succeeded';
    case 'failure': {
      const word = build.status === 'FAILURE' ? 'failed' : resultWord(build);
      return `$(error) Build ${word}${build.failedStep ? ` · ${build.failedStep}` : ''}`;
    }
  }
}

/** What a screen reader says for the status bar item: its words without the icon, and which commit it is about. */
export function statusBarAccessibleLabel(build: BuildSummary): string {
  const words = statusBarText(build).replace(/^\$\([^)]*\)\s*/, '');
  return build.shortSha ? `${words}, build of commit ${build.shortSha}` : words;
}

export function statusBarTooltip(build: BuildSummary): string {
  const lines = [`Cloud Build ${build.id}: ${resultWord(build)}`];
  if (build.shortSha) lines.push(`Commit ${build.shortSha}${build.branch ? ` on ${build.branch}` : ''}`);
  if (build.deployOutput?.revision) lines.push(`Revision ${build.deployOutput.revision}`);
  if (build.failureDetail) lines.push(build.failureDetail);
  lines.push('Click to show the build log');
  return lines.join('\n');
}

/** An explorer row: label = short commit; description = author · duration · result. */
export function buildRow(build: BuildSummary): { label: string; description: string } {
  const label = build.shortSha ?? build.id.slice(0, 8);
  const description = [build.author, formatDuration(build.durationMs), resultWord(build)].filter(Boolean).join(' · ');
  return { label, description };
}

export function buildTooltipLines(build: BuildSummary): string[] {
  const lines = [`Build ${build.id} — ${resultWord(build)}`];
  if (build.commitSha) lines.push(`Commit ${build.commitSha}${build.branch ? ` (${build.branch})` : ''}`);
  if (build.author) lines.push(`Author ${build.author}`);
  if (build.triggerName || build.triggerId) lines.push(`Trigger ${build.triggerName ?? build.triggerId}`);
  if (build.createTime) lines.push(`Created ${build.createTime.toISOString()}`);
  if (build.deployOutput?.revision) lines.push(`Revision ${build.deployOutput.revision}`);
  if (build.failedStep) lines.push(`Failed at step ${build.failedStep}${build.failureDetail ? `: ${build.failureDetail}` : ''}`);
  return lines;
}

/** "Deployed api-00043-xyz · https://… · /health 200" (the parts the deploy step reported). */
export function deployedMessage(output: DeployOutput | undefined, fallbackId: string): string {
  if (!output?.revision) return `Build ${fallbackId} succeeded.`;
  const health = output.healthPath ? `${output.healthPath}${output.healthStatus !== undefined ? ` ${output.healthStatus}` : ''}` : '';
  return ['Deployed ' + output.revision, output.url, health].filter(Boolean).join(' · ');
}

/** The reason a failed step gave: its last "Mentor: " line, else its last few lines. */
export function failureReason(stepLines: readonly string[], maxLines = 3): string | undefined {
  const cleaned = stepLines.map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  for (let i = cleaned.length - 1; i >= 0; i--) {
    const m = /^\s*Mentor: (.*)$/.exec(cleaned[i]);
    if (m) return m[1].trim();
  }
  return cleaned.length ? cleaned.slice(-maxLines).join(' / ') : undefined;
}

export function failedMessage(build: BuildSummary, reason: string | undefined): string {
  const word = build.status === 'FAILURE' ? 'failed' : resultWord(build);
  const where = build.failedStep ? ` at step ${build.failedStep}` : '';
  const why = reason ?? build.failureDetail;
  return `Build ${word}${where}${why ? `: ${why}` : '.'}`;
}

// ---- Cloud Logging (contract 2) ----

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Every entry Cloud Build wrote for a build. */
export function buildLogFilter(projectId: string, buildId: string): string {
  return [`logName=${quote(`projects/${projectId}/logs/cloudbuild`)}`, 'resource.type="build"',
    `resource.labels.build_id=${quote(buildId)}`].join(' AND ');
}

/** The `build_step` label Cloud Build puts on a step's lines: `Step #2 - "deploy"` (unnamed steps: `Step #2`). */
export function stepLabel(step: { index: number; id: string }): string {
  return step.id === `Step #${step.index}` ? step.id : `Step #${step.index} - "${step.id}"`;
}

export function stepLogFilter(projectId: string, buildId: string, step: { index: number; id: string }): string {
  return `${buildLogFilter(projectId, buildId)} AND labels.build_step=${quote(stepLabel(step))}`;
}

/** One line as `gcloud builds log` prints it: `Step #2 - "deploy": text`; the build's own lines (MAIN) bare. */
export function buildLogLine(text: string, stepLabelValue: string | undefined): string {
  if (!stepLabelValue || stepLabelValue === 'MAIN' || text.startsWith(`${stepLabelValue}:`)) return text;
  return `${stepLabelValue}: ${text}`;
}
