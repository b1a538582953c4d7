/**
 * Whether this machine reaches a host over HTTPS, as the checks that connect
 * (tls, image-base) word it: what went wrong (no name, an untrusted or
 * mismatched certificate, no route) and the fix, through HTTPS_PROXY when set.
 */
import { lookup } from "node:dns/promises";
import type { HttpClient } from "../oci/http";
import { proxyFor, type ProxySettings } from "../../../uploader/src/net/proxy";

export interface NetworkDependencies {
  readonly http: HttpClient;
  /** HTTPS_PROXY and NO_PROXY, as `http` applies them: for a host behind the proxy, name resolution is the proxy's job. */
  readonly proxy: ProxySettings;
  /** The addresses a name resolves to on this machine (the system resolver unless injected). */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

export interface ReachProblem {
  /** Follows the host's name: "does not resolve", "presents a certificate …". */
  readonly what: string;
  readonly fix: string;
}

/** Whether a request to `host` (a name, with a port or not) goes through the proxy, which then resolves the name. */
export const proxied = (host: string, deps: NetworkDependencies) => proxyFor(`https://${host}/`, deps.proxy) !== undefined;

/** The system resolver: every address of the name. */
export async function systemResolve(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((entry) => entry.address);
}

/** A name resolves, then a HEAD request completes its TLS handshake (any HTTP answer will do). */
export async function tlsProblem(host: string, deps: NetworkDependencies): Promise<ReachProblem | undefined> {
  if (!proxied(host, deps)) {
    try {
      // The name alone: `host` may carry a port (a registry's), and an IPv6 literal its brackets.
      await (deps.resolve ?? systemResolve)(new URL(`https://${host}/`).hostname.replace(/^\[|\]$/g, ""));
    } catch {
      return { what: "does not resolve", fix: "check DNS on this machine, or set HTTPS_PROXY to the agency proxy" };
    }
  }
  try {
    const response = await deps.http.request({ method: "HEAD", url: `https://${host}/` });
    await response.body.dump();
    return undefined;
  } catch (error) {
    return connectionProblem(error, host, deps);
  }
}

/** What a failed connection to `host` means (from the error's code), and what to do about it. */
export function connectionProblem(error: unknown, host: string, deps: NetworkDependencies): ReachProblem {
  const code = String((error as NodeJS.ErrnoException).code ?? ((error as { cause?: NodeJS.ErrnoException }).cause?.code ?? ""));
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return { what: "presents a certificate for another name", fix: "a proxy or DNS entry sends this host elsewhere: check HTTPS_PROXY, NO_PROXY and DNS" };
  if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)/.test(code)) {
    return { what: `presents a certificate this machine does not trust (${code})`, fix: "a TLS-inspecting proxy? set NODE_EXTRA_CA_CERTS to its root CA (a PEM file) before running" };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { what: "does not resolve", fix: "check DNS, or set HTTPS_PROXY to the agency proxy" };
  return { what: `cannot be reached (${code || (error as Error).message})`, fix: proxied(host, deps) ? "check HTTPS_PROXY (and that the proxy allows this host)" : "a firewall? set HTTPS_PROXY to the agency proxy" };
}

