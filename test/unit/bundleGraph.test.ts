// The built extension (dist/, from out/bundle-meta.json, the metafile `npm run build` writes): activation
// loads only Mentor's own code; every Google client, google-gax/grpc, dockerode and ssh2 arrive on first use.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface OutputMeta {
  imports: { path: string; kind: string; external?: boolean }[];
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

function meta(): Record<string, OutputMeta> {
  const file = path.join(ROOT, 'out', 'bundle-meta.json');
  assert.ok(fs.existsSync(file), 'out/bundle-meta.json is missing: run npm run build');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The output files an entry loads before its code runs (itself and its static imports). */
function startupFiles(outputs: Record<string, OutputMeta>, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return seen;
}

const startupInputs = (outputs: Record<string, OutputMeta>, entry: string) => [...startupFiles(outputs, entry)].flatMap((f) => Object.keys(outputs[f].inputs));

describe('bundle graph', () => {
  it('activation loads no Google client, google-gax, grpc, protobufjs, dockerode or ssh2', () => {
    const outputs = meta();
    const inputs = startupInputs(outputs, 'dist/extension.mjs');
    assert.ok(inputs.includes('src/extension.ts'));
    const heavy = inputs.filter((i) => /node_modules\/(@google-cloud|google-gax|@grpc|protobufjs|google-auth-library|dockerode|docker-modem|ssh2|tar-fs)\//.test(i));
    assert.deepEqual(heavy, []);
  });

  it('each Google client family is its own lazily loaded chunk, sharing one google-gax', () => {
    const outputs = meta();
    const holders = (pattern: RegExp) => Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => pattern.test(i))).map(([f]) => f);
    const startup = startupFiles(outputs, 'dist/extension.mjs');
    for (const client of [/@google-cloud\/run\//, /@google-cloud\/logging-api\//, /@google-cloud\/secret-manager\//]) {
      const files = holders(client);
      assert.equal(files.length, 1, `${client} is in ${files.join(', ')}`);
      assert.ok(!startup.has(files[0]), `${files[0]} is loaded at activation`);
    }
    assert.equal(holders(/node_modules\/google-gax\/build\/src\/grpc\.js$/).length, 1, 'one copy of google-gax');
  });

  it('ssh2 is only in dist/ssh.cjs, which the Docker chunk requires on demand', () => {
    const outputs = meta();
    const withSsh2 = Object.entries(outputs).filter(([, o]) => Object.keys(o.inputs).some((i) => i.includes('node_modules/ssh2/'))).map(([f]) => f);
    assert.deepEqual(withSsh2, []);
    const ssh = fs.readFileSync(path.join(ROOT, 'dist', 'ssh.cjs'), 'utf8');
    assert.match(ssh, /SSH-2\.0/);
  });
});
