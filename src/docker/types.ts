// The narrow interface the extension uses for a Docker engine. The dockerode-based implementation is
// loaded lazily (connectDocker in ./connect). No vscode import anywhere under src/docker.

export interface DockerEngineInfo {
  /** What we connected to, e.g. "unix:///var/run/docker.sock" or "tcp://127.0.0.1:2375". */
  host: string;
  /** Negotiated API version: min(engine's ApiVersion, the client's maximum). */
  apiVersion: string;
  serverVersion: string;
  os: string;
  arch: string;
}

export interface BuildProgress {
  /** "Step 3/9 : RUN pip install ..." parsed from the classic builder's stream. */
  step?: number;
  totalSteps?: number;
  /** One line of build output, without the trailing newline. */
  line: string;
}

export interface BuildOptions {
  contextDir: string;
  /** Relative to contextDir; default "Dockerfile". */
  dockerfile?: string;
  tags: string[];
  buildArgs?: Record<string, string>;
  onProgress?: (progress: BuildProgress) => void;
  signal?: AbortSignal;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
  /** Size of the uncompressed context tar sent to the engine, and how many files it held. */
  contextBytes: number;
  contextFiles: number;
  durationMs: number;
}

export interface RunOptions {
  image: string;
  /** Container name; a unique one is generated when absent. */
  name?: string;
  env: Record<string, string>;
  /**
   * Values the app gets in its environment without Docker storing them (no `Env` entry, nothing in
   * `docker inspect`): sent once over stdin to a shell wrapper (core/memoryEnv). Needs /bin/sh in the image.
   */
  memoryEnv?: Record<string, string>;
  /** Port the app listens on inside the container ($PORT). Published on 127.0.0.1 at a free host port. */
  containerPort: number;
  memoryBytes: number;
  nanoCpus: number;
  labels?: Record<string, string>;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ContainerState {
  running: boolean;
  exitCode?: number;
  oomKilled?: boolean;
  error?: string;
}

export interface RunningContainer {
  readonly id: string;
  readonly name: string;
  /** The free port on 127.0.0.1 that Docker published containerPort on. */
  readonly hostPort: number;
  /** Follows the container's output (demultiplexed) until it exits or `signal` aborts. */
  followLogs(onLine: (line: LogLine) => void, signal: AbortSignal): Promise<void>;
  state(): Promise<ContainerState>;
  /** TCP ports with a listening socket inside the container, with the address they are bound to. */
  listeningSockets(): Promise<{ address: string; port: number }[]>;
  /** Stops (SIGTERM, then SIGKILL after the grace period) and removes the container. */
  stop(graceSeconds?: number): Promise<void>;
}

export interface DockerEngine extends ImagePublisher {
  readonly info: DockerEngineInfo;
  build(options: BuildOptions): Promise<BuildResult>;
  run(options: RunOptions): Promise<RunningContainer>;
  /** Containers Mentor started earlier (found by label), e.g. after a window reload. */
  findContainers(labels: Record<string, string>): Promise<RunningContainer[]>;
  close(): Promise<void>;
}

export interface RegistryAuth {
  username: string;
  password: string;
  /** Registry host, e.g. "us-central1-docker.pkg.dev" or "127.0.0.1:5000". */
  serveraddress: string;
}

export interface PushProgress {
  /** Layer id (short digest) the event is about, when it is about one. */
  layer?: string;
  /** "Preparing", "Pushing", "Pushed", "Layer already exists", … */
  status: string;
  current?: number;
  total?: number;
}

export interface PushResult {
  /** The pushed reference with its digest: REGISTRY/PATH/NAME@sha256:… */
  reference: string;
  digest: string;
  /** Bytes of layers actually uploaded; 0 when the registry already had every layer. */
  pushedBytes: number;
  layersPushed: number;
  layersReused: number;
  durationMs: number;
}

export interface PushOptions {
  auth?: RegistryAuth;
  onProgress?: (progress: PushProgress) => void;
  signal?: AbortSignal;
}

/** Optional capabilities of an engine used by deploys (implemented by DockerodeEngine). */
export interface ImagePublisher {
  tag(source: string, target: string): Promise<void>;
  /** Pushes `reference` (REGISTRY/PATH/NAME:TAG); registry errors inside the stream become UserFacingErrors naming the missing role. */
  push(reference: string, options: PushOptions): Promise<PushResult>;
}
