import { RestError } from "@azure/storage-blob";
import { AuthError, HrError, UploadError, UsageError } from "../errors";

export const isStatus = (error: unknown, ...statuses: number[]) => error instanceof RestError && statuses.includes(error.statusCode ?? 0);

/** A Storage failure as one printable line with the right class (never the URL's SAS: callers pass the name). */
export function storageError(error: unknown, what: string): HrError {
  if (error instanceof HrError) return error; // e.g. our credential's AuthError, passed through the SDK
  if (!(error instanceof RestError)) return new UploadError(`Blob Storage failed for ${what} (${(error as Error).name ?? "error"})`);
  const code = error.code ?? "";
  switch (error.statusCode) {
    case 404:
      return new UsageError(`${what} not found (${code || "HTTP 404"})`);
    case 401:
    case 403:
      return new AuthError(
        `no access to ${what} (HTTP ${error.statusCode} ${code}): the identity needs its Storage Blob Data role there, or the SAS is wrong or expired`,
      );
    default:
      return new UploadError(`Blob Storage failed for ${what} (${error.statusCode ? `HTTP ${error.statusCode} ` : ""}${code || "network error"})`);
  }
}
