/** Image references: `<registry host>[:port]/<repository>[:tag][@sha256:<hex>]`, the registry always explicit. */

export interface ImageReference {
  /** Host and optional port, e.g. `mcr.microsoft.com` or `127.0.0.1:5000`. */
  readonly registry: string;
  /** e.g. `azurelinux/distroless/nodejs`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 hex>`. */
  readonly digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
// Distribution's grammar: lowercase path components separated by '/', each [a-z0-9]+ joined by '.', '_', '__' or '-'.
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function isRepositoryName(value: string): boolean {
  return REPOSITORY.test(value) && value.length <= 255;
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

/** Parses a reference; throws a one-line error naming what is wrong. */
export function parseImageReference(text: string): ImageReference {
  const [named = "", digest, ...extra] = text.trim().split("@");
  if (extra.length > 0) throw new Error(`image reference "${text}" has more than one "@"`);
  if (digest !== undefined && !isDigest(digest)) throw new Error(`image reference "${text}": the digest must be sha256:<64 lowercase hex digits>`);
  const slash = named.indexOf("/");
  const registry = slash < 0 ? "" : named.slice(0, slash);
  if (slash < 0 || !(registry.includes(".") || registry.includes(":") || registry === "localhost") || !HOST.test(registry)) {
    throw new Error(`image reference "${text}" must start with its registry host, e.g. mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@sha256:…`);
  }
  const rest = named.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  const repository = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? undefined : rest.slice(colon + 1);
  if (!isRepositoryName(repository)) throw new Error(`image reference "${text}": "${repository}" is not a repository name (lowercase letters, digits, '.', '_', '-', '/')`);
  if (tag !== undefined && !isTag(tag)) throw new Error(`image reference "${text}": "${tag}" is not a tag`);
  return { registry, repository, tag, digest };
}

export function formatImageReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag === undefined ? "" : `:${reference.tag}`}${reference.digest === undefined ? "" : `@${reference.digest}`}`;
}
