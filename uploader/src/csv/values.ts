/**
 * Value rules. Each check returns the reason a value is wrong, or undefined.
 * Reasons describe the rule, never the value (values are PII).
 */

// Local part: up to 64 characters in dot-separated runs (no leading, trailing or doubled dot) of anything but
// spaces, RFC 5322 specials and Unicode's "other" characters (controls, NUL, zero-width and bidi marks, unassigned);
// domain: dot-separated DNS labels, at least two.
const EMAIL =
  /^(?=[^@]{1,64}@)[^\s@"(),:;<>[\]\\.\p{C}]+(?:\.[^\s@"(),:;<>[\]\\.\p{C}]+)*@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/u;
const CONTROL = /\p{Cc}/u;
const INVISIBLE = /\p{C}/u;
const MISPLACED_DOT = /^\.|\.\.(?=[^@]*@)|\.@/;

export function checkEmail(value: string): string | undefined {
  if (EMAIL.test(value)) return undefined;
  // Invalid values only: say which rule they break.
  if (CONTROL.test(value)) return "contains a control character (such as NUL, a tab or a line break)";
  if (INVISIBLE.test(value)) return "contains an invisible character (such as a zero-width space or a text-direction mark)";
  if (MISPLACED_DOT.test(value)) return "has a dot at the start or end of the part before @, or two dots in a row";
  return "not an email address or UPN (user@domain)";
}

// yyyy-mm-ddThh:mm:ss, optional .f to .fffffff, optional Z or ±hh:mm (hr-connector-service.md §7.2).
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,7})?(?:Z|[+-](\d{2}):(\d{2}))?$/;
export const NOT_A_CALENDAR_DATE = "not a calendar date";
export const DATE_TIME_FORMAT = "yyyy-mm-ddThh:mm:ss[.fffffff][Z|±hh:mm]";

export function checkDateTime(value: string): string | undefined {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return `not an ISO 8601 date-time (${DATE_TIME_FORMAT})`;
  // Hot path (every date of every record): plain integer parsing, no Date objects.
  const year = parseInt(match[1] as string, 10);
  const month = parseInt(match[2] as string, 10);
  const day = parseInt(match[3] as string, 10);
  if (!isCalendarDate(year, month, day)) return NOT_A_CALENDAR_DATE;
  if (parseInt(match[4] as string, 10) > 23 || parseInt(match[5] as string, 10) > 59 || parseInt(match[6] as string, 10) > 59) {
    return "not a valid time of day";
  }
  if (match[7] !== undefined && (parseInt(match[7], 10) > 14 || parseInt(match[8] as string, 10) > 59)) return "not a valid UTC offset";
  return undefined;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A day, yyyy-mm-dd, that exists on the calendar. */
export function checkDate(value: string): string | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return "not a date (yyyy-mm-dd)";
  return isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) ? undefined : NOT_A_CALENDAR_DATE;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

export function checkMaxLength(value: string, maxLength: number): string | undefined {
  return [...value].length > maxLength ? `longer than ${maxLength} characters` : undefined;
}
