import { InvalidCsvError } from "../core/errors";
import { EXPORT_AS_CSV_UTF8 } from "./reader";
import { checkEmail } from "./values";

const STARTS_WITH_DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * Explains, in one line each, the first lines that cannot be a header: what
 * Excel writes for other regions or settings, a record where the header
 * should be, nameless or padded names. Runs before any message quotes a
 * header name, so a first line that holds a record (cell values, PII) is
 * described, never quoted.
 */
export function checkHeaderLine(names: readonly string[], line: number, exampleHeader: string): void {
  const fail = (message: string): never => {
    throw new InvalidCsvError(message, line);
  };
  // csv-parse splits "sep=," in two; joined again, the line is as written.
  const sepHint = /^sep=(.)$/i.exec(names.join(","));
  if (sepHint) {
    const delimiter = sepHint[1] as string;
    const shown = delimiter === "\t" ? "\\t" : delimiter;
    const alsoSays = delimiter === "," ? "" : `; it also says the file is ${delimiterName(delimiter)}-delimited, which the connector cannot read`;
    fail(`this is Excel's delimiter hint ("sep=${shown}"), not a header line${alsoSays}; delete the line, or ${EXPORT_AS_CSV_UTF8}, which does not write it`);
  }

  const only = names.length === 1 ? (names[0] as string) : undefined;
  const delimiter = only === undefined ? undefined : [";", "\t"].find((candidate) => only.includes(candidate));
  if (delimiter !== undefined) {
    fail(`the header line is a single column holding ${delimiter === ";" ? "semicolons" : "tabs"}: the file is ${delimiterName(delimiter)}-delimited, and the connector reads comma-delimited CSV; ${EXPORT_AS_CSV_UTF8}`);
  }

  const recordLike = names.map((name) => name.trim()).find((name) => checkEmail(name) === undefined || STARTS_WITH_DATE.test(name));
  if (recordLike !== undefined) {
    const holds = checkEmail(recordLike) === undefined ? "an email address" : "a date";
    fail(`the header line is missing: the first line holds ${holds}, so it is a record; add a header line above it, such as ${exampleHeader}`);
  }

  const unnamed = names.flatMap((name, index) => (name.trim() === "" ? [index + 1] : []));
  if (unnamed.length > 0) {
    const which = unnamed.length === 1 ? `column ${unnamed[0]} has` : `columns ${unnamed.join(", ")} have`;
    fail(`${which} no name in the header line; name ${unnamed.length === 1 ? "it" : "them"}, or delete the empty column (a trailing comma makes one)`);
  }

  const padded = names.filter((name) => name !== name.trim());
  if (padded.length > 0) {
    const quoted = padded.map((name) => JSON.stringify(name)).join(", ");
    fail(
      `header name${padded.length === 1 ? "" : "s"} ${quoted} ${padded.length === 1 ? "has" : "have"} leading or trailing spaces; the connector matches names exactly, spaces included: remove them from the header line`,
    );
  }
}

function delimiterName(delimiter: string): string {
  return delimiter === ";" ? "semicolon" : delimiter === "\t" ? "tab" : delimiter === "|" ? "pipe" : JSON.stringify(delimiter);
}
