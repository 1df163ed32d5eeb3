// Named moments of the first tree load (and other start-up paths) on the process's performance timeline.
// `npm run bench` runs in the same extension host and reads them to say where the time goes; a mark costs
// about a microsecond, so they stay in release builds.
export const MARK_PREFIX = 'mentor:';

export function markTimeline(name: string): void {
  performance.mark(`${MARK_PREFIX}${name}`);
}
