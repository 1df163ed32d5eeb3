// A small typed client for the emulator's Control service (mentor.emulator.v1.Control), for tests and
// the benchmark. Uses google-gax's grpc so it shares the one @grpc/grpc-js copy.
import { grpc } from 'google-gax';
import { loadControlService } from './protos';

export interface InjectFaultOptions {
  /** Full method, e.g. "google.cloud.run.v2.Services/UpdateService". */
  method: string;
  /** gRPC status code; 0 (OK) = only delay the calls. */
  code: grpc.status;
  message?: string;
  /** How many of the next calls fail (default 1). */
  count?: number;
  delayMs?: number;
}

export interface ControlClient {
  injectFault(fault: InjectFaultOptions): Promise<void>;
  /** The next Create/Update/Delete operation ends with this error (code default 13 INTERNAL). */
  failNextOperation(failure?: { message?: string; code?: grpc.status }): Promise<void>;
  setOperationDelay(ms: number): Promise<void>;
  /** Replace all state with a seed ("" = empty). */
  reset(seed?: string): Promise<void>;
  /** Calls per method, e.g. {'google.cloud.run.v2.Services/ListServices': 4}. */
  getStats(opts?: { reset?: boolean }): Promise<Record<string, number>>;
  /** Ends every open log tail with an error (default UNAVAILABLE), like Google ending a session; returns how many. */
  dropTails(opts?: { code?: grpc.status; message?: string }): Promise<number>;
  /** Enables/disables a Google API ("run.googleapis.com") in `project` (default mentor-demo). */
  setServiceState(service: string, enabled: boolean, project?: string): Promise<void>;
  close(): void;
}

type Callback = (err: grpc.ServiceError | null, reply: unknown) => void;
type Stub = grpc.Client & Record<string, (req: object, cb: Callback) => void>;

/** `address` is "127.0.0.1:PORT" (RunningEmulator.address or what the CLI printed). */
export function createControlClient(address: string): ControlClient {
  const Ctor = grpc.makeGenericClientConstructor(loadControlService(), 'Control');
  const stub = new Ctor(address, grpc.credentials.createInsecure()) as unknown as Stub;
  const call = <T>(method: string, req: object) =>
    new Promise<T>((resolve, reject) => {
      stub[method](req, (err, reply) => (err ? reject(err) : resolve(reply as T)));
    });
  return {
    injectFault: async (f) => {
      await call('InjectFault', { method: f.method, code: f.code, message: f.message ?? '', count: f.count ?? 1, delayMs: f.delayMs ?? 0 });
    },
    failNextOperation: async (f = {}) => {
      await call('FailNextOperation', { message: f.message ?? '', code: f.code ?? 0 });
    },
    setOperationDelay: async (ms) => {
      await call('SetOperationDelay', { ms });
    },
    reset: async (seed = '') => {
      await call('Reset', { seed });
    },
    setServiceState: async (service, enabled, project = '') => {
      await call('SetServiceState', { service, enabled, project });
    },
    dropTails: async (opts = {}) =>
      (await call<{ count?: number }>('DropTails', { code: opts.code ?? grpc.status.UNAVAILABLE, message: opts.message ?? '' })).count ?? 0,
    getStats: async (opts = {}) => (await call<{ calls?: Record<string, number> }>('GetStats', { reset: opts.reset === true })).calls ?? {},
    close: () => stub.close(),
  };
}
