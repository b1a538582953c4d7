import type { RunRecord } from "../state/stateStore";
import { plural } from "../core/text";

/**
 * The version a run finished from its kept copy before it moved on to the
 * file at hand (a file replaced or truncated since an earlier run): its
 * records and how many this run delivered of them, so that a run record's
 * "delivered of read" always speaks of one version.
 */
export interface EarlierVersion {
  readonly file: string;
  readonly fileSha256: string;
  readonly recordsRead: number;
  readonly recordsDelivered: number;
}

/** A run record as runs write it since they name the earlier version they finished (an added, optional field). */
export interface RunRecordOfVersions extends RunRecord {
  readonly earlierVersion?: EarlierVersion;
}

/** "3 of 3 records delivered, after 6 of 10 of the earlier version ...": delivered of read, per version. */
export function describeRunCounts(record: RunRecordOfVersions): string {
  const earlier = earlierVersionOf(record);
  const delivered = record.recordsDelivered - (earlier?.recordsDelivered ?? 0);
  const counts = record.recordsRead === undefined ? `${delivered} records delivered` : `${delivered} of ${plural(record.recordsRead, "record")} delivered`;
  return earlier === undefined ? counts : `${counts}, after ${earlier.recordsDelivered} of ${plural(earlier.recordsRead, "record")} of the earlier version of ${earlier.file} (sha256 ${earlier.fileSha256.slice(0, 12)}...)`;
}

/** The earlier version a stored record names, when it is well formed and its counts fit within the record's. */
function earlierVersionOf(record: RunRecordOfVersions): EarlierVersion | undefined {
  const earlier = record.earlierVersion as Partial<EarlierVersion> | undefined;
  const count = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  if (earlier === undefined || typeof earlier.file !== "string" || typeof earlier.fileSha256 !== "string" || !count(earlier.recordsRead) || !count(earlier.recordsDelivered)) return undefined;
  return earlier.recordsDelivered <= record.recordsDelivered ? (earlier as EarlierVersion) : undefined;
}
