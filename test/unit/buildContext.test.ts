import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { UserFacingError } from '../../src/core/errors';
import { contextFiles, couldMatchBelow, exceptionPatterns, packContext, readDockerignore, walkContext } from '../../src/docker/buildContext';

interface TarEntry {
  name: string;
  type: string;
  size: number;
  uid: number;
  gid: number;
  linkname: string;
  content: string;
}

/** A minimal ustar reader (names < 100 chars, no pax), enough to check what packContext wrote. */
function readTar(buffer: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  const str = (start: number, length: number) => buffer.subarray(offset + start, offset + start + length).toString('utf8').replace(/\0.*$/s, '');
  const octal = (start: number, length: number) => parseInt(str(start, length).trim() || '0', 8);
  while (offset + 512 <= buffer.length && buffer[offset] !== 0) {
    const size = octal(124, 12);
    const prefix = str(345, 155);
    const name = (prefix ? `${prefix}/` : '') + str(0, 100);
    const typeflag = str(156, 1) || '0';
    const type = { '0': 'file', '2': 'symlink', '5': 'directory' }[typeflag] ?? typeflag;
    const entry = { name, type, size, uid: octal(108, 8), gid: octal(116, 8), linkname: str(157, 100), content: '' };
    offset += 512;
    entry.content = buffer.subarray(offset, offset + size).toString('utf8');
    offset += Math.ceil(size / 512) * 512;
    entries.push(entry);
  }
  return entries;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('build context', () => {
  let tmp: string;
  let n = 0;
  const tree = async (files: Record<string, string>): Promise<string> => {
    const root = path.join(tmp, `ctx${n++}`);
    for (const [rel, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await fs.writeFile(path.join(root, rel), content);
    }
    return root;
  };

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mentor-ctx-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('sends everything, sorted, when there is no .dockerignore', async () => {
    const root = await tree({ 'b.py': '', 'a/z.txt': '', 'a/b/c.txt': '', Dockerfile: '' });
    assert.deepEqual(await contextFiles(root), ['Dockerfile', 'a/b/c.txt', 'a/z.txt', 'b.py']);
    assert.deepEqual((await walkContext(root)).filter((e) => e.type === 'directory').map((e) => e.path), ['a', 'a/b']);
  });

  it('follows Docker\'s rules: comments, top-level *, **, leading /, ?, case, last match wins', async () => {
    const root = await tree({
      '.dockerignore': [
        '# a comment line, then a blank one',
        '',
        '   *.md   ',
        '!README.md',
        '**/*.pyc',
        '/build',
        'v?.txt',
        '*.LOG',
      ].join('\r\n'),
      'README.md': '',
      'CHANGES.md': '',
      'docs/guide.md': '', // `*.md` is top level only
      'app/__pycache__/m.cpython-311.pyc': '',
      'm.pyc': '', // ** matches zero directories too
      'build/out.bin': '',
      'app/build/keep.py': '', // `/build` is anchored
      'v1.txt': '',
      'v10.txt': '', // ? is exactly one character
      'debug.log': '', // matching is case-sensitive
      '#notacomment.txt': '',
      Dockerfile: '',
    });
    assert.deepEqual(await contextFiles(root), [
      '#notacomment.txt',
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'app/build/keep.py',
      'debug.log',
      'docs/guide.md',
      'v10.txt',
    ]);
    assert.deepEqual(await readDockerignore(root), ['*.md', '!README.md', '**/*.pyc', '/build', 'v?.txt', '*.LOG']);
  });

  it('excludes a directory with everything below it, but an exception re-includes a file in it', async () => {
    const root = await tree({
      '.dockerignore': '.env\nsecrets/\n!secrets/keep.txt\n!secrets/**/also-keep.txt\n.git\nnode_modules\n',
      '.env': 'KEY=1',
      'secrets/key.pem': '',
      'secrets/keep.txt': '',
      'secrets/deep/er/also-keep.txt': '',
      'secrets/deep/other.txt': '',
      '.git/HEAD': '',
      'node_modules/x/index.js': '',
      'main.py': '',
    });
    assert.deepEqual(await contextFiles(root), ['.dockerignore', 'main.py', 'secrets/deep/er/also-keep.txt', 'secrets/keep.txt']);
    // the excluded directory itself is not an entry; its re-included files are
    const entries = await walkContext(root);
    assert.ok(!entries.some((e) => e.path === 'secrets' || e.path === '.git' || e.path.startsWith('node_modules')));
  });

  it('always sends the Dockerfile (also a custom one) and .dockerignore, even when they are ignored', async () => {
    const root = await tree({
      '.dockerignore': '*\n',
      Dockerfile: 'FROM x',
      'deploy/Dockerfile.prod': 'FROM y',
      'main.py': '',
    });
    assert.deepEqual(await contextFiles(root), ['.dockerignore', 'Dockerfile']);
    assert.deepEqual(await contextFiles(root, 'deploy/Dockerfile.prod'), ['.dockerignore', 'deploy/Dockerfile.prod']);
  });

  it('keeps symlinks as links and never follows them out of the folder', async () => {
    const outside = await tree({ 'secret.txt': 'outside', 'dir/inner.txt': '' });
    const root = await tree({ 'main.py': 'print(1)', Dockerfile: '' });
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    await fs.symlink(path.join(outside, 'dir'), path.join(root, 'linkdir'));
    assert.deepEqual(await contextFiles(root), ['Dockerfile', 'link.txt', 'linkdir', 'main.py']);
    const ctx = await packContext(root);
    const tar = readTar(await drain(ctx.stream));
    const link = tar.find((e) => e.name === 'link.txt');
    assert.equal(link?.type, 'symlink');
    assert.equal(link?.linkname, path.join(outside, 'secret.txt'));
    assert.equal(tar.find((e) => e.name === 'linkdir')?.type, 'symlink');
    assert.ok(!tar.some((e) => e.content === 'outside' || e.name.includes('inner.txt')));
  });

  it('packs exactly the listed entries into a tar, owned by root, and counts files and bytes', async () => {
    const root = await tree({
      '.dockerignore': 'ignored/\n',
      Dockerfile: 'FROM python:3.11-slim\n',
      'main.py': 'print("hi")\n',
      'pkg/mod.py': 'x = 1\n',
      'ignored/big.bin': 'x'.repeat(5000),
    });
    const ctx = await packContext(root);
    assert.equal(ctx.dockerfile, 'Dockerfile');
    assert.equal(ctx.files, 4);
    const bytes = await drain(ctx.stream);
    assert.equal(ctx.bytes(), bytes.length);
    assert.equal(bytes.length % 512, 0);
    const tar = readTar(bytes);
    assert.deepEqual(tar.map((e) => `${e.type}:${e.name}`).sort(), [
      'directory:pkg',
      'file:.dockerignore',
      'file:Dockerfile',
      'file:main.py',
      'file:pkg/mod.py',
    ]);
    assert.equal(tar.find((e) => e.name === 'main.py')?.content, 'print("hi")\n');
    assert.ok(tar.every((e) => e.uid === 0 && e.gid === 0));
  });

  it('adds a Dockerfile from outside the folder under a generated name, like docker build -f', async () => {
    const root = await tree({ 'main.py': '' });
    await fs.writeFile(path.join(root, '..', 'Outside.Dockerfile'), 'FROM busybox\n');
    const ctx = await packContext(root, '../Outside.Dockerfile');
    assert.match(ctx.dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
    const tar = readTar(await drain(ctx.stream));
    assert.equal(tar.find((e) => e.name === ctx.dockerfile)?.content, 'FROM busybox\n');
    assert.equal(ctx.files, 2);
  });

  it('explains a missing folder or Dockerfile', async () => {
    await assert.rejects(packContext(path.join(tmp, 'nope')), (e: unknown) => e instanceof UserFacingError && e.kind === 'configuration');
    const root = await tree({ 'main.py': '' });
    await assert.rejects(packContext(root), (e: unknown) => e instanceof UserFacingError && e.kind === 'buildFailed' && /no Dockerfile/.test(e.message));
  });

  it('decides which excluded directories an exception could still reach', () => {
    assert.deepEqual(exceptionPatterns(['a', '!/secrets/keep.txt', '! x/ ', '!', '!./y//z/']), [['secrets', 'keep.txt'], ['x'], ['y', 'z']]);
    const reaches = (pattern: string, dir: string) => couldMatchBelow(pattern.split('/'), dir.split('/'));
    assert.equal(reaches('secrets/keep.txt', 'secrets'), true);
    assert.equal(reaches('secrets/keep.txt', 'secrets/deep'), false);
    assert.equal(reaches('secrets/keep.txt', 'other'), false);
    assert.equal(reaches('sec*/k?ep.txt', 'secrets'), true);
    assert.equal(reaches('**/keep.txt', 'any/where'), true);
    assert.equal(reaches('a/**/b', 'a/x/y'), true);
    assert.equal(reaches('[st]ecrets/x', 'secrets'), true);
    assert.equal(reaches('[!s]ecrets/x', 'secrets'), false);
    assert.equal(reaches('secrets', 'secrets/deep'), true); // names an ancestor: the matcher decides per file
  });
});
