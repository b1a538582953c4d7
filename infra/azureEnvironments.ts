/**
 * The Azure clouds the stack deploys into (`azure-native:environment`) and the
 * DNS names that differ between them: the one table of data-plane host suffixes
 * and private-link DNS zones. The Purview endpoints are another matter: they live
 * in the uploader's table, uploader/src/clouds.ts.
 */
export const AZURE_ENVIRONMENT_NAMES = ["public", "usgovernment"] as const;
export type AzureEnvironmentName = (typeof AZURE_ENVIRONMENT_NAMES)[number];

/** The data-plane services the stack reaches privately; also their private-endpoint group IDs. */
export const PRIVATE_LINK_SERVICES = ["vault", "blob", "registry"] as const;
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
  readonly hosts: Readonly<Record<PrivateLinkService, string>>;
  /** Private DNS zone of each service's private endpoints (Learn: private-endpoint-dns, per cloud). */
  readonly privateLinkZones: Readonly<Record<PrivateLinkService, string>>;
}

export const AZURE_ENVIRONMENTS: Readonly<Record<AzureEnvironmentName, AzureEnvironment>> = {
  public: {
    title: "Azure (commercial)",
    entraEnvironments: ["public", "global"],
    cliCloudName: "AzureCloud",
    portalHost: "portal.azure.com",
    hosts: { vault: "vault.azure.net", blob: "blob.core.windows.net", registry: "azurecr.io" },
    privateLinkZones: { vault: "privatelink.vaultcore.azure.net", blob: "privatelink.blob.core.windows.net", registry: "privatelink.azurecr.io" },
  },
  usgovernment: {
    title: "Azure Government",
    entraEnvironments: ["usgovernment", "usgovernmentl4", "dod", "usgovernmentl5"],
    cliCloudName: "AzureUSGovernment",
    portalHost: "portal.azure.us",
    hosts: { vault: "vault.usgovcloudapi.net", blob: "blob.core.usgovcloudapi.net", registry: "azurecr.us" },
    privateLinkZones: { vault: "privatelink.vaultcore.usgovcloudapi.net", blob: "privatelink.blob.core.usgovcloudapi.net", registry: "privatelink.azurecr.us" },
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
