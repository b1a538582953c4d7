/**
 * A picture of the dashboard's layout for the README, drawn from the workbook definition itself (not a screenshot
 * of a tenant): each step as a box in the portal's flow (two half-width steps share a row), with its title and
 * how it shows its rows. A test keeps the committed picture equal to what the definition draws.
 */
import { workbookDefinition, type Visualization, type WorkbookDefinition, type WorkbookItem } from "../../infra/dashboardDefinition";

export const DASHBOARD_PICTURE_PATH = "infra/dashboard.svg";

/** The stack the README shows: Pulumi.gov.yaml's single connector with a client secret. */
export const SAMPLE_DASHBOARD = workbookDefinition({
  title: "HR connector: hr-connector/gov",
  connectors: [{ jobName: "hr-upload" }],
  schedules: ["0 6 * * * UTC"],
  secretExpiresOn: "2027-04-30",
  workspaceId: "/subscriptions/…/workspaces/…",
});

const WIDTH = 960;
const GAP = 12;
const SHOWN_AS: Readonly<Record<Visualization, string>> = { tiles: "tiles, one per connector", barchart: "bar chart", timechart: "time chart", table: "table" };

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

interface Box {
  readonly title: string;
  /** Lines under the title. */
  readonly notes: readonly string[];
  readonly half: boolean;
  readonly height: number;
}

function boxOf(item: WorkbookItem): Box {
  switch (item.type) {
    case 1: {
      const lines = item.content.json.split("\n");
      const rows = lines.filter((line) => line.startsWith("| ") && !line.startsWith("| |")).map((line) => line.split("|").map((cell) => cell.trim()).filter(Boolean).join(": "));
      return { title: (lines[0] ?? "").replace(/^#+\s*/, ""), notes: rows, half: false, height: 36 + 20 * rows.length };
    }
    case 9:
      return { title: "Time range · Connector", notes: ["parameters: every step below follows them"], half: false, height: 56 };
    case 3:
      return { title: item.content.title, notes: [SHOWN_AS[item.content.visualization]], half: item.customWidth === "50", height: item.content.visualization === "tiles" ? 96 : 150 };
  }
}

/** The SVG of `definition`'s layout. */
export function dashboardPicture(definition: WorkbookDefinition = SAMPLE_DASHBOARD): string {
  const parts: string[] = [];
  let y = GAP;
  let pendingHalf: Box | undefined;
  const draw = (box: Box, x: number, width: number, top: number) => {
    parts.push(
      `<rect x="${x}" y="${top}" width="${width}" height="${box.height}" rx="6" fill="#ffffff" stroke="#8a8886"/>`,
      `<text x="${x + 12}" y="${top + 24}" font-size="15" font-weight="600" fill="#201f1e">${escape(box.title)}</text>`,
      ...box.notes.map((note, line) => `<text x="${x + 12}" y="${top + 46 + 20 * line}" font-size="12" fill="#605e5c">${escape(note)}</text>`),
    );
  };
  const half = (WIDTH - 3 * GAP) / 2;
  for (const box of definition.items.map(boxOf)) {
    if (box.half && pendingHalf === undefined) {
      pendingHalf = box;
      continue;
    }
    if (box.half && pendingHalf !== undefined) {
      const height = Math.max(box.height, pendingHalf.height);
      draw({ ...pendingHalf, height }, GAP, half, y);
      draw({ ...box, height }, 2 * GAP + half, half, y);
      y += height + GAP;
      pendingHalf = undefined;
      continue;
    }
    if (pendingHalf !== undefined) {
      draw(pendingHalf, GAP, half, y);
      y += pendingHalf.height + GAP;
      pendingHalf = undefined;
    }
    draw(box, GAP, WIDTH - 2 * GAP, y);
    y += box.height + GAP;
  }
  if (pendingHalf !== undefined) {
    draw(pendingHalf, GAP, half, y);
    y += pendingHalf.height + GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="Segoe UI, Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${y}" fill="#f3f2f1"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
