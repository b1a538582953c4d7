import { checkDateTime, DATE_TIME_FORMAT, NOT_A_CALENDAR_DATE } from "../../uploader/src/csv/values";

/** The rule as it read before issue 22 (a regular expression and parseInt): the new one must agree with it on every value. */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?(?:Z|[+-](\d{2}):(\d{2}))?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function previousCheckDateTime(value: string): string | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return `not an ISO 8601 date-time (${DATE_TIME_FORMAT})`;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => parseInt(part as string, 10)) as number[];
  const leap = (year! % 4 === 0 && year! % 100 !== 0) || year! % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month! - 1];
  if (!(month! >= 1 && month! <= 12 && day! >= 1 && day! <= (days as number))) return NOT_A_CALENDAR_DATE;
  if (hour! > 23 || minute! > 59 || second! > 59) return "not a valid time of day";
  if (match[7] !== undefined && (parseInt(match[7], 10) > 14 || parseInt(match[8] as string, 10) > 59)) return "not a valid UTC offset";
  return undefined;
}

const TEMPLATES = [
  "2019-04-23T15:18:02.4675041+05:30",
  "2019-04-24T09:15:49Z",
  "2019-04-29T15:18:02.7117540",
  "2026-03-20T17:00:00-05:00",
  "2024-02-29T00:00:00Z",
  "2000-02-29T23:59:59.1-14:00",
  "1900-02-29T12:00:00",
  "2026-12-31T23:59:59.1234567Z",
];
// Digits of every kind (\d is ASCII only), the format's own characters, and what users type instead.
const ALPHABET = ["0", "1", "2", "3", "5", "9", "-", "+", ":", ".", "T", "t", "Z", "z", " ", "/", "\u0663", "\uff11", "\u00b9", "\n", "\u2212", ""];

/** Seeded, so a failure names a value that reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function* values(): Generator<string> {
  for (const template of TEMPLATES) {
    yield template;
    for (let at = 0; at <= template.length; at++) {
      yield template.slice(0, at);
      for (const character of ALPHABET) {
        yield template.slice(0, at) + character + template.slice(at + 1); // replaced (or deleted)
        yield template.slice(0, at) + character + template.slice(at); // inserted
      }
    }
  }
  const next = random(22);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  for (let n = 0; n < 100_000; n++) {
    let value = pick(TEMPLATES);
    for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
      const at = Math.floor(next() * (value.length + 1));
      value = value.slice(0, at) + pick(ALPHABET) + value.slice(at + (next() < 0.5 ? 1 : 0));
    }
    yield value;
  }
  // Every field at and around its limits: days per month and leap years, hours, minutes, seconds, offsets.
  for (const year of ["1900", "2000", "2023", "2024"]) {
    for (let month = 0; month <= 13; month++) {
      for (const day of [0, 1, 28, 29, 30, 31, 32]) {
        const date = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
        for (const time of ["00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "99:99:99"]) {
          for (const zone of ["", "Z", "+14:00", "-14:59", "+15:00", "-14:60", "+99:99"]) yield `${date}T${time}${zone}`;
        }
      }
    }
  }
}

describe("date-time rule without a regular expression", () => {
  it("gives exactly the previous rule's verdict on every value (mutations of valid values, limits of every field)", () => {
    let compared = 0;
    const disagreements: string[] = [];
    for (const value of values()) {
      compared++;
      if (checkDateTime(value) !== previousCheckDateTime(value)) disagreements.push(JSON.stringify(value));
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(compared).toBeGreaterThan(120_000);
  });
});
