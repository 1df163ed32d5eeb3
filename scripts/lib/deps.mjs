// Whether node_modules matches package.json and package-lock.json (npm test and npm start install when not).
// Must stay runnable by Node 20 (before `npm install`, `node` may be the system one).
import fs from 'node:fs';
import path from 'node:path';

/** Why node_modules needs `npm install`, or '' if it matches package.json / package-lock.json. */
export function depsStaleReason(root) {
  const nm = path.join(root, 'node_modules');
  if (!fs.existsSync(nm)) return 'node_modules is missing';
  const hiddenFile = path.join(nm, '.package-lock.json');
  const lockFile = path.join(root, 'package-lock.json');
  if (!fs.existsSync(hiddenFile)) return 'node_modules/.package-lock.json is missing';
  if (!fs.existsSync(lockFile)) return 'package-lock.json is missing';
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')).packages || {};
  const have = JSON.parse(fs.readFileSync(hiddenFile, 'utf8')).packages || {};
  const lockRoot = lock[''] || {};
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const a = pkg[field] || {}, b = lockRoot[field] || {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[name] !== b[name]) return `package.json ${field}.${name} (${a[name]}) differs from package-lock.json (${b[name]})`;
    }
  }
  for (const [key, want] of Object.entries(lock)) {
    if (!key.startsWith('node_modules/') || want.link) continue;
    const got = have[key];
    if (!got) { if (want.optional || want.peer) continue; return `${key} is not installed`; }
    if (want.version && got.version !== want.version) return `${key} is ${got.version}, package-lock.json wants ${want.version}`;
  }
  return '';
}
