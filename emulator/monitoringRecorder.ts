// Writes what the emulator's runtime really did into the MetricStore: every request the traffic proxy handed to
// an instance (request_count + request_latencies by response_code / response_code_class), and samples of the
// running instances (instance_count by state, cpu/memory utilizations).
//
// - an instance is "active" in a minute in which it served a request, "idle" in a minute in which it only ran
//   (a simple reading of Cloud Run's "active: serving or processing"; the emulator runs one per revision);
// - CPU and memory utilization come from the engine, once per instance and minute (a one-shot stats call,
//   ~40 ms): CPU time used since the previous sample (or the instance's start) over the wall time and the
//   container's CPU limit (1 when unset), memory in use over its memory limit;
// - when the engine cannot say (no stats), a documented model: CPU = 2 % + the time the instance spent
//   serving requests in the previous minute / 60 s, memory = 25 % + a tenth of that.
// Requests that never reached an instance (403 of the IAM check, 503 without a serving instance) are not
// counted, as on Google ("excludes requests that are not reaching your container instances").
import type { MetricStore, RevisionResource } from './monitoringMetrics';
import { CPU_UTILIZATIONS, INSTANCE_COUNT, MEMORY_UTILIZATIONS, REQUEST_COUNT, REQUEST_LATENCIES, codeClass } from './monitoringTypes';

/** A running instance the sampler sees. */
export interface LiveInstance {
  revision: RevisionResource;
  id: string;
  /** The container's limits (Cloud Run's utilizations are relative to them). */
  cpus?: number;
  memoryBytes?: number;
  startedAtMs?: number;
  /** Reads the engine's stats; absent = use the model. */
  usage?(): Promise<{ cpuNs: number; memoryBytes: number; memoryLimit: number } | undefined>;
}

const SAMPLE_INTERVAL_MS = 15_000;

export class MetricRecorder {
  /** instance id → minute → ms spent serving; for the active/idle split and the CPU model. */
  private readonly busy = new Map<string, Map<number, number>>();
  private timer?: NodeJS.Timeout;
  private sampled = new Map<string, number>();
  /** instance id → the previous CPU reading, the base of the next utilization. */
  private readonly cpuBase = new Map<string, { atMs: number; cpuNs: number }>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly store: MetricStore, private readonly live: () => LiveInstance[] = () => []) {}

  /** One request the proxy served through an instance, recorded at its start. */
  recordRequest(revision: RevisionResource, status: number, latencyMs: number, instanceId?: string, atMs = this.store.now()): void {
    const minute = this.store.minuteOf(atMs);
    const labels = { response_code: String(status), response_code_class: codeClass(status) };
    this.store.seriesFor(REQUEST_COUNT, revision, labels).addNumber(minute, 1, 'sum');
    this.store.seriesFor(REQUEST_LATENCIES, revision, labels).addSample(minute, Math.max(0, latencyMs));
    this.store.seriesFor(INSTANCE_COUNT, revision, { state: 'active' }).addNumber(minute, 1, 'max');
    if (instanceId) {
      let byMinute = this.busy.get(instanceId);
      if (!byMinute) this.busy.set(instanceId, (byMinute = new Map()));
      byMinute.set(minute, (byMinute.get(minute) ?? 0) + latencyMs);
    }
    this.store.prune();
  }

  /**
   * Samples the live instances into the current minute: instance_count (active if it served this minute,
   * else idle) and, once per instance and minute, its utilizations for the minute before (complete by now).
   */
  sample(atMs = this.store.now()): void {
    const minute = this.store.minuteOf(atMs);
    const byRevision = new Map<string, { revision: RevisionResource; active: number; idle: number }>();
    const live = this.live();
    const liveIds = new Set(live.map((i) => i.id));
    for (const id of this.sampled.keys()) if (!liveIds.has(id)) this.sampled.delete(id); // stopped instances
    for (const id of this.cpuBase.keys()) if (!liveIds.has(id)) this.cpuBase.delete(id);
    for (const instance of live) {
      const { revision, id } = instance;
      const key = `${revision.project}/${revision.location}/${revision.service}/${revision.revision}`;
      let entry = byRevision.get(key);
      if (!entry) byRevision.set(key, (entry = { revision, active: 0, idle: 0 }));
      const busyMs = this.busy.get(id)?.get(minute);
      if (busyMs !== undefined) entry.active += 1;
      else entry.idle += 1;
      if (this.sampled.get(id) !== minute) {
        this.sampled.set(id, minute);
        const modelCpu = Math.min(1, 0.02 + (this.busy.get(id)?.get(minute - 1) ?? 0) / 60_000);
        const done = this.utilization(instance, minute, atMs, modelCpu).finally(() => this.pending.delete(done));
        this.pending.add(done);
      }
    }
    for (const { revision, active, idle } of byRevision.values()) {
      this.store.seriesFor(INSTANCE_COUNT, revision, { state: 'active' }).addNumber(minute, active, 'max');
      this.store.seriesFor(INSTANCE_COUNT, revision, { state: 'idle' }).addNumber(minute, idle, 'set');
    }
    // Busy times older than the previous minute are no longer needed.
    for (const [id, byMinute] of this.busy) {
      for (const m of byMinute.keys()) if (m < minute - 1) byMinute.delete(m);
      if (byMinute.size === 0) this.busy.delete(id);
    }
  }

  /** sample(), then waits for the engine's stats it asked for: what ListTimeSeries calls before answering. */
  async sampleNow(): Promise<void> {
    this.sample();
    await Promise.all([...this.pending]);
  }

  private async utilization(instance: LiveInstance, minute: number, atMs: number, modelCpu: number): Promise<void> {
    const usage = await instance.usage?.().catch(() => undefined);
    let cpu = modelCpu;
    let memory = 0.25 + modelCpu / 10;
    if (usage) {
      const base = this.cpuBase.get(instance.id) ?? { atMs: instance.startedAtMs ?? atMs, cpuNs: 0 };
      const wallNs = Math.max(1, atMs - base.atMs) * 1e6;
      cpu = Math.min(1, Math.max(0, (usage.cpuNs - base.cpuNs) / (wallNs * (instance.cpus ?? 1))));
      this.cpuBase.set(instance.id, { atMs, cpuNs: usage.cpuNs });
      const limit = instance.memoryBytes ?? usage.memoryLimit;
      memory = limit > 0 ? Math.min(1, usage.memoryBytes / limit) : memory;
    }
    this.store.seriesFor(CPU_UTILIZATIONS, instance.revision).addSample(minute, cpu);
    this.store.seriesFor(MEMORY_UTILIZATIONS, instance.revision).addSample(minute, memory);
  }

  /** Samples every 15 s until stop(); the timer never keeps the process alive. */
  start(): void {
    this.timer ??= setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.busy.clear();
    this.sampled.clear();
    this.cpuBase.clear();
  }
}
