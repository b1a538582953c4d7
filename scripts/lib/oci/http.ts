/**
 * One HTTPS client for the image tools (registries, token endpoints, preflight
 * handshakes): undici with its proxy agent, so HTTPS_PROXY and NO_PROXY apply,
 * and extra trusted roots for an agency's TLS-inspecting proxy or a loopback test.
 */
import { rootCertificates } from "node:tls";
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from "undici";

export interface ProxySettings {
  /** Proxy for https URLs; empty for direct connections. */
  readonly httpsProxy: string;
  /** Hosts reached directly, comma-separated (undici's NO_PROXY rules). */
  readonly noProxy: string;
}

/** Read at the edge: HTTPS_PROXY and NO_PROXY, upper case first (as Azure's SDKs do). */
export function proxySettingsFrom(env: NodeJS.ProcessEnv): ProxySettings {
  return { httpsProxy: env.HTTPS_PROXY ?? env.https_proxy ?? "", noProxy: env.NO_PROXY ?? env.no_proxy ?? "" };
}

export interface HttpClientOptions {
  readonly proxy: ProxySettings;
  /** Extra trusted roots (PEM), added to Node's own. NODE_EXTRA_CA_CERTS works too, when set before start. */
  readonly extraCa?: string;
  /** Per-request limit on connecting and waiting for headers. */
  readonly timeoutMs?: number;
}

export interface HttpRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH";
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | NodeJS.ReadableStream;
  readonly signal?: AbortSignal;
  /** Follow redirects (blob downloads: registries send them to a CDN). Authorization is dropped on another origin. */
  readonly followRedirects?: boolean;
}

export type HttpResponse = Dispatcher.ResponseData;

export class HttpClient {
  private readonly direct: Dispatcher;
  private readonly redirecting: Dispatcher;

  constructor(readonly options: HttpClientOptions) {
    const ca = options.extraCa === undefined ? undefined : [...rootCertificates, options.extraCa];
    const timeout = options.timeoutMs ?? 60_000;
    this.direct = new EnvHttpProxyAgent({
      httpProxy: "", // only https is spoken here
      httpsProxy: options.proxy.httpsProxy,
      noProxy: options.proxy.noProxy,
      connect: { ca, timeout },
      requestTls: { ca },
      proxyTls: { ca },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    this.redirecting = this.direct.compose(interceptors.redirect({ maxRedirections: 5 }));
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body as Dispatcher.RequestOptions["body"],
      signal: req.signal,
      dispatcher: req.followRedirects ? this.redirecting : this.direct,
    });
  }

  close(): Promise<void> {
    return this.direct.close();
  }
}

/** A header's value (undici gives arrays for repeated headers). */
export function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
