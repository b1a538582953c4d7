import { isUtf8 } from "node:buffer";
import { Parser, type CsvError, type Options } from "csv-parse";
import { parse as parseNow } from "csv-parse/sync";
import { InvalidCsvError } from "../core/errors";
import { ByteWindow } from "./byteWindow";
import { countLineBreaks, ENDING_TEXT, leadingLineBreakBytes, LineEnding, lineEndingOf, mixedLineEndings } from "./lineEndings";

export { LineEnding };

/** One CSV record with where it came from. */
export interface CsvRecord {
  /** Field values as parsed (RFC 4180 quoting resolved). */
  readonly fields: string[];
  /** 1-based physical line the record starts on. */
  readonly line: number;
  /** Byte range [start, end) in the source, including the record's line break. */
  readonly start: number;
  readonly end: number;
  /** The record's bytes exactly as the HR system wrote them (a view: copy it to keep it). */
  readonly raw: Buffer;
  /** A cell holds a NUL byte (a binary or UTF-16 file, or a corrupt export). */
  readonly hasNul: boolean;
}

export interface CsvReadOptions {
  /** A record longer than this is an error: it bounds memory when a quote is never closed. */
  readonly maxRecordBytes?: number;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];
/** How to get a file the connector reads out of Excel, the usual source of the files we refuse. */
export const EXPORT_AS_CSV_UTF8 = 'export it again with Excel\'s "Save As > CSV UTF-8 (Comma delimited)"';
const UTF16 = `(Excel's "Unicode Text"), not UTF-8; ${EXPORT_AS_CSV_UTF8}`;
const NUL = 0x00;
const OLD_MAC_ENDINGS = "the lines end with CR alone (old Mac line endings), which the connector does not read; save it again with CRLF (Windows) or LF (Unix) line endings";
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** Where a reader stands between two records: enough to start another reader there. */
export interface ReaderPosition {
  /** Byte offset where the next record (or the blank lines before it) starts. */
  readonly offset: number;
  /** Physical line at `offset`. */
  readonly line: number;
  /** The header line's ending, which every record ends with. */
  readonly ending: LineEnding;
}

export interface CsvReaderOptions extends CsvReadOptions {
  /** Start between two records after the header (a position another reader reported), not at the file's start. */
  readonly from?: ReaderPosition;
}

/**
 * Reads records (the header first) from raw bytes with csv-parse, a batch
 * per chunk fed. csv-parse gives each record's end offset; the bytes
 * themselves come from a small window of the input, so line numbers and raw
 * bytes are exact whatever the line endings, quoting or BOM. Records end with
 * the header's line ending; a line break of another kind that changes how a
 * record reads (so not a quoted one) means the file mixes line endings, and
 * is refused.
 */
export class CsvReader {
  private readonly maxRecordBytes: number;
  private readonly parser: ParserCore;
  /** Offset of the parser's first byte: csv-parse counts from there. */
  private readonly origin: number;
  // Records parsed from the last chunk, not yet handed out: their fields and where each ends.
  private readonly endedFields: string[][] = [];
  private readonly endedAt: number[] = [];
  private failure: CsvError | undefined;
  private readonly window: ByteWindow;
  private consumed: number; // offset just past the last record handed out
  private line: number; // physical line at `consumed`
  private started: boolean;
  private headerEnding: LineEnding | undefined;
  private readonly other: { kind?: LineEnding } = {};
  private readonly push = (fields: string[]) => {
    this.endedFields.push(fields);
    this.endedAt.push(this.origin + this.parser.info.bytes);
  };

  constructor(options: CsvReaderOptions = {}) {
    const { from } = options;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.origin = from?.offset ?? 0;
    this.consumed = this.origin;
    this.line = from?.line ?? 1;
    this.started = from !== undefined;
    this.headerEnding = from?.ending;
    this.window = new ByteWindow(this.origin);
    this.parser = parserCore({
      // Past the header, a BOM is text, and the line ending is the header's; from the start, csv-parse detects it
      // on the header line, and a file that mixes endings is refused below.
      ...(from === undefined ? { bom: true } : { record_delimiter: ENDING_TEXT[from.ending] }),
      skip_empty_lines: true,
      relax_column_count: true, // field counts are checked per record, with the record's line
      max_record_size: this.maxRecordBytes,
    });
  }

