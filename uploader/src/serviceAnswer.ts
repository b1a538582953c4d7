import { createHash } from "node:crypto";

/**
 * What the ingestion service said, in a form safe to log: its documented or
 * well-known fields as typed values, everything else only as a length and a
 * digest. The service's free text is never printed: it may echo rows (PII) or
 * carry control characters.
 */
export interface ServiceAnswer {
  readonly recordsSaved?: number;
  readonly requestId?: string;
  readonly bytes: number;
  /** First 12 hex digits of the body's SHA-256, to match an answer against the service's logs. */
  readonly sha256?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readServiceAnswer(body: Buffer): ServiceAnswer {
  if (body.length === 0) return { bytes: 0 };
  const answer: { recordsSaved?: number; requestId?: string; bytes: number; sha256: string } = {
    bytes: body.length,
    sha256: createHash("sha256").update(body).digest("hex").slice(0, 12),
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return answer;
  }
  if (parsed === null || typeof parsed !== "object") return answer;
  const { RecordsSaved, RequestId } = parsed as { RecordsSaved?: unknown; RequestId?: unknown };
  if (typeof RecordsSaved === "number" && Number.isSafeInteger(RecordsSaved) && RecordsSaved >= 0) answer.recordsSaved = RecordsSaved;
  if (typeof RequestId === "string" && GUID.test(RequestId)) answer.requestId = RequestId;
  return answer;
}

/** "RecordsSaved 5000, RequestId ..." or "a 312-byte answer (sha256 1a2b...)", for one log line. */
export function describeServiceAnswer(answer: ServiceAnswer): string {
  const known = [
    ...(answer.recordsSaved === undefined ? [] : [`RecordsSaved ${answer.recordsSaved}`]),
    ...(answer.requestId === undefined ? [] : [`RequestId ${answer.requestId}`]),
  ];
  if (known.length > 0) return known.join(", ");
  return answer.bytes === 0 ? "an empty answer" : `a ${answer.bytes}-byte answer (sha256 ${answer.sha256})`;
}
