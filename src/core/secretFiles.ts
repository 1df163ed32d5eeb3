// Which files of a build context hold secrets. A file in the context ends up in the image, and an image's
// layers keep it even if a later step deletes it: whoever can pull the image can read it. Secrets belong in
// Secret Manager (mentor.secrets), so a deploy refuses an image with any of these unless the user allows it.
//
// Pure: the caller lists the context (what remains after .dockerignore) and reads files. Reads stay cheap
// on big contexts: only files whose names make them candidates, or small files (the private-key check
// applies to any small text file), are read, and never more than MAX_SCAN_BYTES of one. A finding names
// the file and why, never a value.

export interface ContextFile {
  /** Relative to the context folder, with forward slashes. */
  path: string;
  size: number;
}

export interface SecretFinding {
  path: string;
  /** What kind of secret, e.g. "service-account key (private_key)"; never the value. */
  reason: string;
}

/** Files are read up to this many bytes; files larger than this are read only when their name makes them candidates. */
export const MAX_SCAN_BYTES = 64 * 1024;
/** Reads at a time: a context of thousands of small files should not open them all at once. */
const READ_CONCURRENCY = 16;

// `.env.example` and friends document the variables without values; they are meant to be shipped.
const ENV_EXAMPLES = new Set(['.env.example', '.env.sample', '.env.template', '.env.dist']);
const KEY_STORES = /\.(p12|pfx|keystore|jks)$/i;
const KEY_FILE_NAMES = /^(id_rsa|id_dsa|id_ecdsa|id_ed25519)$|\.(pem|key)$/i;
const PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/;
// Files that are never worth reading for a PEM block: media, archives, compiled code, fonts.
const BINARY_NAMES = /\.(png|jpe?g|gif|webp|ico|bmp|tiff?|pdf|zip|gz|tgz|bz2|xz|7z|tar|whl|egg|jar|war|so|dylib|dll|exe|bin|o|a|pyc|pyo|class|wasm|woff2?|ttf|otf|eot|mp[34]|mov|avi|sqlite3?|db|parquet|npy|pt|onnx|safetensors)$/i;

/** Why the name alone makes the file a secret, or undefined. */
function secretByName(name: string): string | undefined {
  if (name === '.env' || name.endsWith('.env') || (name.startsWith('.env.') && !ENV_EXAMPLES.has(name))) {
    return 'environment file';
  }
  if (KEY_STORES.test(name)) return `key store (${name.slice(name.lastIndexOf('.'))})`;
  if (name === '.netrc' || name === '_netrc') return 'login credentials (.netrc)';
  return undefined;
}

/** Files whose content must be looked at even when they are larger than MAX_SCAN_BYTES (their first part). */
function candidateByName(path: string, name: string): boolean {
  return KEY_FILE_NAMES.test(name) || name === '.npmrc' || name === '.pypirc' || isDockerConfig(path);
}

function isDockerConfig(path: string): boolean {
  return path === '.docker/config.json' || path.endsWith('/.docker/config.json');
}

/** Why the content makes the file a secret, or undefined. */
function secretByContent(path: string, name: string, text: string): string | undefined {
  // before the PEM check: a service-account key holds a PEM block in its private_key field
  if (name.toLowerCase().endsWith('.json') && /"type"\s*:\s*"service_account"/.test(text) && /"private_key"\s*:/.test(text)) {
    return 'service-account key (private_key)';
  }
  const key = PRIVATE_KEY.exec(text);
  if (key) return `private key (${key[1].trim() || 'PEM'})`;
  if (name === '.npmrc') {
    const field = npmrcCredential(text);
    return field && `npm registry credentials (${field})`;
  }
  if (name === '.pypirc') return /^\s*password\s*[=:]\s*\S/m.test(text) ? 'PyPI credentials (password)' : undefined;
  if (isDockerConfig(path)) {
    return /"auths"\s*:/.test(text) && /"(auth|identitytoken)"\s*:\s*"[^"]+"/.test(text) ? 'Docker registry credentials (auths … auth)' : undefined;
  }
  return undefined;
}

/** The credential field an .npmrc sets to a literal value; `${NPM_TOKEN}` only names a variable, so it is no secret. */
function npmrcCredential(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(line)) continue;
    const match = /(?:^|:)(_authToken|_auth|_password)\s*=\s*(.*)$/.exec(line.trim());
    if (match && match[2].trim() && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(match[2].trim())) return match[1];
  }
  return undefined;
}

/** "./a\\b" → "a/b": how allow-list entries and context paths are compared. */
export function normaliseContextPath(path: string): string {
  return path.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}

/**
 * The files among `files` that hold secrets, in the order given. `read(path)` returns the file's text (at
 * most its first MAX_SCAN_BYTES are looked at) or undefined when it cannot be read. `allowed` lists exact
 * context paths the user accepted in the image; they are neither read nor reported.
 */
export async function findSecretFiles(files: readonly ContextFile[], read: (path: string) => Promise<string | undefined>,
  allowed: readonly string[] = []): Promise<SecretFinding[]> {
  const allowedPaths = new Set(allowed.map(normaliseContextPath));
  const results: (SecretFinding | undefined)[] = new Array(files.length);
  const toRead: number[] = [];
  files.forEach((file, index) => {
    if (allowedPaths.has(normaliseContextPath(file.path))) return;
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const byName = secretByName(name);
    if (byName) results[index] = { path: file.path, reason: byName };
    else if (candidateByName(file.path, name) || (file.size <= MAX_SCAN_BYTES && file.size > 0 && !BINARY_NAMES.test(name))) toRead.push(index);
  });

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toRead.length) {
      const index = toRead[next++];
      const file = files[index];
      const text = (await read(file.path).catch(() => undefined))?.slice(0, MAX_SCAN_BYTES);
      // a NUL byte means binary: no PEM block or JSON key file has one
      if (text === undefined || text.includes('\u0000')) continue;
      const reason = secretByContent(file.path, file.path.slice(file.path.lastIndexOf('/') + 1), text);
      if (reason) results[index] = { path: file.path, reason };
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, toRead.length) }, worker));
  return results.filter((finding): finding is SecretFinding => finding !== undefined);
}
