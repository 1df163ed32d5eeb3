// A project in memory (path → text) for tests of the code that reads projects.
import { ProjectFiles } from '../../src/core/pythonProject';

export function files(map: Record<string, string>): ProjectFiles {
  return { list: async () => Object.keys(map), read: async (p) => map[p] };
}
