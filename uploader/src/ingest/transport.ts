import { randomBytes } from "node:crypto";
import type { Agent } from "node:http";
import { exchange, type HttpAnswer } from "../net/http";

/** One multipart POST of one CSV chunk to the ingestion service. */
export interface ChunkRequest {
  readonly url: string;
  readonly token: string;
  /** The chunk's bytes: the header line, then whole records. */
  readonly body: Buffer;
  readonly fileName: string;
  /** Aborts the request: its timeout, or the run halting. */
  readonly signal: AbortSignal;
  /** The proxy's agent, when the request goes through one. */
  readonly agent?: Agent;
}

export type ChunkResponse = Pick<HttpAnswer, "status" | "body" | "requestSent"> & { readonly retryAfter: string | null; readonly contentType: string | null };

export type PostChunk = (request: ChunkRequest) => Promise<ChunkResponse>;

/** The service's answers are short JSON; anything longer is kept only as far as this, for its digest. */
const MAX_RESPONSE_BYTES = 16 * 1024;

/**
 * The chunk is written as it is between the multipart boundary lines: no copy
 * of it is made, so memory stays flat over hundreds of chunks (fetch with a
 * FormData Blob copies every chunk twice; toolchain-notes §10).
 */
export const postChunk: PostChunk = async (request) => {
  const boundary = `hr-upload-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${request.fileName}"\r\nContent-Type: text/csv\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const answer = await exchange({
    url: request.url,
    method: "POST",
    headers: {
      authorization: `Bearer ${request.token}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "content-length": head.length + request.body.length + tail.length,
    },
    body: [head, request.body, tail],
    signal: request.signal,
    agent: request.agent,
    maxResponseBytes: MAX_RESPONSE_BYTES,
  });
  const retryAfter = answer.headers["retry-after"];
  return { status: answer.status, body: answer.body, requestSent: answer.requestSent, retryAfter: retryAfter ?? null, contentType: answer.headers["content-type"] ?? null };
};
