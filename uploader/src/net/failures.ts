import { UsageError } from "../core/errors";
import { StoppedError, stopReasonOf } from "../core/stop";
import type { HttpFailure } from "./http";
import type { Verdict } from "./retry";

/** Codes of a TLS certificate check that failed: retrying cannot help, a trusted root is missing (TLS inspection) or the host is wrong. */
const TLS_CODES = /^(CERT_|UNABLE_TO_VERIFY_LEAF_SIGNATURE$|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN$|DEPTH_ZERO_SELF_SIGNED_CERT$|ERR_TLS_|ERR_SSL_)/;
const DNS_CODES = new Set(["ENOTFOUND"]);
/** Failures to connect: through a proxy, our side only ever connects to the proxy, so these are the proxy's. */
const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** How long a proxy that refuses or cannot be resolved is retried (it may be restarting) before the run gives up on it. */
export const PROXY_GIVE_UP_MS = 30_000;

/** How a failed exchange counts: worth retrying, final with a one-line cause an admin can act on, or the proxy's (retried briefly, then a configuration error). */
export type NetworkFailureClass =
  | { readonly kind: "transient"; readonly reason: string }
  | { readonly kind: "final"; readonly message: string }
  | { readonly kind: "proxy"; readonly reason: string };

export function classifyNetworkFailure(failure: HttpFailure, url: string, timedOut: boolean, timeoutMs: number): NetworkFailureClass {
  const target = new URL(url);
  const host = target.host;
  if (timedOut) return { kind: "transient", reason: `no answer from ${host} within ${timeoutMs / 1000} s` };
  if (failure.proxy !== undefined && CONNECT_CODES.has(failure.code)) {
    // Host and port only: the proxy URL may carry a user name and password.
    const proxy = `${failure.proxy.hostname}:${failure.proxy.port || 80}`;
    const variable = target.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY";
    const what = DNS_CODES.has(failure.code) || failure.code === "EAI_AGAIN" ? `cannot be resolved (${failure.code})` : `refused or could not be reached (${failure.code})`;
    return { kind: "proxy", reason: `the proxy ${proxy} (${variable}) ${what}` };
  }
  if (TLS_CODES.test(failure.code)) {
    return {
      kind: "final",
      message:
        `TLS certificate of ${host} is not trusted (${failure.code}): if your network inspects TLS, ` +
        "give Node its root certificate: set NODE_EXTRA_CA_CERTS to the PEM file of the inspecting proxy's root CA",
    };
  }
  if (DNS_CODES.has(failure.code)) {
    return {
      kind: "final",
      message: `cannot resolve ${host} (${failure.code}): check the network's DNS, or set HTTPS_PROXY to your agency's proxy (and NO_PROXY for hosts it must not handle)`,
    };
  }
  return { kind: "transient", reason: `network error talking to ${host} (${failure.code})` };
}

/**
 * A failed exchange as a verdict of the one retry loop: transient failures are
 * retried, final ones fail with `finalError` (the caller's error class), and a
 * proxy's for PROXY_GIVE_UP_MS only, then a configuration error (exit 2).
 */
export function networkVerdict(failure: NetworkFailureClass, finalError: (message: string) => Error): Verdict<never> {
  switch (failure.kind) {
    case "final":
      return { kind: "fail", error: finalError(failure.message) };
    case "transient":
      return { kind: "retry", reason: failure.reason };
    case "proxy":
      return {
        kind: "retry",
        reason: failure.reason,
        within: {
          ms: PROXY_GIVE_UP_MS,
          giveUp: (attempts, elapsedMs) =>
            new UsageError(
              `${failure.reason} on ${attempts} attempt${attempts === 1 ? "" : "s"} over ${Math.round(elapsedMs / 1000)} s; giving up: check the proxy variable ` +
                "(host and port of your agency's proxy, and that it is running), or unset it where the network needs no proxy",
            ),
        },
      };
  }
}

/**
 * The verdict on a request that failed in transport, the same for upload and sign-in: the run's `halt` (which ended
 * it) ends the loop as a stop; any other failure counts by its class, final ones as `finalError`.
 */
export function transportVerdict(failure: HttpFailure, request: { readonly url: string; readonly timedOut: boolean; readonly timeoutMs: number; readonly halt: AbortSignal }, finalError: (message: string) => Error): Verdict<never> {
  if (request.halt.aborted) return { kind: "fail", error: new StoppedError(stopReasonOf(request.halt)) };
  return networkVerdict(classifyNetworkFailure(failure, request.url, request.timedOut, request.timeoutMs), finalError);
}
