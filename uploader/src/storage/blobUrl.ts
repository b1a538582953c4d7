import { UsageError } from "../core/errors";

/** An https Blob Storage URL, with its SAS (a secret) kept apart from its printable name. */
export interface BlobLocation {
  /** The URL to call, SAS included. */
  readonly url: string;
  /** The URL without its query: safe to print, stable across SAS renewals. */
  readonly name: string;
  /** True when the URL carries a SAS signature: no other credential is used. */
  readonly hasSas: boolean;
}

/**
 * True for anything meant as a URL rather than a local path, typos included
 * (`https//...`, a SAS query): those are parsed as URLs, so a malformed one is
 * refused without ever being echoed with its signature. A drive letter
 * (`C:\HR\employees.csv`, `C:/HR`) or a UNC path (`\\server\share`) is a path.
 */
export function isUrl(text: string): boolean {
  if (/^\s*[a-z]:[\\/]/i.test(text) || /^\s*\\\\/.test(text)) return false;
  return /^\s*[a-z][a-z0-9+.-]*:/i.test(text) || /[?&]sig=/i.test(text) || /^\s*https?\/\//i.test(text);
}

const EXAMPLE = "https://<account>.blob.core.usgovcloudapi.net";

/**
 * Reads a Blob (or container) URL; https only, because a bearer token or a SAS
 * must never cross plain http... except to a loopback emulator, whose URLs
 * name the account in the path (as the Storage SDK reads them).
 */
export function parseBlobUrl(text: string, what: string, names: "blob" | "container"): BlobLocation {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`${what} is not a valid URL`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) throw new UsageError(`${what} must be an https Blob Storage URL`);
  const segments = url.pathname.split("/").filter((segment) => segment !== "").length - (loopback ? 1 : 0);
  if (names === "blob" && segments < 2) throw new UsageError(`${what} must name a container and a blob: ${EXAMPLE}/<container>/<file>.csv`);
  if (names === "container" && segments < 1) throw new UsageError(`${what} must name a container: ${EXAMPLE}/<container>`);
  return { url: url.toString(), name: `${url.origin}${url.pathname}`, hasSas: url.searchParams.has("sig") };
}

/** The container kept copies live in, beside the state container. */
export const KEPT_CONTAINER = "hr-kept";

/**
 * The container `name` in the same account as `container`: its URL with the
 * last path segment (the container's name) replaced, the query (a SAS) kept;
 * so a SAS must be valid for both (an account SAS, or the job's identity).
 */
export function siblingContainer(container: BlobLocation, name: string): BlobLocation {
  const url = new URL(container.url);
  url.pathname = url.pathname.replace(/[^/]+\/?$/, name);
  return { url: url.toString(), name: `${url.origin}${url.pathname}`, hasSas: container.hasSas };
}
