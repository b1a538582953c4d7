import { ManagedIdentityApplication } from "@azure/msal-node";
import type { AccessToken } from "@azure/core-auth";
import type { Clock } from "../core/clock";
import { AuthError } from "../core/errors";
import { msalNetworkClient } from "./msalNetwork";
import { throwIfStopped } from "../core/stop";

/** A token whose expiry was not said is trusted this long. */
export const UNKNOWN_EXPIRY_MS = 5 * 60_000;
/** The identity endpoint is local to the container: a request it has not answered in 10 s will not be. */
export const IDENTITY_REQUEST_TIMEOUT_MS = 10_000;

/** Whether this process runs where a managed identity answers (Container Apps sets both). */
export function hasManagedIdentity(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER);
}

/**
 * Tokens of the job's managed identity, by resource, through msal-node's
 * managed identity client (the App Service protocol Container Apps speaks;
 * AZURE_CLIENT_ID picks the user-assigned identity): Storage tokens, and the
 * exchange token the app's federated credential trusts. One request at a time
 * per resource; MSAL's cache serves the rest. Its requests go through our
 * HTTP client (direct: the endpoint is local), each with its timeout and the
 * run's halt.
 */
export function managedIdentityTokens(clientId: string | undefined, clock: Clock, halt: AbortSignal): (resource: string) => Promise<AccessToken> {
  const client = new ManagedIdentityApplication({
    ...(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {}),
    system: { networkClient: msalNetworkClient({ timeoutMs: IDENTITY_REQUEST_TIMEOUT_MS, clock, halt }, { fail: (failure) => failure }) },
  });
  const inFlight = new Map<string, Promise<AccessToken>>();
  const acquire = async (resource: string): Promise<AccessToken> => {
    try {
      const result = await client.acquireToken({ resource });
      return { token: result.accessToken, expiresOnTimestamp: result.expiresOn?.getTime() ?? clock.now() + UNKNOWN_EXPIRY_MS };
    } catch (error) {
      throwIfStopped(halt);
      throw new AuthError(`the managed identity could not get a token for ${resource} (${(error as { errorCode?: string }).errorCode ?? "error"})`);
    }
  };
  return (resource) => {
    let pending = inFlight.get(resource);
    if (pending === undefined) {
      pending = acquire(resource).finally(() => inFlight.delete(resource));
      inFlight.set(resource, pending);
    }
    return pending;
  };
}
