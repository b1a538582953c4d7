/** One multipart POST of one CSV chunk to the ingestion service. */
export interface ChunkRequest {
  readonly url: string;
  readonly token: string;
  /** The chunk's bytes: the header line, then whole records. */
  readonly body: Buffer;
  readonly fileName: string;
  readonly timeoutMs: number;
}

export interface ChunkResponse {
  readonly status: number;
  /** The service's answer, as text, cut to a loggable size. */
  readonly body: string;
  readonly retryAfter: string | null;
}

const MAX_BODY_CHARS = 2000;

/**
 * Sends with Node's fetch: the body is a Blob built from the chunk's bytes, so
 * a retry rebuilds it cheaply. Transport failures and timeouts reject; every
 * HTTP status resolves, for the caller's retry policy to judge.
 */
export async function postChunk(request: ChunkRequest): Promise<ChunkResponse> {
  const form = new FormData();
  form.append("file", new Blob([request.body], { type: "text/csv" }), request.fileName);
  const response = await fetch(request.url, {
    method: "POST",
    headers: { authorization: `Bearer ${request.token}` },
    body: form,
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}...` : text,
    retryAfter: response.headers.get("retry-after"),
  };
}
