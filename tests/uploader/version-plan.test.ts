import { createHash } from "node:crypto";
import type { Chunk } from "../../uploader/src/csv/chunking";
import { RecordRanges } from "../../uploader/src/csv/recordRanges";
import { extendsVersion } from "../../uploader/src/run/appendedVersion";
import { completeVersion, markDelivered, markInFlight, newJobState, sawContent, startVersion } from "../../uploader/src/state/jobState";
import { parseState } from "../../uploader/src/state/shapes";
import { contentPlan, versionPlan, type ContentFacts, type ContentStep, type VersionFacts, type VersionStep } from "../../uploader/src/run/versionPlan";
import type { ByteSource } from "../../uploader/src/source/byteSource";
import type { JobState, KeptCopy, PendingVersion } from "../../uploader/src/state/stateStore";

const PENDING = { fingerprint: "file:1:10:100:1700000000000" };
const SAME = { opened: true, fingerprint: PENDING.fingerprint, extendsPending: false } as const;
const REPLACED = { opened: true, fingerprint: "file:1:11:80:1700000500000", extendsPending: false } as const;
const APPENDED = { opened: true, fingerprint: "file:1:10:160:1700000500000", extendsPending: true } as const;
const DELETED = { opened: false } as const;

const step = (kind: Exclude<VersionStep["kind"], "refuse">): VersionStep => ({ kind }) as VersionStep;
const refuse = (reason: "kept-copy-unavailable" | "kept-copy-replaced"): VersionStep => ({ kind: "refuse", reason });

/** Every case a run can start in, and what it does first. "Why" names the issue-18 row each case answers. */
const CASES: Array<[string, Omit<VersionFacts, "force"> & { force?: boolean }, VersionStep[]]> = [
  ["no version under way: the file is delivered", { current: REPLACED }, [step("deliver-current")]],
  ["no version under way, no file: its error", { current: DELETED }, [step("file-unreadable")]],
  ["the version under way is the file, its copy present: finished from the copy", { pending: PENDING, current: SAME, keptCopy: "present" }, [step("finish-pending")]],
  ["the version under way is the file, its copy gone: kept again from the file, resumed by records", { pending: PENDING, current: SAME, keptCopy: "gone" }, [step("deliver-current")]],
  ["Why 3: the version under way is the file, its copy unreadable this once: refused, nothing abandoned", { pending: PENDING, current: SAME, keptCopy: "unavailable" }, [refuse("kept-copy-unavailable")]],
  ["Why 8: the version under way is the file, its copy written over: corrupt state", { pending: PENDING, current: SAME, keptCopy: "replaced" }, [refuse("kept-copy-replaced")]],
  ["--force on the version under way: sent again in full, whatever its copy", { pending: PENDING, current: SAME, keptCopy: "unavailable", force: true }, [step("deliver-current")]],
  ["the file replaced, the copy present: the old version first, then the new", { pending: PENDING, current: REPLACED, keptCopy: "present" }, [step("finish-pending"), step("deliver-current")]],
  ["--force with the file replaced: the old version is still finished first", { pending: PENDING, current: REPLACED, keptCopy: "present", force: true }, [step("finish-pending"), step("deliver-current")]],
  ["the file replaced, the copy gone: abandoned (said, counted), then the new", { pending: PENDING, current: REPLACED, keptCopy: "gone" }, [step("abandon-pending"), step("deliver-current")]],
  ["Why 3: the file replaced, the copy unreadable (EACCES, EBUSY, EISDIR, Storage 5xx): refused, never abandoned or overwritten", { pending: PENDING, current: REPLACED, keptCopy: "unavailable" }, [refuse("kept-copy-unavailable")]],
  ["the file replaced, the copy written over: corrupt state", { pending: PENDING, current: REPLACED, keptCopy: "replaced" }, [refuse("kept-copy-replaced")]],
  ["the file deleted, the copy present: the old version finished, then the file's error", { pending: PENDING, current: DELETED, keptCopy: "present" }, [step("finish-pending"), step("file-unreadable")]],
  ["the file deleted, the copy gone: abandoned, then the file's error", { pending: PENDING, current: DELETED, keptCopy: "gone" }, [step("abandon-pending"), step("file-unreadable")]],
  ["Why 3: the file deleted, the copy unreadable: refused", { pending: PENDING, current: DELETED, keptCopy: "unavailable" }, [refuse("kept-copy-unavailable")]],
  ["Why 6: the file appended to, the copy present: resumed as one version, nothing sent twice", { pending: PENDING, current: APPENDED, keptCopy: "present" }, [step("resume-append")]],
  ["Why 6: the file appended to, the copy gone: the file holds the version, resumed", { pending: PENDING, current: APPENDED, keptCopy: "gone" }, [step("resume-append")]],
  ["Why 3: the file appended to, the copy unreadable: refused like any unreadable copy", { pending: PENDING, current: APPENDED, keptCopy: "unavailable" }, [refuse("kept-copy-unavailable")]],
  ["--force on an appended file: the file, which holds the old version, sent in full; nothing finished apart", { pending: PENDING, current: APPENDED, keptCopy: "present", force: true }, [step("deliver-current")]],
];

