/** Every alert query the stack deploys, parsed and bound by Microsoft's Kusto language service (./kusto.ts). */
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, TYPE, ofType, runGov } from "./harness";
import { kqlErrorsOf as errorsOf } from "./kusto";

const queriesOf = (run: OfflineRun): [string, string][] =>
  ofType(run, TYPE.queryRule).flatMap((rule) => (rule.inputs.criteria.allOf as { query: string }[]).map((condition): [string, string] => [rule.name, condition.query]));

describe("the checker", () => {
  it("reports a column the table does not have, and a table the workspace does not have", () => {
    expect(errorsOf("ContainerAppConsoleLogs | where Log_s == 'x'")).toEqual([expect.stringMatching(/^KS142 .*'Log_s'/)]);
    expect(errorsOf("ContainerAppConsoleLogs_CL | take 1")).toEqual([expect.stringMatching(/^KS204 .*'ContainerAppConsoleLogs_CL'/)]);
  });
});

describe.each([
  ["one connector", { connectorJobId: CONNECTOR_JOB_ID, alertEmail: "ops@agency.gov" }, 5],
  ["two connectors", { connectors: JSON.stringify([{ name: "resignations", connectorJobId: CONNECTOR_JOB_ID }, { name: "reviews", connectorJobId: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", scenario: "performance-review" }]) }, 6],
  ["a private network", { connectorJobId: CONNECTOR_JOB_ID, network: "private" }, 5],
])("every alert query of a stack with %s", (_shape, overrides, ruleCount) => {
  let queries: [string, string][];
  beforeAll(async () => {
    queries = queriesOf(await runGov(overrides));
  });

  it("is valid KQL against the console-log table's schema", () => {
    expect(queries).toHaveLength(ruleCount);
    for (const [ruleName, query] of queries) expect({ ruleName, errors: errorsOf(query) }).toEqual({ ruleName, errors: [] });
  });

  it("reads the uploader's JSON line from column Log of ContainerAppConsoleLogs", () => {
    for (const [, query] of queries) {
      expect(query).toMatch(/, ContainerAppConsoleLogs\n\| extend entry = parse_json\(Log\)\n/);
      expect(query).not.toMatch(/_CL\b|Log_s/);
    }
  });
});
