import { execFile } from "node:child_process";
import { ManagedIdentityApplication } from "@azure/msal-node";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { AuthError } from "../errors";

/**
 * Audience of Storage tokens. Microsoft documents it for every cloud; that Gov
 * storage accounts accept it is UNCONFIRMED (hr-connector-service.md), so it
 * lives here, once.
 */
export const STORAGE_RESOURCE = "https://storage.azure.com";

/**
 * The identity the uploader reads and writes Blob Storage with: in Container
 * Apps the job's user-assigned managed identity (IDENTITY_ENDPOINT and
 * IDENTITY_HEADER are set; AZURE_CLIENT_ID picks the identity), elsewhere the
 * admin's Azure CLI login. SAS URLs need neither.
 */
export function storageCredential(env: NodeJS.ProcessEnv): TokenCredential {
  return env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER ? managedIdentityCredential(env.AZURE_CLIENT_ID) : azureCliCredential();
}

/** msal-node's managed identity client (the App Service protocol Container Apps speaks); no second MSAL copy in the bundle. */
function managedIdentityCredential(clientId: string | undefined): TokenCredential {
  const client = new ManagedIdentityApplication(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {});
  const acquire = async (): Promise<AccessToken> => {
    try {
      const result = await client.acquireToken({ resource: STORAGE_RESOURCE });
      return { token: result.accessToken, expiresOnTimestamp: result.expiresOn?.getTime() ?? Date.now() + 5 * 60_000 };
    } catch (error) {
      throw new AuthError(`the managed identity could not get a Storage token (${(error as { errorCode?: string }).errorCode ?? "error"})`);
    }
  };
  // Single flight: the CSV's and the state container's clients ask at the same moment; MSAL's cache serves later calls.
  let inFlight: Promise<AccessToken> | undefined;
  return { getToken: () => (inFlight ??= acquire().finally(() => (inFlight = undefined))) };
}

/** `az account get-access-token`: what admins expect on a laptop after `az login` (and `az cloud set` for Gov). */
function azureCliCredential(): TokenCredential {
  return {
    getToken: () =>
      new Promise<AccessToken>((resolve, reject) => {
        execFile("az", ["account", "get-access-token", "--resource", STORAGE_RESOURCE, "--output", "json"], { timeout: 60_000 }, (error, stdout) => {
          if (error) {
            const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
            reject(new AuthError(missing ? "no Storage credential: install the Azure CLI and run az login, or use a SAS URL" : "az account get-access-token failed: run az login (and az cloud set --name AzureUSGovernment for Gov)"));
            return;
          }
          try {
            const parsed = JSON.parse(stdout) as { accessToken: string; expires_on?: number; expiresOn?: string };
            const expiresOnTimestamp = parsed.expires_on !== undefined ? parsed.expires_on * 1000 : Date.parse(parsed.expiresOn ?? "");
            resolve({ token: parsed.accessToken, expiresOnTimestamp: Number.isNaN(expiresOnTimestamp) ? Date.now() + 5 * 60_000 : expiresOnTimestamp });
          } catch {
            reject(new AuthError("az account get-access-token returned no token"));
          }
        });
      }),
  };
}
