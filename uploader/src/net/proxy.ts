import type { Agent } from "node:http";
import { HttpsProxyAgent } from "https-proxy-agent";

/**
 * Which requests go through the agency's proxy: one rule, decided here for
 * every outbound request (sign-in, upload, Storage, the Azure CLI's), instead
 * of each library reading the environment its own way (their NO_PROXY rules
 * differ: cancellation-retry-locks-proxy.md §4).
 *
 * HTTPS_PROXY (or https_proxy) is the proxy for https URLs, HTTP_PROXY for
 * http ones. NO_PROXY (or no_proxy) lists hosts that bypass it: `agency.gov`
 * and `.agency.gov` both mean the domain and every host under it, `host:port`
 * only that port, `*` everything; CIDR ranges are not understood.
 */
export interface ProxySettings {
  readonly httpsProxy?: URL;
  readonly httpProxy?: URL;
  readonly noProxy: readonly string[];
}

export const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] as const;

export const NO_PROXY_SETTINGS: ProxySettings = { noProxy: [] };

/** Reads the proxy variables; a malformed proxy URL is a usage error the caller words. */
export function proxySettingsFrom(env: NodeJS.ProcessEnv): ProxySettings {
  const value = (upper: string) => (env[upper] || env[upper.toLowerCase()] || "").trim();
  const proxyUrl = (name: string): URL | undefined => {
    const text = value(name);
    if (text === "") return undefined;
    try {
      return new URL(text.includes("://") ? text : `http://${text}`);
    } catch {
      throw new Error(`${name} is not a URL (e.g. http://proxy.agency.gov:8080)`);
    }
  };
  return {
    httpsProxy: proxyUrl("HTTPS_PROXY"),
    httpProxy: proxyUrl("HTTP_PROXY"),
    noProxy: value("NO_PROXY")
      .split(/[,\s]+/)
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== ""),
  };
}

/** The proxy a request to `url` goes through, or undefined to go direct. */
export function proxyFor(url: string, settings: ProxySettings): URL | undefined {
  const target = new URL(url);
  const proxy = target.protocol === "https:" ? settings.httpsProxy : settings.httpProxy;
  if (proxy === undefined) return undefined;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  const bypassed = settings.noProxy.some((entry) => {
    if (entry === "*") return true;
    const [entryHost = "", entryPort] = entry.startsWith("[") ? [entry.slice(1, entry.indexOf("]")), entry.split("]:")[1]] : entry.split(":");
    if (entryPort !== undefined && entryPort !== port) return false;
    const domain = entryHost.replace(/^\*?\./, "");
    return host === domain || host.endsWith(`.${domain}`);
  });
  return bypassed ? undefined : proxy;
}

/** Node agents for our own requests: one per proxy, kept for the run. */
export class ProxyAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(readonly settings: ProxySettings) {}

  for(url: string): Agent | undefined {
    const proxy = proxyFor(url, this.settings);
    if (proxy === undefined) return undefined;
    let agent = this.agents.get(proxy.href);
    if (agent === undefined) {
      agent = new HttpsProxyAgent(proxy);
      this.agents.set(proxy.href, agent);
    }
    return agent;
  }
}
