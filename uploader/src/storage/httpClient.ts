import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { toHttpHeadersLike, type CompatResponse, type RequestPolicy, type WebResourceLike } from "@azure/core-http-compat";
import { createHttpHeaders, createPipelineRequest, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { Clock } from "../core/clock";
import { UploadError } from "../core/errors";
import { failureOf, HttpFailure, openExchange, type OpenAnswer } from "../net/http";
import { classifyNetworkFailure, networkVerdict } from "../net/failures";
import type { ProxyAgents } from "../net/proxy";
import { isRetryableStatus, parseRetryAfter, STORAGE_RETRY, withRetries, type Verdict } from "../net/retry";
import { linkedSignal, requestSignal, throwIfStopped, type RunCancellation } from "../core/stop";

/**
 * The Storage SDK's HTTP client is ours (its `httpClient` option): Blob
 * requests take the run's proxy rule, Node's trusted roots, our timeouts, the
 * run's halt and our one retry loop, while the SDK keeps signing them (SAS,
 * shared key or bearer token). The SDK's own retry policy is set to one try
 * (pipeline.ts), so this loop alone decides.
 *
 * The client is a core-rest-pipeline `HttpClient`; the Storage SDK's
 * `httpClient` option still takes the older `RequestPolicy` shape, which
 * `forStorageSdk` adapts it to (the SDK converts back, keeping its own request).
 */
export interface StorageHttpServices {
  readonly agents: ProxyAgents;
  readonly clock: Clock;
  /** Every Storage call ends when the run halts (after the shutdown grace); its stop alone does not end them, so the last checkpoint and run record still get written. */
  readonly cancellation: RunCancellation;
}

/** A Storage request fails when its connection has been silent this long (sending or receiving, so a long download is not cut). */
export const STORAGE_IDLE_TIMEOUT_MS = 10_000;
/** One Storage call, retries included, that keeps failing ends within this: inside the default shutdown grace (20 s) and Container Apps' 30 s. */
export const STORAGE_CALL_BUDGET_MS = 20_000;

/** Thrown out of the loop when its retries are spent, to hand back the last answer instead. */
class Exhausted extends Error {}

export function storageHttpClient(services: StorageHttpServices): HttpClient {
  return {
    async sendRequest(request) {
      const { halt } = services.cancellation;
      const call = linkedSignal(halt, request.abortSignal as AbortSignal | undefined);
      let last: PipelineResponse | undefined;
      let lastFailure: HttpFailure | undefined;
      let streamed = false;
      try {
        return await withRetries(
          async (attemptNumber): Promise<Verdict<PipelineResponse>> => {
            const answer = await send(request, attemptNumber, call.signal, services);
            if (answer instanceof HttpFailure) {
              lastFailure = answer;
              return failureVerdict(answer, request);
            }
            lastFailure = undefined;
            if (isStreamed(request, answer.status)) {
              streamed = true; // the caller reads it: the link to the run's halt lasts until the body is done
              answer.body.once("close", call.release);
              return { kind: "done", value: response(request, answer, { readableStreamBody: answer.body }) };
            }
            let bodyAsText: string;
            try {
              bodyAsText = await text(answer.body);
            } catch (error) {
              // The connection broke or fell silent while the answer's body came: a network failure like any other.
              if (call.signal.aborted) throw error;
              lastFailure = failureOf(error, { signal: call.signal, agent: services.agents.for(request.url) }, true);
              return failureVerdict(lastFailure, request);
            }
            last = response(request, answer, { bodyAsText });
            if (!isRetryableStatus(answer.status)) return { kind: "done", value: last };
            return { kind: "retry", reason: `HTTP ${answer.status}`, retryAfterMs: parseRetryAfter(answer.headers["retry-after"], services.clock.now()) };
          },
          {
            policy: STORAGE_RETRY,
            budget: { totalMs: STORAGE_CALL_BUDGET_MS, attemptMs: STORAGE_IDLE_TIMEOUT_MS },
            clock: services.clock,
            stop: call.signal,
            exhausted: (_attempts, reason) => (lastFailure === undefined ? new Exhausted() : new RestError(`Storage request failed: ${reason}`, { code: lastFailure.code, request })),
          },
        );
      } catch (error) {
        if (error instanceof Exhausted && last !== undefined) return last; // the SDK makes its error of the service's answer
        // Ended in a try or a backoff sleep: by the run's halt (a stop, so the run ends interrupted), or by the SDK caller's own signal.
        throwIfStopped(halt);
        if (call.signal.aborted) throw Object.assign(new Error("the Storage call was aborted"), { name: "AbortError" });
        throw error;
      } finally {
        if (!streamed) call.release();
      }
    },
  };
}

/** Our client in the shape StoragePipelineOptions.httpClient takes (core-http-compat's RequestPolicy). */
export function forStorageSdk(client: HttpClient): RequestPolicy {
  return {
    async sendRequest(resource: WebResourceLike): Promise<CompatResponse> {
      const request = createPipelineRequest({
        url: resource.url,
        method: resource.method,
        headers: createHttpHeaders(resource.headers.rawHeaders()),
        body: resource.body as PipelineRequest["body"],
        abortSignal: resource.abortSignal,
        streamResponseStatusCodes: resource.streamResponseStatusCodes,
      });
      const answer = await client.sendRequest(request);
      return { ...answer, request: resource, headers: toHttpHeadersLike(answer.headers) };
    },
  };
}

/** One try: the answer's head, or the transport's failure as a value (to be judged); aborts reject. */
async function send(request: PipelineRequest, attemptNumber: number, signal: AbortSignal, services: StorageHttpServices): Promise<OpenAnswer | HttpFailure> {
  const agent = services.agents.for(request.url);
  // The idle timeout starts with the socket; until then (a proxy that takes the connection but never answers its CONNECT) this bounds the wait.
  const connecting = requestSignal(signal, STORAGE_IDLE_TIMEOUT_MS, services.clock);
  try {
    return await openExchange({
      url: request.url,
      method: request.method,
      headers: headersOf(request),
      body: bodyOf(request, attemptNumber),
      signal,
      agent,
      idleTimeoutMs: STORAGE_IDLE_TIMEOUT_MS,
      connectTimeout: connecting.signal,
    });
  } catch (error) {
    if (signal.aborted || !(error instanceof HttpFailure)) throw error;
    return error;
  } finally {
    connecting.release();
  }
}

function failureVerdict(failure: HttpFailure, request: PipelineRequest): Verdict<never> {
  // A body the SDK gave as a stream is spent after one try.
  if (isOneShotStream(request.body)) return { kind: "fail", error: new RestError(`Storage request failed (${failure.code})`, { code: failure.code, request }) };
  return networkVerdict(classifyNetworkFailure(failure, request.url, failure.code === "ETIMEDOUT", STORAGE_IDLE_TIMEOUT_MS), (message) => new UploadError(message));
}

function isStreamed(request: PipelineRequest, status: number): boolean {
  const codes = request.streamResponseStatusCodes;
  return codes !== undefined && (codes.has(status) || codes.has(Number.POSITIVE_INFINITY));
}

function response(request: PipelineRequest, answer: OpenAnswer, body: Pick<PipelineResponse, "bodyAsText" | "readableStreamBody">): PipelineResponse {
  const headers = createHttpHeaders();
  for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  return { request, status: answer.status, headers, ...body };
}

function headersOf(request: PipelineRequest): Record<string, string | number> {
  const headers: Record<string, string | number> = request.headers.toJSON({ preserveCase: true });
  const body = request.body;
  // Storage refuses chunked uploads: a body we hold whole goes with its length.
  if (!request.headers.has("content-length") && (typeof body === "string" || ArrayBuffer.isView(body))) headers["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
  return headers;
}

type NodeStream = NodeJS.ReadableStream;
const isOneShotStream = (body: PipelineRequest["body"]): body is NodeStream => typeof body === "object" && body !== null && typeof (body as NodeStream).pipe === "function";

/** The request's body for try number `attemptNumber`: buffers as they are, a stream factory called afresh. */
function bodyOf(request: PipelineRequest, attemptNumber: number): readonly Buffer[] | Readable {
  const body = request.body;
  if (body === undefined || body === null) return [];
  if (typeof body === "string") return [Buffer.from(body)];
  if (ArrayBuffer.isView(body)) return [Buffer.from(body.buffer, body.byteOffset, body.byteLength)];
  if (body instanceof ArrayBuffer) return [Buffer.from(body)];
  if (typeof body === "function") return toReadable(body());
  if (isOneShotStream(body) && attemptNumber === 0) return toReadable(body);
  throw new Error(`unsupported Storage request body (${Object.prototype.toString.call(body)})`);
}

function toReadable(stream: unknown): Readable {
  if (stream instanceof Readable) return stream;
  if (typeof (stream as NodeStream).pipe === "function") return new Readable().wrap(stream as NodeStream);
  throw new Error("unsupported Storage request body (a web stream)");
}
