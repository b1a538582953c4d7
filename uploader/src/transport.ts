import { randomBytes } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

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
 * Sends with Node's own HTTP client, the chunk written as it is between the
 * multipart boundary lines: no copy of it is made, so memory stays flat over
 * hundreds of chunks (fetch with a FormData Blob copies every chunk twice;
 * toolchain-notes §10). Transport failures and timeouts reject; every HTTP
 * status resolves, for the caller's retry policy to judge.
 */
export function postChunk(request: ChunkRequest): Promise<ChunkResponse> {
  const boundary = `hr-upload-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${request.fileName}"\r\nContent-Type: text/csv\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(request.url);
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${request.token}`,
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": head.length + request.body.length + tail.length,
        },
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      (response) => readResponse(response).then(resolve, reject),
    );
    outgoing.on("error", reject);
    outgoing.write(head);
    outgoing.write(request.body);
    outgoing.end(tail);
  });
}

async function readResponse(response: IncomingMessage): Promise<ChunkResponse> {
  let text = "";
  response.setEncoding("utf8");
  for await (const part of response) {
    if (text.length <= MAX_BODY_CHARS) text += part as string; // the rest is drained, not kept
  }
  const retryAfter = response.headers["retry-after"];
  return {
    status: response.statusCode ?? 0,
    body: text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}...` : text,
    retryAfter: retryAfter ?? null,
  };
}
