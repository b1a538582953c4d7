/**
 * The stack passes its own policy pack in every shape: no mandatory policy finds
 * anything, and the advisory ones report exactly the public network access that
 * `network: public` leaves on (and nothing with `network: private`).
 */
import { OFFLINE_IDS } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, runGov } from "../infra/harness";
import { POLICIES, evaluate } from "./harness";

const SHAPES = {
  "a single connector": { connectorJobId: CONNECTOR_JOB_ID, alertEmail: "ops@agency.gov" },
  "several connectors": {
    connectors: JSON.stringify([
      { name: "resignations", connectorJobId: CONNECTOR_JOB_ID },
      { name: "reviews", connectorJobId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", scenarios: ["job-level-change", "performance-review"] },
    ]),
  },
  "a private network": { connectorJobId: CONNECTOR_JOB_ID, network: "private" },
  "a prebuilt image": { connectorJobId: CONNECTOR_JOB_ID, image: "example.azurecr.us/hr-upload:1.0.0" },
  "the first pass (no job yet)": {},
  "a federated credential (no secret, no vault)": { connectorJobId: CONNECTOR_JOB_ID, credential: "federated", secretRotation: undefined, "azuread:tenantId": OFFLINE_IDS.azureTenantId },
};

/** What network: public leaves to the agency, one finding each. */
const PUBLIC_NETWORK_FINDINGS = [
  ["keyvault-public-network-access", "azure-native:keyvault:Vault"],
  ["storage-public-network-access", "azure-native:storage:StorageAccount"],
  ["storage-virtual-network-rules", "azure-native:storage:StorageAccount"],
  ["registry-public-network-access", "azure-native:containerregistry:Registry"],
  ["container-apps-environment-internal", "azure-native:app:ManagedEnvironment"],
].sort();

const applied = new Set<string>();

describe.each(Object.entries(SHAPES))("a stack with %s", (shape, overrides) => {
  let run: OfflineRun;
  let evaluation: Awaited<ReturnType<typeof evaluate>>;
  beforeAll(async () => {
    run = await runGov(overrides);
    evaluation = await evaluate(run.resources);
    for (const name of evaluation.applied) applied.add(name);
  });

  it("violates no mandatory policy", () => {
    expect(evaluation.violations.filter((violation) => violation.enforcementLevel === "mandatory")).toEqual([]);
  });

  it(shape === "a private network" ? "gets no advisory finding" : "gets the advisory findings of public network access only, one per resource", () => {
    const advisory = evaluation.violations.filter((violation) => violation.enforcementLevel === "advisory");
    const typeOf = (urn: string | undefined) => run.resources.find((resource) => resource.urn === urn)?.type;
    const expected = shape === "a private network" ? [] : PUBLIC_NETWORK_FINDINGS.filter(([, type]) => !(overrides as { credential?: string }).credential || type !== "azure-native:keyvault:Vault");
    expect(advisory.map((violation) => [violation.policy, typeOf(violation.urn)]).sort()).toEqual(expected);
  });
});

it("has every policy of the pack check something in at least one shape", () => {
  expect([...applied].sort()).toEqual(POLICIES.map(({ policy }) => policy.name).sort());
});
