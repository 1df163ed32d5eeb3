// A person's decision about a rollout under way (the metrics panel's Promote / Roll back), handed to the
// rollout loop: it wakes a gate that is waiting, then promotes (100% to the candidate, remaining gates
// skipped) or rolls back (the previous split restored, as for a failed gate). No vscode import.

export type RolloutDecision = 'promote' | 'rollBack';

export class RolloutSteering {
  private readonly woken = new AbortController();
  decision: RolloutDecision | undefined;

  /** Aborted once a decision is made: a gate's wait listens to it. */
  get signal(): AbortSignal {
    return this.woken.signal;
  }

  promote(): void {
    this.decide('promote');
  }

  rollBack(): void {
    this.decide('rollBack');
  }

  private decide(decision: RolloutDecision): void {
    // The first decision stands: a second click must not turn a roll back into a promote.
    if (this.decision) return;
    this.decision = decision;
    this.woken.abort();
  }
}
