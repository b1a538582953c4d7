import { request as httpRequest, type Agent, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { checkServerIdentity } from "node:tls";

/**
 * One HTTP exchange with Node's own client, shared by sign-in and upload so
 * that both go the same way (timeouts, cancellation, and later the proxy).
 * Bodies are written as the caller's buffers, without copies; every status
 * resolves, for the caller to judge; transport failures reject with an
 * `HttpFailure` that says whether the request may have reached the server.
 */
export interface HttpExchange {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string | number>;
  readonly body?: readonly Buffer[];
  /** Aborts the exchange (its reason becomes the failure's cause). */
  readonly signal: AbortSignal;
  /** Keep at most this many bytes of the answer (the rest is drained). */
  readonly maxResponseBytes?: number;
  readonly agent?: Agent;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
  /** True when the answer was longer than maxResponseBytes. */
  readonly truncated: boolean;
  /** The whole request had been handed to the network before the answer came: the server may have acted on all of it. */
  readonly requestSent: boolean;
}

export class HttpFailure extends Error {
  override readonly name = "HttpFailure";
  constructor(
    /** Node's error code (ECONNRESET, ENOTFOUND, CERT_HAS_EXPIRED...), or ABORT_ERR. */
    readonly code: string,
    /** The whole request had been handed to the network: the server may have acted on it. */
    readonly requestSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(`HTTP exchange failed (${code})`, options);
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

export function exchange(request: HttpExchange): Promise<HttpAnswer> {
  const url = new URL(request.url);
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  const limit = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return new Promise((resolve, reject) => {
    let sent = false;
    const outgoing = send(
      url,
      {
        method: request.method,
        headers: request.headers,
        signal: request.signal,
        agent: request.agent,
        // Through a proxy tunnel the TLS layer no longer knows the target's name (https-proxy-agent drops an IP host): check the certificate against the URL's.
        checkServerIdentity: (_host, certificate) => checkServerIdentity(url.hostname.replace(/^\[|\]$/g, ""), certificate),
      },
      (response) => {
        const requestSent = sent;
        readAnswer(response, limit).then((answer) => resolve({ ...answer, requestSent }), (error: unknown) => reject(failure(error, true)));
      },
    );
    const failure = (error: unknown, requestSent: boolean) => {
      const code = request.signal.aborted ? "ABORT_ERR" : ((error as NodeJS.ErrnoException).code ?? "UNKNOWN");
      return new HttpFailure(code, requestSent, { cause: error });
    };
    outgoing.on("finish", () => (sent = true));
    outgoing.on("error", (error) => reject(failure(error, sent)));
    for (const part of request.body ?? []) outgoing.write(part);
    outgoing.end();
  });
}

async function readAnswer(response: IncomingMessage, limit: number): Promise<Omit<HttpAnswer, "requestSent">> {
  const parts: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  for await (const part of response as AsyncIterable<Buffer>) {
    const room = limit - kept;
    if (part.length > room) truncated = true; // the rest is drained, not kept
    if (room <= 0) continue;
    parts.push(part.subarray(0, room));
    kept += Math.min(part.length, room);
  }
  return { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts), truncated };
}
