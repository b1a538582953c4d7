/**
 * Rotating the client secret (a new secretRotation date) changes only what a
 * rotation must change. The mocks make each rotation key yield a new password
 * and each secret value a new Key Vault version, as Entra and Key Vault do.
 */
import type { RecordedResource } from "../../infra/offline/mocks";
import type { OfflineRun } from "../../infra/offline/run";
import { CONNECTOR_JOB_ID, TYPE, only, runGov, type Json } from "./harness";

/** Dotted paths of the leaves that differ between two JSON values. */
function changedPaths(before: unknown, after: unknown, path = ""): string[] {
  if (before !== null && after !== null && typeof before === "object" && typeof after === "object") {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) =>
      changedPaths((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`),
    );
  }
  return Object.is(before, after) ? [] : [path];
}

const byKey = (run: OfflineRun) => new Map(run.resources.map((resource): [string, RecordedResource] => [`${resource.type}::${resource.name}`, resource]));

let before: OfflineRun;
let after: OfflineRun;
beforeAll(async () => {
  before = await runGov({ connectorJobId: CONNECTOR_JOB_ID, alertEmail: "ops@agency.gov", secretRotation: "2026-11-01" });
  after = await runGov({ connectorJobId: CONNECTOR_JOB_ID, alertEmail: "ops@agency.gov", secretRotation: "2027-05-01" });
});

it("keeps the same resources", () => {
  expect([...byKey(after).keys()].sort()).toEqual([...byKey(before).keys()].sort());
});

it("changes the password's rotation key and end date, the Key Vault secret's value and expiry, the job's secret version and HR_SECRET_EXPIRES_ON, the expiry the dashboard shows, and nothing else", () => {
  const afterByKey = byKey(after);
  const changes = Object.fromEntries(
    [...byKey(before)].map(([key, resource]) => [key, changedPaths(resource.inputs, afterByKey.get(key)?.inputs)] as const).filter(([, paths]) => paths.length > 0),
  );
  const expiryIndex = only(before, TYPE.job).inputs.template.containers[0].env.findIndex((variable: Json) => variable.name === "HR_SECRET_EXPIRES_ON");
  expect(changes).toEqual({
    "azuread:index/applicationPassword:ApplicationPassword::hr-connector": ["endDate", "rotateWhenChanged.secretRotation"],
    "azure-native:keyvault:Secret::hr-app-secret": ["properties.attributes.expires", "properties.value"],
    "azure-native:app:Job::hr-upload": ["configuration.secrets.0.keyVaultUrl", `template.containers.0.env.${expiryIndex}.value`],
    "azure-native:applicationinsights:Workbook::hr-connector": ["serializedData"],
  });
});

it("carries the new dates and the new secret version", () => {
  expect(only(after, TYPE.password).inputs).toMatchObject({ rotateWhenChanged: { secretRotation: "2027-05-01" }, endDate: "2027-10-28T00:00:00Z" });
  expect(after.outputs.secretExpiresOn).toBe("2027-10-28");
  expect(only(after, TYPE.job).inputs.configuration.secrets[0].keyVaultUrl).toBe(only(after, TYPE.secret).state.properties.value.secretUriWithVersion);
  expect(only(after, TYPE.secret).inputs.properties).toEqual({ value: only(after, TYPE.password).state.value, attributes: { expires: Date.parse("2027-10-28T00:00:00Z") / 1000 } });
  expect(only(after, TYPE.workbook).inputs.serializedData).toContain("| Credential | client secret, expires 2027-10-28 |");
});
