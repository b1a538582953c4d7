/** A half-open range of record ordinals [start, end): the 0-based position of records in their file, header excluded. */
export type RecordRange = readonly [number, number];

/**
 * A set of record ordinals as sorted, disjoint, non-adjacent ranges: how the
 * checkpoint says which records of a version were delivered, whatever the
 * chunk size that delivered them.
 */
export class RecordRanges {
  private constructor(private readonly ranges: readonly RecordRange[]) {}

  static readonly EMPTY = new RecordRanges([]);

  /** Any ranges, in any order, overlapping or not. */
  static of(ranges: readonly RecordRange[]): RecordRanges {
    const sorted = ranges.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [start, end] of sorted) {
      const last = merged.at(-1);
      if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    return new RecordRanges(merged);
  }

  get count(): number {
    return this.ranges.reduce((sum, [start, end]) => sum + end - start, 0);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  toJSON(): RecordRange[] {
    return this.ranges.map(([start, end]) => [start, end]);
  }

  union(other: RecordRanges): RecordRanges {
    return RecordRanges.of([...this.ranges, ...other.ranges]);
  }

  /** This set without the records of `other` (one merge pass over both). */
  without(other: RecordRanges): RecordRanges {
    const result: RecordRange[] = [];
    let cut = 0;
    for (const [rangeStart, end] of this.ranges) {
      let start = rangeStart;
      while (cut < other.ranges.length && (other.ranges[cut] as RecordRange)[1] <= start) cut++;
      for (let next = cut; next < other.ranges.length && start < end; next++) {
        const [cutStart, cutEnd] = other.ranges[next] as RecordRange;
        if (cutStart >= end) break;
        if (cutStart > start) result.push([start, cutStart]);
        start = Math.max(start, cutEnd);
      }
      if (start < end) result.push([start, end]);
    }
    return new RecordRanges(result);
  }

  intersect(other: RecordRanges): RecordRanges {
    return this.without(this.without(other));
  }
}
