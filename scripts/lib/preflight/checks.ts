/**
 * What would make a deployment fail, checked before it starts, with the
 * deployer's own Azure CLI login. Each check gives one line per thing it
 * looked at: passed, or failed with the fix.
 */
import { BlockList, isIPv6 } from "node:net";
import { AZURE_ENVIRONMENTS, azureEnvironmentNamed } from "../../../infra/azureEnvironments";
import { DEFENDER_PLANS } from "../../../policy/govBuiltIns";
import type { NetworkMode } from "../../../infra/config";
import { STACK_TAG, stackTagValue } from "../../../infra/stackTag";
import { CLOUD_PROFILES, type CloudName } from "../../../uploader/src/core/clouds";
import { parseImageReference } from "../oci/reference";
import { ToolError, type ToolRunner } from "../../../uploader/src/auth/toolRunner";
import { imageBaseCheck } from "./imageBaseCheck";
import { backendShown, stateBackendCheck } from "./stateBackendCheck";
import { proxied, systemResolve, tlsProblem, type NetworkDependencies } from "./reach";
import type { ResourceTypeVersion, StackResourceTypes } from "./resourceTypes";

export const CHECK_IDS = ["cli-cloud", "cli-login", "providers", "api-versions", "container-apps-jobs", "role-assignments", "defender-plans", "app-registrations", "backend", "state-backend", "private-network", "tls", "image-base"] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** What each check looks at: `--help` lists these, and a check skipped with `--skip` is shown by its summary. */
export const CHECK_SUMMARIES: Readonly<Record<CheckId, string>> = {
  "cli-cloud": "the Azure CLI's cloud matches the stack (AzureUSGovernment for Azure Government)",
  "cli-login": "you are signed in to the Azure CLI",
  providers: "each resource provider the stack needs is registered",
  "api-versions":
    "each resource type the stack creates is offered, in its region, at the API version\nthe installed @pulumi/azure-native uses (read from the SDK, not typed by hand)",
  "container-apps-jobs": "Container Apps jobs are offered in the region",
  "role-assignments": "you may create role assignments (the stack creates four)",
  "defender-plans":
    "the subscription's Microsoft Defender plans for Resource Manager, Containers and Storage are on\n(the Azure Government initiatives' built-ins c3d20c29, 1c988dd6, 308fbb08; the stack excepts them)",
  "app-registrations": "you may register applications in the tenant's Entra cloud",
  backend: "the Pulumi backend is not the Pulumi Cloud SaaS when the cloud is gcch or dod",
  "state-backend":
    "a backend in an Azure storage account (bootstrap-state's) has what bootstrap-state gives it: geo-redundancy,\ninfrastructure encryption, a customer-managed key, resource logs of the account and the vault, private\nendpoints when the stack is private, and a rotating key that the secrets provider names by version",
  "private-network":
    "with network: private, whether this machine may run the pass that pushes the image: the\nstack's registry must resolve here to a private address (inside the network or a peered one)",
  tls: "this machine resolves and completes TLS with the sign-in, ingestion, Resource Manager and\nimage registry hosts, and the stack's registry once it exists (through HTTPS_PROXY if set)",
  "image-base":
    "the base image (imageBase) still exists at its pinned digest with a linux/amd64 image, whether\nits tag has moved on to a newer digest, and TLS to the host its layers download from (MCR\nredirects them to a regional data host)",
};

export interface CheckLine {
  readonly id: CheckId;
  readonly status: "passed" | "failed" | "skipped";
  readonly title: string;
  /** What to do about a failure. */
  readonly fix?: string;
}

/** The stack, as preflight needs it (from its stack file, validated by infra/config.ts). */
export interface PreflightStack {
  /** Pulumi.yaml's `name`. */
  readonly project: string;
  readonly name: string;
  readonly cloud: CloudName;
  /** `azure-native:environment` (public when unset). */
  readonly azureEnvironment: string;
  /** `azuread:environment`: the Entra cloud the app is registered in. */
  readonly entraEnvironment: string;
  readonly location: string;
  readonly imageBase: string;
  readonly image?: string;
  readonly network: NetworkMode;
  /** The virtual network's range when `network` is private. */
  readonly vnetAddressSpace: string;
  /** Pulumi.yaml's `backend.url`, when the project pins one. */
  readonly projectBackendUrl?: string;
  /** The stack file's `secretsprovider`. */
  readonly secretsProvider?: string;
  /** AZURE_STORAGE_ACCOUNT: the state account, when the backend URL does not name it. */
  readonly stateStorageAccount?: string;
}

