import type { Agent } from "node:http";
import type { Clock } from "../core/clock";
import type { TokenSource } from "../auth/tokenSource";
import { AuthError, UploadError } from "../core/errors";
import { HttpFailure } from "../net/http";
import { transportVerdict } from "../net/failures";
import { isRetryableStatus, parseRetryAfter, withRetries, type RetryPolicy, type Verdict } from "../net/retry";
import { describeServiceAnswer, notKept, readServiceAnswer, type ServiceAnswer } from "./serviceAnswer";
import { withRequestSignal, type RunCancellation } from "../core/stop";
import type { ChunkResponse, PostChunk } from "./transport";

export interface DeliverySettings {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

export interface DeliveryServices {
  readonly clock: Clock;
  readonly cancellation: RunCancellation;
  readonly tokens: TokenSource;
  readonly post: PostChunk;
  /** The proxy agent for a URL, by the run's one proxy rule; undefined to go direct. */
  readonly agentFor?: (url: string) => Agent | undefined;
  /** Throws when the run may no longer send (it lost its lock): checked before every attempt. */
  readonly assertMaySend: () => void;
  readonly onRetry: (reason: string, waitMs: number) => void;
}

/** How one chunk's delivery ended. Every outcome but "delivered" leaves the chunk's records to be sent again. */
export type DeliveryOutcome =
  | {
      readonly kind: "delivered";
      readonly status: number;
      readonly answer: ServiceAnswer;
      readonly retries: number;
      /** An earlier attempt was sent whole and its answer lost or ambiguous: the service may have it twice. */
      readonly possiblyDuplicated: boolean;
    }
  | {
      /** A 2xx whose answer says the service did not keep the chunk (a saved count below the records sent, an HTML page). */
      readonly kind: "not-saved";
      readonly status: number;
      readonly answer: ServiceAnswer;
      readonly retries: number;
      /** Why, in words safe to log. */
      readonly reason: string;
      /** The service may hold some of its records: it said it saved some, or an earlier attempt's answer was ambiguous. */
      readonly maybeDelivered: boolean;
    }
  | { readonly kind: "failed"; readonly error: Error; readonly retries: number; readonly maybeDelivered: boolean };

/**
 * Answers after which the service may have kept a chunk sent whole: a gateway's
 * 502/504 or a 500 can come after the service stored it. 503 with Retry-After,
 * 408 and 429 say the request was not taken.
 */
function isAmbiguousAnswer(status: number, retryAfter: string | null): boolean {
  return status === 500 || status === 502 || status === 504 || (status === 503 && retryAfter === null);
}

/** What a final (non-retryable) answer means, in the service's own terms where it has them. */
function rejection(status: number, answer: ServiceAnswer): UploadError {
  const said = answer.bytes === 0 ? "" : ` The service answered ${describeServiceAnswer(answer)}.`;
  switch (status) {
    case 403:
      return new UploadError(`HTTP 403: the job ID does not belong to this app ID; check --job-id against the connector's flyout and --app-id.${said}`);
    case 404:
      return new UploadError(`HTTP 404: no ingestion endpoint at this URL; check --cloud (or --ingestion-url).${said}`);
    case 413:
      return new UploadError(`HTTP 413: the chunk is too large for the service; rerun with a lower --records-per-call (it resumes where this run stopped).${said}`);
    default:
      return new UploadError(`HTTP ${status}: the service rejected the chunk.${said}`);
  }
}

/**
 * Delivers one chunk through the run's retry loop: transport errors, timeouts
 * and 408/429/5xx-gateway statuses are retried with backoff (Retry-After
 * wins); a 401 gets one fresh token; every other status is final at once. A
 * 2xx is delivered only if its answer does not say the chunk was not kept. The
 * run's lock is checked before every attempt; the run's stop ends the retries,
 * its halt abandons the request in flight.
 */
export async function deliverChunk(chunk: { body: Buffer; fileName: string; records: number }, settings: DeliverySettings, services: DeliveryServices): Promise<DeliveryOutcome> {
  const { clock, cancellation, tokens } = services;
  let retries = 0;
  let requestsSent = 0; // whole requests the service may have acted on without a clear answer
  let refreshed = false;

  const post = (token: string): Promise<ChunkResponse | Verdict<never>> =>
    withRequestSignal(cancellation.halt, settings.timeoutMs, clock, async (request) => {
      try {
        return await services.post({ url: settings.url, token, body: chunk.body, fileName: chunk.fileName, signal: request.signal, agent: services.agentFor?.(settings.url) });
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        if (error.requestSent) requestsSent++;
        return transportVerdict(error, { url: settings.url, timedOut: request.timedOut(), timeoutMs: settings.timeoutMs, halt: cancellation.halt }, (message) => new UploadError(message));
      }
    });

  const attempt = async (): Promise<Verdict<{ status: number; answer: ServiceAnswer }>> => {
    services.assertMaySend();
    let response = await post(await tokens.token());
    if ("status" in response && response.status === 401) {
      if (refreshed) return { kind: "fail", error: new AuthError("HTTP 401: the ingestion service refused a freshly issued token; check --cloud and that the app is the connector's app") };
      refreshed = true;
      const fresh = await tokens.refresh();
      services.assertMaySend();
      response = await post(fresh);
    }
    if (!("status" in response)) return response;
    const answer = readServiceAnswer(response.body, response.contentType);
    if (response.status >= 200 && response.status < 300) return { kind: "done", value: { status: response.status, answer } };
    if (response.status === 401) return { kind: "fail", error: new AuthError("HTTP 401: the ingestion service refused a freshly issued token; check --cloud and that the app is the connector's app") };
    if (!isRetryableStatus(response.status)) return { kind: "fail", error: rejection(response.status, answer) };
    if (response.requestSent && isAmbiguousAnswer(response.status, response.retryAfter)) requestsSent++;
    return { kind: "retry", reason: `HTTP ${response.status}`, retryAfterMs: parseRetryAfter(response.retryAfter, clock.now()) };
  };

  try {
    const { status, answer } = await withRetries(attempt, {
      policy: settings.retry,
      clock,
      stop: cancellation.stop,
      onRetry: (reason, waitMs) => {
        retries++;
        services.onRetry(reason, waitMs);
      },
      exhausted: (attempts, reason) => new UploadError(`gave up after ${attempts} attempts; last failure: ${reason}`),
    });
    const reason = notKept(answer, chunk.records);
    if (reason !== undefined) {
      // "Saved 3 of 5": which 3 is not said, so the whole chunk is sent again and named as possibly duplicated.
      return { kind: "not-saved", status, answer, retries, reason, maybeDelivered: requestsSent > 0 || (answer.recordsSaved ?? 0) > 0 };
    }
    return { kind: "delivered", status, answer, retries, possiblyDuplicated: requestsSent > 0 };
  } catch (error) {
    return { kind: "failed", error: error as Error, retries, maybeDelivered: requestsSent > 0 };
  }
}
