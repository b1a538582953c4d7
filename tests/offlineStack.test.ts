/**
 * The tests that run the stack offline (Pulumi's mocks), as one Jest file: each `*.spec.ts` of tests/infra,
 * tests/policy and tests/scripts (one per concern of infra/, policy/ and the plan script) in a describe block of
 * its own name, so its hooks stay its own.
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
import { join } from "node:path";

for (const room of ["infra", "policy", "scripts"]) {
  const specs = readdirSync(join(__dirname, room)).filter((file) => file.endsWith(".spec.ts"));
  if (specs.length === 0) throw new Error(`no spec files in tests/${room}`);
  for (const spec of specs.sort()) {
    // A describe body must register its tests synchronously: a plain require, which Jest resolves and transforms.
    describe(`${room}/${spec.replace(/\.spec\.ts$/, "")}`, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(__dirname, room, spec));
    });
  }
}
