import type { Writable } from "node:stream";
import { LOG_EVENT, type LogEventName } from "./logEvents";

export type LogFormat = "text" | "json";
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined | object>;

/**
 * The only way the core speaks. Text goes to people (messages on stdout,
 * warnings and errors on stderr); json is one object per line on stdout, so
 * Log Analytics can query every field. Callers pass counts and identifiers,
 * never secrets or cell values.
 */
export interface Logger {
  readonly format: LogFormat;
  info(event: LogEventName | string, message: string, fields?: LogFields): void;
  warn(event: LogEventName | string, message: string, fields?: LogFields): void;
  error(event: LogEventName | string, message: string, fields?: LogFields): void;
}

export interface LogStreams {
  stdout: Pick<Writable, "write">;
  stderr: Pick<Writable, "write"> & { isTTY?: boolean };
}

/** `version`, when given, is stamped on every summary event, whichever command emits it. */
export function createLogger(format: LogFormat, streams: LogStreams, now: () => Date, version?: string): Logger {
  const emit = (level: LogLevel, event: string, message: string, fields: LogFields = {}) => {
    if (format === "json") {
      const stamp = event === LOG_EVENT.summary && version !== undefined ? { version } : {};
      streams.stdout.write(`${JSON.stringify({ time: now().toISOString(), level, event, msg: message, ...fields, ...stamp })}\n`);
      return;
    }
    const target = level === "info" ? streams.stdout : streams.stderr;
    const prefix = level === "info" ? "" : `${level === "warn" ? "warning" : "error"}: `;
    target.write(`${prefix}${message}\n`);
  };
  return {
    format,
    info: (event, message, fields) => emit("info", event, message, fields),
    warn: (event, message, fields) => emit("warn", event, message, fields),
    error: (event, message, fields) => emit("error", event, message, fields),
  };
}

/**
 * A process stream that a closed reader cannot crash: `hr-upload upload | head`
 * closes stdout early, and the EPIPE that follows must not stop the upload. Once
 * the pipe is closed, output to it is dropped.
 */
export function ignoringClosedPipe(stream: NodeJS.WriteStream): LogStreams["stderr"] {
  let closed = false;
  stream.on("error", () => (closed = true));
  return {
    isTTY: stream.isTTY,
    write: (text: string) => (closed ? false : stream.write(text)),
  } as LogStreams["stderr"];
}
