// The Cloud Monitoring connection for the current settings, connected on first use (never at activation)
// and dropped when the target changes. No vscode import: the deploy pipeline and the bench use it too.
import type { MentorTarget } from '../core/settings';
import { connectMonitoring, MonitoringApi } from '../gcp/monitoringApi';

export class MonitoringConnection {
  private current: { key: string; api: Promise<MonitoringApi> } | undefined;

  constructor(
    private readonly readTarget: () => MentorTarget,
    private readonly connect: (target: MentorTarget) => Promise<MonitoringApi> = connectMonitoring,
  ) {}

  get target(): MentorTarget {
    return this.readTarget();
  }

  api(): Promise<MonitoringApi> {
    const target = this.readTarget();
    // Keyed by the target so a settings change reconnects even if no one called reset().
    const key = JSON.stringify([target.project, target.region, target.apiEndpoint, !!target.untrustedEndpoint]);
    if (this.current?.key !== key) {
      this.reset();
      const api = this.connect(target);
      this.current = { key, api };
      // A failed connect (e.g. no credentials) must not stick: the next call tries again.
      api.catch(() => { if (this.current?.api === api) this.current = undefined; });
    }
    return this.current!.api;
  }

  reset(): void {
    const previous = this.current;
    this.current = undefined;
    // Calls may still be in flight on the old client: close it a little later.
    void previous?.api.then((api) => setTimeout(() => void api.close(), 30_000).unref(), () => undefined);
  }

  async dispose(): Promise<void> {
    const previous = this.current;
    this.current = undefined;
    await previous?.api.then((api) => api.close(), () => undefined);
  }
}
