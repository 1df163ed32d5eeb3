// Holds the connection for the current settings: validates them first (clear message instead of a
// failed call), connects lazily on first use and reconnects when the settings change.
import { MentorTarget, targetProblemError } from '../core/settings';
import { CloudRunApi, connectCloudRun } from './cloudRun';

export class CloudRunConnection {
  private current: Promise<CloudRunApi> | undefined;

  constructor(
    private readonly readTarget: () => MentorTarget,
    private readonly connect: (target: MentorTarget) => Promise<CloudRunApi> = connectCloudRun,
    /** Calls may still be in flight on a replaced connection: close it only after they had time to end. */
    private readonly closeReplacedAfterMs = 30_000,
  ) {}

  get target(): MentorTarget {
    return this.readTarget();
  }

  api(): Promise<CloudRunApi> {
    if (!this.current) {
      const target = this.readTarget();
      const problem = targetProblemError(target);
      if (problem) return Promise.reject(problem);
      this.current = this.connect(target);
      // A failed connect (e.g. no credentials) must not stick: the next call tries again.
      this.current.catch(() => (this.current = undefined));
    }
    return this.current;
  }

  /** Drops the connection so the next call uses the (changed) settings. */
  reset(): void {
    const previous = this.current;
    this.current = undefined;
    void previous?.then((api) => setTimeout(() => void api.close(), this.closeReplacedAfterMs).unref(), () => undefined);
  }

  /** Closes the connection now (extension shutdown). */
  async dispose(): Promise<void> {
    const previous = this.current;
    this.current = undefined;
    await previous?.then((api) => api.close(), () => undefined);
  }
}
