// The contract between the emulator's HTTP/JSON server (restServer.ts) and the handlers behind it: the
// generic transcoder of the gRPC methods' google.api.http rules, and hand-mapped surfaces that have no
// proto in the client packages (Cloud Run Admin v1, the Knative serving API gcloud uses).

export interface RestRequest {
  method: string;
  /** The URL path, percent-decoded per segment by the server (e.g. "/apis/serving.knative.dev/v1/namespaces/p/services"). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
}

export interface RestResponse {
  status: number;
  /** Serialised as JSON. */
  json: unknown;
  /** A page for a browser instead of JSON (the emulator's own pages, e.g. the GitHub stand-in's). */
  html?: string;
  headers?: Record<string, string>;
}

/**
 * Answers the requests it owns and returns undefined for the others, so the server can ask the next handler.
 * Errors are thrown as ApiError (apiError.ts); the server writes Google's JSON error shape for them.
 */
export type RestHandler = (request: RestRequest) => Promise<RestResponse | undefined>;
