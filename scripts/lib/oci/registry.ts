/**
 * A client of one registry over the OCI distribution API: blobs (HEAD, GET,
 * cross-repository mount, monolithic POST + PUT upload) and manifests (GET,
 * PUT). A source registry (MCR) and a target registry (the stack's ACR) are
 * two instances; sign-in follows each registry's 401 challenge.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { parseChallenge, RegistryAuthError, type TokenSource } from "./auth";
import { headerValue, type HttpClient, type HttpResponse } from "./http";

export class RegistryError extends Error {
  override readonly name = "RegistryError";

  /** @param status the registry's HTTP status, when it answered with one (404: no such manifest or blob) */
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface Manifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly bytes: Buffer;
}

type Body = Buffer | string | Readable;

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Manifest types this tool reads: OCI and Docker v2, single images and multi-platform indexes. */
export const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
] as const;

interface Call {
  readonly method: "GET" | "HEAD" | "POST" | "PUT";
  /** Path under the registry, or an absolute URL (upload locations). */
  readonly target: string;
  readonly headers?: Record<string, string>;
  /** A factory, so the body can be sent again after a sign-in challenge. */
  readonly body?: () => Body | Promise<Body>;
  readonly followRedirects?: boolean;
  /** Scopes beyond this repository's own (a mount's source repository). */
  readonly extraScopes?: readonly string[];
}

export class RegistryClient {
  private readonly origin: string;
  private readonly tokens = new Map<string, string>();

  /**
   * @param host registry host and optional port
   * @param access what this client does in its repositories: "pull" for a source, "pull,push" for a target
   */
  constructor(
    readonly host: string,
    private readonly http: HttpClient,
    private readonly tokenSource: TokenSource,
    private readonly access: "pull" | "pull,push",
    private readonly signal?: AbortSignal,
  ) {
    this.origin = `https://${host}`;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.call(repository, { method: "HEAD", target: `/v2/${repository}/blobs/${digest}` });
    await response.body.dump();
    if (response.statusCode === 200) return true;
    if (response.statusCode === 404) return false;
    throw this.failure(`checking blob ${digest} in ${repository}`, response.statusCode);
  }

  /** The blob as a stream, with its size; the caller consumes it. */
  async openBlob(repository: string, digest: string): Promise<{ size: number; stream: Readable }> {
    const response = await this.call(repository, { method: "GET", target: `/v2/${repository}/blobs/${digest}`, followRedirects: true });
    if (response.statusCode !== 200) throw await this.failureWithBody(`reading blob ${digest} from ${repository}`, response);
    return { size: Number(headerValue(response, "content-length") ?? NaN), stream: response.body };
  }

