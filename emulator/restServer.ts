// The emulator's HTTP/1.1 JSON port, next to the gRPC one: what the Google clients' REST mode
// (`fallback: 'rest'`) and gcloud speak. It parses the request (per-segment decoded path, query, JSON body up
// to a size cap) and asks each RestHandler in turn; the first that answers wins, none = 404. Errors go out in
// Google's JSON error shape. Authorization headers are accepted and never checked, as on the gRPC port, and
// nothing about a request is logged (Secret Manager payloads travel in bodies).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { grpc } from 'google-gax';
import { ApiError, invalidArgument } from './apiError';
import { prettyPrintWanted } from './queryParams';
import { errorResponse } from './restErrors';
import type { RestHandler, RestRequest, RestResponse } from './restTypes';

/** Logging's WriteLogEntries takes up to 10 MB a call, the largest request among the emulated APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface RestServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Asked in order; later handlers see only what earlier ones left (returned undefined for). */
  handlers: readonly RestHandler[];
  maxBodyBytes?: number;
}

export interface RunningRestServer {
  port: number;
  /** The HTTP server itself: the shared port (portSharing.ts) hands it HTTP/1.1 connections too. */
  httpServer: http.Server;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume(); // drain without keeping it, so the answer can still be written
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Percent-decodes each segment but keeps an encoded "/" as "%2F", so a resource ID that contains one stays
 * one segment for route matching (http.proto leaves "%2F" undecoded in multi-segment variables, too).
 */
export function decodePath(rawPath: string): string {
  return rawPath.split('/').map((segment) => segment.split(/%2F/i).map((piece) => {
    try {
      return decodeURIComponent(piece);
    } catch {
      throw invalidArgument(`Invalid percent-encoding in the URL path: ${segment}`);
    }
  }).join('%2F')).join('/');
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`Invalid JSON payload received. ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function answer(handlers: readonly RestHandler[], req: http.IncomingMessage, body: Buffer, url: URL): Promise<RestResponse> {
  const request: RestRequest = {
    method: req.method ?? 'GET',
    path: decodePath(url.pathname),
    query: url.searchParams,
    headers: req.headers,
    body: parseJson(body),
  };
  for (const handler of handlers) {
    const response = await handler(request);
    if (response) return response;
  }
  throw new ApiError(grpc.status.NOT_FOUND, `The requested URL ${url.pathname} was not found on this server.`);
}

function write(res: http.ServerResponse, response: RestResponse, pretty: boolean): void {
  if (response.html !== undefined) {
    res.writeHead(response.status, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(response.html), ...response.headers });
    res.end(response.html);
    return;
  }
  const text = JSON.stringify(response.json ?? {}, null, pretty ? 2 : undefined);
  res.writeHead(response.status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...response.headers,
  });
  res.end(text);
}

export async function startRestServer(opts: RestServerOptions): Promise<RunningRestServer> {
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const pretty = prettyPrintWanted(url.searchParams);
    readBody(req, limit)
      .then((body) => answer(opts.handlers, req, body, url))
      .catch((err: unknown) => {
        if (!(err instanceof BodyTooLarge)) return errorResponse(err);
        res.setHeader('Connection', 'close');
        const message = `The request body is larger than the ${limit} bytes the emulator accepts.`;
        return { status: 413, json: { error: { code: 413, message, status: 'INVALID_ARGUMENT' } } };
      })
      .then((response) => write(res, response, pretty))
      .catch(() => res.destroy()); // the client went away while we wrote
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  let closed: Promise<void> | undefined;
  return {
    port,
    httpServer: server,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive sockets of clients would hold close() open
      });
      return closed;
    },
  };
}
