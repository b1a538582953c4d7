import { LineEnding } from "../csv/reader";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A run of whole records: bytes [offset, offset + length), as views of the chunks read. */
export interface Slice {
  readonly offset: number;
  readonly length: number;
  readonly pieces: readonly Buffer[];
}

/**
 * Cuts a file's bytes, from a point between two records, into slices of
 * whole records of about `sliceBytes`, so that each can be parsed on its own.
 * A slice ends after a line break of the header's kind outside quotes: quotes
 * are counted from the starting point, where none is open, and in a file
 * that parses, a line break after an even number of quotes ends a record. In
 * a file that does not parse, a cut can fall inside a record; the parser of
 * the slice before it then fails, and the caller reads on from there with one
 * reader, as without slices.
 */
export class Slicer {
  private pieces: Buffer[] = [];
  private start: number;
  private length = 0;
  private insideQuotes = false;
  private previous = 0;

  constructor(
    offset: number,
    private readonly ending: LineEnding.lf | LineEnding.crlf,
    private readonly sliceBytes: number,
  ) {
    this.start = offset;
  }

  /** Bytes held that no slice holds yet. */
  get pendingBytes(): number {
    return this.length;
  }

  /** Takes the next chunk of the file; returns the slices it completes. */
  push(chunk: Buffer): Slice[] {
    const slices: Slice[] = [];
    let from = 0;
    while (from < chunk.length) {
      const wanted = Math.max(0, this.sliceBytes - this.length);
      // Up to the slice's size, only the quotes matter; past it, the first line break outside quotes ends the slice.
      const counted = Math.min(chunk.length, from + wanted);
      if (quotesIn(chunk, from, counted) % 2 === 1) this.insideQuotes = !this.insideQuotes;
      if (counted > from) this.previous = chunk[counted - 1] as number;
      const cut = counted < chunk.length ? this.recordEnd(chunk, counted) : -1;
      if (cut < 0) {
        this.hold(chunk.subarray(from));
        return slices;
      }
      this.hold(chunk.subarray(from, cut));
      slices.push(this.take());
      from = cut;
    }
    return slices;
  }

  /** The bytes held that no slice holds yet, and where they start. */
  held(): { offset: number; pieces: readonly Buffer[] } {
    return { offset: this.start, pieces: this.pieces };
  }

  /** The bytes held, as the file's last slice; undefined when there are none. */
  end(): Slice | undefined {
    return this.length === 0 ? undefined : this.take();
  }

  /** Just past the first record end at or after `from`, tracking quotes; -1 when the chunk holds none. */
  private recordEnd(chunk: Buffer, from: number): number {
    let { insideQuotes, previous } = this;
    for (let at = from; at < chunk.length; at++) {
      const byte = chunk[at] as number;
      if (byte === QUOTE) insideQuotes = !insideQuotes;
      else if (byte === LF && !insideQuotes && (this.ending === LineEnding.lf || previous === CR)) {
        this.insideQuotes = false;
        this.previous = byte;
        return at + 1;
      }
      previous = byte;
    }
    this.insideQuotes = insideQuotes;
    this.previous = previous;
    return -1;
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieces.push(piece);
    this.length += piece.length;
  }

  private take(): Slice {
    const slice = { offset: this.start, length: this.length, pieces: this.pieces };
    this.start += this.length;
    this.pieces = [];
    this.length = 0;
    return slice;
  }
}

function quotesIn(chunk: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = chunk.indexOf(QUOTE, from); at >= 0 && at < to; at = chunk.indexOf(QUOTE, at + 1)) count++;
  return count;
}
