import type { TokenSource } from "./auth";
import { AuthError, UploadError } from "./errors";
import { backoffDelayMs, isRetryableStatus, parseRetryAfter, sleep, type RetryPolicy } from "./retry";
import type { ChunkRequest, ChunkResponse } from "./transport";

export interface DeliverySettings {
  readonly url: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

export interface Delivered {
  readonly status: number;
  readonly body: string;
  /** Retries after transient failures (a token refresh after a 401 is not one). */
  readonly retries: number;
}

export type PostChunk = (request: ChunkRequest) => Promise<ChunkResponse>;

/** What a final (non-retryable) answer means, in the service's own terms where it has them. */
function rejection(status: number, body: string): UploadError {
  const said = body.trim() === "" ? "" : ` Service said: ${body.trim()}`;
  switch (status) {
    case 403:
      return new UploadError(`HTTP 403: the job ID does not belong to this app ID; check --job-id against the connector's flyout and --app-id.${said}`);
    case 404:
      return new UploadError(`HTTP 404: no ingestion endpoint at this URL; check --cloud (or --ingestion-url).${said}`);
    case 413:
      return new UploadError(`HTTP 413: the chunk is too large for the service; lower --records-per-call.${said}`);
    default:
      return new UploadError(`HTTP ${status}: the service rejected the chunk.${said}`);
  }
}

/**
 * Delivers one chunk: a 2xx or an error. Transport errors, timeouts and
 * 408/429/5xx-gateway statuses are retried with backoff (Retry-After wins);
 * a 401 gets one fresh token; every other status is final at once.
 */
export async function deliverChunk(
  chunk: { body: Buffer; fileName: string },
  settings: DeliverySettings,
  tokens: TokenSource,
  post: PostChunk,
  onRetry: (reason: string, waitMs: number) => void,
): Promise<Delivered> {
  let refreshed = false;
  let retries = 0;
  let token = await tokens.token();
  for (;;) {
    let response: ChunkResponse | undefined;
    let failure = "";
    try {
      response = await post({ url: settings.url, token, body: chunk.body, fileName: chunk.fileName, timeoutMs: settings.timeoutMs });
    } catch (error) {
      failure = describeTransportError(error, settings.timeoutMs);
    }
    if (response !== undefined) {
      if (response.status >= 200 && response.status < 300) return { status: response.status, body: response.body, retries };
      if (response.status === 401) {
        if (refreshed) throw new AuthError("HTTP 401: the ingestion service refused a freshly issued token; check --cloud and that the app is the connector's app");
        refreshed = true;
        token = await tokens.refresh();
        continue;
      }
      if (!isRetryableStatus(response.status)) throw rejection(response.status, response.body);
      failure = `HTTP ${response.status}`;
    }
    if (retries >= settings.retry.maxRetries) {
      throw new UploadError(`gave up after ${retries + 1} attempts; last failure: ${failure}`);
    }
    const waitMs = backoffDelayMs(retries, settings.retry, parseRetryAfter(response?.retryAfter));
    retries++;
    onRetry(failure, waitMs);
    await sleep(waitMs);
    token = await tokens.token(); // cached unless it neared expiry while waiting
  }
}

function describeTransportError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === "TimeoutError" || name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string } }).cause;
  return `network error (${cause?.code ?? name ?? "unknown"})`;
}