export interface PreflightDependencies extends NetworkDependencies {
  readonly runner: ToolRunner;
}

// ---- The documented JSON shapes of the tools' answers (the parts read here) ----
interface AzCloud {
  readonly name: string;
  readonly endpoints?: { readonly resourceManager?: string; readonly microsoftGraphResourceId?: string };
}
interface AzAccount {
  readonly id: string;
  readonly name?: string;
  readonly tenantId: string;
  readonly user?: { readonly name?: string; readonly type?: "user" | "servicePrincipal" };
}
interface AzProvider {
  readonly namespace: string;
  readonly registrationState: string;
  readonly resourceTypes?: readonly { readonly resourceType: string; readonly locations?: readonly string[]; readonly apiVersions?: readonly string[] }[];
}
interface ArmPermissions {
  readonly value?: readonly { readonly actions?: readonly string[]; readonly notActions?: readonly string[] }[];
}
/** `az security pricing show`: a subscription's Defender plan. */
interface AzPricing {
  readonly name: string;
  readonly pricingTier: string;
}
interface GraphList<T> {
  readonly value?: readonly T[];
}
interface AzNamed {
  readonly name: string;
}
interface AzRegistry extends AzNamed {
  readonly loginServer?: string;
}

/** The stack's registry, found through its resource group's tag: what the pass that creates a job pushes the image to. */
type StackRegistry =
  | { readonly state: "absent"; readonly resourceGroup?: string }
  | { readonly state: "found"; readonly resourceGroup: string; readonly loginServer: string }
  | { readonly state: "unknown"; readonly why: string };

/** The Azure CLI cloud each `azure-native:environment` needs (the provider's accepted spellings). */
export function expectedCliCloud(azureEnvironment: string): string {
  const environment = azureEnvironment.toLowerCase();
  if (/gov/.test(environment)) return "AzureUSGovernment";
  if (/china/.test(environment)) return "AzureChinaCloud";
  return "AzureCloud";
}

/** Microsoft Graph per `azuread:environment`, and the CLI cloud that signs in to it. */
function graphFor(entraEnvironment: string): { url: string; cliCloud: string } {
  switch (entraEnvironment.toLowerCase()) {
    case "usgovernment":
    case "usgovernmentl4":
      return { url: "https://graph.microsoft.us", cliCloud: "AzureUSGovernment" };
    case "dod":
    case "usgovernmentl5":
      return { url: "https://dod-graph.microsoft.us", cliCloud: "AzureUSGovernment" };
    case "china":
      return { url: "https://microsoftgraph.chinacloudapi.cn", cliCloud: "AzureChinaCloud" };
    default:
      return { url: "https://graph.microsoft.com", cliCloud: "AzureCloud" };
  }
}

/** Entra roles that may register applications (template IDs, the same in every tenant). */
const APP_REGISTRATION_ROLES: Record<string, string> = {
  "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
  "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
  "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
  "cf1c38e5-3621-4004-a7cb-879624dced7c": "Application Developer",
};
/** Microsoft Graph application permissions that let a service principal create applications. */
const APP_REGISTRATION_APP_ROLES: Record<string, string> = {
  "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9": "Application.ReadWrite.All",
  "18a4783c-866b-4cc7-a460-3d5e5662c884": "Application.ReadWrite.OwnedBy",
};

const ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";
const SAAS_BACKEND_HOSTS = new Set(["app.pulumi.com", "api.pulumi.com"]);

/** `USGov Virginia` and `usgovvirginia` are the same region. */
export const sameLocation = (left: string, right: string) => left.replace(/\s+/g, "").toLowerCase() === right.replace(/\s+/g, "").toLowerCase();

/** ARM action patterns: `*` matches any run of characters, case-insensitively. */
export function actionAllowed(action: string, permissions: ArmPermissions): boolean {
  const matches = (pattern: string) => new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i").test(action);
  return (permissions.value ?? []).some((entry) => (entry.actions ?? []).some(matches) && !(entry.notActions ?? []).some(matches));
}

/**
 * Runs every check but those in `skip`: a skipped check makes no call and no connection of its own, and is
 * shown as one line. What several checks need (the CLI's cloud, the signed-in account, the providers) is
 * read once, and only when a check that needs it runs.
 */