  /** Where the next record starts, once the header has been read; undefined before. */
  get position(): ReaderPosition | undefined {
    return this.headerEnding === undefined ? undefined : { offset: this.consumed, line: this.line, ending: this.headerEnding };
  }

  /** The bytes fed past `position`: the start of a record not yet complete. */
  pending(): Buffer {
    return this.window.peek(this.consumed, Number.POSITIVE_INFINITY);
  }

  /** The physical line after every byte fed, blank lines after the last record included. */
  lineAfterAll(): number {
    return this.line + countLineBreaks(this.pending());
  }

  /** Parses a chunk: the records that end in it. A parse error waits for `throwIfFailed`, so the records before it come first. */
  feed(chunk: Buffer): CsvRecord[] {
    if (!this.started) {
      this.started = true;
      if (chunk.subarray(0, 3).equals(UTF8_BOM)) this.consumed = UTF8_BOM.length;
      if (UTF16_BOMS.some((bom) => chunk.subarray(0, 2).equals(bom))) throw new InvalidCsvError(`the file is UTF-16 ${UTF16}`, 1);
    }
    this.window.append(chunk);
    this.failure ??= this.parser.parse(chunk, false, this.push, ignore);
    return this.takeEnded();
  }

  /** The end of the input: the last record, when it has no line break. */
  end(): CsvRecord[] {
    this.failure ??= this.parser.parse(undefined, true, this.push, ignore);
    return this.takeEnded();
  }

  throwIfFailed(): void {
    const { failure, headerEnding, other } = this;
    if (failure === undefined) return;
    const pending = this.window.peek(this.consumed, this.consumed + 4096);
    const at = this.line + countLineBreaks(pending.subarray(0, leadingLineBreakBytes(pending)));
    // A binary file has no line breaks where a header should end: it fails as a runaway record, but it is no CSV at all.
    if (headerEnding === undefined && pending.includes(NUL)) throw nulBytesInHeader(pending, at);
    // A record merged with the next ones by line endings unlike the header's can fail as a runaway or a stray quote.
    if (headerEnding !== undefined) {
      countLineBreaks(pending, headerEnding, other);
      if (other.kind !== undefined && firstRecordAtEveryLineEnding(pending) !== undefined) throw mixedLineEndings(headerEnding, other.kind, at);
    }
    throw describeParseError(failure, at, this.maxRecordBytes);
  }

  private takeEnded(): CsvRecord[] {
    const { endedFields, endedAt, window, other } = this;
    const batch: CsvRecord[] = [];
    const count = endedAt.length;
    if (count === 0) return batch;
    // One UTF-8 check and one NUL search for the whole batch, on the chunks as read (joining them would copy the
    // file once more); record by record only where they find something, or where a chunk's end splits a character.
    const pieces = window.pieces(this.consumed, endedAt[count - 1] as number);
    const utf8 = pieces.every((piece) => isUtf8(piece));
    const nul = pieces.some((piece) => piece.includes(NUL));
    for (let n = 0; n < count; n++) {
      const fields = endedFields[n] as string[];
      const end = endedAt[n] as number;
      const segment = window.take(this.consumed, end);
      const blank = leadingLineBreakBytes(segment);
      const raw = blank === 0 ? segment : segment.subarray(blank); // almost always 0: no second view
      const startLine = this.line + (blank === 0 ? 0 : countLineBreaks(segment.subarray(0, blank)));
      if (!utf8 && !isUtf8(raw)) throw new InvalidCsvError(`the file is not valid UTF-8 text; ${EXPORT_AS_CSV_UTF8}`, startLine);
      const hasNul = nul && raw.includes(NUL);
      const lineBreaks = countLineBreaks(segment, this.headerEnding, other);
      if (this.headerEnding === undefined) {
        // The header line: text never holds NUL, UTF-16 holds one in every ASCII character.
        if (hasNul) throw nulBytesInHeader(raw, startLine);
        this.headerEnding = lineEndingOf(raw);
        if (this.headerEnding === LineEnding.cr) throw new InvalidCsvError(OLD_MAC_ENDINGS, startLine);
      } else if (other.kind !== undefined && !readsAlike(segment, fields)) {
        // Another kind of line break, and it changes how the record reads: not a quoted line break, a mixed file.
        throw mixedLineEndings(this.headerEnding, other.kind, startLine);
      }
      batch.push({ fields, line: startLine, start: this.consumed + blank, end, raw, hasNul });
      this.line += lineBreaks;
      this.consumed = end;
    }
    endedFields.length = 0;
    endedAt.length = 0;
    return batch;
  }
}

