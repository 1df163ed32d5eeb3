// Connects to the Docker engine on first use (dockerode is loaded only then) and keeps the connection;
// a failed attempt is not kept, so "Retry" after starting Docker works.
import type { DockerEngine } from './types';

export class DockerConnection {
  private current: Promise<DockerEngine> | undefined;

  /** `readHost` returns the mentor.dockerHost setting ("" = DOCKER_HOST or the default socket). */
  constructor(private readonly readHost: () => string) {}

  engine(): Promise<DockerEngine> {
    if (!this.current) {
      const host = this.readHost() || undefined;
      this.current = import('./connect').then(({ connectDocker }) => connectDocker({ host }));
      this.current.catch(() => (this.current = undefined));
    }
    return this.current;
  }

  /** Settings changed: connect again on next use (a build in flight keeps its engine). */
  reset(): void {
    this.current = undefined;
  }

  async dispose(): Promise<void> {
    const previous = this.current;
    this.current = undefined;
    await previous?.then((engine) => engine.close(), () => undefined);
  }
}