export async function runPreflight(stack: PreflightStack, resourceTypes: StackResourceTypes, deps: PreflightDependencies, skip: ReadonlySet<CheckId> = new Set()): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  const runs = (...ids: CheckId[]) => ids.some((id) => !skip.has(id));
  const pass = (id: CheckId, title: string) => lines.push({ id, status: "passed", title });
  const fail = (id: CheckId, title: string, fix: string) => lines.push({ id, status: "failed", title, fix });
  const az = <T>(...args: string[]) => deps.runner.json<T>("az", [...args, "--output", "json"]);
  const why = (error: unknown) => (error instanceof ToolError ? error.message : `unexpected answer: ${(error as Error).message}`);

  // The CLI's cloud: every later answer comes from it.
  const wantedCloud = expectedCliCloud(stack.azureEnvironment);
  let cloud: AzCloud | undefined;
  if (runs("cli-cloud", "app-registrations", "tls")) {
    try {
      cloud = await az<AzCloud>("cloud", "show");
      if (cloud.name === wantedCloud) pass("cli-cloud", `Azure CLI cloud is ${cloud.name}, as the stack's azure-native:environment (${stack.azureEnvironment}) needs`);
      else fail("cli-cloud", `Azure CLI cloud is ${cloud.name}, but the stack deploys to ${wantedCloud}`, `az cloud set --name ${wantedCloud} && az login`);
    } catch (error) {
      fail("cli-cloud", `cannot read the Azure CLI's cloud: ${why(error)}`, "install the Azure CLI (https://aka.ms/azure-cli), then az cloud set and az login");
    }
  }

  let account: AzAccount | undefined;
  if (runs("cli-login", "providers", "api-versions", "container-apps-jobs", "role-assignments", "defender-plans", "app-registrations", "state-backend", "private-network", "tls")) {
    try {
      account = await az<AzAccount>("account", "show");
      pass("cli-login", `signed in as ${account.user?.name ?? "?"} (${account.user?.type ?? "?"}), subscription ${account.name ?? ""} ${account.id}`);
    } catch (error) {
      fail("cli-login", `not signed in to the Azure CLI: ${why(error)}`, `az login${wantedCloud === "AzureUSGovernment" ? " (after az cloud set --name AzureUSGovernment)" : ""}, then az account set --subscription <id>`);
    }
  }
  const needsLogin = (id: CheckId, what: string) => fail(id, `${what}: not checked without an Azure CLI login`, "az login, then run preflight again");

  // Resource providers, and each type's API version in the location.
  const namespaces = [...new Set(resourceTypes.types.map((type) => type.namespace))];
  const providers = new Map<string, AzProvider>();
  if (account === undefined) {
    needsLogin("providers", `resource providers ${namespaces.join(", ")}`);
    needsLogin("api-versions", `API versions of the ${resourceTypes.types.length} resource types the stack creates`);
  }
  for (const namespace of account !== undefined && runs("providers", "api-versions", "container-apps-jobs") ? namespaces : []) {
    try {
      const provider = await az<AzProvider>("provider", "show", "--namespace", namespace);
      providers.set(namespace, provider);
      if (provider.registrationState === "Registered") pass("providers", `resource provider ${namespace} is registered`);
      else fail("providers", `resource provider ${namespace} is ${provider.registrationState}`, `az provider register --namespace ${namespace} --wait`);
    } catch (error) {
      fail("providers", `resource provider ${namespace}: ${why(error)}`, `az provider show --namespace ${namespace}`);
    }
  }
  const offering = (type: ResourceTypeVersion) => providers.get(type.namespace)?.resourceTypes?.find((entry) => entry.resourceType.toLowerCase() === type.resourceType.toLowerCase());
  for (const type of account === undefined ? [] : resourceTypes.types) {
    const name = `${type.namespace}/${type.resourceType}`;
    if (!providers.has(type.namespace)) {
      fail("api-versions", `${name} ${type.apiVersion}: provider not read`, "fix the provider line above");
      continue;
    }
    const offered = offering(type);
    const versions = offered?.apiVersions ?? [];
    // Types without locations (role assignments) are not regional.
    const regional = (offered?.locations ?? []).length > 0;
    const inLocation = !regional || (offered?.locations ?? []).some((location) => sameLocation(location, stack.location));
    if (offered !== undefined && versions.includes(type.apiVersion) && inLocation) {
      pass("api-versions", `${name} ${type.apiVersion} is offered${regional ? ` in ${stack.location}` : ""}`);
    } else {
      const problem = offered === undefined ? "is not offered to this subscription" : !versions.includes(type.apiVersion) ? `${type.apiVersion} is not offered (offered: ${versions.slice(0, 4).join(", ")}${versions.length > 4 ? ", …" : ""})` : `is not offered in ${stack.location}`;
      fail(
        "api-versions",
        `${name} ${problem}; the installed @pulumi/azure-native uses ${type.apiVersion}`,
        inLocation || offered === undefined
          ? `pin an @pulumi/azure-native release whose ${type.tokens.join(", ")} uses an offered version, or ask Microsoft (az provider show --namespace ${type.namespace})`
          : `pulumi config set azure-native:location <a region that lists it> (az provider show --namespace ${type.namespace} --query "resourceTypes[?resourceType=='${type.resourceType}'].locations")`,
      );
    }
  }
  for (const token of resourceTypes.unmapped) fail("api-versions", `${token}: preflight cannot tell its ARM type`, "add its ARM ID shape to infra/offline/mocks.ts (a bug in hr-connector)");

  // Container Apps jobs in the location, said on its own: the stack's reason to exist.
  const jobs = resourceTypes.types.find((type) => type.namespace === "Microsoft.App" && type.resourceType === "jobs");
  if (jobs !== undefined && providers.has("Microsoft.App")) {
    const locations = offering(jobs)?.locations ?? [];
    if (locations.some((location) => sameLocation(location, stack.location))) pass("container-apps-jobs", `Container Apps jobs are offered in ${stack.location}`);
    else fail("container-apps-jobs", `Container Apps jobs are not offered in ${stack.location}${locations.length > 0 ? ` (offered in: ${locations.join(", ")})` : ""}`, "pulumi config set azure-native:location <one of them>, or ask Microsoft");
  } else if (jobs !== undefined && account === undefined) {
    needsLogin("container-apps-jobs", `Container Apps jobs in ${stack.location}`);
  } else if (jobs !== undefined) {
    fail("container-apps-jobs", `Container Apps jobs in ${stack.location}: Microsoft.App not read`, "fix the provider line above");
  }

  // Role assignments: at the subscription, which covers the resource group the stack creates.
  if (account === undefined) {
    needsLogin("role-assignments", "permission to create role assignments");
  } else if (runs("role-assignments")) {
    try {
      const permissions = await az<ArmPermissions>("rest", "--method", "get", "--url", `/subscriptions/${account.id}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`);
      if (actionAllowed(ROLE_ASSIGNMENT_WRITE, permissions)) pass("role-assignments", `may create role assignments in subscription ${account.id} (and its new resource group)`);
      else fail("role-assignments", `may not create role assignments in subscription ${account.id}`, "ask for Owner, or Role Based Access Control Administrator (or User Access Administrator) beside Contributor, on the subscription");
    } catch (error) {
      fail("role-assignments", `cannot read your permissions: ${why(error)}`, "az login with the account that will run pulumi up");
    }
  }

  // Defender plans: subscription-wide, so excepted by the stack (policy/govBuiltIns.ts), and checked here.
  if (account === undefined) {
    needsLogin("defender-plans", `Microsoft Defender plans ${DEFENDER_PLANS.map((plan) => plan.pricingName).join(", ")}`);
  } else if (runs("defender-plans")) {
    for (const plan of DEFENDER_PLANS) {
      const builtIn = `built-in ${plan.builtIn.definitionId.slice(0, 8)}`;
      try {
        const pricing = await az<AzPricing>("security", "pricing", "show", "--name", plan.pricingName);
        if (pricing.pricingTier === "Standard") pass("defender-plans", `${plan.title} (${plan.pricingName}) is on in subscription ${account.id} (${builtIn})`);
        else {
          fail(
            "defender-plans",
            `${plan.title} (${plan.pricingName}) is ${pricing.pricingTier} in subscription ${account.id}, not Standard, as ${builtIn} of the Azure Government initiatives asks`,
            `the subscription owner turns it on (az security pricing create --name ${plan.pricingName} --tier Standard; billed for every workload in the subscription), or the ISSO records the risk and you run preflight with --skip defender-plans`,
          );
        }
      } catch (error) {
        fail("defender-plans", `cannot read ${plan.title} (${plan.pricingName}): ${why(error)}`, "az login with an account that may read the subscription (Reader or Security Reader), then run preflight again");
      }
    }
  }

  // App registrations in the Entra cloud of the Purview tenant.
  const graph = graphFor(stack.entraEnvironment);
  if (account === undefined) {
    needsLogin("app-registrations", "permission to register applications");
  } else if (cloud !== undefined && cloud.name !== graph.cliCloud) {
    fail(
      "app-registrations",
      `the app is registered in Entra for azuread:environment ${stack.entraEnvironment}, which the Azure CLI's ${cloud.name} login cannot check`,
      `check that the azuread provider's identity may register applications there (Application Developer or Application Administrator), then run preflight with --skip app-registrations`,
    );
  } else if (runs("app-registrations")) {
    try {
      const result = await mayRegisterApplications(account, graph.url, az);
      if (result.allowed) pass("app-registrations", `may register applications in Entra: ${result.because}`);
      else fail("app-registrations", `may not register applications in Entra: ${result.because}`, "ask for the Application Developer or Application Administrator role (or Application.ReadWrite.OwnedBy for a service principal)");
    } catch (error) {
      fail("app-registrations", `cannot read your Entra roles: ${why(error)}`, "az login with the account that will run pulumi up");
    }
  }

  // State backend: Pulumi Cloud (SaaS) is not where GCC High or DoD stack state belongs.
  let backendUrl: string | undefined;
  if (runs("backend", "state-backend")) {
    try {
      backendUrl = stack.projectBackendUrl ?? (await deps.runner.json<{ url?: string }>("pulumi", ["whoami", "--json"])).url ?? "";
    } catch (error) {
      const problem = `cannot tell the Pulumi backend: ${why(error)}`;
      for (const id of ["backend", "state-backend"] as const) if (runs(id)) fail(id, problem, "install the Pulumi CLI and pulumi login");
    }
  }
  if (backendUrl !== undefined && runs("backend")) {
    const saas = /^https?:\/\//.test(backendUrl) && SAAS_BACKEND_HOSTS.has(new URL(backendUrl).host);
    const restricted = stack.cloud === "gcch" || stack.cloud === "dod";
    if (saas && restricted) {
      fail("backend", `the Pulumi backend is the Pulumi Cloud SaaS (${new URL(backendUrl).host}), not for ${CLOUD_PROFILES[stack.cloud].title} stack state`, "pulumi login azblob://<container>?storage_account=<account> (a Gov storage account), or a self-hosted backend");
    } else {
      pass("backend", `the Pulumi backend is ${saas ? "the Pulumi Cloud SaaS" : "self-managed"} (${backendShown(backendUrl)})${restricted ? "" : `, fine for ${CLOUD_PROFILES[stack.cloud].title}`}`);
    }
  }

  // What a backend made by bootstrap-state (or before it learned the stack's rules) lacks of them.
  if (backendUrl !== undefined && runs("state-backend")) {
    if (account === undefined && backendUrl.startsWith("azblob://")) needsLogin("state-backend", "the state backend's account and vault");
    else {
      const target = { backendUrl, storageAccountVariable: stack.stateStorageAccount, secretsProvider: stack.secretsProvider, network: stack.network };
      try {
        for (const line of await stateBackendCheck(target, az)) lines.push({ id: "state-backend", ...line });
      } catch (error) {
        fail("state-backend", `cannot read the state backend: ${why(error)}`, "az login with an account that may read the state's resource group (Reader), az account set --subscription <the state's subscription>, then run preflight again");
      }
    }
  }

  // The stack's registry exists from the first pass on; the pass that creates a job pushes the image to it (unless `image` is set).
  const pushesImage = stack.image === undefined;
  let registry: StackRegistry | undefined;
  if (pushesImage && account !== undefined && (runs("tls") || (runs("private-network") && stack.network === "private"))) {
    registry = await findStackRegistry(stackTagValue(stack.project, stack.name), az).catch((error: unknown): StackRegistry => ({ state: "unknown", why: why(error) }));
  }

  // With network: private, the image push must come from inside the network or a peered one.
  if (stack.network === "private" && pushesImage && account === undefined) {
    needsLogin("private-network", "where the image push of network: private may run from");
  } else if (runs("private-network")) {
    const line = await privateNetworkCheck(stack, registry, deps, az);
    lines.push({ id: "private-network", ...line });
  }

  // Name resolution and TLS to the hosts a deployment and a run talk to, through the proxy when one is set.
  const profile = CLOUD_PROFILES[stack.cloud];
  const targets: [string, string | undefined][] = [
    [`Entra sign-in (${profile.title})`, new URL(profile.authorityHost).host],
    ["HR connector ingestion", new URL(profile.ingestionBaseUrl).host],
    ["Azure Resource Manager", cloud?.endpoints?.resourceManager === undefined ? undefined : new URL(cloud.endpoints.resourceManager).host],
    ["base image registry", registryHost(stack.imageBase)],
    ["prebuilt image registry", stack.image === undefined ? undefined : registryHost(stack.image)],
    ["stack's registry", registry?.state === "found" ? registry.loginServer : undefined],
  ];
  for (const [label, host] of runs("tls") ? targets : []) {
    if (host === undefined) continue;
    const problem = await tlsProblem(host, deps);
    if (problem === undefined) pass("tls", `${label}: ${host} answers over TLS${proxied(host, deps) ? " through HTTPS_PROXY" : ""}`);
    else fail("tls", `${label}: ${host} ${problem.what}`, problem.fix);
  }
  if (runs("tls") && pushesImage && registry?.state !== "found") {
    const reason =
      registry === undefined
        ? "not looked up without an Azure CLI login"
        : registry.state === "absent"
          ? "not created yet (the first pass creates it; run preflight again before the pass that pushes the image)"
          : `not looked up (${registry.why})`;
    lines.push({ id: "tls", status: "skipped", title: `stack's registry: ${reason}, so TLS to it is not checked` });
  }

  // The base image the stack assembles its image on, read from its registry as the push will read it.
  if (runs("image-base")) for (const line of await imageBaseCheck(stack, deps)) lines.push({ id: "image-base", ...line });

  // One line per skipped check, in its place; lines a skipped check's data brought (a login failure) are not its own.
  return CHECK_IDS.flatMap((id): CheckLine[] =>
    skip.has(id) ? [{ id, status: "skipped", title: `${CHECK_SUMMARIES[id].replace(/\s*\n\s*/g, " ")} (skipped: --skip ${id})` }] : lines.filter((line) => line.id === id),
  );
}

