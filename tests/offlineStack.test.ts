/**
 * The tests of infra/ and policy/ and the plan script's (most of which run the stack offline, under Pulumi's mocks),
 * as one Jest file: each `*.spec.ts` of tests/infra, tests/policy and tests/scripts (one per concern) in a describe
 * block of its own name, so its hooks stay its own. They are listed here, each a plain require, so that Jest sees
 * them as this file's dependencies (--watch, --onlyChanged, --findRelatedTests); the first test checks the list
 * against the folders, and that no `*.spec.ts` lies anywhere else, where nothing would run it.
 *
 * Why one file: Jest gives every test file a module registry of its own, so each of these files loaded Pulumi, the
 * azure-native SDK and the program again (about 2 s of CPU each), and ran the same stack configurations again. In
 * one registry the stack's modules load once and `runGov` runs each configuration once for all of them (measured
 * 2026-12-07 on this 2-vCPU machine, infra and policy: 56 s of CPU as 19 files, 20 s as one). One concern alone:
 *   npx jest tests/offlineStack.test.ts -t 'infra/dashboard'
 *
 * @expected-seconds 45 (its CPU, about 25 s, on a busy machine; see tests/support/costFirstSequencer.cjs)
 */
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

/** Every `*.spec.ts` under tests/, as "room/name". */
function specsOnDisk(folder = __dirname): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return specsOnDisk(path);
    return entry.name.endsWith(".spec.ts") ? [relative(__dirname, path).replace(/\.spec\.ts$/, "")] : [];
  });
}

/** The specs, as "room/name", in the order listed below. */
const listed: string[] = [];

/** One spec file in a describe block of its name; `load` is its plain require, a literal so that Jest sees it. */
function spec(name: string, load: () => unknown): void {
  listed.push(name);
  describe(name, () => {
    load();
  });
}

it("lists every spec file there is, and there are spec files only in tests/infra, tests/policy and tests/scripts", () => {
  expect(specsOnDisk().sort()).toEqual([...listed].sort());
  expect(listed.filter((name) => !/^(infra|policy|scripts)\/[^/]+$/.test(name))).toEqual([]);
});

/* eslint-disable @typescript-eslint/no-require-imports -- a describe body registers its tests synchronously: plain requires, which Jest resolves and transforms */
spec("infra/addressSpace", () => require("./infra/addressSpace.spec"));
spec("infra/alertQueries", () => require("./infra/alertQueries.spec"));
spec("infra/clouds", () => require("./infra/clouds.spec"));
spec("infra/compliance", () => require("./infra/compliance.spec"));
spec("infra/config", () => require("./infra/config.spec"));
spec("infra/connectors", () => require("./infra/connectors.spec"));
spec("infra/dashboard", () => require("./infra/dashboard.spec"));
spec("infra/encryption", () => require("./infra/encryption.spec"));
spec("infra/federated", () => require("./infra/federated.spec"));
spec("infra/govStack", () => require("./infra/govStack.spec"));
spec("infra/grantPropagation", () => require("./infra/grantPropagation.spec"));
spec("infra/privateNetwork", () => require("./infra/privateNetwork.spec"));
spec("infra/rotation", () => require("./infra/rotation.spec"));
spec("infra/variants", () => require("./infra/variants.spec"));
spec("policy/govBuiltIns", () => require("./policy/govBuiltIns.spec"));
spec("policy/metadata", () => require("./policy/metadata.spec"));
spec("policy/servedPack", () => require("./policy/servedPack.spec"));
spec("policy/stackShapes", () => require("./policy/stackShapes.spec"));
spec("policy/violations", () => require("./policy/violations.spec"));
spec("scripts/apiVersions", () => require("./scripts/apiVersions.spec"));
spec("scripts/controls", () => require("./scripts/controls.spec"));
/* eslint-enable @typescript-eslint/no-require-imports */
