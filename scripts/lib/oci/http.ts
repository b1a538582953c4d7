/**
 * One HTTPS client for the image tools (registries, token endpoints, preflight
 * handshakes): undici, streaming bodies and following redirects, with extra
 * trusted roots for an agency's TLS-inspecting proxy or a loopback test. Which
 * requests go through the proxy is the uploader's one rule (uploader/src/net/proxy.ts).
 */
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import type * as Undici from "undici";
import { proxyFor, type ProxySettings } from "../../../uploader/src/net/proxy";

export { proxySettingsFrom, type ProxySettings } from "../../../uploader/src/net/proxy";

export interface HttpClientOptions {
  readonly proxy: ProxySettings;
  /** Extra trusted roots (PEM), added to Node's own. NODE_EXTRA_CA_CERTS works too, when set before start. */
  readonly extraCa?: string;
  /** Per-request limit on connecting and waiting for headers. */
  readonly timeoutMs?: number;
}

export interface HttpRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | NodeJS.ReadableStream;
  readonly signal?: AbortSignal;
  /** Follow redirects (blob downloads: registries send them to a CDN). Authorization is dropped on another origin. */
  readonly followRedirects?: boolean;
}

export type HttpResponse = Undici.Dispatcher.ResponseData;

/**
 * undici, loaded by the first client rather than with this module: the stack's program imports the image code
 * for its file digests only (infra/uploaderRegistry.ts), and loading undici costs about a quarter of a second.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
const undici = (): typeof Undici => require("undici") as typeof Undici;

export class HttpClient {
  private readonly direct: Undici.Dispatcher;
  private readonly viaProxy = new Map<string, Undici.Dispatcher>();
  /** Node's roots plus the extra ones, parsed once: a `ca` list would be parsed again for every connection. */
  private readonly secureContext: SecureContext | undefined;
  private readonly timeout: number;

  constructor(readonly options: HttpClientOptions) {
    this.secureContext = options.extraCa === undefined ? undefined : createSecureContext({ ca: [...rootCertificates, options.extraCa] });
    this.timeout = options.timeoutMs ?? 60_000;
    this.direct = new (undici().Agent)({ connect: { secureContext: this.secureContext, timeout: this.timeout }, headersTimeout: this.timeout, bodyTimeout: this.timeout });
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const dispatcher = this.dispatcherFor(req.url);
    const { interceptors, request } = undici();
    return request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body as Undici.Dispatcher.RequestOptions["body"],
      signal: req.signal,
      dispatcher: req.followRedirects ? dispatcher.compose(interceptors.redirect({ maxRedirections: 5 })) : dispatcher,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.direct, ...this.viaProxy.values()].map((dispatcher) => dispatcher.close()));
  }

  private dispatcherFor(url: string): Undici.Dispatcher {
    const proxy = proxyFor(url, this.options.proxy);
    if (proxy === undefined) return this.direct;
    let dispatcher = this.viaProxy.get(proxy.href);
    if (dispatcher === undefined) {
      const tls = { secureContext: this.secureContext, timeout: this.timeout };
      dispatcher = new (undici().ProxyAgent)({ uri: proxy.href, requestTls: tls, proxyTls: tls, headersTimeout: this.timeout, bodyTimeout: this.timeout });
      this.viaProxy.set(proxy.href, dispatcher);
    }
    return dispatcher;
  }
}

/** A header's value (undici gives arrays for repeated headers). */
export function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
