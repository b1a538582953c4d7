/** The wait between the job's grants and the job: it waits when the grants are new or changed, and only then. */
import { grantPropagationProvider } from "../../infra/grantPropagation";

const inputs = (ids: string[], seconds = 0.25) => ({ roleAssignmentIds: ids, seconds });

describe("grant propagation wait", () => {
  it("waits the given time when the grants are created", async () => {
    const started = performance.now();
    const created = await grantPropagationProvider.create(inputs(["a", "b"]));
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(created.outs).toEqual(inputs(["a", "b"]));
  });

  it("waits again only when the grants change", async () => {
    const diff = grantPropagationProvider.diff as NonNullable<typeof grantPropagationProvider.diff>;
    expect(await diff("id", inputs(["a", "b"]), inputs(["a", "b"], 150))).toEqual({ changes: false });
    expect(await diff("id", inputs(["a", "b"]), inputs(["a", "c"]))).toEqual({ changes: true });
    const started = performance.now();
    await grantPropagationProvider.update?.("id", inputs(["a", "b"]), inputs(["a", "c"]));
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });
});
