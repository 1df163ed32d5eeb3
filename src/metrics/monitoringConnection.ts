// The Cloud Monitoring connection for the current settings (see TargetConnection: checked, lazy — never at
// activation — and reconnecting when the target changes).
import type { MentorTarget } from '../core/settings';
import { connectMonitoring, MonitoringApi } from '../gcp/monitoringApi';
import { TargetConnection } from '../gcp/targetConnection';

export class MonitoringConnection extends TargetConnection<MonitoringApi> {
  constructor(readTarget: () => MentorTarget, connect: (target: MentorTarget) => Promise<MonitoringApi> = connectMonitoring) {
    super(readTarget, connect);
  }
}
