import { request as httpRequest, type Agent, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Readable } from "node:stream";
import { checkServerIdentity } from "node:tls";
import { HttpsProxyAgent } from "https-proxy-agent";

/**
 * One HTTP exchange with Node's own client, shared by sign-in, upload and Blob
 * Storage so that all go the same way: the proxy agent the run's rule picks,
 * Node's trusted roots (NODE_EXTRA_CA_CERTS, which Node loads once at start),
 * timeouts and cancellation. Bodies are written as the caller's buffers,
 * without copies; every status resolves, for the caller to judge; transport
 * failures reject with an `HttpFailure` that says whether the request may have
 * reached the server, and through which proxy it went.
 */
export interface HttpExchange {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string | number>;
  /** Buffers written as they are, or a stream piped (a stream can be sent once only). */
  readonly body?: readonly Buffer[] | Readable;
  /** Aborts the exchange (its reason becomes the failure's cause). */
  readonly signal: AbortSignal;
  /** Keep at most this many bytes of the answer (the rest is drained). */
  readonly maxResponseBytes?: number;
  readonly agent?: Agent;
  /** Fails the exchange (ETIMEDOUT) when its connection has been silent this long, sending or receiving. */
  readonly idleTimeoutMs?: number;
  /** Fails the exchange (ETIMEDOUT) if this aborts before it has its connection: through a proxy, the tunnel is made before the socket idles. */
  readonly connectTimeout?: AbortSignal;
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

/** An answer whose body is still to be read (streamed), for callers that hand it on as a stream. */
export interface OpenAnswer extends Omit<HttpAnswer, "body" | "truncated"> {
  readonly body: IncomingMessage;
}

export class HttpFailure extends Error {
  override readonly name = "HttpFailure";
  constructor(
    /** Node's error code (ECONNRESET, ENOTFOUND, CERT_HAS_EXPIRED...), or ABORT_ERR. */
    readonly code: string,
    /** The whole request had been handed to the network: the server may have acted on it. */
    readonly requestSent: boolean,
    options?: { cause?: unknown },
    /** The proxy the exchange went through (HTTPS_PROXY), if any: a failure to connect is then the proxy's. */
    readonly proxy?: URL,
  ) {
    super(`HTTP exchange failed (${code})`, options);
  }
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/** One exchange, its answer read whole (up to maxResponseBytes). */
export async function exchange(request: HttpExchange): Promise<HttpAnswer> {
  const answer = await openExchange(request);
  const read = await readAnswer(answer.body, request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES).catch((error: unknown) => {
    throw failureOf(error, request, true);
  });
  return { ...answer, ...read };
}

/** One exchange, resolved when the answer's head has come; its body is the caller's to read (or to destroy). */
export function openExchange(request: HttpExchange): Promise<OpenAnswer> {
  const url = new URL(request.url);
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    let sent = false;
    let settled = false;
    const settle = () => {
      settled = true;
      request.signal.removeEventListener("abort", aborted);
      request.connectTimeout?.removeEventListener("abort", notConnected);
    };
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
        settle();
        // A body that fails later (reset, idle, abort) rejects its reader with the same kind of failure.
        response.on("error", () => undefined);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response, requestSent: sent });
      },
    );
    // A request still waiting for its socket (a proxy's tunnel being made) ignores destroy() until it has one: settle here, or it waits for ever.
    const giveUp = (error: Error) => {
      outgoing.destroy(error);
      if (settled) return;
      settle();
      reject(failureOf(error, request, sent));
    };
    const timedOut = (what: string) => Object.assign(new Error(what), { code: "ETIMEDOUT" });
    const aborted = () => giveUp(timedOut("aborted")); // failureOf names it ABORT_ERR: the signal has aborted
    const notConnected = () => giveUp(timedOut("no connection in time"));
    if (request.signal.aborted) return aborted();
    request.signal.addEventListener("abort", aborted, { once: true });
    request.connectTimeout?.addEventListener("abort", notConnected, { once: true });
    outgoing.once("socket", () => request.connectTimeout?.removeEventListener("abort", notConnected));
    // Node's socket inactivity timer, restarted by every byte sent or received: traffic no injected clock sees. The run's own
    // deadlines (the connect bound, call budgets, the stop) are timed on the injected clock by the callers.
    if (request.idleTimeoutMs !== undefined) outgoing.setTimeout(request.idleTimeoutMs, () => outgoing.destroy(timedOut(`no traffic for ${request.idleTimeoutMs} ms`)));
    outgoing.on("finish", () => (sent = true));
    outgoing.on("error", (error) => {
      if (settled) return;
      settle();
      reject(failureOf(error, request, sent));
    });
    const body = request.body ?? [];
    if (Array.isArray(body)) {
      for (const part of body as readonly Buffer[]) outgoing.write(part);
      outgoing.end();
    } else {
      (body as Readable).on("error", (error) => outgoing.destroy(error)).pipe(outgoing);
    }
  });
}

/** An error of an exchange as an HttpFailure (abort first: whatever Node reported, the caller asked for it). */
export function failureOf(error: unknown, request: Pick<HttpExchange, "signal" | "agent">, requestSent: boolean): HttpFailure {
  if (error instanceof HttpFailure) return error;
  const code = request.signal.aborted ? "ABORT_ERR" : ((error as NodeJS.ErrnoException).code ?? "UNKNOWN");
  return new HttpFailure(code, requestSent, { cause: error }, request.agent instanceof HttpsProxyAgent ? request.agent.proxy : undefined);
}

async function readAnswer(response: IncomingMessage, limit: number): Promise<Pick<HttpAnswer, "body" | "truncated">> {
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
  return { body: Buffer.concat(parts), truncated };
}
