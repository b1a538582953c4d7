/**
 * Errors are values with a class; the class alone decides the exit code, here
 * and nowhere else. Messages are one line, safe to print: they never carry a
 * secret, a token or a CSV cell value.
 */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  invalidCsv: 3,
  auth: 4,
  upload: 5,
  /** Stopped by a signal (128 + its number), after the grace period for requests in flight. */
  sighup: 129,
  sigint: 130,
  sigterm: 143,
} as const;

export type ErrorClass = "usage" | "invalid-csv" | "auth" | "upload";

export abstract class HrError extends Error {
  abstract readonly errorClass: ErrorClass;
  abstract readonly exitCode: number;
}

/** The base of the error classes: each has its name, its class and the exit code that class means. */
function hrErrorOf<C extends ErrorClass>(name: string, errorClass: C, exitCode: number) {
  return class extends HrError {
    override readonly name = name;
    readonly errorClass = errorClass;
    readonly exitCode = exitCode;
  };
}

/** Bad flag, missing file, inconsistent configuration. */
export class UsageError extends hrErrorOf("UsageError", "usage", EXIT_CODES.usage) {}

/** The CSV cannot be read as a whole (no header, bad quote, missing column...). */
export class InvalidCsvError extends hrErrorOf("InvalidCsvError", "invalid-csv", EXIT_CODES.invalidCsv) {
  constructor(
    message: string,
    /** Physical line the problem was found at, when known. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

/** Entra refused the credentials, or the service refused a fresh token. */
export class AuthError extends hrErrorOf("AuthError", "auth", EXIT_CODES.auth) {}

/** A chunk could not be delivered: retries ran out, or the service rejected it. The checkpoint is kept. */
export class UploadError extends hrErrorOf("UploadError", "upload", EXIT_CODES.upload) {}

/** A run stopped by a signal exits as a shell reports that signal. */
export function exitCodeOfSignal(signal: "SIGTERM" | "SIGINT" | "SIGHUP"): number {
  return signal === "SIGINT" ? EXIT_CODES.sigint : signal === "SIGHUP" ? EXIT_CODES.sighup : EXIT_CODES.sigterm;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof HrError ? error.exitCode : EXIT_CODES.internal;
}

/** A checkpoint or run record that is not what it should be: refused (exit 2), never reinterpreted. */
export class CorruptStateError extends UsageError {
  constructor(
    /** The item, as its store names it (a path, or a container URL and blob name). */
    readonly item: string,
    readonly problem: string,
  ) {
    super(`${item} is not a valid hr-upload checkpoint (${problem})`);
  }
}

/** The state store could not be written: before anything was sent that is a configuration problem (exit 2), after it an upload failure. */
export class StateWriteError extends UploadError {
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(`cannot write the state in ${location} (${reason})`);
  }
}
