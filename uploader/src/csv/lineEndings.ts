import { InvalidCsvError } from "../core/errors";

// Line breaks as the reader sees them: which kind a line ends with, how many a record holds, and the words for a file that mixes them.

const LF = 0x0a;
const CR = 0x0d;

export const enum LineEnding {
  none,
  lf,
  crlf,
  cr,
}

export function lineEndingOf(raw: Buffer): LineEnding {
  const last = raw[raw.length - 1];
  if (last === LF) return raw[raw.length - 2] === CR ? LineEnding.crlf : LineEnding.lf;
  return last === CR ? LineEnding.cr : LineEnding.none;
}

export const ENDING_TEXT: Record<LineEnding, string> = { [LineEnding.none]: "", [LineEnding.lf]: "\n", [LineEnding.crlf]: "\r\n", [LineEnding.cr]: "\r" };

const ENDING_NAMES: Record<LineEnding, string> = {
  [LineEnding.none]: "nothing",
  [LineEnding.lf]: "LF (Unix)",
  [LineEnding.crlf]: "CRLF (Windows)",
  [LineEnding.cr]: "CR (old Mac)",
};

export function mixedLineEndings(header: LineEnding, other: LineEnding, line: number): InvalidCsvError {
  return new InvalidCsvError(
    `the file mixes line endings: the header line ends with ${ENDING_NAMES[header]} but this record with ${ENDING_NAMES[other]}, and readers split such a file into different records; save it again with one kind of line ending`,
    line,
  );
}

/**
 * Counts CRLF, LF and lone CR as one line break each, and notes in
 * `other.kind` the first that is not `expected`. One plain loop per record
 * into a reused object: a native search or an allocation per record costs more.
 */
export function countLineBreaks(bytes: Buffer, expected?: LineEnding, other?: { kind?: LineEnding }): number {
  let count = 0;
  let otherKind: LineEnding | undefined;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== LF && byte !== CR) continue;
    const kind = byte === LF ? LineEnding.lf : bytes[i + 1] === LF ? LineEnding.crlf : LineEnding.cr;
    if (kind === LineEnding.crlf) i++;
    count++;
    if (otherKind === undefined && expected !== undefined && kind !== expected) otherKind = kind;
  }
  if (other !== undefined) other.kind = otherKind;
  return count;
}

export function leadingLineBreakBytes(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && (bytes[i] === LF || bytes[i] === CR)) i++;
  return i;
}
