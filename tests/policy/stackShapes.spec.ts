/**
 * The stack passes its own policy pack in every shape: no mandatory policy finds
 * anything, and the advisory ones report exactly the public network access that
 * `network: public` leaves on (and nothing with `network: private`).
 */
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, STACK_SHAPES, runGov } from "../infra/harness";
import { POLICIES, evaluate } from "./harness";

const SHAPES: Record<string, Record<string, string | undefined>> = {
  ...STACK_SHAPES,
  "one connector": { connectorJobId: CONNECTOR_JOB_ID, alertEmail: "ops@agency.gov" },
  "the first pass (no job yet)": {},
};

/** What network: public leaves to the agency, one finding each. */
/** One per resource: the storage rows twice, for the CSV's account and the kept copies'. */
const PUBLIC_NETWORK_FINDINGS = [
  ["keyvault-public-network-access", "azure-native:keyvault:Vault"],
  ...[1, 2].flatMap(() => [
    ["storage-public-network-access", "azure-native:storage:StorageAccount"],
    ["storage-virtual-network-rules", "azure-native:storage:StorageAccount"],
  ]),
  ["registry-public-network-access", "azure-native:containerregistry:Registry"],
  ["container-apps-environment-internal", "azure-native:app:ManagedEnvironment"],
  ["log-analytics-public-network-access", "azure-native:operationalinsights:Workspace"],
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
    const expected = shape === "a private network" ? [] : PUBLIC_NETWORK_FINDINGS;
    expect(advisory.map((violation) => [violation.policy, typeOf(violation.urn)]).sort()).toEqual(expected);
  });
});

it("has every policy of the pack check something in at least one shape", () => {
  expect([...applied].sort()).toEqual(POLICIES.map(({ policy }) => policy.name).sort());
});
