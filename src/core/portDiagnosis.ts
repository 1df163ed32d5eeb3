// Explains why an app does not answer on $PORT, from what actually listens inside the container, and
// finds the line to change (Dockerfile CMD/ENTRYPOINT first, then Python sources).

export interface ListeningSocket {
  address: string;
  port: number;
}

export interface SourceFile {
  path: string;
  text: string;
}

export interface PortDiagnosis {
  message: string;
  /** The line to change, when one could be found. */
  location?: { path: string; line: number; text: string };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function diagnosePort(expectedPort: number, sockets: readonly ListeningSocket[], sources: readonly SourceFile[]): PortDiagnosis {
  const onPort = sockets.filter((s) => s.port === expectedPort);
  if (onPort.length > 0 && onPort.every((s) => LOOPBACK.test(s.address))) {
    return {
      message: `The app listens on ${onPort[0].address}:${expectedPort}, which only accepts connections from inside the ` +
        'container. Cloud Run (and Docker) reach it from outside: bind to 0.0.0.0 (uvicorn --host 0.0.0.0).',
      location: findLine(sources, [/--host[\s"',=]+(127\.0\.0\.1|localhost)/, /host\s*=\s*["'](127\.0\.0\.1|localhost)["']/, /\buvicorn\b/]),
    };
  }
  const others = sockets.filter((s) => s.port !== expectedPort);
  if (onPort.length === 0 && others.length > 0) {
    const ports = [...new Set(others.map((s) => s.port))];
    const port = ports[0];
    return {
      message: `The app listens on port ${ports.join(', ')}, but Cloud Run sends requests to the port in $PORT ` +
        `(${expectedPort}). Start the server with --port \${PORT:-${expectedPort}} instead of a fixed port.`,
      location: findLine(sources, [new RegExp(`--port[\\s"',=]+${port}\\b`), new RegExp(`port\\s*=\\s*${port}\\b`), new RegExp(`[:=]${port}\\b`)]),
    };
  }
  if (sockets.length === 0) {
    return { message: `Nothing listens on any TCP port inside the container. The server may not have started: check the container logs.` };
  }
  return { message: `The app listens on ${expectedPort} but did not answer the health check in time.` };
}

/** First line matching the patterns in priority order, Dockerfile CMD/ENTRYPOINT lines before sources. */
function findLine(sources: readonly SourceFile[], patterns: RegExp[]): PortDiagnosis['location'] {
  const ordered = [...sources].sort((a, b) => rank(a) - rank(b));
  for (const pattern of patterns) {
    for (const source of ordered) {
      const lines = source.text.split('\n');
      const dockerfile = isDockerfile(source);
      const index = lines.findIndex((l) => pattern.test(l) && (!dockerfile || /^\s*(CMD|ENTRYPOINT)\b/i.test(l)) && !/^\s*#/.test(l));
      if (index >= 0) return { path: source.path, line: index + 1, text: lines[index].trim() };
    }
  }
  return undefined;
}

function isDockerfile(source: SourceFile): boolean {
  return /(^|\/)Dockerfile[^/]*$/.test(source.path);
}

function rank(source: SourceFile): number {
  return isDockerfile(source) ? 0 : 1;
}
