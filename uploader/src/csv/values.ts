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
export const NOT_A_CALENDAR_DATE = "not a calendar date";
export const DATE_TIME_FORMAT = "yyyy-mm-ddThh:mm:ss[.fffffff][Z|±hh:mm]";
const NOT_A_DATE_TIME = `not an ISO 8601 date-time (${DATE_TIME_FORMAT})`;
const DIGIT_0 = 0x30;
const MAX_FRACTION_DIGITS = 7;

/**
 * Hot path (every date of every record): read with charCodeAt, no regular
 * expression, match array, substrings or Date objects. The shape is checked
 * whole first, so a malformed value always gets the format reason.
 */
export function checkDateTime(value: string): string | undefined {
  const length = value.length;
  if (length < 19 || value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d || value.charCodeAt(10) !== 0x54 || value.charCodeAt(13) !== 0x3a || value.charCodeAt(16) !== 0x3a) {
    return NOT_A_DATE_TIME;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NOT_A_DATE_TIME;
  let at = 19;
  if (value.charCodeAt(at) === 0x2e) {
    const fractionStart = at + 1;
    at = fractionStart;
    while (at < length && at - fractionStart < MAX_FRACTION_DIGITS && isDigit(value.charCodeAt(at))) at++;
    if (at === fractionStart) return NOT_A_DATE_TIME;
  }
  let offsetHours = 0;
  let offsetMinutes = 0;
  if (at < length) {
    const sign = value.charCodeAt(at);
    if (sign === 0x5a) {
      at++;
    } else if ((sign === 0x2b || sign === 0x2d) && length === at + 6 && value.charCodeAt(at + 3) === 0x3a) {
      offsetHours = digits(value, at + 1, 2);
      offsetMinutes = digits(value, at + 4, 2);
      if (offsetHours < 0 || offsetMinutes < 0) return NOT_A_DATE_TIME;
      at += 6;
    }
  }
  if (at !== length) return NOT_A_DATE_TIME;
  if (!isCalendarDate(year, month, day)) return NOT_A_CALENDAR_DATE;
  if (hour > 23 || minute > 59 || second > 59) return "not a valid time of day";
  if (offsetHours > 14 || offsetMinutes > 59) return "not a valid UTC offset";
  return undefined;
}

const isDigit = (code: number) => code >= DIGIT_0 && code <= DIGIT_0 + 9;

/** The number written by `count` ASCII digits at `start`, or -1 if one of them is not an ASCII digit. */
function digits(value: string, start: number, count: number): number {
  let number = 0;
  for (let at = start; at < start + count; at++) {
    const code = value.charCodeAt(at);
    if (!isDigit(code)) return -1;
    number = number * 10 + code - DIGIT_0;
  }
  return number;
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