/** The registry in the resource group tagged with the stack: `az group list --tag`, then `az acr list` in that group. */
async function findStackRegistry(tag: string, az: <T>(...args: string[]) => Promise<T>): Promise<StackRegistry> {
  const [group] = await az<AzNamed[]>("group", "list", "--tag", `${STACK_TAG}=${tag}`);
  if (group === undefined) return { state: "absent" };
  const [registry] = await az<AzRegistry[]>("acr", "list", "--resource-group", group.name);
  return registry?.loginServer === undefined ? { state: "absent", resourceGroup: group.name } : { state: "found", resourceGroup: group.name, loginServer: registry.loginServer };
}

/** Private and shared address ranges (RFC 1918, RFC 6598, IPv6 unique local): where a private endpoint's address lies. */
const PRIVATE_RANGES: readonly [string, number, "ipv4" | "ipv6"][] = [
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["fc00::", 7, "ipv6"],
];

/** Private ranges, and the stack's own network (whatever range it was given). */
function privateAddresses(vnetAddressSpace: string): BlockList {
  const ranges = new BlockList();
  for (const [network, prefix, family] of PRIVATE_RANGES) ranges.addSubnet(network, prefix, family);
  const [network = "", prefix = ""] = vnetAddressSpace.split("/");
  ranges.addSubnet(network, Number(prefix), "ipv4");
  return ranges;
}

