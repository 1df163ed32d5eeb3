// Shared setup for the integration tests: the activated extension's API, the emulator the harness
// started (MENTOR_TEST_EMULATOR), and real Google clients to read what the emulator holds.
import * as assert from 'assert';
import * as http from 'http';
import * as vscode from 'vscode';
import { grpc } from 'google-gax';
import { PassThroughClient } from 'google-auth-library';
import { ServicesClient } from '@google-cloud/run';
import type { MentorApi } from '../../src/extension';
import type { ExplorerState } from '../../src/tree/explorerProvider';
import type { ExplorerNode, RevisionNode, ServiceNode } from '../../src/tree/nodes';
import { ControlClient, createControlClient } from '../../emulator/controlClient';

export const EXTENSION_ID = 'mentor-dev.mentor-cloud-run';
export const PROJECT = 'mentor-demo';
export const REGION = 'us-central1';

export function emulatorAddress(): string {
  const address = process.env.MENTOR_TEST_EMULATOR;
  assert.ok(address, 'MENTOR_TEST_EMULATOR is not set: run the integration tests through npm test');
  return address;
}

export async function mentor(): Promise<MentorApi> {
  const extension = vscode.extensions.getExtension<MentorApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  return extension.activate();
}

export function control(): ControlClient {
  return createControlClient(emulatorAddress());
}

/** A real Cloud Run client on the emulator, independent of the extension's own connection. */
export function servicesClient(): ServicesClient {
  process.env.METADATA_SERVER_DETECTION = 'none';
  const [host, port] = emulatorAddress().split(':');
  return new ServicesClient({ apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(),
    authClient: new PassThroughClient(), projectId: PROJECT });
}

export function serviceName(service: string): string {
  return `projects/${PROJECT}/locations/${REGION}/services/${service}`;
}

/** Refreshes the explorer and checks its first level settles in `expected`. */
export async function refreshAndWait(api: MentorApi, expected: ExplorerState): Promise<ExplorerNode[]> {
  await vscode.commands.executeCommand('mentor.refresh');
  // Shares the load the view starts (the provider runs one first-level load at a time).
  const children = await api.explorer.getChildren();
  assert.strictEqual(api.explorer.state, expected, `explorer state ${api.explorer.state}, message: ${api.treeView.message ?? ''}`);
  return children;
}

export function findService(nodes: ExplorerNode[], id: string): ServiceNode {
  const node = nodes.find((n): n is ServiceNode => n.kind === 'service' && n.service.id === id);
  assert.ok(node, `service ${id} not in the tree: ${nodes.map((n) => (n.kind === 'service' ? n.service.id : n.kind)).join(', ')}`);
  return node;
}

export async function revisionsOf(api: MentorApi, service: ServiceNode): Promise<RevisionNode[]> {
  const children = await api.explorer.getChildren(service);
  return children.filter((n): n is RevisionNode => n.kind === 'revision');
}

export async function setMentorSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('mentor').update(key, value, vscode.ConfigurationTarget.Workspace);
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A plain HTTP GET with a timeout (the services under test are on 127.0.0.1). */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 5000, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}
