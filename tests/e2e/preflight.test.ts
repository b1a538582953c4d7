/**
 * `npm run preflight` with a fake `az` and `pulumi` on PATH answering the
 * documented JSON shapes, and real TLS: through a real CONNECT proxy to the
 * local stand-in (scripts/standin.ts) serving a certificate for the real host
 * names, or straight to the real names (which do not resolve here).
 *
 * @expected-seconds 23 (Jest's order, tests/support/costFirstSequencer.cjs): a Distribution registry, TLS checks through proxies.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { StandInCloud } from "../../scripts/standin";
import { makeLoopbackCertificate, type LoopbackCertificate } from "../../scripts/lib/loopbackCert";
import { HttpClient } from "../../scripts/lib/oci/http";
import { preflightCli } from "../../scripts/lib/preflight/cli";
import { actionAllowed, CHECK_IDS, CHECK_SUMMARIES, runPreflight, type CheckId, type CheckLine, type PreflightDependencies, type PreflightStack } from "../../scripts/lib/preflight/checks";
import { resourceTypesOf, type StackResourceTypes } from "../../scripts/lib/preflight/resourceTypes";
import { DEFAULT_IMAGE_BASE } from "../../scripts/lib/imageBase";
import { ToolRunner } from "../../uploader/src/auth/toolRunner";
import { writeFakeCmdExe } from "../support/fakeCmdExe";
import { CONNECTOR_JOB_ID, runGov } from "../infra/harness";
import { runScript, runScriptHere, type CliResult } from "../support/cli";
import { ConnectProxy } from "../support/connectProxy";
import { writeFakeCli } from "../support/fakeCli";
import { LayerHost } from "../support/layerHost";
import { deleteManifest, pushSyntheticBase } from "../support/registries";
import { tempDir } from "../support/standin";
import { testCertificate } from "../support/testCertificate";
import { helperExecFile } from "../support/toolProcesses";
import { DistributionRegistry } from "../../scripts/lib/distributionRegistry";
import { freePort } from "../../scripts/lib/freePort";
import { anonymousTokens } from "../../scripts/lib/oci/auth";
import { RegistryClient, sha256Digest } from "../../scripts/lib/oci/registry";

/** The stack's resource group and registry, as Azure names them (a random suffix): found by the group's tag. */
const RESOURCE_GROUP = "hr-connector1a2b3c4d";
const REGISTRY = "hrconnector5e6f7a8b.azurecr.us";
const HOSTS = ["login.microsoftonline.us", "webhook-itarl4.ingestion.office365.us", "management.usgovcloudapi.net", "mcr.microsoft.com", REGISTRY];
const SUBSCRIPTION = "11111111-1111-4111-8111-111111111111";
const GRAPH = "https://graph.microsoft.us";
const PERMISSIONS_URL = `rest --method get --url /subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01 --output json`;
const graphCall = (path: string) => `rest --method get --resource ${GRAPH} --url ${GRAPH}/v1.0/${path} --output json`;
const APPLICATION_ADMINISTRATOR = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
const CONTRIBUTOR = { value: [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"] }] };
const GOV_CLOUD = { name: "AzureUSGovernment", isActive: true, endpoints: { resourceManager: "https://management.usgovcloudapi.net/", microsoftGraphResourceId: "https://graph.microsoft.us/" } };
const GROUP_LIST = "group list --tag hr-connector-stack=hr-connector/gov --output json";
const ACR_LIST = `acr list --resource-group ${RESOURCE_GROUP} --output json`;
const VNET_LIST = `network vnet list --resource-group ${RESOURCE_GROUP} --output json`;
/** `az group list --tag` and `az acr list --resource-group` once the first pass has run (the parts of their documented shapes read and a few beside). */
const STACK_REGISTRY_EXISTS = {
  [GROUP_LIST]: [{ id: `/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/${RESOURCE_GROUP}`, location: "usgovvirginia", name: RESOURCE_GROUP, properties: { provisioningState: "Succeeded" }, tags: { "hr-connector-stack": "hr-connector/gov" }, type: "Microsoft.Resources/resourceGroups" }],
  [ACR_LIST]: [{ adminUserEnabled: false, loginServer: REGISTRY, name: REGISTRY.split(".")[0], publicNetworkAccess: "Enabled", resourceGroup: RESOURCE_GROUP, sku: { name: "Basic", tier: "Basic" }, type: "Microsoft.ContainerRegistry/registries" }],
};
/** `az security pricing show --name <plan>`: the documented shape, at tier Standard (on) or Free (off). */
const pricingCall = (plan: string) => `security pricing show --name ${plan} --output json`;
const pricing = (plan: string, pricingTier = "Standard") => ({
  [pricingCall(plan)]: { id: `/subscriptions/11111111-1111-4111-8111-111111111111/providers/Microsoft.Security/pricings/${plan}`, name: plan, pricingTier, subPlan: null, type: "Microsoft.Security/pricings" },
});
const DEFENDER_ON = { ...pricing("Arm"), ...pricing("Containers"), ...pricing("StorageAccounts") };
const USER_ACCOUNT = { id: SUBSCRIPTION, name: "hr-connector-gov", tenantId: "22222222-2222-4222-8222-222222222222", environmentName: "AzureUSGovernment", user: { name: "admin@agency.onmicrosoft.us", type: "user" } };

let certificate: LoopbackCertificate;
let standIn: StandInCloud;
let proxy: ConnectProxy;
let types: StackResourceTypes;
const dirs: string[] = [];

beforeAll(async () => {
  certificate = await makeLoopbackCertificate(HOSTS);
  standIn = await StandInCloud.start({ certificate });
  proxy = await ConnectProxy.start({ host: "127.0.0.1", port: Number(new URL(standIn.url).port) });
  types = resourceTypesOf((await runGov({ connectorJobId: CONNECTOR_JOB_ID, alertEmail: "a@agency.gov" })).resources);
});
afterAll(async () => {
  await proxy?.close();
  await standIn?.close();
  rmSync(dirname(certificate.certFile), { recursive: true, force: true });
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `az provider show` for every namespace: registered, every type offered in both Gov regions at its version (role assignments are not regional). */
function providerAnswers(offer: (type: StackResourceTypes["types"][number]) => { locations: string[]; apiVersions: string[] }, state = () => "Registered"): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const namespace of new Set(types.types.map((type) => type.namespace))) {
    answers[`provider show --namespace ${namespace} --output json`] = {
      id: `/subscriptions/${SUBSCRIPTION}/providers/${namespace}`,
      namespace,
      registrationState: state(),
      resourceTypes: types.types.filter((type) => type.namespace === namespace).map((type) => ({ resourceType: type.resourceType, ...offer(type) })),
    };
  }
  return answers;
}
const offeredEverywhere = (type: StackResourceTypes["types"][number]) => ({
  locations: type.resourceType === "roleAssignments" ? [] : ["USGov Virginia", "USGov Arizona"],
  apiVersions: ["2099-01-01", type.apiVersion, "2020-01-01"],
});

/** The state account of SELF_MANAGED_BACKEND as bootstrap-state makes it (the parts of `az storage account show` read, and a few beside), with its blob logs. */
const STATE_ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/pulumi-state/providers/Microsoft.Storage/storageAccounts/hrstate`;
const GOOD_STATE_BACKEND = {
  "storage account show --name hrstate --output json": {
    id: STATE_ACCOUNT_ID,
    kind: "StorageV2",
    name: "hrstate",
    sku: { name: "Standard_GZRS", tier: "Standard" },
    encryption: { keySource: "Microsoft.Keyvault", requireInfrastructureEncryption: true, keyvaultproperties: { keyname: "pulumi-state-storage" } },
    publicNetworkAccess: "Enabled",
  },
  [`monitor diagnostic-settings list --resource ${STATE_ACCOUNT_ID}/blobServices/default --output json`]: [
    { name: "to-log-analytics", logs: ["StorageRead", "StorageWrite", "StorageDelete"].map((category) => ({ category, enabled: true })) },
  ],
};

/** What a ready deployer's az answers. */
const goodAz = (): Record<string, unknown> => ({
  "cloud show --output json": GOV_CLOUD,
  "account show --output json": USER_ACCOUNT,
  ...providerAnswers(offeredEverywhere),
  [PERMISSIONS_URL]: { value: [{ actions: ["*"], notActions: [] }] },
  ...DEFENDER_ON,
  [graphCall("me/transitiveMemberOf/microsoft.graph.directoryRole")]: { value: [{ "@odata.type": "#microsoft.graph.directoryRole", displayName: "Application Administrator", roleTemplateId: APPLICATION_ADMINISTRATOR }] },
  ...STACK_REGISTRY_EXISTS,
  ...GOOD_STATE_BACKEND,
});
const SELF_MANAGED_BACKEND = { "whoami --json": { user: "admin", url: "azblob://pulumi-state?storage_account=hrstate" } };

function fakeTools(az: Record<string, unknown>, pulumi: Record<string, unknown> = SELF_MANAGED_BACKEND): string {
  const dir = tempDir("hr-fake-tools-");
  dirs.push(dir);
  writeFakeCli(dir, "az", az);
  writeFakeCli(dir, "pulumi", pulumi);
  return dir;
}

/** `npm run preflight -- --stack gov`, the script itself in a child process, as users run it. */
const preflightScript = (tools: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<CliResult> =>
  runScript("preflight.ts", ["--stack", "gov", ...extra], { PATH: `${tools}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: certificate.certFile, ...env });

