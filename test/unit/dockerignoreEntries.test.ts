// "Add to .dockerignore": exact lines for exact files, the user's text kept, nothing listed twice, and the
// lines really exclude those files (glob characters and leading ! or # included).
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendToDockerignore, dockerignoreLineFor } from '../../src/core/dockerignoreEntries';
import { contextFiles } from '../../src/docker/buildContext';

const WHY = '# secrets found by Mentor: pass them with mentor.secrets (Secret Manager), not in the image';

describe('adding files to .dockerignore', () => {
  it('creates the file when there is none', () => {
    assert.deepEqual(appendToDockerignore(undefined, ['.env.production', 'gcp-key.json']),
      { text: `${WHY}\n.env.production\ngcp-key.json\n`, added: ['.env.production', 'gcp-key.json'] });
  });

  it("keeps the user's text, adds a missing final newline, keeps CRLF, and never lists a file twice", () => {
    assert.equal(appendToDockerignore('.git', ['a.env']).text, `.git\n${WHY}\na.env\n`);
    assert.equal(appendToDockerignore('.git\r\n', ['a.env']).text, `.git\r\n${WHY}\r\na.env\r\n`);
    const once = appendToDockerignore('.git\n/gcp-key.json  \n', ['gcp-key.json', '.env.production', '.env.production']);
    assert.deepEqual(once.added, ['.env.production']);
    const twice = appendToDockerignore(once.text, ['.env.production', 'keys/x.pem']);
    assert.deepEqual(twice.added, ['keys/x.pem']);
    assert.equal(twice.text, `${once.text}keys/x.pem\n`, 'one comment, however many batches');
    assert.deepEqual(appendToDockerignore(twice.text, ['keys/x.pem']), { text: twice.text, added: [] });
  });

  it('escapes glob characters and a leading ! or #', () => {
    assert.equal(dockerignoreLineFor('a[1]*?.env'), 'a\\[1\\]\\*\\?.env');
    assert.equal(dockerignoreLineFor('!x.env'), '\\!x.env');
    assert.equal(dockerignoreLineFor('#x.env'), '\\#x.env');
  });

  it('the lines exclude exactly those files from the build context', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-ignore-'));
    try {
      const names = ['a[1].env', 'a1.env', '!x.env', '#x.env', 'keys/*.pem', 'keys/b.pem', 'main.py'];
      for (const name of names) {
        await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
        await fs.writeFile(path.join(root, name), 'x');
      }
      const { text } = appendToDockerignore(undefined, ['a[1].env', '!x.env', '#x.env', 'keys/*.pem']);
      await fs.writeFile(path.join(root, '.dockerignore'), text);
      assert.deepEqual(await contextFiles(root), ['.dockerignore', 'a1.env', 'keys/b.pem', 'main.py']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
