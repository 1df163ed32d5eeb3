// Cloud Run resource settings ("2Gi", "2") → what a local container gets, with Cloud Run's limits.

const MEMORY = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)$/;
const UNIT_BYTES: Record<string, number> = { Mi: 2 ** 20, Gi: 2 ** 30, M: 1e6, G: 1e9 };
const MIN_MEMORY = 128 * 2 ** 20;
const MAX_MEMORY = 32 * 2 ** 30;

export function parseMemory(value: string): number {
  const m = MEMORY.exec(value.trim());
  if (!m) throw new Error(`Memory "${value}" is not like 512Mi or 2Gi.`);
  const bytes = Math.round(Number(m[1]) * UNIT_BYTES[m[2]]);
  if (bytes < MIN_MEMORY || bytes > MAX_MEMORY) throw new Error(`Memory "${value}" is outside Cloud Run's range 128Mi–32Gi.`);
  return bytes;
}

/** CPU as Cloud Run takes it: 0.08–1 in steps of 0.001, or a whole number up to 8. Returns nanoCPUs. */
export function parseCpu(value: string | number): number {
  const cpu = Number(value);
  const valid = Number.isFinite(cpu) && ((cpu >= 0.08 && cpu <= 1 && Number.isInteger(Math.round(cpu * 1e6) / 1e3))
    || (Number.isInteger(cpu) && cpu >= 1 && cpu <= 8));
  if (!valid) throw new Error(`CPU "${value}" must be between 0.08 and 1, or a whole number up to 8.`);
  return Math.round(cpu * 1e9);
}
