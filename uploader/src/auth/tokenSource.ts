import type { Agent } from "node:http";
import { AuthError as MsalAuthError, ConfidentialClientApplication, type Configuration, type INetworkModule } from "@azure/msal-node";
import type { Clock } from "../core/clock";
import { tokenScope } from "../core/clouds";
import { AuthError, HrError } from "../core/errors";
import { header, msalNetworkClient } from "./msalNetwork";
import { transportVerdict } from "../net/failures";
import { isRetryableStatus, parseRetryAfter, withRetries, type RetryPolicy, type Verdict } from "../net/retry";
import type { RunCancellation } from "../core/stop";

export interface ClientCredentials {
  /** https://login.microsoftonline.us, or an override for private endpoints and tests. */
  readonly authorityHost: string;
  /** True when the host is not one MSAL knows (it then reads the host's OpenID metadata). */
  readonly customAuthority: boolean;
  readonly tenantId: string;
  readonly clientId: string;
  readonly credential: AppCredential;
  readonly resource: string;
  /** Per token request: shorter than an upload's, a token answer is small. */
  readonly timeoutMs: number;
  /** Sign-in as a whole, retries included: no retry starts that could end later. */
  readonly signInTimeoutMs: number;
  readonly retry: RetryPolicy;
}

/**
 * How the connector app proves itself: its client secret, or (workload identity
 * federation) a token of the job's managed identity for the exchange audience,
 * fetched afresh for every token request.
 */
export type AppCredential =
  | { readonly kind: "secret"; readonly secret: string }
  | { readonly kind: "federated"; readonly audience: string; readonly assertion: () => Promise<string> };

/** What a token source needs from the run: time, the run's cancellation, and where to report retries. */
export interface TokenServices {
  readonly clock: Clock;
  readonly cancellation: RunCancellation;
  /** The proxy agent for a URL, by the run's one proxy rule; undefined to go direct. */
  readonly agentFor?: (url: string) => Agent | undefined;
  readonly onRetry?: (reason: string, waitMs: number) => void;
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
  AADSTS90002: "tenant not found: check --tenant-id (its ID or a verified domain name) and --cloud (GCC High and DoD sign in at login.microsoftonline.us)",
  AADSTS900023: "the tenant ID or domain name is not valid: check --tenant-id",
  AADSTS500011: "the token resource is unknown to this tenant: check --cloud",
  AADSTS7000112: "the app is disabled in Entra",
};

/** AADSTS codes Microsoft documents as transient ("try again"): retried like a 503. */
const TRANSIENT_AADSTS = new Set(["AADSTS90033", "AADSTS90006", "AADSTS90024"]);

/** No federated credential on the app matches the assertion (issuer, audience or subject): also what a new credential says until it has propagated. */
const FEDERATION_MISMATCH = new Set(["AADSTS70021", "AADSTS700211", "AADSTS700212", "AADSTS700213"]);
/** Attempts during which a mismatch is taken for a credential still propagating, before it counts as wrong. */
const FEDERATION_PROPAGATION_ATTEMPTS = 3;

/**
 * The token endpoint was busy or unreachable. Thrown from our network client as
 * an MSAL error, so MSAL passes it on untouched and does not throttle the next
 * try: our retry policy decides. (MSAL's errors reset their prototype, so this
 * is a tagged MSAL error rather than a subclass.)
 */
const TOKEN_ENDPOINT_TROUBLE = "token_endpoint_trouble";
type TokenEndpointTrouble = MsalAuthError & { readonly verdict: Verdict<never> };

function tokenEndpointTrouble(verdict: Verdict<never>): TokenEndpointTrouble {
  return Object.assign(new MsalAuthError(TOKEN_ENDPOINT_TROUBLE, "the token endpoint was busy or unreachable"), { verdict });
}

function isTokenEndpointTrouble(error: unknown): error is TokenEndpointTrouble {
  return (error as { errorCode?: string }).errorCode === TOKEN_ENDPOINT_TROUBLE && "verdict" in (error as object);
}

