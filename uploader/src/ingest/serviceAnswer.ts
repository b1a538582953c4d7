import { createHash } from "node:crypto";

/**
 * What the ingestion service said, in a form safe to log: its documented or
 * well-known fields as typed values, everything else only as a length and a
 * digest. The service's free text is never printed: it may echo rows (PII) or
 * carry control characters.
 */
export interface ServiceAnswer {
  /** The saved count of a JSON answer (`RecordsSaved`, any case). */
  readonly recordsSaved?: number;
  readonly requestId?: string;
  readonly bytes: number;
  /** First 12 hex digits of the body's SHA-256, to match an answer against the service's logs. */
  readonly sha256?: string;
  /** A markup page (HTML), not a service answer: a proxy's sign-in page or a captive portal answering for the service. */
  readonly page?: true;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Markup by its declared type, or by its first character (a JSON answer never starts with "<"). */
const MARKUP_TYPE = /^\s*(text\/html|application\/xhtml\+xml|text\/xml|application\/xml)\b/i;

export function readServiceAnswer(body: Buffer, contentType?: string | null): ServiceAnswer {
  if (body.length === 0) return { bytes: 0 };
  const page = MARKUP_TYPE.test(contentType ?? "") || /^\s*</.test(body.subarray(0, 64).toString("utf8").replace(/^\uFEFF/, ""));
  const answer: { recordsSaved?: number; requestId?: string; bytes: number; sha256: string; page?: true } = {
    bytes: body.length,
    sha256: createHash("sha256").update(body).digest("hex").slice(0, 12),
    ...(page ? { page: true as const } : {}),
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return answer;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return answer;
  // The service's field names are PascalCase today; a gateway or a later version may change their case.
  const field = (name: string) => Object.entries(parsed as Record<string, unknown>).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  const recordsSaved = field("RecordsSaved");
  const requestId = field("RequestId");
  if (typeof recordsSaved === "number" && Number.isSafeInteger(recordsSaved) && recordsSaved >= 0) answer.recordsSaved = recordsSaved;
  else if (typeof recordsSaved === "string" && /^\d{1,15}$/.test(recordsSaved)) answer.recordsSaved = Number(recordsSaved);
  if (typeof requestId === "string" && GUID.test(requestId)) answer.requestId = requestId;
  return answer;
}

/**
 * Why a 2xx answer says the service did not keep a chunk of `recordsSent`
 * records: a saved count below it, or a page (HTML) instead of the service's
 * answer; undefined when it does not say so (a 2xx with no count and no body
 * is delivered, as the service's contract has it).
 */
export function notKept(answer: ServiceAnswer, recordsSent: number): string | undefined {
  if (answer.page) return `${describeServiceAnswer(answer)} instead of the service's answer`;
  if (answer.recordsSaved !== undefined && answer.recordsSaved < recordsSent) return `RecordsSaved ${answer.recordsSaved} of ${recordsSent} records sent`;
  return undefined;
}

/** "RecordsSaved 5000, RequestId ..." or "a 312-byte answer (sha256 1a2b...)", for one log line. */
export function describeServiceAnswer(answer: ServiceAnswer): string {
  const known = [
    ...(answer.recordsSaved === undefined ? [] : [`RecordsSaved ${answer.recordsSaved}`]),
    ...(answer.requestId === undefined ? [] : [`RequestId ${answer.requestId}`]),
  ];
  if (known.length > 0) return known.join(", ");
  if (answer.page) return `an HTML page of ${answer.bytes} bytes (sha256 ${answer.sha256})`;
  return answer.bytes === 0 ? "an empty answer" : `a ${answer.bytes}-byte answer (sha256 ${answer.sha256})`;
}
