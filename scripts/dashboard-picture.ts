/**
 * Draws the dashboard's layout (infra/dashboardDefinition.ts) as infra/dashboard.svg, the picture in the README.
 * Run it after changing the workbook: a test fails while the picture and the definition differ.
 *
 *   npm run dashboard-picture
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DASHBOARD_PICTURE_PATH, dashboardPicture } from "./lib/dashboardPicture";

const target = resolve(__dirname, "..", DASHBOARD_PICTURE_PATH);
writeFileSync(target, dashboardPicture());
console.log(`wrote ${DASHBOARD_PICTURE_PATH}`);
