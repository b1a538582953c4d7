/**
 * The bytes a reader has seen but not yet handed out, addressed by absolute
 * offset in the source. Memory stays bounded: everything before the last
 * record taken is released.
 */
export class ByteWindow {
  private readonly parts: Buffer[] = [];
  /** Absolute offset of parts[0][0]. */
  private base: number;

  /** `origin`: the absolute offset of the first byte appended. */
  constructor(origin = 0) {
    this.base = origin;
  }

  append(chunk: Buffer): void {
    if (chunk.length > 0) this.parts.push(chunk);
  }

  /** Bytes [start, end): a view when they sit in one chunk, a copy otherwise. Releases everything before `end`. */
  take(start: number, end: number): Buffer {
    this.release(start);
    const first = this.parts[0];
    // Fast path, almost every record: it lies in one chunk, so a view will do.
    const out = first !== undefined && end - this.base <= first.length ? first.subarray(start - this.base, end - this.base) : this.peek(start, end);
    this.release(end);
    return out;
  }

  /** Bytes [start, end) without releasing anything; `end` is clamped to what has arrived. */
  peek(start: number, end: number): Buffer {
    const pieces = this.pieces(start, end);
    return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
  }

  /** Bytes [start, end) as views of the chunks they lie in, without a copy; `end` is clamped to what has arrived. */
  pieces(start: number, end: number): Buffer[] {
    const pieces: Buffer[] = [];
    let partStart = this.base;
    for (const part of this.parts) {
      const partEnd = partStart + part.length;
      if (partEnd > start && partStart < end) {
        pieces.push(part.subarray(Math.max(0, start - partStart), Math.min(part.length, end - partStart)));
      }
      if (partEnd >= end) break;
      partStart = partEnd;
    }
    return pieces;
  }

  private release(offset: number): void {
    while (this.parts.length > 0) {
      const first = this.parts[0] as Buffer;
      if (this.base + first.length > offset) break;
      this.base += first.length;
      this.parts.shift();
    }
  }
}
