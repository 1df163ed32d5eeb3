// The setup wizard adds nothing heavy to activation: its command, its first-open offer and each Google client
// family it uses (Resource Manager, Billing, IAM REST) are chunks loaded on first use, and its webview has
// its own bundle. Read from out/bundle-meta.json, which `npm run build` writes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

type Outputs = Record<string, { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;

function startupFiles(outputs: Outputs): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit('dist/extension.mjs');
  return seen;
}

describe('setup wizard bundle', () => {
  const outputs = (): Outputs => JSON.parse(fs.readFileSync(path.join(ROOT, 'out', 'bundle-meta.json'), 'utf8'));
  const holders = (o: Outputs, pattern: RegExp) => Object.entries(o).filter(([, out]) => Object.keys(out.inputs).some((i) => pattern.test(i))).map(([f]) => f);

  it('Resource Manager, Billing and IAM REST are each one lazily loaded chunk of their own', () => {
    const o = outputs();
    const startup = startupFiles(o);
    const chunks = [/@google-cloud\/resource-manager\//, /@google-cloud\/billing\//, /@googleapis\/iam\//].map((pattern) => {
      const files = holders(o, pattern);
      assert.equal(files.length, 1, `${pattern} is in ${files.join(', ')}`);
      assert.ok(!startup.has(files[0]), `${files[0]} is loaded at activation`);
      return files[0];
    });
    assert.equal(new Set(chunks).size, 3, 'each family has its own chunk');
  });

  it('activation loads neither the wizard, its offer nor its Google layer', () => {
    const o = outputs();
    const inputs = [...startupFiles(o)].flatMap((f) => Object.keys(o[f].inputs));
    const setupCode = inputs.filter((i) => /src\/(setup\/|webview\/setup|gcp\/setup|commands\/setup)/.test(i));
    assert.deepEqual(setupCode, []);
    assert.equal(holders(o, /src\/setup\/firstOpenOffer\.ts$/).length, 1);
  });

  it('the wizard webview is its own bundle, with no Node or extension code in it', () => {
    const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'setupWizard.js'), 'utf8');
    assert.match(bundle, /searchProjects/);
    assert.doesNotMatch(bundle, /setState\(|require\(["']vscode["']\)|google-gax/);
  });
});
