// Starts an in-process emulator and the REAL Google clients pointed at it, the way the extension
// connects to an emulator endpoint (plaintext gRPC, no credentials).
import * as assert from 'node:assert/strict';
import { ServicesClient, RevisionsClient } from '@google-cloud/run';
import { Logging } from '@google-cloud/logging';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/server';
import { createControlClient, type ControlClient } from '../../emulator/controlClient';

process.env.METADATA_SERVER_DETECTION = 'none';

export const PROJECT = 'mentor-demo';
export const LOCATION = 'us-central1';
export const PARENT = `projects/${PROJECT}/locations/${LOCATION}`;
export const serviceName = (id: string) => `${PARENT}/services/${id}`;

export interface Harness {
  emulator: RunningEmulator;
  services: ServicesClient;
  revisions: RevisionsClient;
  logging: Logging;
  control: ControlClient;
  close(): Promise<void>;
}

export function clientOptions(port: number) {
  return {
    apiEndpoint: '127.0.0.1',
    port,
    sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(),
    projectId: PROJECT,
  };
}

export async function startHarness(opts: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ operationDelayMs: 30, ...opts });
  const services = new ServicesClient(clientOptions(emulator.port));
  const revisions = new RevisionsClient(clientOptions(emulator.port));
  const logging = new Logging(clientOptions(emulator.port));
  const control = createControlClient(emulator.address);
  return {
    emulator, services, revisions, logging, control,
    async close() {
      control.close();
      await Promise.all([services.close(), revisions.close()]);
      await emulator.stop();
    },
  };
}

/** A minimal valid service body. */
export function serviceBody(image: string, extra: Record<string, unknown> = {}) {
  return { template: { containers: [{ image }] }, ...extra };
}

/** Asserts a promise rejects with a gRPC status `code` and a message matching `message`. */
export async function rejectsWith(promise: Promise<unknown>, code: grpc.status, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: { code?: number; message?: string; details?: string }) => {
    assert.equal(err.code, code, `expected ${grpc.status[code]}, got ${String(err.code)}: ${err.message}`);
    assert.match(err.details ?? err.message ?? '', message);
    return true;
  });
}
