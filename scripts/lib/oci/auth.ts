/**
 * Registry sign-in as the registry asks (`WWW-Authenticate`): anonymous
 * tokens from a Bearer realm (Docker's token flow), or ACR's exchange of an
 * Entra access token for a registry refresh token and then an access token.
 * Tokens stay in memory; none is ever printed.
 */
import { type HttpClient } from "./http";

export interface BearerChallenge {
  readonly realm: string;
  readonly service?: string;
  readonly scope?: string;
}

export type Challenge = ({ readonly scheme: "bearer" } & BearerChallenge) | { readonly scheme: "basic" } | { readonly scheme: "other"; readonly name: string };

/** Parses `Bearer realm="…",service="…",scope="…"` (the params the distribution spec defines). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const [name = "", ...rest] = header.trim().split(/\s+/);
  const params = Object.fromEntries([...rest.join(" ").matchAll(/([A-Za-z_]+)="([^"]*)"/g)].map((match) => [(match[1] as string).toLowerCase(), match[2] as string]));
  switch (name.toLowerCase()) {
    case "bearer":
      if (params.realm === undefined) return { scheme: "other", name };
      return { scheme: "bearer", realm: params.realm, service: params.service, scope: params.scope };
    case "basic":
      return { scheme: "basic" };
    default:
      return { scheme: "other", name };
  }
}

/** A bearer token for `scopes` (e.g. `repository:hr-upload:pull,push`) from the challenge's realm. */
export type TokenSource = (challenge: BearerChallenge, scopes: readonly string[], signal?: AbortSignal) => Promise<string>;

export type RegistryAuthMode = "auto" | "azure" | "anonymous";
export const REGISTRY_AUTH_MODES: readonly RegistryAuthMode[] = ["auto", "azure", "anonymous"];

/** Azure Container Registry login servers, in every cloud (azurecr.io, azurecr.us, azurecr.cn). */
export function isAzureContainerRegistry(host: string): boolean {
  return /\.azurecr\.[a-z.]+$/i.test(host.replace(/:\d+$/, ""));
}

export class RegistryAuthError extends Error {
  override readonly name = "RegistryAuthError";
}

/** Docker's token flow without credentials: GET <realm>?service=…&scope=… (public images such as MCR's). */
export function anonymousTokens(http: HttpClient): TokenSource {
  return async (challenge, scopes, signal) => {
    const url = new URL(httpsRealm(challenge.realm));
    if (challenge.service !== undefined) url.searchParams.set("service", challenge.service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const response = await http.request({ method: "GET", url: url.href, signal });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new RegistryAuthError(`the token service ${url.host} refused an anonymous token for ${scopes.join(" ")} (HTTP ${response.statusCode}); the image may be private`);
    }
    const body = (await response.body.json()) as { token?: string; access_token?: string };
    return requireToken(body.token ?? body.access_token, url.host);
  };
}

/**
 * ACR's AAD-OAuth flow: POST /oauth2/exchange (grant_type=access_token, an
 * Entra token from the deployer's own sign-in) gives a refresh token, POST
 * /oauth2/token (grant_type=refresh_token, scope) the access token. The Entra
 * token is only sent to the registry's own host.
 */
export function azureExchangeTokens(http: HttpClient, registryHost: string, entraAccessToken: (signal?: AbortSignal) => Promise<string>): TokenSource {
  const refreshTokens = new Map<string, Promise<string>>(); // per service: one exchange per run
  const exchange = async (realm: URL, service: string, signal?: AbortSignal): Promise<string> => {
    const form = new URLSearchParams({ grant_type: "access_token", service, access_token: await entraAccessToken(signal) });
    const response = await postForm(http, new URL("/oauth2/exchange", realm).href, form, signal);
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new RegistryAuthError(
        `${realm.host} refused the exchange of your Azure sign-in (HTTP ${response.statusCode}): run az login in the registry's cloud and tenant; you need AcrPush (or Contributor) on the registry`,
      );
    }
    return requireToken(((await response.body.json()) as { refresh_token?: string }).refresh_token, realm.host);
  };
  return async (challenge, scopes, signal) => {
    const realm = new URL(httpsRealm(challenge.realm));
    if (realm.hostname !== new URL(`https://${registryHost}`).hostname) {
      throw new RegistryAuthError(`the registry ${registryHost} sends sign-ins to ${realm.host}; refusing to send an Azure token to another host`);
    }
    const service = challenge.service ?? registryHost;
    let refreshToken = refreshTokens.get(service);
    if (refreshToken === undefined) {
      refreshToken = exchange(realm, service, signal);
      refreshTokens.set(service, refreshToken);
      refreshToken.catch(() => refreshTokens.delete(service));
    }
    const form = new URLSearchParams({ grant_type: "refresh_token", service, scope: scopes.join(" "), refresh_token: await refreshToken });
    const response = await postForm(http, realm.href, form, signal);
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new RegistryAuthError(`${realm.host} refused a token for ${scopes.join(" ")} (HTTP ${response.statusCode}): you need AcrPush (or Contributor) on the registry`);
    }
    return requireToken(((await response.body.json()) as { access_token?: string }).access_token, realm.host);
  };
}

function postForm(http: HttpClient, url: string, form: URLSearchParams, signal?: AbortSignal) {
  return http.request({ method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString(), signal });
}

function httpsRealm(realm: string): string {
  if (!realm.startsWith("https://")) throw new RegistryAuthError(`the registry's token realm ${realm} is not https; refusing to sign in over plain HTTP`);
  return realm;
}

function requireToken(token: string | undefined, host: string): string {
  if (typeof token !== "string" || token === "") throw new RegistryAuthError(`the token service ${host} answered without a token`);
  return token;
}