  /**
   * Where the registry sends a download of the blob: the redirect's target (MCR sends blobs to a regional data
   * host), or undefined when it serves the blob itself. The redirect is not followed.
   */
  async blobLocation(repository: string, digest: string): Promise<URL | undefined> {
    const response = await this.call(repository, { method: "GET", target: `/v2/${repository}/blobs/${digest}` });
    await response.body.dump();
    const location = headerValue(response, "location");
    if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) return new URL(location, this.origin);
    if (response.statusCode === 200) return undefined;
    throw this.failure(`reading blob ${digest} from ${repository}`, response.statusCode);
  }

  /** A small blob (a config), checked against its digest. */
  async readBlob(repository: string, digest: string): Promise<Buffer> {
    const { stream } = await this.openBlob(repository, digest);
    const bytes = Buffer.from(await (stream as HttpResponse["body"]).arrayBuffer());
    if (sha256Digest(bytes) !== digest) throw new RegistryError(`${this.host} served blob ${digest} of ${repository} with other content`);
    return bytes;
  }

  /** Cross-repository mount within this registry; false when the registry started an upload instead. */
  async mountBlob(repository: string, digest: string, fromRepository: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from: fromRepository });
    const response = await this.call(repository, {
      method: "POST",
      target: `/v2/${repository}/blobs/uploads/?${query}`,
      extraScopes: [`repository:${fromRepository}:pull`],
    });
    await response.body.dump();
    if (response.statusCode === 201) return true;
    if (response.statusCode === 202) return false;
    throw this.failure(`mounting blob ${digest} from ${fromRepository} into ${repository}`, response.statusCode);
  }

  /** Monolithic upload: POST opens a session, one PUT with ?digest= closes it. */
  async pushBlob(repository: string, digest: string, size: number, body: () => Body | Promise<Body>): Promise<void> {
    const opened = await this.call(repository, { method: "POST", target: `/v2/${repository}/blobs/uploads/` });
    await opened.body.dump();
    const location = headerValue(opened, "location");
    if (opened.statusCode !== 202 || location === undefined) throw this.failure(`starting an upload to ${repository}`, opened.statusCode);
    const url = new URL(location, this.origin);
    url.searchParams.set("digest", digest);
    const closed = await this.call(repository, {
      method: "PUT",
      target: url.href,
      headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      body,
    });
    if (closed.statusCode !== 201) throw await this.failureWithBody(`uploading blob ${digest} to ${repository}`, closed);
    await closed.body.dump();
  }

  /** A manifest by tag or digest; by digest, the bytes are checked against it. */
  async getManifest(repository: string, reference: string, accept: readonly string[] = MANIFEST_MEDIA_TYPES): Promise<Manifest> {
    const response = await this.call(repository, { method: "GET", target: `/v2/${repository}/manifests/${reference}`, headers: { accept: accept.join(", ") } });
    if (response.statusCode !== 200) throw await this.failureWithBody(`reading manifest ${reference} of ${repository}`, response);
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.startsWith("sha256:") && digest !== reference) throw new RegistryError(`${this.host} served manifest ${reference} of ${repository} with other content`);
    const mediaType = (headerValue(response, "content-type") ?? "").split(";")[0]?.trim() || ((JSON.parse(bytes.toString("utf8")) as { mediaType?: string }).mediaType ?? "");
    return { mediaType, digest, bytes };
  }

  /** Stores a manifest under a tag or its digest; returns the digest. */
  async putManifest(repository: string, reference: string, manifest: Buffer, mediaType: string): Promise<string> {
    const response = await this.call(repository, {
      method: "PUT",
      target: `/v2/${repository}/manifests/${reference}`,
      headers: { "content-type": mediaType },
      body: () => manifest,
    });
    if (response.statusCode !== 201) throw await this.failureWithBody(`storing manifest ${reference} in ${repository}`, response);
    await response.body.dump();
    const digest = sha256Digest(manifest);
    const stored = headerValue(response, "docker-content-digest");
    if (stored !== undefined && stored !== digest) throw new RegistryError(`${this.host} stored the manifest as ${stored}, not ${digest}`);
    return digest;
  }

  /** One request, signed in as the registry asks: on a 401 challenge, get a token and send once more. */
  private async call(repository: string, call: Call): Promise<HttpResponse> {
    const scopes = [`repository:${repository}:${this.access}`, ...(call.extraScopes ?? [])];
    const key = scopes.join(" ");
    const url = new URL(call.target, this.origin);
    for (let attempt = 1; ; attempt++) {
      const token = this.tokens.get(key);
      // Tokens go to the registry's own origin only, never to a redirect or an upload location elsewhere.
      const authorization: Record<string, string> = token !== undefined && url.origin === this.origin ? { authorization: `Bearer ${token}` } : {};
      const response = await this.http.request({
        method: call.method,
        url: url.href,
        headers: { ...call.headers, ...authorization },
        body: call.body === undefined ? undefined : await call.body(),
        followRedirects: call.followRedirects,
        signal: this.signal,
      });
      if (response.statusCode !== 401 || attempt > 1) return response;
      const challenge = parseChallenge(headerValue(response, "www-authenticate"));
      await response.body.dump();
      if (challenge?.scheme !== "bearer") {
        throw new RegistryAuthError(
          challenge?.scheme === "basic"
            ? `${this.host} asks for a user name and password; this tool signs in with tokens only (for ACR: --auth azure and az login)`
            : `${this.host} refused the request without a usable sign-in challenge (HTTP 401)`,
        );
      }
      this.tokens.set(key, await this.tokenSource(challenge, scopes, this.signal));
    }
  }

  private failure(action: string, status: number, detail = ""): RegistryError {
    const hint = status === 401 || status === 403 ? ": the sign-in lacks the rights for this (push needs AcrPush or Contributor on the registry)" : "";
    return new RegistryError(`${this.host}: ${action} failed (HTTP ${status}${detail})${hint}`, status);
  }

  /** The registry's error codes (distribution's `{"errors":[{"code":…}]}`) make the message; never free text beyond them. */
  private async failureWithBody(action: string, response: HttpResponse): Promise<RegistryError> {
    const text = await response.body.text().catch(() => "");
    let codes = "";
    try {
      const errors = (JSON.parse(text) as { errors?: { code?: string }[] }).errors ?? [];
      codes = errors.map((error) => error.code).filter(Boolean).join(", ");
    } catch {
      // not distribution's JSON: the status alone says enough
    }
    return this.failure(action, response.statusCode, codes === "" ? "" : `, ${codes}`);
  }
}