/** Streams records (the header first) in batches, one per input chunk: an await per record would cost more than the parsing. */
export async function* readCsvRecords(source: AsyncIterable<Buffer>, options: CsvReaderOptions = {}): AsyncGenerator<CsvRecord[]> {
  const reader = new CsvReader(options);
  for await (const chunk of source) {
    const batch = reader.feed(chunk);
    if (batch.length > 0) yield batch;
    reader.throwIfFailed();
  }
  const last = reader.end();
  if (last.length > 0) yield last;
  reader.throwIfFailed();
}

/**
 * csv-parse's synchronous core: what its stream calls for each chunk (a
 * Parser's `api`; csv-parse is pinned, and the reader tests cover it). Each
 * record comes with its end offset in `info.bytes`, without the info object
 * that `on_record` builds for every record, and without a stream turn per chunk.
 */
interface ParserCore {
  readonly info: { readonly bytes: number };
  /** Parses `chunk` (or, with `end`, what is left); returns the error that stopped it, if any. */
  parse(chunk: Buffer | undefined, end: boolean, push: (record: string[]) => void, close: () => void): CsvError | undefined;
}

function parserCore(options: Options): ParserCore {
  const core = (new Parser(options) as unknown as { api?: ParserCore }).api;
  if (typeof core?.parse !== "function" || typeof core.info !== "object") throw new Error("csv-parse no longer exposes its parser core (Parser.api)");
  return core;
}

const ignore = () => undefined;

/**
 * NUL bytes where the header line should be: UTF-16 text (Excel's "Unicode
 * Text") holds them at every other byte, beside ASCII letters; anything else
 * (a file of NULs, an image, a zip) is binary.
 */
function nulBytesInHeader(bytes: Buffer, line: number): InvalidCsvError {
  if (looksLikeUtf16(bytes)) return new InvalidCsvError(`the header line holds NUL bytes: the file is probably UTF-16 ${UTF16}`, line);
  return new InvalidCsvError(`the file is binary (NUL bytes where the header line should be), not CSV text: check that --csv names the HR export, or ${EXPORT_AS_CSV_UTF8}`, line);
}

/** Every NUL at one parity of offset, and a character that is not NUL at each place of the other. */
function looksLikeUtf16(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, Math.min(bytes.length, 256) & ~1);
  if (sample.length < 2) return false;
  const zeroParity = sample[0] === NUL ? 0 : 1;
  for (let i = 0; i < sample.length; i++) if ((sample[i] === NUL) !== (i % 2 === zeroParity)) return false;
  return true;
}

/** The first record of `bytes` when every kind of line break ends a record; undefined if that does not parse. */
function firstRecordAtEveryLineEnding(bytes: Buffer): string[] | undefined {
  try {
    return (parseNow(bytes, { record_delimiter: ["\r\n", "\n", "\r"], skip_empty_lines: true, relax_column_count: true, to: 1 }) as string[][])[0];
  } catch {
    return undefined;
  }
}

/** Whether a record reads the same when every kind of line break ends a record (a quoted line break does). */
function readsAlike(segment: Buffer, fields: readonly string[]): boolean {
  const record = firstRecordAtEveryLineEnding(segment);
  return record !== undefined && record.length === fields.length && record.every((field, index) => field === fields[index]);
}

/** csv-parse messages quote cell values, so they are never shown: each code gets our own words. */
function describeParseError(error: CsvError, line: number, maxRecordBytes: number): InvalidCsvError {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return new InvalidCsvError("unterminated quoted field: a \" opened in this record is never closed", line);
    case "CSV_INVALID_CLOSING_QUOTE":
      return new InvalidCsvError('stray quote in a quoted field: write a quote inside quotes as two quotes ("")', line);
    case "CSV_MAX_RECORD_SIZE":
      return new InvalidCsvError(`record longer than ${maxRecordBytes} bytes; is a quote left open?`, line);
    default:
      return new InvalidCsvError(`malformed CSV (${error.code})`, line);
  }
}
