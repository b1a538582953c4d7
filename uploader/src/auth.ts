import { ConfidentialClientApplication, type Configuration, type INetworkModule, type NetworkResponse } from "@azure/msal-node";
import { tokenScope } from "./clouds";
import { AuthError } from "./errors";
import { backoffDelayMs, sleep, type RetryPolicy } from "./retry";

export interface ClientCredentials {
  /** https://login.microsoftonline.us, or an override for private endpoints and tests. */
  readonly authorityHost: string;
  /** True when the host is not one MSAL knows (it then reads the host's OpenID metadata). */
  readonly customAuthority: boolean;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly resource: string;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

/** Bearer tokens for the ingestion service, cached by one MSAL client for the whole run. */
export interface TokenSource {
  token(): Promise<string>;
  /** A fresh token, bypassing the cache (after the service answered 401). */
  refresh(): Promise<string>;
  /** Token requests sent to the network (not cache hits), for the run summary. */
  readonly networkRequests: number;
}

/** What the hint says for AADSTS codes an operator can act on. */
const AADSTS_HINTS: Record<string, string> = {
  AADSTS7000215: "the client secret is wrong: use the secret's value, not its ID",
  AADSTS7000222: "the client secret has expired: create a new one (with the stack: pulumi config set secretRotation <date> && pulumi up)",
  AADSTS700016: "no app with this app ID in this tenant: check --app-id, --tenant-id and --cloud",
  AADSTS90002: "tenant not found: check --tenant-id and --cloud (GCC High and DoD sign in at login.microsoftonline.us)",
  AADSTS900023: "the tenant ID is not valid: check --tenant-id",
  AADSTS500011: "the token resource is unknown to this tenant: check --cloud",
  AADSTS7000112: "the app is disabled in Entra",
};

export function createTokenSource(credentials: ClientCredentials): TokenSource {
  const auth: Configuration["auth"] = {
    clientId: credentials.clientId,
    authority: `${credentials.authorityHost.replace(/\/+$/, "")}/${credentials.tenantId}`,
    clientSecret: credentials.clientSecret,
    // Only set for hosts MSAL does not know: an explicit undefined would break its defaults.
    ...(credentials.customAuthority ? { knownAuthorities: [new URL(credentials.authorityHost).host] } : {}),
  };
  let networkRequests = 0;
  const client = new ConfidentialClientApplication({
    auth,
    system: { networkClient: fetchWithTimeout(credentials.timeoutMs, () => networkRequests++) },
  });
  const scopes = [tokenScope(credentials.resource)];
  // Single flight per kind (MSAL does not coalesce): concurrent callers share one request, and a
  // refresh never joins a cached lookup, so it cannot hand back the token the service just refused.
  const inFlight: { cached?: Promise<string>; fresh?: Promise<string> } = {};
  const acquire = (kind: "cached" | "fresh"): Promise<string> =>
    (inFlight[kind] ??= acquireWithRetries(client, scopes, kind === "fresh", credentials.retry).finally(() => (inFlight[kind] = undefined)));
  return {
    token: () => acquire("cached"),
    refresh: () => acquire("fresh"),
    get networkRequests() {
      return networkRequests;
    },
  };
}

async function acquireWithRetries(client: ConfidentialClientApplication, scopes: string[], skipCache: boolean, retry: RetryPolicy): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await client.acquireTokenByClientCredential({ scopes, skipCache });
      if (!result?.accessToken) throw new AuthError("the token endpoint answered without an access token");
      return result.accessToken;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      const { errorCode, errorMessage, status } = error as { errorCode?: string; errorMessage?: string; status?: number };
      const aadsts = /AADSTS\d+/.exec(errorMessage ?? "")?.[0];
      // Entra said no (a 4xx with an AADSTS code): final at once. Its 429/5xx, network errors and timeouts are transient.
      const entraBusy = status === 429 || (status !== undefined && status >= 500);
      if ((aadsts !== undefined || errorCode === "invalid_client") && !entraBusy) {
        const hint = (aadsts && AADSTS_HINTS[aadsts]) ?? "Entra refused the app's credentials: check --app-id, --tenant-id, --cloud and the secret";
        throw new AuthError(`sign-in refused (${aadsts ?? errorCode}): ${hint}`);
      }
      if (attempt >= retry.maxRetries) {
        throw new AuthError(`could not get a token after ${attempt + 1} attempts (${entraBusy ? `HTTP ${status}` : (errorCode ?? "network error")})`);
      }
      await sleep(backoffDelayMs(attempt, retry));
    }
  }
}

/** MSAL's network client with a timeout on every request (its default has none on POST). */
function fetchWithTimeout(timeoutMs: number, onRequest: () => void): INetworkModule {
  const send = async <T>(url: string, method: "GET" | "POST", headers?: Record<string, string>, body?: string): Promise<NetworkResponse<T>> => {
    onRequest();
    const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // A non-JSON body (a proxy's error page) leaves MSAL without a token; the caller reports it.
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, "GET", options?.headers),
    sendPostRequestAsync: (url, options) => send(url, "POST", options?.headers, options?.body),
  };
}
