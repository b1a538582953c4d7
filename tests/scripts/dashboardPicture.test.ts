import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { queryItems } from "../../infra/dashboardDefinition";
import { DASHBOARD_PICTURE_PATH, SAMPLE_DASHBOARD, dashboardPicture } from "../../scripts/lib/dashboardPicture";

describe("the dashboard's picture (README)", () => {
  it("is what the workbook definition draws: run npm run dashboard-picture after changing the workbook", () => {
    expect(readFileSync(resolve(__dirname, "../..", DASHBOARD_PICTURE_PATH), "utf8")).toBe(dashboardPicture());
  });

  it("shows every step of the workbook by its title, and the stack's schedule and credential", () => {
    const picture = dashboardPicture();
    for (const step of queryItems(SAMPLE_DASHBOARD)) expect(picture).toContain(`>${step.content.title}<`);
    expect(picture).toContain("Schedule: 0 6 * * * UTC");
    expect(picture).toContain("Credential: client secret, expires 2027-04-30");
  });
});