/** The same command line in this process: the program and Pulumi's SDK are loaded once for every test. */
const preflight = (tools: string, env: NodeJS.ProcessEnv = {}, argv: string[] = ["--stack", "gov"]): Promise<CliResult> =>
  runScriptHere(preflightCli, argv, { env: { PATH: `${tools}:${process.env.PATH}`, ...env }, extraCa: certificate.cert });

const lines = (result: CliResult) => result.stdout.split("\n").filter((line) => /^[✓✗–] /.test(line));

describe("npm run preflight -- --stack gov", () => {
  it("passes every check for a ready deployer (exit 0), one line each", async () => {
    // The default base is pinned at MCR's digest, which no local registry can serve (a digest is its content's):
    // image-base is skipped here, and its tests below run it against a real registry.
    const result = await preflightScript(fakeTools(goodAz()), { HTTPS_PROXY: proxy.url }, ["--skip", "image-base"]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    const shown = lines(result);
    expect(shown.filter((line) => !line.startsWith("✓"))).toEqual([expect.stringMatching(/^– the base image \(imageBase\) .* \(skipped: --skip image-base\)$/)]);
    expect(shown).toEqual(
      expect.arrayContaining([
        "✓ Azure CLI cloud is AzureUSGovernment, as the stack's azure-native:environment (usgovernment) needs",
        "✓ resource provider Microsoft.App is registered",
        "✓ Microsoft.App/jobs 2025-02-02-preview is offered in usgovvirginia",
        "✓ Microsoft.App/managedEnvironments 2025-02-02-preview is offered in usgovvirginia",
        "✓ Microsoft.Insights/actionGroups 2024-10-01-preview is offered in usgovvirginia",
        "✓ Microsoft.Authorization/roleAssignments 2022-04-01 is offered",
        "✓ Container Apps jobs are offered in usgovvirginia",
        `✓ may create role assignments in subscription ${SUBSCRIPTION} (and its new resource group)`,
        `✓ Defender for Resource Manager (Arm) is on in subscription ${SUBSCRIPTION} (built-in c3d20c29)`,
        `✓ Defender for Containers (Containers) is on in subscription ${SUBSCRIPTION} (built-in 1c988dd6)`,
        `✓ Defender for Storage (StorageAccounts) is on in subscription ${SUBSCRIPTION} (built-in 308fbb08)`,
        "✓ may register applications in Entra: you hold Application Administrator",
        "✓ the Pulumi backend is self-managed (azblob://pulumi-state)",
        "✓ state account hrstate is encrypted with a customer-managed key",
        "✓ network: public: the registry, Key Vault and Storage accept public traffic, so pulumi up may run from this machine",
        ...HOSTS.map((host) => expect.stringMatching(new RegExp(`^✓ .*: ${host.replace(/\./g, "\\.")} answers over TLS through HTTPS_PROXY$`))),
      ]),
    );
    // A line for every type the installed SDK creates, at the version its typings name.
    for (const type of types.types) expect(shown.some((line) => line.startsWith(`✓ ${type.namespace}/${type.resourceType} ${type.apiVersion} is offered`))).toBe(true);
    expect(new Set(proxy.tunnels)).toEqual(new Set(HOSTS.map((host) => `${host}:443`)));
    expect(result.stdout).toContain(`All ${shown.length - 1} checks passed (1 skipped): pulumi up --stack gov`);
  });

  it("fails every check that would fail the deployment (exit 3), each with its fix", async () => {
    const az = {
      "cloud show --output json": { ...GOV_CLOUD, name: "AzureCloud", endpoints: { resourceManager: "https://management.azure.com/" } },
      "account show --output json": USER_ACCOUNT,
      ...providerAnswers((type) => ({ locations: type.resourceType === "jobs" ? ["USGov Arizona"] : ["USGov Virginia"], apiVersions: ["2015-01-01"] }), () => "NotRegistered"),
      [PERMISSIONS_URL]: CONTRIBUTOR,
      [GROUP_LIST]: [],
    };
    const result = await preflight(fakeTools(az, { "whoami --json": { user: "admin", url: "https://app.pulumi.com/admin" } }));
    expect(result.code).toBe(3);
    const shown = lines(result);
    // Signed in, but nothing else would work (a public network is no problem; the stack's registry is not there yet).
    expect(shown.filter((line) => !line.startsWith("✗"))).toEqual([
      expect.stringMatching(/^✓ signed in as admin@agency\.onmicrosoft\.us \(user\)/),
      "✓ the Pulumi backend is not an Azure storage account (https://app.pulumi.com/admin): nothing of bootstrap-state's to check",
      expect.stringMatching(/^✓ network: public: /),
      "– stack's registry: not created yet (the first pass creates it; run preflight again before the pass that pushes the image), so TLS to it is not checked",
    ]);
    const failed = (id: string) => expect(result.stdout).toMatch(new RegExp(`✗ ${id}.*\\n    fix: .+`));
    failed("Azure CLI cloud is AzureCloud, but the stack deploys to AzureUSGovernment");
    failed("resource provider Microsoft\\.App is NotRegistered");
    expect(result.stdout).toContain("fix: az provider register --namespace Microsoft.App --wait");
    failed("Microsoft\\.App/jobs 2025-02-02-preview is not offered \\(offered: 2015-01-01\\); the installed @pulumi/azure-native uses 2025-02-02-preview");
    failed("Container Apps jobs are not offered in usgovvirginia \\(offered in: USGov Arizona\\)");
    failed(`may not create role assignments in subscription ${SUBSCRIPTION}`);
    failed("the app is registered in Entra for azuread:environment usgovernment, which the Azure CLI's AzureCloud login cannot check");
    failed("the Pulumi backend is the Pulumi Cloud SaaS \\(app\\.pulumi\\.com\\), not for GCC High stack state");
    for (const host of ["login.microsoftonline.us", "webhook-itarl4.ingestion.office365.us", "management.azure.com", "mcr.microsoft.com"]) failed(`.*: ${host.replace(/\./g, "\\.")} does not resolve`);
    // The base image is read from its registry, which does not resolve either.
    expect(result.stdout).toContain(`✗ base image ${DEFAULT_IMAGE_BASE}: mcr.microsoft.com does not resolve\n    fix: check DNS, or set HTTPS_PROXY to the agency proxy`);
    expect(result.stdout).toContain(`${shown.length - 4} of ${shown.length} checks failed`);
  });

  it("says what to do when the deployer is not signed in", async () => {
    const tools = fakeTools({ ...goodAz(), "account show --output json": { exit: 1, stderr: "ERROR: Please run 'az login' to setup account." } });
    const result = await preflight(tools, { HTTPS_PROXY: proxy.url }, ["--stack", "gov", "--skip", "tls"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("✗ not signed in to the Azure CLI: az account show failed: ERROR: Please run 'az login' to setup account.");
    expect(result.stdout).toContain("✗ permission to create role assignments: not checked without an Azure CLI login");
  });

  it("runs nothing of a check --skip names: no az call, no connection, one line saying so", async () => {
    const tools = fakeTools(goodAz());
    const tunnelsBefore = proxy.tunnels.length;
    const result = await preflight(tools, { HTTPS_PROXY: proxy.url }, ["--stack", "gov", "--skip", "tls", "--skip", "role-assignments", "--skip", "app-registrations", "--skip", "image-base"]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    const skipped = lines(result).filter((line) => line.startsWith("– "));
    expect(skipped).toEqual([
      "– you may create role assignments (the stack creates four) (skipped: --skip role-assignments)",
      "– you may register applications in the tenant's Entra cloud (skipped: --skip app-registrations)",
      "– this machine resolves and completes TLS with the sign-in, ingestion, Resource Manager and image registry hosts, and the stack's registry once it exists (through HTTPS_PROXY if set) (skipped: --skip tls)",
      "– the base image (imageBase) still exists at its pinned digest with a linux/amd64 image, whether its tag has moved on to a newer digest, and TLS to the host its layers download from (MCR redirects them to a regional data host) (skipped: --skip image-base)",
    ]);
    expect(result.stdout).toContain(`All ${lines(result).length - 4} checks passed (4 skipped): pulumi up --stack gov`);
    expect(proxy.tunnels.length).toBe(tunnelsBefore);
    const azCalls = readFileSync(join(tools, "az.calls.log"), "utf8");
    expect(azCalls).toContain("provider show --namespace Microsoft.App --output json"); // the checks that ran did call az
    expect(azCalls).not.toContain(PERMISSIONS_URL);
    expect(azCalls).not.toContain(`--resource ${GRAPH}`);
    expect(azCalls).not.toContain("group list"); // a public stack's registry matters to the TLS check alone
  });

  it("--help lists every check --skip takes, with what it looks at", async () => {
    const help = await preflight(fakeTools({}), {}, ["--help"]);
    expect(help.code).toBe(0);
    const listed = help.stdout.split("\n");
    for (const id of CHECK_IDS) expect([id, listed.some((line) => line.startsWith(`  ${id} `) && line.endsWith(` ${CHECK_SUMMARIES[id].split("\n")[0]}`))]).toEqual([id, true]);
  });

  it("refuses an unknown stack or check, a missing --stack and a malformed HTTPS_PROXY (exit 2, one line)", async () => {
    const tools = fakeTools(goodAz());
    expect(await preflight(tools, {}, ["--stack", "gov", "--skip", "everything"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--skip everything: known checks are cli-cloud") });
    expect(await preflight(tools, {}, ["--stack", "nowhere"])).toEqual({ code: 2, stdout: "", stderr: "npm run preflight: Pulumi.nowhere.yaml does not exist (copy Pulumi.gov.yaml to start one) (see --help)\n" });
    expect(await preflight(tools, { HTTPS_PROXY: "http://proxy agency:8080" })).toEqual({ code: 2, stdout: "", stderr: "npm run preflight: HTTPS_PROXY is not a URL (e.g. http://proxy.agency.gov:8080) (see --help)\n" });
    expect(await preflight(tools, {}, [])).toMatchObject({ code: 2, stderr: "npm run preflight: --stack <name> is required (see --help)\n" });
  });
});

/** The checks in-process, for the cases the two runs above do not take. */
describe("preflight checks", () => {
  const GOV: PreflightStack = { project: "hr-connector", name: "gov", network: "public", vnetAddressSpace: "10.42.0.0/24", cloud: "gcch", azureEnvironment: "usgovernment", entraEnvironment: "usgovernment", location: "usgovvirginia", imageBase: DEFAULT_IMAGE_BASE };
  interface RunOptions {
    stack?: Partial<PreflightStack>;
    platform?: NodeJS.Platform;
    pulumi?: Record<string, unknown>;
    http?: HttpClient;
    noProxy?: string[];
    resolve?: PreflightDependencies["resolve"];
    skip?: CheckId[];
  }
  /** The checks' lines, and the az calls they made. */
  const runLogged = async (az: Record<string, unknown>, options: RunOptions = {}): Promise<{ checks: CheckLine[]; azCalls: string[] }> => {
    // %SystemRoot% is where az runs from on Windows; any existing folder here.
    const tools = fakeTools(az, options.pulumi);
    const proxySettings = { httpsProxy: new URL(proxy.url), noProxy: options.noProxy ?? [] };
    const http = options.http ?? new HttpClient({ proxy: proxySettings, extraCa: certificate.cert });
    try {
      const checks = await runPreflight(
        { ...GOV, ...options.stack },
        types,
        {
          runner: new ToolRunner({ platform: options.platform ?? "linux", env: { PATH: `${tools}:${process.env.PATH}`, SystemRoot: tools, ComSpec: writeFakeCmdExe(tools) }, execFile: helperExecFile }),
          http,
          proxy: proxySettings,
          resolve: options.resolve,
        },
        new Set(options.skip),
      );
      const log = join(tools, "az.calls.log");
      return { checks, azCalls: existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [] };
    } finally {
      await http.close();
    }
  };
  const run = async (az: Record<string, unknown>, options: RunOptions = {}) => (await runLogged(az, options)).checks;
  /** A skip list for every check but these: a test that reads one check's lines spawns no az calls for the others (each spawn forks this big process). */
  const allBut = (...kept: CheckId[]): CheckId[] => CHECK_IDS.filter((id) => !kept.includes(id));
  const only = (checks: CheckLine[], id: CheckId) => checks.filter((line) => line.id === id).map(({ status, title }) => `${status}: ${title}`);

  it("reads ARM permission patterns as Azure does", () => {
    const action = "Microsoft.Authorization/roleAssignments/write";
    expect(actionAllowed(action, { value: [{ actions: ["*"] }] })).toBe(true); // Owner
    expect(actionAllowed(action, CONTRIBUTOR)).toBe(false);
    expect(actionAllowed(action, { value: [CONTRIBUTOR.value[0] as object, { actions: ["Microsoft.Authorization/roleAssignments/*"] }] })).toBe(true); // + RBAC Administrator
    expect(actionAllowed(action, { value: [{ actions: ["*/read"] }] })).toBe(false); // Reader
  });

  /** The app-registrations check reads who is signed in (cli-login's account). */
  const APP_REGISTRATIONS_ONLY = allBut("cli-login", "app-registrations");

  it("lets users register apps when the tenant allows it, and not otherwise", async () => {
    const noRoles = { ...goodAz(), [graphCall("me/transitiveMemberOf/microsoft.graph.directoryRole")]: { value: [] } };
    const allowed = await run({ ...noRoles, [graphCall("policies/authorizationPolicy")]: { id: "authorizationPolicy", defaultUserRolePermissions: { allowedToCreateApps: true } } }, { skip: APP_REGISTRATIONS_ONLY });
    expect(only(allowed, "app-registrations")).toEqual(["passed: may register applications in Entra: the tenant lets every user register applications"]);
    const refused = await run({ ...noRoles, [graphCall("policies/authorizationPolicy")]: { id: "authorizationPolicy", defaultUserRolePermissions: { allowedToCreateApps: false } } }, { skip: APP_REGISTRATIONS_ONLY });
    expect(only(refused, "app-registrations")).toEqual(["failed: may not register applications in Entra: you hold no role that may, and the tenant does not let users register applications"]);
  });

  it("checks a service principal's Graph application permissions", async () => {
    const clientId = "33333333-3333-4333-8333-333333333333";
    const principal = { ...goodAz(), "account show --output json": { ...USER_ACCOUNT, user: { name: clientId, type: "servicePrincipal" } }, [`ad sp show --id ${clientId} --output json`]: { id: "sp-object-id", appId: clientId } };
    const granted = await run({ ...principal, [graphCall("servicePrincipals/sp-object-id/appRoleAssignments")]: { value: [{ appRoleId: "18a4783c-866b-4cc7-a460-3d5e5662c884" }] } }, { skip: APP_REGISTRATIONS_ONLY });
    expect(only(granted, "app-registrations")).toEqual(["passed: may register applications in Entra: the service principal has Application.ReadWrite.OwnedBy"]);
    const bare = await run({ ...principal, [graphCall("servicePrincipals/sp-object-id/appRoleAssignments")]: { value: [] } }, { skip: APP_REGISTRATIONS_ONLY });
    expect(only(bare, "app-registrations")[0]).toMatch(/^failed: .*neither Application\.ReadWrite\.All nor Application\.ReadWrite\.OwnedBy/);
  });

  it("accepts the Pulumi Cloud SaaS for GCC, a project backend for GCC High, and needs the Pulumi CLI otherwise", async () => {
    const saas = { "whoami --json": { user: "admin", url: "https://app.pulumi.com/admin" } };
    const skip = allBut("backend");
    expect(only(await run(goodAz(), { stack: { cloud: "gcc", entraEnvironment: "public" }, pulumi: saas, skip }), "backend")).toEqual(["passed: the Pulumi backend is the Pulumi Cloud SaaS (https://app.pulumi.com/admin), fine for GCC"]);
    expect(only(await run(goodAz(), { stack: { projectBackendUrl: "file:///srv/pulumi-state" }, pulumi: saas, skip }), "backend")).toEqual(["passed: the Pulumi backend is self-managed (file:///srv/pulumi-state)"]);
    expect(only(await run(goodAz(), { pulumi: { "whoami --json": { exit: 255, stderr: "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions" } }, skip }), "backend")[0]).toMatch(/^failed: cannot tell the Pulumi backend: pulumi whoami --json failed: error: PULUMI_ACCESS_TOKEN must be set/);
  });

  it("tells an untrusted certificate (a TLS-inspecting proxy) from one for another name", async () => {
    const skip = allBut("tls");
    const untrusted = await run(goodAz(), { http: new HttpClient({ proxy: { httpsProxy: new URL(proxy.url), noProxy: [] } }), skip });
    expect(only(untrusted, "tls")[0]).toMatch(/^failed: Entra sign-in \(GCC High\): login\.microsoftonline\.us presents a certificate this machine does not trust \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
    const plainCertificate = await testCertificate();
    const elsewhere = await StandInCloud.start({ certificate: plainCertificate });
    const wrongNameProxy = await ConnectProxy.start({ host: "127.0.0.1", port: Number(new URL(elsewhere.url).port) });
    try {
      const mismatch = await run(goodAz(), { http: new HttpClient({ proxy: { httpsProxy: new URL(wrongNameProxy.url), noProxy: [] }, extraCa: plainCertificate.cert }), skip });
      expect(only(mismatch, "tls")[0]).toBe("failed: Entra sign-in (GCC High): login.microsoftonline.us presents a certificate for another name");
    } finally {
      await wrongNameProxy.close();
      await elsewhere.close(); // the run's shared certificate stays: the run's temporary folder goes at its end
    }
  });

  it("resolves a host NO_PROXY exempts itself, and reaches the others through the proxy", async () => {
    const resolved: string[] = [];
    const resolve = async (host: string) => {
      resolved.push(host);
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    };
    const checks = await run(goodAz(), { noProxy: ["mcr.microsoft.com"], resolve, skip: ["providers", "api-versions", "container-apps-jobs", "role-assignments", "app-registrations"] });
    expect(resolved).toEqual(["mcr.microsoft.com"]);
    expect(only(checks, "tls")).toEqual([
      "passed: Entra sign-in (GCC High): login.microsoftonline.us answers over TLS through HTTPS_PROXY",
      "passed: HR connector ingestion: webhook-itarl4.ingestion.office365.us answers over TLS through HTTPS_PROXY",
      "passed: Azure Resource Manager: management.usgovcloudapi.net answers over TLS through HTTPS_PROXY",
      "failed: base image registry: mcr.microsoft.com does not resolve",
      `passed: stack's registry: ${REGISTRY} answers over TLS through HTTPS_PROXY`,
    ]);
  });

  describe("private-network", () => {
    const PRIVATE = { network: "private" as const };
    /** Only the login and this check run: every other one is skipped. */
    const ALL_BUT_PRIVATE_NETWORK = allBut("cli-login", "private-network");
    const resolvesTo = (...addresses: string[]) => async (host: string) => (host === REGISTRY ? addresses : Promise.reject(new Error(`unexpected lookup of ${host}`)));
    const checkOf = async (az: Record<string, unknown>, options: RunOptions = {}) => {
      const { checks, azCalls } = await runLogged(az, { skip: ALL_BUT_PRIVATE_NETWORK, ...options, stack: { ...PRIVATE, ...options.stack } });
      return { lines: checks.filter((line) => line.id === "private-network").map(({ status, title, fix }) => ({ status, title, fix })), azCalls };
    };
    const RUN_FROM_INSIDE = `run pulumi up (and preflight) from a host in the virtual network hr-connector-vnet9c0d (resource group ${RESOURCE_GROUP}) or a network peered with it whose DNS answers from the privatelink.azurecr.us zone (README "Private networking")`;
    const withVnet = () => ({ ...goodAz(), [VNET_LIST]: [{ addressSpace: { addressPrefixes: ["10.42.0.0/24"] }, location: "usgovvirginia", name: "hr-connector-vnet9c0d", resourceGroup: RESOURCE_GROUP, type: "Microsoft.Network/virtualNetworks" }] });

    it("passes a public stack, or a private one with a prebuilt image, without looking for the registry", async () => {
      const publicStack = await checkOf(goodAz(), { stack: { network: "public" } });
      expect(publicStack.lines).toEqual([{ status: "passed", title: "network: public: the registry, Key Vault and Storage accept public traffic, so pulumi up may run from this machine" }]);
      const prebuilt = await checkOf(goodAz(), { stack: { image: `${REGISTRY}/hr-upload@sha256:${"a".repeat(64)}` } });
      expect(prebuilt.lines).toEqual([{ status: "passed", title: expect.stringMatching(/^network: private with a prebuilt image: the stack pushes no image, so pulumi up may run from any machine/) }]);
      for (const { azCalls } of [publicStack, prebuilt]) expect(azCalls.filter((call) => /^(group|acr|network) /.test(call))).toEqual([]);
    });

    it("passes before the first pass has made the registry, saying where the pass that pushes the image must run", async () => {
      const noGroup = await checkOf({ ...goodAz(), [GROUP_LIST]: [] });
      const emptyGroup = await checkOf({ ...goodAz(), [ACR_LIST]: [] });
      for (const { lines } of [noGroup, emptyGroup]) {
        expect(lines).toEqual([
          {
            status: "passed",
            title:
              "network: private: the stack's registry does not exist yet, so the first pass may run from any machine; the pass that pushes the image " +
              "(pulumi up with a connectorJobId) must run inside the stack's network or a peered one: run preflight there before it",
          },
        ]);
      }
      expect(noGroup.azCalls).toContain(GROUP_LIST);
      expect(noGroup.azCalls).not.toContain(ACR_LIST);
      expect(emptyGroup.azCalls).toContain(ACR_LIST);
    });

    it("passes when the registry resolves to a private address here (its endpoint, in the stack's range or another private one)", async () => {
      for (const address of ["10.42.0.132", "172.20.1.4"]) {
        const { lines } = await checkOf(goodAz(), { resolve: resolvesTo(address), noProxy: [REGISTRY] });
        expect(lines).toEqual([{ status: "passed", title: `network: private: the stack's registry ${REGISTRY} resolves to ${address}, a private address: this machine may push the image` }]);
      }
      // A network given a range outside the private ones: its own range is the endpoint's.
      const ownRange = await checkOf(goodAz(), { stack: { vnetAddressSpace: "20.42.0.0/24" }, resolve: resolvesTo("20.42.0.132"), noProxy: [REGISTRY] });
      expect(ownRange.lines[0]?.status).toBe("passed");
    });

    it("fails when the registry resolves to a public address, or not at all, naming the network to run from", async () => {
      const outside = await checkOf(withVnet(), { resolve: resolvesTo("20.140.12.7"), noProxy: [REGISTRY] });
      expect(outside.lines).toEqual([
        {
          status: "failed",
          title: `network: private: the stack's registry ${REGISTRY} resolves to 20.140.12.7 here, not to a private endpoint: its public access is off, so the image push would be refused`,
          fix: RUN_FROM_INSIDE,
        },
      ]);
      // One private address beside a public one is not enough: the push may take either.
      const mixed = await checkOf(withVnet(), { resolve: resolvesTo("10.42.0.132", "20.140.12.7"), noProxy: [REGISTRY] });
      expect(mixed.lines[0]).toMatchObject({ status: "failed", fix: RUN_FROM_INSIDE });
      const unresolved = await checkOf(withVnet(), { resolve: async () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" })), noProxy: [REGISTRY] });
      expect(unresolved.lines).toEqual([{ status: "failed", title: `network: private: the stack's registry ${REGISTRY} does not resolve on this machine`, fix: RUN_FROM_INSIDE }]);
    });

    it("reads the system resolver when none is injected (a loopback name is no private endpoint)", async () => {
      const loopback = { ...withVnet(), [ACR_LIST]: [{ name: "local", loginServer: "localhost", resourceGroup: RESOURCE_GROUP }] };
      const { lines } = await checkOf(loopback, { noProxy: ["localhost"] });
      expect(lines).toEqual([{ status: "failed", title: expect.stringMatching(/^network: private: the stack's registry localhost resolves to .*127\.0\.0\.1.* here, not to a private endpoint/), fix: RUN_FROM_INSIDE }]);
    });

    it("fails when HTTPS_PROXY would carry the push past the private endpoint", async () => {
      const { lines } = await checkOf(goodAz(), { resolve: resolvesTo("10.42.0.132") });
      expect(lines).toEqual([
        { status: "failed", title: `network: private: the stack's registry ${REGISTRY} resolves to 10.42.0.132 (private), but HTTPS_PROXY would carry the image push to it`, fix: `add ${REGISTRY} to NO_PROXY, so the push goes straight to the private endpoint` },
      ]);
    });

    it("needs the Azure CLI login to look, and says so when the lookup fails", async () => {
      const signedOut = await checkOf({ ...goodAz(), "account show --output json": { exit: 1, stderr: "ERROR: Please run 'az login' to setup account." } });
      expect(signedOut.lines).toEqual([{ status: "failed", title: "where the image push of network: private may run from: not checked without an Azure CLI login", fix: "az login, then run preflight again" }]);
      const refused = await checkOf({ ...goodAz(), [GROUP_LIST]: { exit: 1, stderr: "ERROR: AuthorizationFailed" } });
      expect(refused.lines).toEqual([{ status: "failed", title: expect.stringMatching(/^network: private: cannot look for the stack's registry: az group list .*failed: ERROR: AuthorizationFailed$/), fix: "az login with the account that will run pulumi up, then run preflight again" }]);
    });
  });

  it("checks TLS to the stack's registry once it exists, says why not before, and leaves it to a prebuilt image's line", async () => {
    const tlsOnly = allBut("tls");
    const registryLines = (checks: CheckLine[]) => only(checks, "tls").filter((line) => line.includes("registry"));
    expect(registryLines(await run(goodAz(), { skip: tlsOnly }))).toEqual([`passed: base image registry: mcr.microsoft.com answers over TLS through HTTPS_PROXY`, `passed: stack's registry: ${REGISTRY} answers over TLS through HTTPS_PROXY`]);
    expect(registryLines(await run({ ...goodAz(), [GROUP_LIST]: [] }, { skip: tlsOnly }))).toEqual([
      `passed: base image registry: mcr.microsoft.com answers over TLS through HTTPS_PROXY`,
      "skipped: stack's registry: not created yet (the first pass creates it; run preflight again before the pass that pushes the image), so TLS to it is not checked",
    ]);
    const prebuilt = await runLogged(goodAz(), { skip: tlsOnly, stack: { image: `mcr.microsoft.com/hr-upload@sha256:${"a".repeat(64)}` } });
    expect(registryLines(prebuilt.checks)).toEqual([`passed: base image registry: mcr.microsoft.com answers over TLS through HTTPS_PROXY`, `passed: prebuilt image registry: mcr.microsoft.com answers over TLS through HTTPS_PROXY`]);
    expect(prebuilt.azCalls.filter((call) => call.startsWith("group "))).toEqual([]);
  });

  it("runs az through cmd.exe's path on Windows (one quoted command string), refusing what cmd.exe would interpret", async () => {
    const checks = await run(goodAz(), { platform: "win32", skip: allBut("cli-cloud", "cli-login", "role-assignments") });
    expect(only(checks, "cli-cloud")).toEqual(["passed: Azure CLI cloud is AzureUSGovernment, as the stack's azure-native:environment (usgovernment) needs"]);
    expect(only(checks, "role-assignments")[0]).toMatch(/^passed: /);
    const runner = new ToolRunner({ platform: "win32", env: { PATH: process.env.PATH } });
    await expect(runner.run("az", ["account", "show", "--subscription", "x & calc.exe"])).rejects.toThrow('refusing to pass "x & calc.exe" through cmd.exe');
  });

  it("fails a type offered at its version but not in the region, with the region to change, and one not offered to the subscription, with the SDK to pin", async () => {
    const environments = types.types.find((type) => type.resourceType === "managedEnvironments");
    const actionGroups = types.types.find((type) => type.resourceType === "actionGroups");
    if (environments === undefined || actionGroups === undefined) throw new Error("the stack creates managed environments and action groups");
    const answers = providerAnswers((type) => (type === environments ? { ...offeredEverywhere(type), locations: ["USGov Arizona", "USGov Texas"] } : offeredEverywhere(type)));
    const insights = answers["provider show --namespace Microsoft.Insights --output json"] as { resourceTypes: { resourceType: string }[] };
    insights.resourceTypes = insights.resourceTypes.filter((entry) => entry.resourceType !== "actionGroups");
    const checks = await run({ ...goodAz(), ...answers }, { skip: ["role-assignments", "app-registrations", "backend", "tls"] });
    const failed = checks.filter((line) => line.id === "api-versions" && line.status === "failed").map(({ title, fix }) => ({ title, fix }));
    expect(failed).toEqual([
      {
        title: `Microsoft.App/managedEnvironments is not offered in usgovvirginia; the installed @pulumi/azure-native uses ${environments.apiVersion}`,
        fix: `pulumi config set azure-native:location <a region that lists it> (az provider show --namespace Microsoft.App --query "resourceTypes[?resourceType=='managedEnvironments'].locations")`,
      },
      {
        title: `Microsoft.Insights/actionGroups is not offered to this subscription; the installed @pulumi/azure-native uses ${actionGroups.apiVersion}`,
        fix: "pin an @pulumi/azure-native release whose azure-native:monitor:ActionGroup uses an offered version, or ask Microsoft (az provider show --namespace Microsoft.Insights)",
      },
    ]);
    // The rest of the types still pass, and so do Container Apps jobs: the region lists them.
    expect(checks.filter((line) => line.id === "api-versions" && line.status === "passed")).toHaveLength(types.types.length - 2);
    expect(only(checks, "container-apps-jobs")).toEqual(["passed: Container Apps jobs are offered in usgovvirginia"]);
  });

  describe("defender-plans", () => {
    const ALL_BUT_DEFENDER = allBut("cli-login", "defender-plans");

    it("fails a plan that is off, with the owner's command and the way to record the risk, and one it cannot read, with the role to ask for", async () => {
      const answers = { ...goodAz(), ...pricing("Containers", "Free"), [pricingCall("StorageAccounts")]: { exit: 1, stderr: "ERROR: AuthorizationFailed" } };
      const checks = (await run(answers, { skip: ALL_BUT_DEFENDER })).filter((line) => line.id === "defender-plans");
      expect(checks.map(({ status, title, fix }) => ({ status, title, fix }))).toEqual([
        { status: "passed", title: `Defender for Resource Manager (Arm) is on in subscription ${SUBSCRIPTION} (built-in c3d20c29)`, fix: undefined },
        {
          status: "failed",
          title: `Defender for Containers (Containers) is Free in subscription ${SUBSCRIPTION}, not Standard, as built-in 1c988dd6 of the Azure Government initiatives asks`,
          fix: "the subscription owner turns it on (az security pricing create --name Containers --tier Standard; billed for every workload in the subscription), or the ISSO records the risk and you run preflight with --skip defender-plans",
        },
        {
          status: "failed",
          title: expect.stringMatching(/^cannot read Defender for Storage \(StorageAccounts\): az security pricing .*failed: ERROR: AuthorizationFailed$/),
          fix: "az login with an account that may read the subscription (Reader or Security Reader), then run preflight again",
        },
      ]);
    });

    it("needs the Azure CLI login, and makes no call when skipped", async () => {
      const signedOut = await run({ ...goodAz(), "account show --output json": { exit: 1, stderr: "ERROR: Please run 'az login' to setup account." } }, { skip: ALL_BUT_DEFENDER });
      expect(only(signedOut, "defender-plans")).toEqual(["failed: Microsoft Defender plans Arm, Containers, StorageAccounts: not checked without an Azure CLI login"]);
      const skipped = await runLogged(goodAz(), { skip: [...ALL_BUT_DEFENDER, "defender-plans"] });
      expect(skipped.azCalls.filter((call) => call.startsWith("security "))).toEqual([]);
    });
  });

  it("fails, rather than skips, a resource type it cannot map to Azure", () => {
    const mapped = resourceTypesOf([{ type: "azure-native:app:Job", id: "job-id", custom: true }]);
    expect(mapped).toEqual({ types: [], unmapped: ["azure-native:app:Job"] });
    expect(types.unmapped).toEqual([]);
  });

  /** Against the real Distribution registry over TLS, standing in for MCR: open, so pulls are anonymous. */
  describe("image-base", () => {
    const ALL_BUT_IMAGE_BASE = allBut("image-base");
    const LOOPBACK = ["127.0.0.1", "localhost"];
    let registry: DistributionRegistry;
    /** A registry that sends blob downloads to `layerHost`, as MCR sends them to a regional data host. */
    let redirecting: DistributionRegistry;
    let layerHost: LayerHost;
    let layerCertificate: LoopbackCertificate;
    let http: HttpClient;
    const clientOf = (host: string) => new RegistryClient(host, http, anonymousTokens(http), "pull,push");

    beforeAll(async () => {
      layerCertificate = await makeLoopbackCertificate([], "hr-test layer host");
      layerHost = await LayerHost.start(layerCertificate, () => redirecting.storageRoot);
      [registry, redirecting] = await Promise.all([DistributionRegistry.start({ certificate }), DistributionRegistry.start({ certificate, redirectBlobsTo: layerHost.origin })]);
      http = new HttpClient({ proxy: { noProxy: [] }, extraCa: certificate.cert });
    });
    afterAll(async () => {
      await http?.close();
      await Promise.all([registry?.close(), redirecting?.close(), layerHost?.close()]);
      rmSync(dirname(layerCertificate.certFile), { recursive: true, force: true });
    });

    /** The image-base lines for a stack with this base, every other check skipped (no az call); straight to loopback unless `options` says otherwise. */
    const checkOf = async (imageBase: string, options: RunOptions = {}) => {
      const { checks, azCalls } = await runLogged({}, { noProxy: LOOPBACK, skip: ALL_BUT_IMAGE_BASE, ...options, stack: { imageBase, ...options.stack } });
      expect(azCalls).toEqual([]);
      return checks.filter((line) => line.id === "image-base").map(({ status, title, fix }) => (fix === undefined ? { status, title } : { status, title, fix }));
    };

    it("passes a base still at its pinned digest, naming tag, digest and linux/amd64, read through HTTPS_PROXY", async () => {
      const base = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/current" });
      const agencyProxy = await ConnectProxy.start();
      try {
        const lines = await checkOf(base.reference, { http: new HttpClient({ proxy: { httpsProxy: new URL(agencyProxy.url), noProxy: [] }, extraCa: certificate.cert }), noProxy: [] });
        expect(lines).toEqual([
          { status: "passed", title: `base image ${registry.host}/hr-test/current:24-nonroot is still at the pinned ${base.indexDigest}, with a linux/amd64 image` },
          { status: "passed", title: `base image layers: ${registry.host} serves them itself (no redirect to another host)` },
        ]);
        expect(new Set(agencyProxy.tunnels)).toEqual(new Set([registry.host]));
      } finally {
        await agencyProxy.close();
      }
    });

    it("passes a pin its tag has moved away from, naming the newer digest to refresh to", async () => {
      const pinned = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/moved" });
      const newer = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/moved", build: 2 });
      expect(newer.indexDigest).not.toBe(pinned.indexDigest);
      const name = `${registry.host}/hr-test/moved:24-nonroot`;
      expect(await checkOf(pinned.reference)).toEqual([
        {
          status: "passed",
          title:
            `base image ${name}: the pinned ${pinned.indexDigest} exists, with a linux/amd64 image, but the tag has moved on to ${newer.indexDigest}: ` +
            `refresh the pin for its latest fixes (pulumi config set imageBase ${name}@${newer.indexDigest}; README "Refreshing the base image digest")`,
        },
        { status: "passed", title: `base image layers: ${registry.host} serves them itself (no redirect to another host)` },
      ]);
    });

    it("fails a pin that no longer exists, naming the tag's current digest and the imageBase to set", async () => {
      const pinned = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/gone" });
      const current = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/gone", build: 3 });
      await deleteManifest(http, registry.host, "hr-test/gone", pinned.indexDigest);
      const name = `${registry.host}/hr-test/gone:24-nonroot`;
      const lines = await checkOf(pinned.reference);
      expect(lines).toEqual([
        {
          status: "failed",
          title: `base image ${name}: the pinned digest ${pinned.indexDigest} no longer exists in ${registry.host}; the tag 24-nonroot is now ${current.indexDigest}, with a linux/amd64 image`,
          fix: `pulumi config set imageBase ${name}@${current.indexDigest} (README "Refreshing the base image digest")`,
        },
        { status: "passed", title: `base image layers: ${registry.host} serves them itself (no redirect to another host)` },
      ]);
      // What the fix names passes.
      expect((await checkOf(current.reference))[0]?.status).toBe("passed");
    });

    it("fails a base without linux/amd64: an index that lacks it, or a single image of another platform", async () => {
      const armOnly = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/arm", tag: "24-arm64", architectures: ["arm64"] });
      expect(await checkOf(armOnly.reference)).toEqual([
        {
          status: "failed",
          title: `base image ${registry.host}/hr-test/arm:24-arm64@${armOnly.indexDigest}: the base image has no linux/amd64 variant (it offers linux/arm64); Container Apps runs linux/amd64`,
          fix: `pin a digest whose image has linux/amd64 (README "Refreshing the base image digest")`,
        },
      ]);
      // The arm64 image of a multi-platform base, pinned on its own: only its config says its platform.
      const both = await pushSyntheticBase(clientOf(registry.host), registry.host, { repository: "hr-test/single" });
      const name = `${registry.host}/hr-test/single:24-nonroot`;
      expect(await checkOf(`${name}@${both.manifests.arm64}`)).toEqual([
        {
          status: "failed",
          title: `base image ${name}@${both.manifests.arm64}: the base image is linux/arm64, not linux/amd64; Container Apps runs linux/amd64`,
          fix: `pulumi config set imageBase ${name}@${both.indexDigest} (the tag's image has linux/amd64)`,
        },
        { status: "passed", title: `base image layers: ${registry.host} serves them itself (no redirect to another host)` },
      ]);
    });

    it("fails when the registry cannot be reached or its name does not resolve, with the tls check's fixes", async () => {
      const closed = `127.0.0.1:${await freePort()}`;
      expect(await checkOf(`${closed}/azurelinux/distroless/nodejs:24-nonroot@sha256:${"1".repeat(64)}`)).toEqual([
        { status: "failed", title: `base image ${closed}/azurelinux/distroless/nodejs:24-nonroot@sha256:${"1".repeat(64)}: ${closed} cannot be reached (ECONNREFUSED)`, fix: "a firewall? set HTTPS_PROXY to the agency proxy" },
      ]);
      const unknown = `registry.invalid/azurelinux/distroless/nodejs:24-nonroot@sha256:${"1".repeat(64)}`;
      expect(await checkOf(unknown, { noProxy: ["registry.invalid"] })).toEqual([{ status: "failed", title: `base image ${unknown}: registry.invalid does not resolve`, fix: "check DNS, or set HTTPS_PROXY to the agency proxy" }]);
    });

    it("finds the host that serves the layers from a real redirect, and fails when this machine does not trust it", async () => {
      const base = await pushSyntheticBase(clientOf(redirecting.host), redirecting.host, { repository: "hr-test/redirected" });
      const layers = new URL(layerHost.origin).host;
      const pinLine = { status: "passed", title: `base image ${redirecting.host}/hr-test/redirected:24-nonroot is still at the pinned ${base.indexDigest}, with a linux/amd64 image` };
      const trustingLayerHost = () => new HttpClient({ proxy: { noProxy: [] }, extraCa: `${certificate.cert}\n${layerCertificate.cert}` });
      // The redirect is real: a download that follows it gets the layer's bytes from the layer host.
      const downloads = trustingLayerHost();
      try {
        const layer = base.amd64Layers[0] ?? "";
        expect(sha256Digest(await readWhole(new RegistryClient(redirecting.host, downloads, anonymousTokens(downloads), "pull"), "hr-test/redirected", layer))).toBe(layer);
        expect(layerHost.requests).toEqual([`GET /docker/registry/v2/blobs/sha256/${layer.slice(7, 9)}/${layer.slice(7)}/data`]);
      } finally {
        await downloads.close();
      }
      const seen = layerHost.requests.length;
      expect(await checkOf(base.reference, { http: trustingLayerHost() })).toEqual([pinLine, { status: "passed", title: `base image layers: ${redirecting.host} sends their downloads to ${layers}, which answers over TLS` }]);
      expect(layerHost.requests.slice(seen)).toEqual(["HEAD /"]); // the check's TLS handshake; it follows no redirect
      expect(await checkOf(base.reference)).toEqual([
        pinLine,
        {
          status: "failed",
          title: `base image layers: ${redirecting.host} sends their downloads to ${layers}, which presents a certificate this machine does not trust (DEPTH_ZERO_SELF_SIGNED_CERT)`,
          fix: "a TLS-inspecting proxy? set NODE_EXTRA_CA_CERTS to its root CA (a PEM file) before running",
        },
      ]);
    });

    it("passes without contacting any registry when a prebuilt image is set", async () => {
      const closed = `127.0.0.1:${await freePort()}`;
      const image = `${REGISTRY}/hr-upload@sha256:${"a".repeat(64)}`;
      expect(await checkOf(`${closed}/azurelinux/distroless/nodejs:24-nonroot@sha256:${"1".repeat(64)}`, { stack: { image } })).toEqual([
        { status: "passed", title: `a prebuilt image is set (${image}): the stack assembles none, so the base image is not used` },
      ]);
    });
  });
});

/** A blob's bytes, downloaded as the image push downloads it (following the registry's redirect). */
async function readWhole(client: RegistryClient, repository: string, digest: string): Promise<Buffer> {
  const { stream } = await client.openBlob(repository, digest);
  return Buffer.concat((await stream.toArray()) as Buffer[]);
}
