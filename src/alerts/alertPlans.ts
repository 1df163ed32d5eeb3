// The alert policies Mentor offers for a Cloud Run service, as Cloud Monitoring AlertPolicy bodies, with the
// input checks and the plain-language plan shown before anything is created. No `vscode` here: the
// create command asks the questions, this decides what they mean.
//  - 5xx ratio: a ratio condition, 5xx responses (filter) over all requests (denominator filter) of the
//    service, summed per revision over 5 minutes, above X %.
//  - p95 latency: the 95th percentile of request latencies per revision over 5 minutes, above Y ms.
//  - no instances: no instance_count reported for N minutes (an absence condition; Google's minimum is 2).

export type AlertKind = 'errorRatio' | 'latencyP95' | 'noInstances';

/** A google.monitoring.v3.AlertPolicy as the Node client takes it (Durations as {seconds}). */
export type AlertPolicyBody = Record<string, unknown>;

export interface AlertPlanInput {
  kind: AlertKind;
  project: string;
  region: string;
  service: string;
  /** Percent for errorRatio, milliseconds for latencyP95, minutes for noInstances. */
  threshold: number;
  /** Notification channel resource names (may be empty: incidents are still recorded). */
  channels: string[];
  /** How each channel reads in the plan ("email oncall@example.com (verified)"). */
  channelLabels: string[];
}

export interface AlertPlan {
  body: AlertPolicyBody;
  /** One line per thing that will be created or changed. */
  lines: string[];
  displayName: string;
}

export const WINDOW_SECONDS = 300;
const REQUEST_COUNT = 'run.googleapis.com/request_count';
const REQUEST_LATENCIES = 'run.googleapis.com/request_latencies';
const INSTANCE_COUNT = 'run.googleapis.com/container/instance_count';

export const KIND_TEXT: Record<AlertKind, { label: string; detail: string; unit: string; prompt: string; initial: string }> = {
  errorRatio: {
    label: '5xx error ratio', detail: 'Share of requests answered with a 5xx status, per revision, over 5 minutes',
    unit: '%', prompt: 'Alert when more than this percentage of requests fail with 5xx (over 5 minutes)', initial: '5',
  },
  latencyP95: {
    label: 'p95 latency', detail: '95th percentile of request latency, per revision, over 5 minutes',
    unit: 'ms', prompt: 'Alert when the 95th percentile latency is above this many milliseconds (over 5 minutes)', initial: '1000',
  },
  noInstances: {
    label: 'No instances / startup failures', detail: 'No container instance reported for a while (crash loops, failed startups, scaled to zero)',
    unit: 'min', prompt: 'Alert when no instance has reported for this many minutes (at least 2)', initial: '5',
  },
};

/** Undefined when fine, else what is wrong with the text typed (shown under the input box). */
export function validateThreshold(kind: AlertKind, text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return `Type a number${kind === 'errorRatio' ? ' such as 5 or 0.5' : ''}.`;
  const value = Number(trimmed);
  switch (kind) {
    case 'errorRatio':
      return value > 0 && value < 100 ? undefined : 'A percentage above 0 and below 100.';
    case 'latencyP95':
      return Number.isInteger(value) && value >= 1 && value <= 3_600_000 ? undefined : 'Whole milliseconds from 1 to 3600000 (Cloud Run requests time out after 60 minutes at most).';
    case 'noInstances':
      return Number.isInteger(value) && value >= 2 && value <= 1440 ? undefined : 'Whole minutes from 2 (Google\'s minimum for an absence condition) to 1440.';
  }
}

/** Undefined when the address looks deliverable, else why not. */
export function validateEmail(text: string): string | undefined {
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text.trim()) ? undefined : 'Type an email address such as oncall@example.com.';
}

function serviceFilter(input: AlertPlanInput): string {
  return `resource.type = "cloud_run_revision" AND resource.labels.service_name = "${input.service}" AND resource.labels.location = "${input.region}"`;
}

const PER_REVISION = ['resource.label.service_name', 'resource.label.revision_name'];

function formatNumber(n: number): string {
  return String(Number(n.toFixed(4)));
}

export function planAlert(input: AlertPlanInput): AlertPlan {
  const where = serviceFilter(input);
  const window = { seconds: WINDOW_SECONDS };
  let condition: Record<string, unknown>;
  let displayName: string;
  let what: string;
  switch (input.kind) {
    case 'errorRatio': {
      const sum = { alignmentPeriod: window, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: PER_REVISION };
      displayName = `${input.service}: 5xx ratio above ${formatNumber(input.threshold)}%`;
      what = `5xx responses ÷ all requests of ${input.service}, per revision, summed over 5 minutes, above ${formatNumber(input.threshold)}%`;
      condition = {
        displayName: `5xx ratio above ${formatNumber(input.threshold)}% (5 min)`,
        conditionThreshold: {
          filter: `metric.type = "${REQUEST_COUNT}" AND ${where} AND metric.labels.response_code_class = "5xx"`,
          denominatorFilter: `metric.type = "${REQUEST_COUNT}" AND ${where}`,
          aggregations: [sum],
          denominatorAggregations: [sum],
          comparison: 'COMPARISON_GT',
          thresholdValue: input.threshold / 100,
          // The 5-minute window already smooths single errors; 0 s alerts on the first window over.
          duration: { seconds: 0 },
        },
      };
      break;
    }
    case 'latencyP95':
      displayName = `${input.service}: p95 latency above ${formatNumber(input.threshold)} ms`;
      what = `95th percentile request latency of ${input.service}, per revision, over 5 minutes, above ${formatNumber(input.threshold)} ms`;
      condition = {
        displayName: `p95 latency above ${formatNumber(input.threshold)} ms (5 min)`,
        conditionThreshold: {
          filter: `metric.type = "${REQUEST_LATENCIES}" AND ${where}`,
          // p95 per response-code series, then the worst of them per revision.
          aggregations: [{ alignmentPeriod: window, perSeriesAligner: 'ALIGN_PERCENTILE_95', crossSeriesReducer: 'REDUCE_MAX', groupByFields: PER_REVISION }],
          comparison: 'COMPARISON_GT',
          thresholdValue: input.threshold,
          duration: { seconds: 0 },
        },
      };
      break;
    case 'noInstances':
      displayName = `${input.service}: no instances for ${formatNumber(input.threshold)} min`;
      what = `no container instance of ${input.service} reported for ${formatNumber(input.threshold)} minutes ` +
        '(this also fires when the service scales to zero with no minimum instances)';
      condition = {
        displayName: `No instances for ${formatNumber(input.threshold)} min`,
        conditionAbsent: {
          filter: `metric.type = "${INSTANCE_COUNT}" AND ${where}`,
          aggregations: [{ alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_MAX', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label.service_name'] }],
          duration: { seconds: input.threshold * 60 },
        },
      };
      break;
  }
  const body: AlertPolicyBody = {
    displayName,
    combiner: 'OR',
    enabled: { value: true },
    userLabels: { 'mentor-service': input.service },
    conditions: [condition],
    notificationChannels: input.channels,
    documentation: {
      content: `Created by Mentor for the Cloud Run service ${input.service} in ${input.project} / ${input.region}.`,
      mimeType: 'text/markdown',
    },
  };
  const lines = [
    `Alert policy "${displayName}" in project ${input.project}`,
    `Fires when: ${what}`,
    input.channelLabels.length ? `Notifies: ${input.channelLabels.join(', ')}` : 'Notifies: nobody (incidents show in Mentor and the console only)',
  ];
  return { body, lines, displayName };
}