export function createTokenSource(credentials: ClientCredentials, services: TokenServices): TokenSource {
  let lastAssertion: string | undefined;
  const { credential } = credentials;
  const auth: Configuration["auth"] = {
    clientId: credentials.clientId,
    authority: `${credentials.authorityHost.replace(/\/+$/, "")}/${credentials.tenantId}`,
    ...(credential.kind === "secret"
      ? { clientSecret: credential.secret }
      : {
          // Called by MSAL for every token request it sends: the identity's token, fresh from its cache.
          clientAssertion: async () => {
            try {
              return (lastAssertion = await credential.assertion());
            } catch (error) {
              throw tokenEndpointTrouble({ kind: "fail", error: error instanceof HrError ? error : new AuthError("the managed identity could not get its token for the federated credential") });
            }
          },
        }),
    // Only set for hosts MSAL does not know: an explicit undefined would break its defaults.
    ...(credentials.customAuthority ? { knownAuthorities: [new URL(credentials.authorityHost).host] } : {}),
  };
  let networkRequests = 0;
  let lastTrouble: Verdict<never> | undefined;
  const client = new ConfidentialClientApplication({
    auth,
    system: {
      networkClient: tokenNetworkClient(credentials.timeoutMs, services, () => networkRequests++, (verdict) => (lastTrouble = verdict)),
    },
  });
  const scopes = [tokenScope(credentials.resource)];
  // Single flight per kind (MSAL does not coalesce): concurrent callers share one request, and a
  // refresh never joins a cached lookup, so it cannot hand back the token the service just refused.
  const inFlight: { cached?: Promise<string>; fresh?: Promise<string> } = {};
  const acquire = (kind: "cached" | "fresh"): Promise<string> =>
    (inFlight[kind] ??= acquireWithRetries(client, scopes, kind === "fresh", credentials, services, {
      lastTrouble: () => lastTrouble,
      federation: credential.kind === "federated" ? { issuer: `${credentials.authorityHost.replace(/\/+$/, "")}/${credentials.tenantId}/v2.0`, audience: credential.audience, lastAssertion: () => lastAssertion } : undefined,
    }).finally(() => (inFlight[kind] = undefined)));
  return {
    token: () => acquire("cached"),
    refresh: () => acquire("fresh"),
    get networkRequests() {
      return networkRequests;
    },
  };
}

/** What a failed sign-in is judged with, beyond the error itself. */
interface SignInContext {
  /** What our network client saw last (MSAL hides it behind endpoints_resolution_error). */
  readonly lastTrouble: () => Verdict<never> | undefined;
  /** With a federated credential: what the app's credential should say, and the assertion last presented. */
  readonly federation?: { readonly issuer: string; readonly audience: string; readonly lastAssertion: () => string | undefined };
}

function acquireWithRetries(
  client: ConfidentialClientApplication,
  scopes: string[],
  skipCache: boolean,
  credentials: Pick<ClientCredentials, "retry" | "timeoutMs" | "signInTimeoutMs">,
  services: TokenServices,
  context: SignInContext,
): Promise<string> {
  return withRetries(
    async (attemptNumber): Promise<Verdict<string>> => {
      try {
        const result = await client.acquireTokenByClientCredential({ scopes, skipCache });
        if (!result?.accessToken) return { kind: "fail", error: new AuthError("the token endpoint answered without an access token") };
        return { kind: "done", value: result.accessToken };
      } catch (error) {
        // A custom authority's metadata is fetched inside MSAL, which reports any failure there as endpoints_resolution_error: the cause is what our client saw.
        if ((error as { errorCode?: string }).errorCode === "endpoints_resolution_error") return context.lastTrouble() ?? judgeTokenError(error, attemptNumber, context);
        return judgeTokenError(error, attemptNumber, context);
      }
    },
    {
      policy: credentials.retry,
      budget: { totalMs: credentials.signInTimeoutMs, attemptMs: credentials.timeoutMs },
      clock: services.clock,
      stop: services.cancellation.stop,
      onRetry: services.onRetry && ((reason, waitMs) => services.onRetry?.(`sign-in: ${reason}`, waitMs)),
      exhausted: (attempts, reason, elapsedMs) => new AuthError(`could not get a token after ${attempts} attempts over ${Math.round(elapsedMs / 1000)} s (${reason})`),
    },
  );
}

