/**
 * Check `state-backend`: what an existing self-managed backend lacks of the rules
 * bootstrap-state creates it to (the stack's own): geo-redundancy, infrastructure
 * encryption, a customer-managed key, resource logs, private endpoints when the stack
 * is private, and a rotating secrets key that the stack's secrets provider names by
 * version. Read through the deployer's `az`, one line per rule.
 */
import type { NetworkMode } from "../../../infra/config";
import type { KeyRotationPolicy } from "../../../infra/encryptionKeys";
import { diagnosticSettingsOf, logsEverything } from "../stateBackend/logs";

export interface StateBackendTarget {
  /** The Pulumi backend's URL (`azblob://<container>?storage_account=<name>`, …). */
  readonly backendUrl: string;
  /** AZURE_STORAGE_ACCOUNT, which names the account when the URL does not. */
  readonly storageAccountVariable?: string;
  /** The stack file's `secretsprovider`. */
  readonly secretsProvider?: string;
  readonly network: NetworkMode;
}

export interface StateBackendLine {
  readonly status: "passed" | "failed";
  readonly title: string;
  readonly fix?: string;
}

type Az = <T>(...args: string[]) => Promise<T>;

interface AzPrivateEndpointConnection {
  readonly privateLinkServiceConnectionState?: { readonly status?: string };
}
interface AzStorageAccount {
  readonly id: string;
  readonly sku?: { readonly name?: string };
  readonly encryption?: { readonly requireInfrastructureEncryption?: boolean; readonly keySource?: string };
  readonly publicNetworkAccess?: string;
  readonly privateEndpointConnections?: readonly AzPrivateEndpointConnection[];
}
interface AzVault {
  readonly id: string;
  readonly properties?: { readonly publicNetworkAccess?: string; readonly privateEndpointConnections?: readonly AzPrivateEndpointConnection[] };
}

const GEO_REDUNDANT = /^Standard_(RA)?(GZRS|GRS)$/i;
const BOOTSTRAP = "npm run bootstrap-state -- (with the names it was made with)";

interface KeyVaultSecretsProvider {
  readonly vault: string;
  readonly key: string;
  readonly version?: string;
  /** The URL without its version. */
  readonly versionless: string;
}

