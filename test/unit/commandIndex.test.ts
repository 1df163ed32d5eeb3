// commands/index.ts registers exactly the commands package.json contributes (ids only: the
// implementations load on first use, and registerCommand.ts checks each loaded id).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allCommands } from '../../src/commands/index';

describe('command index', () => {
  it('lists every contributed command once, and nothing else', () => {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    const contributed = (manifest.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    const registered = allCommands.map((c) => c.id).sort();
    assert.deepEqual(registered, contributed);
    assert.equal(new Set(registered).size, registered.length);
  });
});