/**
 * With `network: private` the registry refuses public traffic, so the pass that pushes the image must run where
 * its login server resolves to its private endpoint (the network, or one peered with it and linked to the zone).
 */
async function privateNetworkCheck(
  stack: PreflightStack,
  registry: StackRegistry | undefined,
  deps: PreflightDependencies,
  az: <T>(...args: string[]) => Promise<T>,
): Promise<Omit<CheckLine, "id">> {
  if (stack.network === "public") return { status: "passed", title: "network: public: the registry, Key Vault and Storage accept public traffic, so pulumi up may run from this machine" };
  if (stack.image !== undefined) {
    return { status: "passed", title: "network: private with a prebuilt image: the stack pushes no image, so pulumi up may run from any machine (the HR system still writes from inside the network)" };
  }
  if (registry === undefined || registry.state === "unknown") {
    return { status: "failed", title: `network: private: cannot look for the stack's registry: ${registry?.state === "unknown" ? registry.why : "no Azure CLI login"}`, fix: "az login with the account that will run pulumi up, then run preflight again" };
  }
  if (registry.state === "absent") {
    return {
      status: "passed",
      title:
        "network: private: the stack's registry does not exist yet, so the first pass may run from any machine; the pass that pushes the image " +
        "(pulumi up with a connectorJobId) must run inside the stack's network or a peered one: run preflight there before it",
    };
  }
  const host = registry.loginServer;
  const zone = AZURE_ENVIRONMENTS[azureEnvironmentNamed(stack.azureEnvironment) ?? "public"].privateLinkZones.registry.join(", ");
  const fromInside = async () => {
    const network = await az<AzNamed[]>("network", "vnet", "list", "--resource-group", registry.resourceGroup).then(
      ([vnet]) => (vnet === undefined ? "the stack's virtual network" : `the virtual network ${vnet.name}`),
      () => "the stack's virtual network",
    );
    return `run pulumi up (and preflight) from a host in ${network} (resource group ${registry.resourceGroup}) or a network peered with it whose DNS answers from the ${zone} zone (README "Private networking")`;
  };
  let addresses: readonly string[];
  try {
    addresses = await (deps.resolve ?? systemResolve)(host);
  } catch {
    return { status: "failed", title: `network: private: the stack's registry ${host} does not resolve on this machine`, fix: await fromInside() };
  }
  const ranges = privateAddresses(stack.vnetAddressSpace);
  const listed = addresses.join(", ");
  if (addresses.length === 0 || !addresses.every((address) => ranges.check(address, isIPv6(address) ? "ipv6" : "ipv4"))) {
    return { status: "failed", title: `network: private: the stack's registry ${host} resolves to ${listed || "nothing"} here, not to a private endpoint: its public access is off, so the image push would be refused`, fix: await fromInside() };
  }
  if (proxied(host, deps)) {
    return { status: "failed", title: `network: private: the stack's registry ${host} resolves to ${listed} (private), but HTTPS_PROXY would carry the image push to it`, fix: `add ${host} to NO_PROXY, so the push goes straight to the private endpoint` };
  }
  return { status: "passed", title: `network: private: the stack's registry ${host} resolves to ${listed}, a private address: this machine may push the image` };
}

