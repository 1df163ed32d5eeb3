// Binds the backends to gRPC: every Google method goes through one wrapper that counts the call,
// applies injected faults/latency and turns ApiErrors into gRPC statuses.
import { grpc } from 'google-gax';
import { toGrpcStatus } from './apiError';
import type { CloudRunBackend } from './cloudRunBackend';
import { normalizeMethod, type FaultInjector } from './faults';
import type { LoggingBackend, TailHandle, TailRequest } from './loggingBackend';
import type { OperationStore } from './operations';
import { LOGGING_API, RUN_API, platformRegistrations, type PlatformBackends, type UnaryImpl } from './platformGrpc';
import { projectOfRequest } from './projects';
import type { LoadedProtos } from './protos';
import type { Duration } from './apiTypes';

export interface GrpcDeps {
  protos: LoadedProtos;
  cloudRun: CloudRunBackend;
  logging: LoggingBackend;
  operations: OperationStore;
  faults: FaultInjector;
  /** Service Usage, Secret Manager, Artifact Registry. */
  platform: PlatformBackends;
  /** Control/Reset: replace all state with a seed ("" = empty). */
  reset(seed: string): void;
}

const WAIT_OPERATION_MAX_MS = 60_000;

function methodName(definition: grpc.ServiceDefinition, method: string): string {
  return normalizeMethod(definition[method].path);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class GrpcServices {
  private readonly streams = new Set<grpc.ServerDuplexStream<unknown, unknown>>();

  constructor(private readonly deps: GrpcDeps) {}

  register(server: grpc.Server): void {
    const { protos, cloudRun, logging, operations } = this.deps;
    server.addService(protos.services, this.unaryAll(protos.services, {
      CreateService: (req: never) => cloudRun.createService(req),
      GetService: (req: never) => cloudRun.getService(req),
      ListServices: (req: never) => cloudRun.listServices(req),
      UpdateService: (req: never) => cloudRun.updateService(req),
      DeleteService: (req: never) => cloudRun.deleteService(req),
      GetIamPolicy: (req: never) => cloudRun.getIamPolicy(req),
      SetIamPolicy: (req: never) => cloudRun.setIamPolicy(req),
      TestIamPermissions: (req: never) => cloudRun.testIamPermissions(req),
    }, RUN_API));
    server.addService(protos.revisions, this.unaryAll(protos.revisions, {
      GetRevision: (req: never) => cloudRun.getRevision(req),
      ListRevisions: (req: never) => cloudRun.listRevisions(req),
      DeleteRevision: (req: never) => cloudRun.deleteRevision(req),
    }, RUN_API));
    server.addService(protos.operations, this.unaryAll(protos.operations, {
      GetOperation: (req: { name?: string }) => operations.get(req.name ?? ''),
      ListOperations: (req: { name?: string; pageSize?: number; pageToken?: string }) => {
        const page = operations.list(req.name ?? '', req);
        return { operations: page.items, nextPageToken: page.nextPageToken };
      },
      DeleteOperation: (req: { name?: string }) => {
        operations.delete(req.name ?? '');
        return {};
      },
      WaitOperation: (req: { name?: string; timeout?: Duration }) => {
        const ms = req.timeout ? Number(req.timeout.seconds ?? 0) * 1000 + Math.floor((req.timeout.nanos ?? 0) / 1e6) : 0;
        return operations.wait(req.name ?? '', Math.min(ms || WAIT_OPERATION_MAX_MS, WAIT_OPERATION_MAX_MS));
      },
    }));
    server.addService(protos.logging, {
      ...this.unaryAll(protos.logging, {
        WriteLogEntries: (req: never) => logging.write(req),
        ListLogEntries: (req: never) => logging.list(req),
        ListLogs: (req: never) => logging.listLogs(req),
      }, LOGGING_API),
      TailLogEntries: this.tailHandler(methodName(protos.logging, 'TailLogEntries')),
    });
    for (const r of platformRegistrations(protos, this.deps.platform)) server.addService(r.definition, this.unaryAll(r.definition, r.impls, r.api));
    server.addService(protos.control, this.controlHandlers());
  }

  /** Ends every open tail cleanly (status OK), so clients see the stream finish rather than break. */
  endStreams(): void {
    for (const call of this.streams) call.end();
    this.streams.clear();
  }

  /** `api`: the Google API that must be enabled in the request's project (else SERVICE_DISABLED). */
  /** Ends every open tail with an error status (Control/DropTails); returns how many were open. */
  dropTails(code: number, message: string): number {
    const calls = [...this.streams];
    const status = { code: code || grpc.status.UNAVAILABLE, details: message || 'The tail session was closed by the server.' };
    // Emitting 'error' runs the handler's close() (the tail stops) and sends the status to the client.
    for (const call of calls) call.emit('error', { ...status, metadata: new grpc.Metadata() });
    return calls.length;
  }

  private unaryAll(definition: grpc.ServiceDefinition, impls: Record<string, UnaryImpl>, api?: string): grpc.UntypedServiceImplementation {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [method, impl] of Object.entries(impls)) {
      const name = methodName(definition, method);
      const handler: grpc.handleUnaryCall<unknown, unknown> = (call, callback) => {
        this.guarded(name, () => {
          if (api) this.deps.platform.serviceUsage.check(projectOfRequest(call.request), api);
          return impl(call.request as never);
        }).then(
          (response) => callback(null, response),
          (err: unknown) => callback(toGrpcStatus(err)),
        );
      };
      handlers[method] = handler;
    }
    return handlers;
  }

  private async guarded(method: string, fn: () => unknown): Promise<unknown> {
    const { error, delayMs } = this.deps.faults.onCall(method);
    if (delayMs) await sleep(delayMs);
    if (error) throw error;
    return await fn();
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
        this.guarded(method, () => {
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
