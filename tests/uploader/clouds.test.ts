import { CLOUD_NAMES, CLOUD_PROFILES, signalsUrl, tokenScope } from "../../uploader/src/core/clouds";

describe("cloud profiles (hr-connector-service.md §2)", () => {
  const RESOURCE = "https://microsoft.onmicrosoft.com/86dfdabb-5089-4a0c-880a-cfa5a790c5b1";

  it.each([
    ["commercial", "https://login.microsoftonline.com", "https://webhook.ingestion.office.com"],
    ["gcc", "https://login.microsoftonline.com", "https://webhook-gcc.ingestion.office365.us"],
    ["gcch", "https://login.microsoftonline.us", "https://webhook-itarl4.ingestion.office365.us"],
    ["dod", "https://login.microsoftonline.us", "https://webhook-itarl5.ingestion.apps.mil"],
  ] as const)("%s signs in at %s and uploads to %s", (cloud, authority, ingestion) => {
    expect(CLOUD_PROFILES[cloud]).toMatchObject({ authorityHost: authority, ingestionBaseUrl: ingestion, tokenResource: RESOURCE });
  });

  it("covers exactly the four Purview clouds", () => {
    expect([...CLOUD_NAMES].sort()).toEqual(Object.keys(CLOUD_PROFILES).sort());
  });

  it("never doubles the slash before /api/signals (the GCC script's bug) and sends jobid in lower case", () => {
    expect(signalsUrl("https://webhook-gcc.ingestion.office365.us/", "e081f4f4-3831-48d6-7bb3-fcfab1581458")).toBe(
      "https://webhook-gcc.ingestion.office365.us/api/signals?jobid=e081f4f4-3831-48d6-7bb3-fcfab1581458",
    );
  });

  it("asks for <resource>/.default", () => {
    expect(tokenScope(`${RESOURCE}/`)).toBe(`${RESOURCE}/.default`);
  });
});
