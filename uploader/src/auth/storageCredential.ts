import type { TokenCredential } from "@azure/core-auth";
import { AuthError } from "../core/errors";
import type { Clock } from "../core/clock";
import { hasManagedIdentity, managedIdentityTokens, UNKNOWN_EXPIRY_MS } from "./managedIdentity";
import type { Platform } from "../core/platform";
import { azureCliToken, ToolError, ToolRunner } from "./toolRunner";

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
export function storageCredential(env: NodeJS.ProcessEnv, platform: Pick<Platform, "os">, clock: Clock, halt: AbortSignal): TokenCredential {
  if (!hasManagedIdentity(env)) return azureCliCredential(env, platform, clock);
  const tokens = managedIdentityTokens(env.AZURE_CLIENT_ID, clock, halt);
  return { getToken: () => tokens(STORAGE_RESOURCE) };
}

/** What `az` needs to start, reach Azure through the agency's proxy (trusting its CA) and find its login. */
const AZ_VARIABLES = /^(PATH|PATHEXT|ComSpec|SystemRoot|HOME|USERPROFILE|AZURE_CONFIG_DIR|HTTPS_PROXY|HTTP_PROXY|NO_PROXY|ALL_PROXY|REQUESTS_CA_BUNDLE|SSL_CERT_FILE|SSL_CERT_DIR)$/i;

/** The `az` child's environment: the allow-listed variables only, never HR_* (the app's secret) or anything else of the run's. */
export function azEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => AZ_VARIABLES.test(name)));
}

/**
 * `az account get-access-token`: what admins expect on a laptop after `az
 * login` (and `az cloud set` for Gov). On Windows `az` is `az.cmd`, which the
 * tool runner starts through cmd.exe as one checked command line.
 */
function azureCliCredential(env: NodeJS.ProcessEnv, platform: Pick<Platform, "os">, clock: Pick<Clock, "now">): TokenCredential {
  const runner = new ToolRunner({ platform: platform.os, env: azEnvironment(env), timeoutMs: 60_000 });
  return {
    getToken: async () => {
      try {
        const { token, expiresOnTimestamp } = await azureCliToken(runner, STORAGE_RESOURCE);
        return { token, expiresOnTimestamp: expiresOnTimestamp ?? clock.now() + UNKNOWN_EXPIRY_MS };
      } catch (error) {
        const missing = error instanceof ToolError && error.kind === "missing";
        throw new AuthError(missing ? "no Storage credential: install the Azure CLI and run az login, or use a SAS URL" : "az account get-access-token failed: run az login (and az cloud set --name AzureUSGovernment for Gov)");
      }
    },
  };
}
