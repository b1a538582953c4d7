import { exec, execFile } from "node:child_process";
import { ManagedIdentityApplication } from "@azure/msal-node";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { AuthError } from "../errors";
import type { Clock } from "../clock";
import type { Platform } from "../platform";

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
export function storageCredential(env: NodeJS.ProcessEnv, platform: Pick<Platform, "os">, clock: Pick<Clock, "now">): TokenCredential {
  return env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER ? managedIdentityCredential(env.AZURE_CLIENT_ID, clock) : azureCliCredential(env, platform, clock);
}

/** A token whose expiry was not said is trusted this long. */
const UNKNOWN_EXPIRY_MS = 5 * 60_000;

/** msal-node's managed identity client (the App Service protocol Container Apps speaks); no second MSAL copy in the bundle. */
function managedIdentityCredential(clientId: string | undefined, clock: Pick<Clock, "now">): TokenCredential {
  const client = new ManagedIdentityApplication(clientId ? { managedIdentityIdParams: { userAssignedClientId: clientId } } : {});
  const acquire = async (): Promise<AccessToken> => {
    try {
      const result = await client.acquireToken({ resource: STORAGE_RESOURCE });
      return { token: result.accessToken, expiresOnTimestamp: result.expiresOn?.getTime() ?? clock.now() + UNKNOWN_EXPIRY_MS };
    } catch (error) {
      throw new AuthError(`the managed identity could not get a Storage token (${(error as { errorCode?: string }).errorCode ?? "error"})`);
    }
  };
  // Single flight: the CSV's and the state container's clients ask at the same moment; MSAL's cache serves later calls.
  let inFlight: Promise<AccessToken> | undefined;
  return { getToken: () => (inFlight ??= acquire().finally(() => (inFlight = undefined))) };
}

/** The one Azure CLI command we run: fixed words, no value from outside, so it is safe as one command line for cmd.exe. */
const AZ_ARGUMENTS = ["account", "get-access-token", "--output", "json", "--resource", STORAGE_RESOURCE] as const;
const AZ_TIMEOUT_MS = 60_000;

/**
 * `az account get-access-token`: what admins expect on a laptop after `az
 * login` (and `az cloud set` for Gov). On Windows `az` is `az.cmd`, a batch
 * file Node will not start without a shell (CVE-2024-27980): it goes through
 * cmd.exe as one fixed command line, from the system folder.
 */
function azureCliCredential(env: NodeJS.ProcessEnv, platform: Pick<Platform, "os">, clock: Pick<Clock, "now">): TokenCredential {
  const run = (done: (error: (Error & { code?: string | number | null }) | null, stdout: string) => void) =>
    platform.os === "win32"
      ? exec(`az ${AZ_ARGUMENTS.join(" ")}`, { cwd: env.SystemRoot ?? "C:\\Windows", timeout: AZ_TIMEOUT_MS, env, windowsHide: true, encoding: "utf8" }, done)
      : execFile("az", [...AZ_ARGUMENTS], { timeout: AZ_TIMEOUT_MS, env, encoding: "utf8" }, done);
  return {
    getToken: () =>
      new Promise<AccessToken>((resolve, reject) => {
        run((error, stdout) => {
          if (error) {
            // ENOENT from execFile, or cmd.exe's "not recognized" (exit 1, or 127 from sh) when az is not on PATH.
            const missing = error.code === "ENOENT" || error.code === 127 || /not recognized|not found/i.test(error.message);
            reject(new AuthError(missing ? "no Storage credential: install the Azure CLI and run az login, or use a SAS URL" : "az account get-access-token failed: run az login (and az cloud set --name AzureUSGovernment for Gov)"));
            return;
          }
          try {
            const parsed = JSON.parse(stdout) as { accessToken: string; expires_on?: number; expiresOn?: string };
            const expiresOnTimestamp = parsed.expires_on !== undefined ? parsed.expires_on * 1000 : Date.parse(parsed.expiresOn ?? "");
            resolve({ token: parsed.accessToken, expiresOnTimestamp: Number.isNaN(expiresOnTimestamp) ? clock.now() + UNKNOWN_EXPIRY_MS : expiresOnTimestamp });
          } catch {
            reject(new AuthError("az account get-access-token returned no token"));
          }
        });
      }),
  };
}
