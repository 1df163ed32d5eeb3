// The alerting half of the emulator's Monitoring state (shared contract 3): alert policies, notification
// channels and alerts (incidents), all in proto-JSON (camelCase, enum names, Timestamps as {seconds, nanos}
// messages the way the gRPC handlers decode and encode them). Metric points are not here: monitoring*.ts
// (MetricService) keeps those.

export type ProtoJson = Record<string, unknown>;

export interface MonitoringData {
  /** projects/P/alertPolicies/ID → google.monitoring.v3.AlertPolicy. */
  alertPolicies: Record<string, ProtoJson>;
  /** projects/P/notificationChannels/ID → google.monitoring.v3.NotificationChannel (sensitive labels included). */
  notificationChannels: Record<string, ProtoJson>;
  /** projects/P/alerts/ID → AlertJson (REST JSON: the Alert has no proto in the client packages). */
  alerts: Record<string, AlertJson>;
}

export function emptyMonitoring(): MonitoringData {
  return { alertPolicies: {}, notificationChannels: {}, alerts: {} };
}

/** An incident as Monitoring's REST `projects.alerts` answers it (RFC 3339 times). */
export interface AlertJson {
  name: string;
  state: 'OPEN' | 'CLOSED';
  openTime: string;
  closeTime?: string;
  policy: { name: string; displayName: string; severity?: string; userLabels: Record<string, string> };
  resource: { type: string; labels: Record<string, string> };
  metric: { type: string; labels: Record<string, string> };
  /** Which condition of the policy opened it (the evaluator's key; also in the notification). */
  conditionName: string;
  /** Last value seen, for the notification's summary. */
  observedValue?: number;
}