/** `azurekeyvault://<vault>.<host>/keys/<key>[/<version>]`, as Pulumi's secrets provider takes it. */
export function keyVaultSecretsProvider(url: string | undefined): KeyVaultSecretsProvider | undefined {
  const match = /^(azurekeyvault:\/\/([^./]+)\.[^/]+\/keys\/([^/?#]+))(?:\/([^/?#]+))?/i.exec(url ?? "");
  return match === null ? undefined : { versionless: match[1] ?? "", vault: match[2] ?? "", key: match[3] ?? "", version: match[4] };
}

/** The state account: the azblob URL's `storage_account`, else AZURE_STORAGE_ACCOUNT. */
function stateAccount(target: StateBackendTarget): string | undefined {
  const query = target.backendUrl.split("?")[1] ?? "";
  return new URLSearchParams(query).get("storage_account") ?? target.storageAccountVariable;
}

const approvedEndpoint = (connections: readonly AzPrivateEndpointConnection[] | undefined) => (connections ?? []).some((connection) => connection.privateLinkServiceConnectionState?.status === "Approved");

/** Public access off behind an approved endpoint; required when the stack is private, as its own resources are. */
function networkLine(what: string, publicAccess: string | undefined, connections: readonly AzPrivateEndpointConnection[] | undefined, network: NetworkMode): StateBackendLine {
  if (publicAccess === "Disabled" && approvedEndpoint(connections)) return { status: "passed", title: `${what} is closed to public networks, reached through a private endpoint` };
  const open = `${what} is ${publicAccess === "Disabled" ? "closed to public networks but has no approved private endpoint" : "open to public networks"}`;
  if (network === "public") return { status: "passed", title: `${open}, as the stack with network: public (--private-endpoint of bootstrap-state closes it)` };
  return { status: "failed", title: `${open}, while the stack has network: private`, fix: `${BOOTSTRAP} --private-endpoint <subnet ID>, from a machine inside that subnet's network` };
}

/** A backend URL as preflight prints it: without its query and fragment (SAS, options) or user information (a postgres:// password). */
export const backendShown = (url: string): string => url.replace(/[?#].*$/, "").replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");

export async function stateBackendCheck(target: StateBackendTarget, az: Az): Promise<StateBackendLine[]> {
  if (!target.backendUrl.startsWith("azblob://")) return [{ status: "passed", title: `the Pulumi backend is not an Azure storage account (${backendShown(target.backendUrl)}): nothing of bootstrap-state's to check` }];
  const accountName = stateAccount(target);
  if (accountName === undefined) {
    return [{ status: "failed", title: "cannot tell the state account: the backend URL names none and AZURE_STORAGE_ACCOUNT is not set", fix: "set AZURE_STORAGE_ACCOUNT as bootstrap-state printed it" }];
  }
  const lines: StateBackendLine[] = [];
  const account = await az<AzStorageAccount>("storage", "account", "show", "--name", accountName);
  const sku = account.sku?.name ?? "?";
  const named = `state account ${accountName}`;
  lines.push(
    GEO_REDUNDANT.test(sku)
      ? { status: "passed", title: `${named} is geo-redundant (${sku})` }
      : { status: "failed", title: `${named} is ${sku}, not geo-redundant (built-in bf045164)`, fix: `az storage account update --name ${accountName} --sku Standard_GRS (or ask for a conversion to GZRS in the portal)` },
    account.encryption?.requireInfrastructureEncryption === true
      ? { status: "passed", title: `${named} has infrastructure encryption` }
      : {
          status: "failed",
          title: `${named} has no infrastructure encryption (built-in 4733ea7b; set at creation only)`,
          fix: "npm run bootstrap-state -- --storage-account <a new name>, then move each stack (pulumi stack export, pulumi login to the new account, pulumi stack import)",
        },
    account.encryption?.keySource?.toLowerCase() === "microsoft.keyvault"
      ? { status: "passed", title: `${named} is encrypted with a customer-managed key` }
      : { status: "failed", title: `${named} is encrypted with Microsoft-managed keys, not a customer-managed key (built-in 6fac406b)`, fix: BOOTSTRAP },
  );
  const blobSettings = diagnosticSettingsOf(await az<unknown>("monitor", "diagnostic-settings", "list", "--resource", `${account.id}/blobServices/default`));
  lines.push(
    logsEverything(blobSettings, "blobService")
      ? { status: "passed", title: `${named} sends its blob reads, writes and deletes to Log Analytics` }
      : { status: "failed", title: `${named} sends no resource logs of its blobs (AU-2, AU-12)`, fix: `${BOOTSTRAP} (--log-workspace <ID> for the agency's workspace)` },
    networkLine(named, account.publicNetworkAccess, account.privateEndpointConnections, target.network),
  );

  const provider = keyVaultSecretsProvider(target.secretsProvider);
  if (provider === undefined) {
    const named = target.secretsProvider === undefined ? "" : ` (it names ${target.secretsProvider.split(":")[0]})`;
    lines.push({ status: "passed", title: `the stack file names no azurekeyvault secrets provider${named}: no state key vault to check` });
    return lines;
  }
  const vaultNamed = `state key vault ${provider.vault}`;
  const vault = await az<AzVault>("keyvault", "show", "--name", provider.vault);
  const vaultSettings = diagnosticSettingsOf(await az<unknown>("monitor", "diagnostic-settings", "list", "--resource", vault.id));
  lines.push(
    logsEverything(vaultSettings, "keyVault")
      ? { status: "passed", title: `${vaultNamed} sends its audit events to Log Analytics` }
      : { status: "failed", title: `${vaultNamed} sends no audit events (built-in cf820ca0)`, fix: `${BOOTSTRAP} (--log-workspace <ID> for the agency's workspace)` },
    networkLine(vaultNamed, vault.properties?.publicNetworkAccess, vault.properties?.privateEndpointConnections, target.network),
    rotationLine(provider, await az<Partial<KeyRotationPolicy>>("keyvault", "key", "rotation-policy", "show", "--vault-name", provider.vault, "--name", provider.key)),
  );
  return lines;
}

/** A rotating key, and a secrets provider pinned to a version: a versionless URL stops decrypting at the first rotation. */
function rotationLine(provider: KeyVaultSecretsProvider, policy: Partial<KeyRotationPolicy>): StateBackendLine {
  const rotateAfter = (policy.lifetimeActions ?? []).find((action) => action.action.type.toLowerCase() === "rotate")?.trigger.timeAfterCreate;
  const key = `key ${provider.key} of ${provider.vault}`;
  const pin = `pulumi stack change-secrets-provider "${provider.versionless}/<version>" with the version that encrypts the stack now (before any rotation: the current one, az keyvault key show)`;
  if (rotateAfter === undefined) {
    return {
      status: "failed",
      title: `${key}, the stack's secrets provider, has no rotation policy`,
      fix: provider.version === undefined ? `first pin the stack to a version: ${pin}; then npm run bootstrap-state -- --key-rotation P1Y` : "npm run bootstrap-state -- --key-rotation P1Y (with the names it was made with)",
    };
  }
  if (provider.version === undefined) {
    return { status: "failed", title: `${key} rotates after ${rotateAfter}, but the stack's secrets provider names no version: after a rotation Pulumi cannot decrypt the stack's secrets`, fix: pin };
  }
  return { status: "passed", title: `${key} rotates after ${rotateAfter}; the stack's secrets provider names version ${provider.version}` };
}
