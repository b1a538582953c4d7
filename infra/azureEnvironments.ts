/**
 * The Azure clouds the stack deploys into (`azure-native:environment`) and the
 * DNS names that differ between them: the one table of data-plane host suffixes
 * and private-link DNS zones. The Purview endpoints are another matter: they live
 * in the uploader's table, uploader/src/core/clouds.ts.
 */
export const AZURE_ENVIRONMENT_NAMES = ["public", "usgovernment"] as const;
export type AzureEnvironmentName = (typeof AZURE_ENVIRONMENT_NAMES)[number];

/** The data-plane services the stack reaches privately, each with its own host; also their private-endpoint group IDs. */
export const DATA_PLANE_SERVICES = ["vault", "blob", "registry"] as const;
export type DataPlaneService = (typeof DATA_PLANE_SERVICES)[number];
/** Every private-endpoint group ID of the stack: the data planes, and Azure Monitor's (the workspace's ingestion and query, through a private link scope). */
export const PRIVATE_LINK_SERVICES = [...DATA_PLANE_SERVICES, "azuremonitor"] as const;
export type PrivateLinkService = (typeof PRIVATE_LINK_SERVICES)[number];

export interface AzureEnvironment {
  readonly title: string;
  /** `azuread:environment` values of the Entra cloud this environment's subscriptions (and their managed identities) live in. */
  readonly entraEnvironments: readonly string[];
  /** `az cloud set --name` value. */
  readonly cliCloudName: string;
  /** The Azure portal's host. */
  readonly portalHost: string;
  /** Host suffixes: `<vault>.<vault>`, `<account>.<blob>`, `<registry>.<registry>`. */
  readonly hosts: Readonly<Record<DataPlaneService, string>>;
  /**
   * Private DNS zones of each service's private endpoints (Learn: private-endpoint-dns, per cloud): one each for the
   * data planes; Azure Monitor's endpoint registers its hosts in four zones of its own and the blob zone (its agents' storage).
   */
  readonly privateLinkZones: Readonly<Record<PrivateLinkService, readonly string[]>>;
}

export const AZURE_ENVIRONMENTS: Readonly<Record<AzureEnvironmentName, AzureEnvironment>> = {
  public: {
    title: "Azure (commercial)",
    entraEnvironments: ["public", "global"],
    cliCloudName: "AzureCloud",
    portalHost: "portal.azure.com",
    hosts: { vault: "vault.azure.net", blob: "blob.core.windows.net", registry: "azurecr.io" },
    privateLinkZones: {
      vault: ["privatelink.vaultcore.azure.net"],
      blob: ["privatelink.blob.core.windows.net"],
      registry: ["privatelink.azurecr.io"],
      azuremonitor: ["privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com", "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net", "privatelink.blob.core.windows.net"],
    },
  },
  usgovernment: {
    title: "Azure Government",
    entraEnvironments: ["usgovernment", "usgovernmentl4", "dod", "usgovernmentl5"],
    cliCloudName: "AzureUSGovernment",
    portalHost: "portal.azure.us",
    hosts: { vault: "vault.usgovcloudapi.net", blob: "blob.core.usgovcloudapi.net", registry: "azurecr.us" },
    privateLinkZones: {
      vault: ["privatelink.vaultcore.usgovcloudapi.net"],
      blob: ["privatelink.blob.core.usgovcloudapi.net"],
      registry: ["privatelink.azurecr.us"],
      azuremonitor: ["privatelink.monitor.azure.us", "privatelink.oms.opinsights.azure.us", "privatelink.ods.opinsights.azure.us", "privatelink.agentsvc.azure-automation.us", "privatelink.blob.core.usgovcloudapi.net"],
    },
  },
};

/** Spellings the azure-native provider accepts for each environment (its `environment` setting; unset is public). */
const ALIASES: Readonly<Record<string, AzureEnvironmentName>> = {
  "": "public",
  public: "public",
  azurecloud: "public",
  azurepubliccloud: "public",
  usgovernment: "usgovernment",
  usgov: "usgovernment",
  azureusgovernment: "usgovernment",
  azureusgovernmentcloud: "usgovernment",
};

/** The environment an `azure-native:environment` value names; undefined for one the stack does not support. */
export function azureEnvironmentNamed(value: string | undefined): AzureEnvironmentName | undefined {
  return ALIASES[(value ?? "").trim().toLowerCase()];
}
