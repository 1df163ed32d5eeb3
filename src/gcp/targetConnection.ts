// A Google client connection for the current settings, shared by the Cloud Run, Monitoring and alerts
// features: the settings are checked first (a clear message instead of a failed call), the client connects on
// first use (never at activation), a changed target reconnects even before anyone calls reset(), and a failed
// connect (no credentials) does not stick. No vscode import: the deploy pipeline and the bench use it too.
import { MentorTarget, targetProblemError } from '../core/settings';

export class TargetConnection<Api extends { close(): Promise<void> | void }> {
  private current: { key: string; api: Promise<Api> } | undefined;

  constructor(
    private readonly readTarget: () => MentorTarget,
    private readonly connect: (target: MentorTarget) => Promise<Api>,
    /** Calls may still be in flight on a replaced connection: close it only after they had time to end. */
    private readonly closeReplacedAfterMs = 30_000,
  ) {}

  get target(): MentorTarget {
    return this.readTarget();
  }

  api(): Promise<Api> {
    const target = this.readTarget();
    const key = JSON.stringify([target.project, target.region, target.apiEndpoint, !!target.untrustedEndpoint]);
    if (this.current?.key !== key) {
      this.reset();
      const problem = targetProblemError(target);
      if (problem) return Promise.reject(problem);
      const api = this.connect(target);
      this.current = { key, api };
      api.catch(() => { if (this.current?.api === api) this.current = undefined; });
    }
    return this.current!.api;
  }

  /** Drops the connection so the next call uses the (changed) settings. */
  reset(): void {
    const previous = this.current;
    this.current = undefined;
    void previous?.api.then((api) => setTimeout(() => void api.close(), this.closeReplacedAfterMs).unref(), () => undefined);
  }

  /** Closes the connection now (extension shutdown). */
  async dispose(): Promise<void> {
    const previous = this.current;
    this.current = undefined;
    await previous?.api.then((api) => api.close(), () => undefined);
  }
}
