/** Every `cloud` value yields that cloud's endpoints from the uploader's table, and a mismatched Entra cloud is refused. */
import { CLOUD_NAMES, CLOUD_PROFILES } from "../../uploader/src/core/clouds";
import { CONNECTOR_JOB_ID, TYPE, only, runGov } from "./harness";

describe.each(CLOUD_NAMES)("cloud %s", (cloud) => {
  const profile = CLOUD_PROFILES[cloud];

  it("configures the job and documents the endpoints of that cloud only", async () => {
    const run = await runGov({ cloud, "azuread:environment": profile.entraEnvironments[0], connectorJobId: CONNECTOR_JOB_ID });
    expect(only(run, TYPE.job).inputs.template.containers[0].env).toContainEqual({ name: "HR_CLOUD", value: cloud });

    const notes = String(only(run, TYPE.application).inputs.notes);
    const nextSteps = String(run.outputs.nextSteps);
    for (const text of [notes, nextSteps]) {
      expect(text).toContain(profile.authorityHost);
      expect(text).toContain(profile.ingestionBaseUrl);
      for (const other of CLOUD_NAMES.filter((name) => CLOUD_PROFILES[name].ingestionBaseUrl !== profile.ingestionBaseUrl)) {
        expect(text).not.toContain(CLOUD_PROFILES[other].ingestionBaseUrl);
      }
    }
  });
});

describe("an azuread:environment that cannot sign in to the cloud's tenants", () => {
  it("is refused with one clear message", async () => {
    await expect(runGov({ "azuread:environment": "public" })).rejects.toThrow(
      /^Invalid hr-connector stack configuration:\n {2}- azuread:environment "public" cannot sign in to GCC High tenants \(cloud "gcch"\); set it to "usgovernment" or "usgovernmentl4": pulumi config set azuread:environment usgovernment$/,
    );
  });

  it("is refused for DoD with the GCC High environment", async () => {
    await expect(runGov({ cloud: "dod" })).rejects.toThrow(/azuread:environment "usgovernment" cannot sign in to DoD tenants/);
  });
});
