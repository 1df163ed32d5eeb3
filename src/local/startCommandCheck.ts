// Before a container is started (Run Locally, the deploy's smoke test): a Dockerfile that starts the
// server on a fixed port other than $PORT fails on Cloud Run after a long wait, so it is explained at once,
// with the one-line fix. Used by the extension and the headless CLI (node fs, no vscode).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserFacingError } from '../core/errors';
import { dockerfileCommand, fixedInstruction, portProblem } from '../core/startCommand';

export const FIX_START_COMMAND = 'mentor.fixStartCommand';

export async function startCommandPortError(folder: string, port: number, dockerfile = 'Dockerfile'): Promise<UserFacingError | undefined> {
  const path = join(folder, dockerfile);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const location = text === undefined ? undefined : dockerfileCommand(dockerfile, text);
  const problem = location && portProblem(location, port);
  if (!location || !problem) return undefined;
  const fixed = location.command.fixedPort;
  return new UserFacingError(`${problem} Change it to: ${fixedInstruction(location, port)}` +
    ` — or set mentor.port to ${fixed} if the app must listen there.`, 'configuration', [
    { kind: 'command', label: `Fix Line ${location.line}`, command: FIX_START_COMMAND, args: [path] },
    { kind: 'openSettings', label: 'Open Settings', setting: 'mentor.port' },
  ]);
}
