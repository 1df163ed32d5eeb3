// Binds the Google methods to gRPC: each unary method answers through ApiMethods (apiMethods.ts: counting,
// injected faults/latency, SERVICE_DISABLED), whose ApiErrors become gRPC statuses here; plus the Logging
// tail stream and the emulator's Control service.
import { grpc } from 'google-gax';
import { toGrpcStatus } from './apiError';
import { fullMethodName, type ApiMethods } from './apiMethods';
import type { FaultInjector } from './faults';
import type { LoggingBackend, TailHandle, TailRequest } from './loggingBackend';
import type { OperationStore } from './operations';
import type { PlatformBackends, Registration } from './platformGrpc';
import type { LoadedProtos } from './protos';

export interface GrpcDeps {
  protos: LoadedProtos;
  /** The unary Google methods, shared with the REST transcoder. */
  methods: ApiMethods;
  logging: LoggingBackend;
  operations: OperationStore;
  faults: FaultInjector;
  /** Service Usage, Secret Manager, Artifact Registry. */
  platform: PlatformBackends;
  /** Control/Reset: replace all state with a seed ("" = empty). */
  reset(seed: string): void;
}

export class GrpcServices {
  private readonly streams = new Set<grpc.ServerDuplexStream<unknown, unknown>>();

  constructor(private readonly deps: GrpcDeps) {}

  register(server: grpc.Server): void {
    const { protos, methods } = this.deps;
    for (const r of methods.registrations) {
      const handlers = this.unaryAll(r);
      if (r.definition === protos.logging) handlers.TailLogEntries = this.tailHandler(fullMethodName(protos.logging, 'TailLogEntries'));
      server.addService(r.definition, handlers);
    }
    server.addService(protos.control, this.controlHandlers());
  }

  /** Ends every open tail cleanly (status OK), so clients see the stream finish rather than break. */
  endStreams(): void {
    for (const call of this.streams) call.end();
    this.streams.clear();
  }

  /** Ends every open tail with an error status (Control/DropTails); returns how many were open. */
  dropTails(code: number, message: string): number {
    const calls = [...this.streams];
    const status = { code: code || grpc.status.UNAVAILABLE, details: message || 'The tail session was closed by the server.' };
    // Emitting 'error' runs the handler's close() (the tail stops) and sends the status to the client.
    for (const call of calls) call.emit('error', { ...status, metadata: new grpc.Metadata() });
    return calls.length;
  }

  private unaryAll(r: Registration): grpc.UntypedServiceImplementation {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(r.impls)) {
      const name = fullMethodName(r.definition, method);
      const handler: grpc.handleUnaryCall<unknown, unknown> = (call, callback) => {
        this.deps.methods.call(name, call.request).then(
          (response) => callback(null, response),
          (err: unknown) => callback(toGrpcStatus(err)),
        );
      };
      handlers[method] = handler;
    }
    return handlers;
  }

  private tailHandler(method: string): grpc.handleBidiStreamingCall<unknown, unknown> {
    return (call) => {
      let tail: TailHandle | undefined;
      let started = false;
      const close = () => {
        tail?.close();
        tail = undefined;
        this.streams.delete(call);
      };
      const fail = (err: unknown) => {
        close();
        call.emit('error', toGrpcStatus(err));
      };
      this.streams.add(call);
      call.on('data', (request: TailRequest) => {
        // Only the first request configures the session; Google ignores later ones.
        if (started) return;
        started = true;
        this.deps.methods.guarded(method, () => {
          tail = this.deps.logging.openTail(request, (entries) => {
            if (this.streams.has(call)) call.write({ entries, suppressionInfo: [] });
          });
        }).catch(fail);
      });
      call.on('end', () => {
        close();
        call.end();
      });
      call.on('cancelled', close);
      call.on('error', close);
    };
  }

  private controlHandlers(): grpc.UntypedServiceImplementation {
    const { faults, operations } = this.deps;
    const handlers: Record<string, (req: never) => unknown> = {
      InjectFault: (req: { method?: string; code?: number; message?: string; count?: number; delayMs?: number }) => {
        faults.inject(req.method ?? '', req.code ?? 0, req.message ?? '', req.count ?? 1, req.delayMs ?? 0);
      },
      FailNextOperation: (req: { code?: number; message?: string }) => {
        faults.failNextOperation({ code: req.code ?? 0, message: req.message ?? '' });
      },
      SetOperationDelay: (req: { ms?: number }) => {
        operations.delayMs = Math.max(0, req.ms ?? 0);
      },
      Reset: (req: { seed?: string }) => this.deps.reset(req.seed ?? ''),
      GetStats: (req: { reset?: boolean }) => ({ calls: faults.stats(req.reset === true) }),
      DropTails: (req: { code?: number; message?: string }) => ({ count: this.dropTails(req.code ?? 0, req.message ?? '') }),
      SetServiceState: (req: { project?: string; service?: string; enabled?: boolean }) => {
        this.deps.platform.serviceUsage.setEnabled(req.project || 'mentor-demo', req.service ?? '', req.enabled === true);
      },
    };
    return Object.fromEntries(Object.entries(handlers).map(([method, fn]) => {
      // Control calls are not counted or faulted: they are the test's own plumbing.
      const handler: grpc.handleUnaryCall<unknown, unknown> = (call, callback) => {
        try {
          callback(null, fn(call.request as never) ?? {});
        } catch (err) {
          callback(toGrpcStatus(err));
        }
      };
      return [method, handler];
    }));
  }
}
