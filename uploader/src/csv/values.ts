/**
 * Value rules. Each check returns the reason a value is wrong, or undefined.
 * Reasons describe the rule, never the value (values are PII).
 */

// Local part: no spaces or RFC 5322 specials; domain: dot-separated DNS labels, at least two.
const EMAIL = /^[^\s@"(),:;<>[\]\\]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function checkEmail(value: string): string | undefined {
  return EMAIL.test(value) ? undefined : "not an email address or UPN (user@domain)";
}

// yyyy-mm-ddThh:mm:ss, optional .f to .fffffff, optional Z or ±hh:mm (hr-connector-service.md §7.2).
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?(?:Z|[+-](\d{2}):(\d{2}))?$/;
export const DATE_TIME_FORMAT = "yyyy-mm-ddThh:mm:ss[.fffffff][Z|±hh:mm]";

export function checkDateTime(value: string): string | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return `not an ISO 8601 date-time (${DATE_TIME_FORMAT})`;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return "not a calendar date";
  if (hour > 23 || minute > 59 || second > 59) return "not a valid time of day";
  const [offsetHours, offsetMinutes] = [match[7], match[8]].map(Number);
  if (offsetHours !== undefined && !Number.isNaN(offsetHours) && (offsetHours > 14 || (offsetMinutes ?? 0) > 59)) {
    return "not a valid UTC offset";
  }
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids local DST quirks.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function checkMaxLength(value: string, maxLength: number): string | undefined {
  return [...value].length > maxLength ? `longer than ${maxLength} characters` : undefined;
}
