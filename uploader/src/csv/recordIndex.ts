/**
 * Where every record of a file lies (byte range, physical line) and whether it
 * is valid, kept in fixed-size typed-array blocks: about 21 bytes a record,
 * no copying as it grows, so a million records cost about 21 MB. It lets a run
 * cut chunks of any size over the records still to send, after validation.
 */
const BLOCK = 65_536;

interface Block {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly line: Uint32Array;
  readonly valid: Uint8Array;
}

export class RecordIndex {
  private readonly blocks: Block[] = [];
  private size = 0;

  get count(): number {
    return this.size;
  }

  add(start: number, end: number, line: number, valid: boolean): void {
    const offset = this.size % BLOCK;
    if (offset === 0) {
      this.blocks.push({ start: new Float64Array(BLOCK), end: new Float64Array(BLOCK), line: new Uint32Array(BLOCK), valid: new Uint8Array(BLOCK) });
    }
    const block = this.blocks[this.blocks.length - 1] as Block;
    block.start[offset] = start;
    block.end[offset] = end;
    block.line[offset] = line;
    block.valid[offset] = valid ? 1 : 0;
    this.size++;
  }

  start(record: number): number {
    return this.block(record).start[record % BLOCK] as number;
  }

  end(record: number): number {
    return this.block(record).end[record % BLOCK] as number;
  }

  line(record: number): number {
    return this.block(record).line[record % BLOCK] as number;
  }

  isValid(record: number): boolean {
    return this.block(record).valid[record % BLOCK] === 1;
  }

  private block(record: number): Block {
    if (record < 0 || record >= this.size) throw new RangeError(`record ${record} is not in the index`);
    return this.blocks[Math.floor(record / BLOCK)] as Block;
  }
}
