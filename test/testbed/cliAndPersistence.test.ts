import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServicesClient } from '@google-cloud/run';
import { clientOptions, PARENT, serviceBody, serviceName } from '../emulator/fixture';
import { startEmulator } from '../../emulator/server';

const CLI = path.join(__dirname, '..', '..', 'emulator', 'cli.js');

describe('emulator: CLI and persistence', () => {
  it('prints the listening line for --port 0, serves the seed and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--seed', 'demo', '--op-delay-ms', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      const m = /^Mentor emulator listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      assert.ok(m, `unexpected first line: ${line}`);
      const client = new ServicesClient(clientOptions(Number(m[1])));
      const [services] = await client.listServices({ parent: PARENT });
      assert.equal(services.length, 3);
      await client.close();
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });

  it('rejects unknown options with usage and exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, '--frobnicate'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /Unknown option --frobnicate[\s\S]*Usage:/);
  });

  it('keeps services, revisions and IAM across a restart with --data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-emulator-'));
    try {
      const first = await startEmulator({ dataDir: dir, operationDelayMs: 10 });
      const client = new ServicesClient(clientOptions(first.port));
      const [op] = await client.createService({ parent: PARENT, serviceId: 'kept', service: serviceBody('nginx:1') });
      const [created] = await op.promise();
      await client.setIamPolicy({ resource: serviceName('kept'), policy: { bindings: [{ role: 'roles/run.invoker', members: ['allUsers'] }] } });
      await client.close();
      await first.stop();
      assert.ok(fs.existsSync(path.join(dir, 'state.json')));

      // A seed is only for a fresh state: the saved one wins.
      const second = await startEmulator({ dataDir: dir, seed: 'demo' });
      const again = new ServicesClient(clientOptions(second.port));
      try {
        const [svc] = await again.getService({ name: serviceName('kept') });
        assert.equal(svc.uid, created.uid);
        assert.equal(svc.latestReadyRevision, created.latestReadyRevision);
        const [policy] = await again.getIamPolicy({ resource: serviceName('kept') });
        assert.deepEqual(policy.bindings?.[0]?.members, ['allUsers']);
        const [services] = await again.listServices({ parent: PARENT });
        assert.deepEqual(services.map((s) => s.name), [serviceName('kept')]);
      } finally {
        await again.close();
        await second.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