function registryHost(reference: string): string | undefined {
  try {
    return parseImageReference(reference).registry;
  } catch {
    return undefined;
  }
}

async function mayRegisterApplications(
  account: AzAccount,
  graphUrl: string,
  az: <T>(...args: string[]) => Promise<T>,
): Promise<{ allowed: boolean; because: string }> {
  const graphGet = <T>(path: string) => az<T>("rest", "--method", "get", "--resource", graphUrl, "--url", `${graphUrl}/v1.0/${path}`);
  if (account.user?.type === "servicePrincipal") {
    const principal = await az<{ id: string }>("ad", "sp", "show", "--id", account.user.name ?? "");
    const granted = ((await graphGet<GraphList<{ appRoleId?: string }>>(`servicePrincipals/${principal.id}/appRoleAssignments`)).value ?? [])
      .map((assignment) => APP_REGISTRATION_APP_ROLES[assignment.appRoleId ?? ""])
      .filter(Boolean);
    return granted.length > 0 ? { allowed: true, because: `the service principal has ${granted.join(", ")}` } : { allowed: false, because: "the service principal has neither Application.ReadWrite.All nor Application.ReadWrite.OwnedBy" };
  }
  const roles = ((await graphGet<GraphList<{ roleTemplateId?: string }>>("me/transitiveMemberOf/microsoft.graph.directoryRole")).value ?? [])
    .map((role) => APP_REGISTRATION_ROLES[role.roleTemplateId ?? ""])
    .filter(Boolean);
  if (roles.length > 0) return { allowed: true, because: `you hold ${roles.join(", ")}` };
  const policy = await graphGet<{ defaultUserRolePermissions?: { allowedToCreateApps?: boolean } }>("policies/authorizationPolicy");
  return policy.defaultUserRolePermissions?.allowedToCreateApps === true
    ? { allowed: true, because: "the tenant lets every user register applications" }
    : { allowed: false, because: "you hold no role that may, and the tenant does not let users register applications" };
}