describe("versionPlan: what a run does with the version under way, before it sends anything", () => {
  it.each(CASES)("%s", (_case, facts, steps) => {
    expect(versionPlan({ force: false, ...facts })).toEqual(steps);
  });

  it("covers every kept-copy status with every kind of file", () => {
    const statuses: KeptCopy["kind"][] = ["present", "gone", "unavailable", "replaced"];
    for (const current of [SAME, REPLACED, APPENDED, DELETED]) {
      for (const keptCopy of statuses) {
        const steps = versionPlan({ pending: PENDING, current, keptCopy, force: false });
        // Only a gone copy is abandoned; an unreadable or replaced one stops the run before anything else.
        expect(steps.some((planned) => planned.kind === "abandon-pending")).toBe(keptCopy === "gone" && (current === REPLACED || current === DELETED));
        if (keptCopy === "unavailable" || keptCopy === "replaced") expect(steps).toHaveLength(1);
      }
    }
  });
});

/*
 * The plan's second stage, once the file at hand has been read and hashed: what of it to send. With the table above,
 * the rows of issue 18's "Why" that reach the plan: 1, 2, 3, 4, 6 and 8. Rows 5, 7 and 9 are not the plan's to decide:
 * one run per job on a machine holds before any plan (the machine-wide lock: tests/e2e/delivery-protocol.test.ts),
 * fencing is the stores' (every state write conditional: tests/e2e/fencing.test.ts, blob.test.ts), and where kept
 * copies live is the stores' and the stack's (tests/e2e/blob.test.ts, tests/infra/compliance.spec.ts).
 */
const JOB_ID = "e081f4f4-3831-48d6-7bb3-fcfab1581458";
const SHA_A = "a".repeat(64);
const AT = "2026-12-01T06:00:00.000Z";
const chunk = (start: number, end: number): Chunk => ({ index: 0, records: RecordRanges.of([[start, end]]), recordCount: end - start, firstLine: start + 2, byteRanges: [], bytes: 0 });
const underWay = () =>
  startVersion(newJobState(JOB_ID, AT), { sha256: SHA_A, file: "/hr/a.csv", bytes: 100, pinned: { name: "kept/k.csv" }, fingerprint: "f", recordsTotal: 10 }, AT);
const deliveredOf = (state: JobState, ...chunks: Chunk[]) => chunks.reduce((next, sent) => markDelivered(next, sent, false, true), state);
const deliveredInFull = () => completeVersion(deliveredOf(underWay(), chunk(0, 10)), "2026-11-30T06:00:00.000Z");
/** A step as the table states it: its kind, the records of the 10-record file it sends, its message. */
const outline = (step: ContentStep) => ({ kind: step.kind, sends: step.kind === "nothing-to-do" ? [] : RecordRanges.of([[0, 10]]).without(step.delivered).toJSON(), message: step.message });
const expected = (kind: ContentStep["kind"], sends: number[][], message?: string | RegExp) => ({ kind, sends, message: message instanceof RegExp ? expect.stringMatching(message) : message });

const CONTENT_CASES: Array<[string, Partial<ContentFacts>, ReturnType<typeof expected>]> = [
  ["nothing under way, never delivered: all of it, as a new version", {}, expected("start-version", [[0, 10]])],
  [
    "Why 1: a chunk answered 500, 502 or 504 after its body was sent stays marked in flight, not delivered: sent again (and named possibly duplicated when taken over)",
    { state: markInFlight(deliveredOf(underWay(), chunk(0, 4)), chunk(4, 6), AT) },
    expected("keep-again", [[4, 10]], "resuming: 4 of 10 records of this version were delivered by an earlier run"),
  ],
  [
    "Why 2: records the service answered 2xx for but did not keep (RecordsSaved below the count, an HTML page) are not delivered: sent again, no duplicate",
    { state: deliveredOf(underWay(), chunk(0, 4), chunk(6, 10)) },
    expected("keep-again", [[4, 6]], /^resuming: 8 of 10 records/),
  ],
  ["the version under way with --force: all of it again, as a new version", { state: deliveredOf(underWay(), chunk(0, 4)), rules: { force: true, resendAfterDays: 14 } }, expected("start-version", [[0, 10]])],
  [
    "Why 6: the file appended to (versionPlan's resume-append): the version goes on from the records it delivered, none twice",
    { state: deliveredOf(underWay(), chunk(0, 4), chunk(6, 8)), appended: true },
    expected("extend-pending", [[4, 6], [8, 10]], /^resuming \/hr\/a\.csv: it was appended to since 6 of its 10 records were delivered/),
  ],
  [
    "nothing to do: delivered in full within --resend-after-days, under any name",
    { state: deliveredInFull(), file: { sha256: SHA_A, name: "/hr/copy-of-a.csv" } },
    expected("nothing-to-do", [], "already delivered in full to this job on 2026-11-30T06:00:00.000Z (as /hr/a.csv); nothing to do (--force sends it again)"),
  ],
  ["delivered in full longer ago than --resend-after-days: all of it again", { state: deliveredInFull(), rules: { force: false, resendAfterDays: 1 } }, expected("start-version", [[0, 10]], /older than 1 days$/)],
  ["delivered in full, with --force: all of it again", { state: deliveredInFull(), rules: { force: true, resendAfterDays: 14 } }, expected("start-version", [[0, 10]], /^--force: sending again/)],
  [
    "a format-1 checkpoint of this content (hr-upload 0.1) delivered part: the rest",
    { legacyDelivered: RecordRanges.of([[0, 3]]) },
    expected("start-version", [[3, 10]], "resuming the upload a format-1 checkpoint recorded: 3 records were delivered"),
  ],
  [
    "a format-1 checkpoint's progress, the content's last full delivery older than --resend-after-days: the rest, as before",
    { state: deliveredInFull(), rules: { force: false, resendAfterDays: 1 }, legacyDelivered: RecordRanges.of([[0, 3]]) },
    expected("start-version", [[3, 10]], /^resuming the upload a format-1 checkpoint recorded/),
  ],
  ["--force over a format-1 checkpoint's progress: all of it (force sends the whole file)", { legacyDelivered: RecordRanges.of([[0, 3]]), rules: { force: true, resendAfterDays: 14 } }, expected("start-version", [[0, 10]])],
  [
    "the file's name held other content last run: all of it, said so",
    { state: sawContent(newJobState(JOB_ID, AT), "/hr/a.csv", "b".repeat(64), AT) },
    expected("start-version", [[0, 10]], "the file changed since the last run: sending the new version"),
  ],
];

