// Pure parser for the classic builder's JSON progress stream (POST /build). No I/O, no dockerode.
//
// The engine answers 200 and then streams newline-delimited JSON objects:
//   {"stream":"Step 3/5 : RUN pip install -r requirements.txt\n"}
//   {"stream":" ---> Running in 0123abcd\n"}          (the intermediate container of this step)
//   {"stream":"Collecting fastapi..."}                  (command output, not line-aligned)
//   {"aux":{"ID":"sha256:…"}}                          (the final image)
//   {"stream":"Successfully built 1a2b3c4d5e6f\n"}
//   {"errorDetail":{"code":3,"message":"The command '/bin/sh -c exit 3' returned a non-zero code: 3"},"error":"…"}
// A failed build still answers 200: the error is one of the events, so every event is checked.

import { UserFacingError } from '../core/errors';
import type { BuildProgress } from './types';
import { LineSplitter } from './streams';

export interface BuildEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string } | unknown;
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

/** How many output lines a build failure carries in `detail`. */
export const FAILURE_TAIL_LINES = 30;

const STEP_RE = /^Step (\d+)\/(\d+) : (.*)$/;
const RUNNING_IN_RE = /^ ---> Running in ([0-9a-f]{12,64})$/;
const SUCCESSFULLY_BUILT_RE = /^Successfully built ([0-9a-f]{12,64})$/;
const NON_ZERO_RE = /returned a non-zero code: (\d+)/;

export class BuildStreamParser {
  step?: number;
  totalSteps?: number;
  /** The instruction of the current step, e.g. "RUN pip install -r requirements.txt". */
  instruction?: string;
  /** "sha256:…" from aux.ID, else the short id from "Successfully built". */
  imageId?: string;
  /** The first error event, if any. */
  error?: { message: string; code?: number };
  /** Ids of the intermediate containers the builder announced (" ---> Running in …"). */
  readonly intermediateContainers: string[] = [];
  /** The last FAILURE_TAIL_LINES output lines. */
  readonly tail: string[] = [];
  /** How many output lines were seen. */
  lineCount = 0;

  /** Engine events are JSON lines; an object may arrive split across chunks (even inside a UTF-8 character). */
  private readonly jsonLines = new LineSplitter((line) => {
    const raw = line.trim();
    if (raw) this.pushJsonLine(raw);
  });
  private textBuffer = '';

  constructor(private readonly onProgress?: (progress: BuildProgress) => void) {}

  /** Feeds raw bytes/text from the response; handles JSON objects split across chunks. */
  pushChunk(chunk: string | Buffer): void {
    this.jsonLines.push(chunk);
  }

  /** Call when the response ended: flushes a trailing object without newline and partial output. */
  end(): void {
    this.jsonLines.flush();
    this.flushText(true);
  }

  pushJsonLine(raw: string): void {
    let event: BuildEvent;
    try {
      event = JSON.parse(raw) as BuildEvent;
    } catch {
      // Not JSON (a proxy's error page, a truncated object): keep it as output so it is not lost.
      this.emitLine(raw);
      return;
    }
    this.push(event);
  }

  push(event: BuildEvent): void {
    if (typeof event.stream === 'string') {
      this.textBuffer += event.stream;
      this.flushText(false);
    } else if (typeof event.status === 'string') {
      // Pull progress of a base image. Per-layer byte progress is noise; keep the status lines.
      const detail = event.progressDetail;
      if (!detail || detail.current === undefined) {
        this.emitLine(event.id ? `${event.id}: ${event.status}` : event.status);
      }
    }
    const aux = event.aux as { ID?: unknown } | undefined;
    if (aux && typeof aux === 'object' && typeof aux.ID === 'string') this.imageId = aux.ID;
    if (event.error !== undefined || event.errorDetail !== undefined) {
      this.flushText(true);
      const message = (event.errorDetail?.message ?? event.error ?? 'unknown error').trim();
      if (!this.error) this.error = { message, code: event.errorDetail?.code };
    }
  }

  /** The failure as a person should see it, or undefined when the stream reported none. */
  failure(): UserFacingError | undefined {
    if (!this.error) return undefined;
    return buildFailure(this.error.message, this.step, this.totalSteps, this.instruction, this.tail);
  }

  private flushText(all: boolean): void {
    let newline: number;
    while ((newline = this.textBuffer.indexOf('\n')) >= 0) {
      const line = this.textBuffer.slice(0, newline);
      this.textBuffer = this.textBuffer.slice(newline + 1);
      this.handleLine(line);
    }
    if (all && this.textBuffer) {
      const rest = this.textBuffer;
      this.textBuffer = '';
      this.handleLine(rest);
    }
  }

  private handleLine(rawLine: string): void {
    const line = terminalLine(rawLine);
    const step = STEP_RE.exec(line);
    if (step) {
      this.step = Number(step[1]);
      this.totalSteps = Number(step[2]);
      this.instruction = step[3].trim();
    }
    const running = RUNNING_IN_RE.exec(line);
    if (running) this.intermediateContainers.push(running[1]);
    const built = SUCCESSFULLY_BUILT_RE.exec(line);
    if (built && !this.imageId) this.imageId = built[1];
    this.emitLine(line);
  }

  private emitLine(line: string): void {
    this.lineCount++;
    this.tail.push(line);
    if (this.tail.length > FAILURE_TAIL_LINES) this.tail.shift();
    this.onProgress?.({ step: this.step, totalSteps: this.totalSteps, line });
  }
}

/** What a terminal would show for a line with carriage returns (progress bars): the last segment. */
export function terminalLine(line: string): string {
  const withoutCr = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = withoutCr.lastIndexOf('\r');
  return (cr >= 0 ? withoutCr.slice(cr + 1) : withoutCr).replace(/\s+$/, '');
}

export function buildFailure(
  engineMessage: string,
  step: number | undefined,
  totalSteps: number | undefined,
  instruction: string | undefined,
  tail: readonly string[],
): UserFacingError {
  const exit = NON_ZERO_RE.exec(engineMessage);
  const sentence = /[.!?]$/.test(engineMessage) ? engineMessage : `${engineMessage}.`;
  let message: string;
  if (step !== undefined && instruction !== undefined) {
    const where = `Step ${step}/${totalSteps ?? '?'} \`${shorten(instruction, 100)}\``;
    message = exit
      ? `${where} failed with exit code ${exit[1]}.`
      : `${where} failed: ${sentence}`;
  } else {
    message = `The image could not be built: ${sentence}`;
  }
  const hint = failureHint(engineMessage, instruction);
  if (hint) message += ` ${hint}`;
  const detail = [...tail, '', engineMessage].join('\n').trim();
  return new UserFacingError(message, 'buildFailed', [], detail);
}

function failureHint(engineMessage: string, instruction: string | undefined): string | undefined {
  if (/file not found in build context|excluded by \.dockerignore/i.test(engineMessage)) {
    return 'Check that the file exists in the build folder and is not listed in .dockerignore.';
  }
  if (/pull access denied|repository does not exist|manifest unknown|not found: manifest/i.test(engineMessage)) {
    return 'Check the image name in FROM, and that you are logged in to its registry.';
  }
  if (instruction && /^RUN\b/i.test(instruction) && NON_ZERO_RE.test(engineMessage)) {
    return 'The output above the error shows why the command failed.';
  }
  return undefined;
}

function shorten(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
