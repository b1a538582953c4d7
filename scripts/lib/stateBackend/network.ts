/**
 * `--private-endpoint <subnet ID>`: the state account's blob service and the vault reached
 * through private endpoints in that subnet, named by the cloud's private DNS zones (the
 * stack's table, infra/azureEnvironments.ts) linked to the subnet's network, then closed to
 * public networks (built-ins 6edd7eda, a6abeaec; AC-4, SC-7). Public access is closed last:
 * the bootstrap's own key steps need it until then, and a rerun must come from inside.
 */
import type { AzureEnvironment } from "../../../infra/azureEnvironments";
import type { AzSteps } from "./azSteps";

const SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;

/** Why a `--private-endpoint` value is refused; undefined when it is a subnet's resource ID. */
export const subnetIdProblem = (subnetId: string): string | undefined =>
  SUBNET_ID.test(subnetId) ? undefined : `--private-endpoint "${subnetId}" must be a subnet's resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet>`;

export interface PrivateTarget {
  /** Names the endpoint: `<resource name>-<service>`. */
  readonly name: string;
  readonly resourceId: string;
  readonly service: "blob" | "vault";
}

/** One private endpoint per target in the subnet, each registered in its zone, the zones linked to the subnet's network. */
export async function ensurePrivateEndpoints(targets: readonly PrivateTarget[], subnetId: string, environment: AzureEnvironment, group: readonly string[], location: string, steps: AzSteps): Promise<void> {
  const networkId = subnetId.replace(/\/subnets\/[^/]+$/i, "");
  const networkName = networkId.split("/").at(-1) ?? "network";
  for (const target of targets) {
    const zoneName = environment.privateLinkZones[target.service][0] ?? "";
    const zone = await steps.ensure<{ id: string }>(`private DNS zone ${zoneName}`, ["network", "private-dns", "zone", "show", ...group, "--name", zoneName], ["network", "private-dns", "zone", "create", ...group, "--name", zoneName]);
    await steps.ensure(
      `link of ${zoneName} to ${networkName}`,
      ["network", "private-dns", "link", "vnet", "show", ...group, "--zone-name", zoneName, "--name", networkName],
      ["network", "private-dns", "link", "vnet", "create", ...group, "--zone-name", zoneName, "--name", networkName, "--virtual-network", networkId, "--registration-enabled", "false"],
    );
    const endpoint = `${target.name}-${target.service}`;
    await steps.ensure(
      `private endpoint ${endpoint}`,
      ["network", "private-endpoint", "show", ...group, "--name", endpoint],
      ["network", "private-endpoint", "create", ...group, "--name", endpoint, "--location", location, "--subnet", subnetId, "--private-connection-resource-id", target.resourceId, "--group-id", target.service, "--connection-name", target.service],
    );
    await steps.ensure(
      `DNS record of ${endpoint}`,
      ["network", "private-endpoint", "dns-zone-group", "show", ...group, "--endpoint-name", endpoint, "--name", "default"],
      ["network", "private-endpoint", "dns-zone-group", "create", ...group, "--endpoint-name", endpoint, "--name", "default", "--private-dns-zone", zone.id, "--zone-name", target.service],
    );
  }
}

/** Closes the account and the vault to public networks (what reaches them comes through their endpoints). */
export async function closePublicAccess(storageAccount: string, vault: string, group: readonly string[], steps: AzSteps, log: (line: string) => void): Promise<void> {
  log(`closing storage account ${storageAccount} and key vault ${vault} to public networks`);
  await steps.json(["storage", "account", "update", "--name", storageAccount, ...group, "--public-network-access", "Disabled", "--default-action", "Deny"]);
  await steps.json(["keyvault", "update", "--name", vault, ...group, "--public-network-access", "Disabled", "--default-action", "Deny"]);
}
