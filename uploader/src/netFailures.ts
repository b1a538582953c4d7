import type { HttpFailure } from "./http";

/** Codes of a TLS certificate check that failed: retrying cannot help, a trusted root is missing (TLS inspection) or the host is wrong. */
const TLS_CODES = /^(CERT_|UNABLE_TO_VERIFY_LEAF_SIGNATURE$|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN$|DEPTH_ZERO_SELF_SIGNED_CERT$|ERR_TLS_|ERR_SSL_)/;
const DNS_CODES = new Set(["ENOTFOUND"]);

/** How a failed exchange counts: worth retrying, or final with a one-line cause an admin can act on. */
export type NetworkFailureClass = { readonly kind: "transient"; readonly reason: string } | { readonly kind: "final"; readonly message: string };

export function classifyNetworkFailure(failure: HttpFailure, url: string, timedOut: boolean, timeoutMs: number): NetworkFailureClass {
  const host = new URL(url).host;
  if (timedOut) return { kind: "transient", reason: `no answer from ${host} within ${timeoutMs / 1000} s` };
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
