// Environment values a container gets without anyone writing them down. Docker keeps a container's `Env`
// in its config on disk (and `docker inspect` shows it), which is no place for a secret. Instead the
// container starts under a tiny shell wrapper that reads `export NAME='value'` lines from its stdin, then
// `exec`s the image's own entrypoint and command: the values live only in the app's process environment.
// (Run Locally uses this for values read from Secret Manager; the user's own .env file is already on disk.)

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The wrapper's script: evaluate stdin with auto-export, then become the image's process (PID 1 stays the
 * app). `$(cat)` rather than `. /dev/stdin`: stdin may be a socket, which /dev/stdin cannot reopen.
 */
export const MEMORY_ENV_SCRIPT = 'set -a; eval "$(cat)"; set +a; exec "$@"';

/** `export NAME='value'` lines a POSIX shell sources back to the exact values (newlines, quotes, `$` included). */
export function shellExports(env: Readonly<Record<string, string>>): string {
  return Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not a valid environment variable name.`);
    if (value.includes('\0')) throw new Error(`The value of ${name} contains a NUL byte, which no environment variable can hold.`);
    return `export ${name}='${value.replace(/'/g, `'\\''`)}'\n`;
  }).join('');
}

/**
 * The entrypoint and command that run the image's own ones under the wrapper. `$0` is a label; an image
 * with neither has nothing to run.
 */
export function wrappedCommand(entrypoint: readonly string[] | null | undefined, cmd: readonly string[] | null | undefined): { entrypoint: string[]; cmd: string[] } {
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (!argv.length) throw new Error('The image has no ENTRYPOINT or CMD to start.');
  return { entrypoint: ['/bin/sh', '-c', MEMORY_ENV_SCRIPT, 'mentor-env'], cmd: argv };
}
