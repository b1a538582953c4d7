import { RestError } from "@azure/storage-blob";
import { AuthError, HrError, StateWriteError, UploadError, UsageError } from "../core/errors";
import { StoppedError } from "../core/stop";

export const isStatus = (error: unknown, ...statuses: number[]) => error instanceof RestError && statuses.includes(error.statusCode ?? 0);

/** Storage's error code (ContainerNotFound, BlobNotFound…): from the body, or for a HEAD request, which has none, its x-ms-error-code header. */
export const storageErrorCode = (error: unknown): string | undefined =>
  error instanceof RestError ? (error.code ?? error.response?.headers.get("x-ms-error-code") ?? undefined) : undefined;

/**
 * A Storage failure as one printable line with the right class (never the URL's SAS: callers pass the name).
 * A call the run's halt ended is no failure: its StoppedError is thrown on as it is, so the run ends `interrupted`.
 */
export function storageError(error: unknown, what: string): HrError {
  if (error instanceof StoppedError) throw error;
  if (error instanceof HrError) return error; // e.g. our credential's AuthError, passed through the SDK
  if (!(error instanceof RestError)) return new UploadError(`Blob Storage failed for ${what} (${(error as Error).name ?? "error"})`);
  const code = storageErrorCode(error) ?? "";
  switch (error.statusCode) {
    case 404:
      return new UsageError(`${what} not found (${code || "HTTP 404"})`, { cause: error });
    case 401:
    case 403:
      return new AuthError(
        `no access to ${what} (${[`HTTP ${error.statusCode}`, code].filter(Boolean).join(" ")}): the identity needs its Storage Blob Data role there, or the SAS is wrong or expired`,
        { cause: error },
      );
    default:
      return new UploadError(`Blob Storage failed for ${what} (${error.statusCode ? `HTTP ${error.statusCode} ` : ""}${code || "network error"})`, { cause: error });
  }
}

/**
 * A failed write to the run's own state. Storage answers 403 AuthorizationPermissionMismatch to an identity
 * (or SAS) that may read but not write: that is state the run cannot write (exit 2 before anything is sent),
 * not a failed sign-in. Other failures keep their class.
 */
export function stateWriteError(error: unknown, what: string): HrError {
  if (isStatus(error, 403) && (error as RestError).code === "AuthorizationPermissionMismatch") {
    return new StateWriteError(what, "HTTP 403 AuthorizationPermissionMismatch: this identity may read here but not write; it needs Storage Blob Data Contributor on the container, or a SAS with read, add, create, write, delete and list (racwdl)");
  }
  return storageError(error, what);
}