function judgeTokenError(error: unknown, attemptNumber: number, context: SignInContext): Verdict<string> {
  if (isTokenEndpointTrouble(error)) return error.verdict;
  const { errorCode, errorMessage } = error as { errorCode?: string; errorMessage?: string };
  const aadsts = /AADSTS\d+/.exec(errorMessage ?? "")?.[0];
  if (aadsts !== undefined && TRANSIENT_AADSTS.has(aadsts)) return { kind: "retry", reason: `Entra answered ${aadsts} (transient)` };
  if (aadsts !== undefined && FEDERATION_MISMATCH.has(aadsts) && context.federation !== undefined) {
    if (attemptNumber + 1 < FEDERATION_PROPAGATION_ATTEMPTS) return { kind: "retry", reason: `Entra answered ${aadsts}: no matching federated credential yet (a new one takes minutes to propagate)` };
    return { kind: "fail", error: new AuthError(`sign-in refused (${aadsts}): ${federationHint(context.federation)}`) };
  }
  if (aadsts !== undefined || errorCode === "invalid_client") {
    const hint = (aadsts && AADSTS_HINTS[aadsts]) ?? "Entra refused the app's credentials: check --app-id, --tenant-id, --cloud and the secret";
    return { kind: "fail", error: new AuthError(`sign-in refused (${aadsts ?? errorCode}): ${hint}`) };
  }
  // MSAL's own failures (a malformed answer...): name the code only; its messages may quote the answer.
  return { kind: "fail", error: new AuthError(`sign-in failed (${errorCode ?? "error"})`) };
}

/**
 * What to check when the app's federated credential does not match: the
 * issuer, subject and audience it must have, read from the assertion presented
 * (its claims, not its signature: nothing secret).
 */
function federationHint(federation: NonNullable<SignInContext["federation"]>): string {
  const assertion = federation.lastAssertion();
  let claims: { iss?: string; sub?: string; aud?: string } = {};
  try {
    claims = JSON.parse(Buffer.from(assertion?.split(".")[1] ?? "", "base64url").toString("utf8")) as typeof claims;
  } catch {
    // not a JWT: say what the credential should hold anyway
  }
  const issuer = claims.iss ?? federation.issuer;
  const audience = claims.aud ?? federation.audience;
  return (
    `no federated credential on the app matches the job's identity: it must have issuer ${issuer}, ` +
    `subject ${claims.sub ?? "<the job identity's principal ID>"} and audience ${audience} ` +
    `(with the stack: pulumi up sets them; or check --federated-audience)`
  );
}

/**
 * Entra's requests on our network client, with Entra's 429/5xx turned into a
 * verdict for our retry loop instead of MSAL's own throttling.
 */
function tokenNetworkClient(timeoutMs: number, services: TokenServices, onRequest: () => void, onTrouble: (verdict: Verdict<never>) => void): INetworkModule {
  const trouble = (verdict: Verdict<never>) => {
    onTrouble(verdict);
    return tokenEndpointTrouble(verdict);
  };
  const { halt } = services.cancellation;
  return msalNetworkClient(
    { timeoutMs, clock: services.clock, halt, agentFor: services.agentFor },
    {
      onRequest: (method) => method === "POST" && onRequest(), // token requests; a custom authority's metadata GET is not one
      judge: (answer, body) => {
        if (answer.status !== 429 && !(answer.status >= 500 && isRetryableStatus(answer.status))) return;
        const aadsts = /AADSTS\d+/.exec(String((body as { error_description?: unknown }).error_description ?? ""))?.[0];
        const retryAfterMs = parseRetryAfter(header(answer.headers["retry-after"]), services.clock.now());
        throw trouble({ kind: "retry", reason: `Entra answered HTTP ${answer.status}${aadsts ? ` ${aadsts}` : ""}`, retryAfterMs });
      },
      fail: (failure, url, timedOut) => trouble(transportVerdict(failure, { url, timedOut, timeoutMs, halt }, (message) => new AuthError(message))),
    },
  );
}
