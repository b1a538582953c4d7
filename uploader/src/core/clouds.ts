/**
 * The one table of Microsoft endpoints per Purview cloud. The uploader and the
 * Pulumi stack (infra/) both read it; nothing else may spell these hosts.
 * Source: hr-connector-service.md §2 (Microsoft's sample scripts at 7cd3d43).
 */
export const CLOUD_NAMES = ["commercial", "gcc", "gcch", "dod"] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CloudProfile {
  /** Human name, as Microsoft's docs say it. */
  readonly title: string;
  /** Entra authority host the tenant signs in at (no trailing slash). */
  readonly authorityHost: string;
  /** Token resource; the scope requested is `<resource>/.default`. */
  readonly tokenResource: string;
  /** Ingestion service base URL (no trailing slash); uploads go to `<base>/api/signals`. */
  readonly ingestionBaseUrl: string;
  /** `azuread:environment` values whose Entra cloud can sign in to this cloud's tenants. */
  readonly entraEnvironments: readonly string[];
  /** Audience of a managed identity's token presented as the app's federated credential, in this cloud's Entra. */
  readonly federationAudience: string;
}

/** Current resource for every cloud since Microsoft's 2025-03-12 change; overridable with --token-resource. */
const HR_CONNECTOR_RESOURCE = "https://microsoft.onmicrosoft.com/86dfdabb-5089-4a0c-880a-cfa5a790c5b1";
const PUBLIC_ENTRA = ["public", "global"];
/** Workload identity federation audiences (gov-deployment.md §Workload identity federation). */
const PUBLIC_EXCHANGE = "api://AzureADTokenExchange";
const USGOV_EXCHANGE = "api://AzureADTokenExchangeUSGov";

export const CLOUD_PROFILES: Readonly<Record<CloudName, CloudProfile>> = {
  commercial: {
    title: "Commercial",
    authorityHost: "https://login.microsoftonline.com",
    tokenResource: HR_CONNECTOR_RESOURCE,
    ingestionBaseUrl: "https://webhook.ingestion.office.com",
    entraEnvironments: PUBLIC_ENTRA,
    federationAudience: PUBLIC_EXCHANGE,
  },
  // GCC tenants live in public Entra but upload to a Gov-hosted endpoint (§9.3).
  gcc: {
    title: "GCC",
    authorityHost: "https://login.microsoftonline.com",
    tokenResource: HR_CONNECTOR_RESOURCE,
    ingestionBaseUrl: "https://webhook-gcc.ingestion.office365.us",
    entraEnvironments: PUBLIC_ENTRA,
    federationAudience: PUBLIC_EXCHANGE,
  },
  gcch: {
    title: "GCC High",
    authorityHost: "https://login.microsoftonline.us",
    tokenResource: HR_CONNECTOR_RESOURCE,
    ingestionBaseUrl: "https://webhook-itarl4.ingestion.office365.us",
    entraEnvironments: ["usgovernment", "usgovernmentl4"],
    federationAudience: USGOV_EXCHANGE,
  },
  dod: {
    title: "DoD",
    authorityHost: "https://login.microsoftonline.us",
    tokenResource: HR_CONNECTOR_RESOURCE,
    ingestionBaseUrl: "https://webhook-itarl5.ingestion.apps.mil",
    entraEnvironments: ["dod", "usgovernmentl5"],
    federationAudience: USGOV_EXCHANGE,
  },
};

export function isCloudName(value: string): value is CloudName {
  return (CLOUD_NAMES as readonly string[]).includes(value);
}

/** `<base>/api/signals?jobid=<id>`; trailing slashes on the base never double (the GCC script's bug). */
export function signalsUrl(ingestionBaseUrl: string, jobId: string): string {
  const url = new URL(`${ingestionBaseUrl.replace(/\/+$/, "")}/api/signals`);
  url.searchParams.set("jobid", jobId);
  return url.toString();
}

/** Client-credentials scope for a token resource: `<resource>/.default`. */
export function tokenScope(resource: string): string {
  return `${resource.replace(/\/+$/, "")}/.default`;
}