describe("contentPlan: what of the file at hand is sent, once it is read", () => {
  it.each(CONTENT_CASES)("%s", (_case, facts, step) => {
    const plan = contentPlan({
      state: undefined,
      file: { sha256: SHA_A, name: "/hr/a.csv" },
      appended: false,
      rules: { force: false, resendAfterDays: 14 },
      now: Date.parse("2026-12-01T12:00:00Z"),
      ...facts,
    });
    expect(outline(plan)).toEqual(step);
  });

  it.each([
    ["overlapping ranges", { delivered: [[0, 6], [4, 8]], recordsDelivered: 8 }, "pending.delivered[1] overlaps or precedes the range before it"],
    ["ranges beyond the version's records", { delivered: [[0, 12]], recordsDelivered: 12 }, "pending.delivered holds 12 records, more than the version's 10"],
    ["a delivered count its ranges do not hold", { delivered: [[0, 2]], recordsDelivered: 8 }, "pending.recordsDelivered is 8, but its ranges hold 2 records"],
  ])("Why 4: a checkpoint that contradicts itself (%s) never reaches the plan: loading it refuses it as corrupt", (_case, change, problem) => {
    const contradicting = { ...underWay(), pending: { ...(underWay().pending as PendingVersion), ...change } };
    expect(parseState(JSON.stringify(contradicting), "job state")).toEqual({ problem: expect.stringContaining(problem) });
  });
});

/** A file as parts of bytes, for the append check. */
function memorySource(...parts: string[]): ByteSource {
  return {
    name: "memory.csv",
    fingerprint: "memory",
    async *read() {
      for (const part of parts) yield Buffer.from(part);
    },
    readRanges: () => Promise.reject(new Error("not used")),
    assertUnchanged: async () => undefined,
    close: async () => undefined,
  };
}
const versionOf = (text: string) => ({ bytes: Buffer.byteLength(text), sha256: createHash("sha256").update(text).digest("hex") });

describe("extendsVersion: the file is the version with records appended", () => {
  const old = "EmailAddress,ResignationDate\na@agency.gov,2026-01-01\n";
  it.each([
    ["records appended, read in one part", [`${old}b@agency.gov,2026-01-02\n`], true],
    ["records appended, the version's end split across parts", [old.slice(0, 10), old.slice(10, -1), `\nb@agency.gov,2026-01-02\n`], true],
    ["the same bytes, nothing appended", [old], false],
    ["shorter than the version", [old.slice(0, 20)], false],
    ["other bytes as long as the version, and more", [`${old.replace("a@", "c@")}b@agency.gov,2026-01-02\n`], false],
  ])("%s: %s", async (_case, parts, expected) => {
    expect(await extendsVersion(memorySource(...parts), versionOf(old))).toBe(expected);
  });

  it("accepts a version without a final line break only when the appended bytes begin with one", async () => {
    const unterminated = old.slice(0, -1);
    expect(await extendsVersion(memorySource(`${unterminated}\nb@agency.gov,2026-01-02\n`), versionOf(unterminated))).toBe(true);
    expect(await extendsVersion(memorySource(`${unterminated}\r\nb@agency.gov,2026-01-02\r\n`), versionOf(unterminated))).toBe(true);
    // The version's last record goes on: "2026-01-01" becomes "2026-01-019", another record.
    expect(await extendsVersion(memorySource(`${unterminated}9\nb@agency.gov,2026-01-02\n`), versionOf(unterminated))).toBe(false);
  });
});
