import { domainToASCII } from "node:url";
import { UsageError } from "../core/errors";
import { checkDate, checkDateTime, DATE_TIME_FORMAT, NOT_A_CALENDAR_DATE } from "../csv/values";
import type { Flags } from "./args";
import { envVarFor, type FlagName } from "./flags";

/*
 * Reading one flag's value as a type (a choice, a GUID, a tenant, a number, an https URL, a date): a bad value is a
 * one-line UsageError naming the flag as it was given (`--cloud` or `HR_CLOUD`).
 */

export function missingFlag(flag: FlagName, command: string): never {
  throw new UsageError(`--${flag} is required (or set ${envVarFor(flag)}); see hr-upload ${command} --help`);
}

export function requireFlag(flags: Flags, flag: FlagName, command: string): string {
  return flags.string(flag) ?? missingFlag(flag, command);
}

/** An enumerated value, matched in any case and without surrounding spaces. */
export function choiceFlag<T extends string>(flags: Flags, flag: FlagName, choices: readonly T[]): T | undefined {
  const text = flags.string(flag);
  if (text === undefined) return undefined;
  const choice = choices.find((candidate) => candidate === text.trim().toLowerCase());
  if (choice === undefined) throw new UsageError(`${flags.label(flag)} must be ${choices.length === 2 ? choices.join(" or ") : `one of ${choices.join(", ")}`}`);
  return choice;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function guidFlag(flags: Flags, flag: FlagName, command: string): string {
  const value = requireFlag(flags, flag, command).trim();
  if (!GUID.test(value)) throw new UsageError(`${flags.label(flag)} must be a GUID (8-4-4-4-12 hexadecimal digits)`);
  return value;
}

/** A DNS name of two labels or more whose top level is not numeric (so not an IP address). */
function isDomainName(text: string): boolean {
  const labels = text.split(".");
  return text.length <= 253 && labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) as string);
}

/** Entra takes the tenant's ID or any of its verified domain names (contoso.onmicrosoft.us, agency.gov) in the authority URL. */
export function tenantFlag(flags: Flags, command: string): string {
  const value = requireFlag(flags, "tenant-id", command).trim();
  if (!GUID.test(value) && !isDomainName(value)) {
    // A domain with non-ASCII letters works in its punycode form, which the sign-in URL needs; url.domainToASCII gives it.
    const ascii = [...value].some((character) => character.charCodeAt(0) > 0x7f) ? domainToASCII(value) : "";
    const hint = ascii !== "" && isDomainName(ascii) ? `; a domain with non-ASCII letters works in its punycode form: ${ascii}` : "";
    throw new UsageError(`${flags.label("tenant-id")} must be a GUID (8-4-4-4-12 hexadecimal digits) or a verified domain name of the tenant, such as contoso.onmicrosoft.us${hint}`);
  }
  return value;
}

export function numberFlag(flags: Flags, flag: FlagName, fallback: number, rule: { min: number; max: number; integer?: boolean }): number {
  const text = flags.string(flag);
  if (text === undefined) return fallback;
  // Decimal only: Number() would also read 0x10, 0b101 and 1e3, which a typo can produce and nobody means.
  const value = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < rule.min || value > rule.max || (rule.integer && !Number.isInteger(value))) {
    throw new UsageError(`${flags.label(flag)} must be ${rule.integer ? "a whole number" : "a number"} from ${rule.min} to ${rule.max}`);
  }
  return value;
}

export function httpsFlag(flags: Flags, flag: FlagName): string | undefined {
  const text = flags.string(flag)?.trim();
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flags.label(flag)} must be an https URL`);
  }
  if (url.protocol !== "https:") throw new UsageError(`${flags.label(flag)} must be an https URL`);
  return text.replace(/\/+$/, "");
}

/** A calendar date, yyyy-mm-dd, or an ISO 8601 date-time; a day that does not exist (2026-02-30) is refused, not rolled over. */
export function dateFlag(flags: Flags, flag: FlagName): Date | undefined {
  const text = flags.string(flag)?.trim();
  if (text === undefined) return undefined;
  const problem = text.includes("T") ? checkDateTime(text) : checkDate(text);
  if (problem === NOT_A_CALENDAR_DATE) throw new UsageError(`${flags.label(flag)}: ${text} is not a calendar date`);
  if (problem !== undefined) throw new UsageError(`${flags.label(flag)} must be a date (yyyy-mm-dd) or an ISO 8601 date-time (${DATE_TIME_FORMAT})`);
  return new Date(text);
}
