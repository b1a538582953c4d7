/** The SBOM lists exactly the packages whose code is in the bundle, as esbuild's metafile says. */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeSbom, packageDirOf, type BundleMetafile } from "../../scripts/lib/sbom";
import { BUILD_PATHS } from "../../scripts/lib/buildPaths";
import { tempDir } from "../support/standin";

const ROOT = resolve(__dirname, "../..");

describe("SBOM of a synthetic build", () => {
  let root: string;
  const pkg = (dir: string, content: object) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, "package.json"), JSON.stringify(content));
  };
  beforeAll(() => {
    root = tempDir("hr-sbom-");
    pkg(".", { name: "hr-connector", version: "1.2.3", license: "MIT", dependencies: { a: "1", "@s/b": "2", unused: "1" } });
    pkg("node_modules/a", { name: "a", version: "1.0.0", license: "MIT", dependencies: { c: "^3" } });
    pkg("node_modules/@s/b", { name: "@s/b", version: "2.0.0", license: { type: "Apache-2.0" } });
    pkg("node_modules/a/node_modules/c", { name: "c", version: "3.1.0", licenses: [{ type: "MIT" }, { type: "BSD-2-Clause" }] });
    pkg("node_modules/c", { name: "c", version: "4.0.0" }); // another version, tree-shaken away
    pkg("node_modules/unused", { name: "unused", version: "9.9.9", license: "MIT" });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const metafile: BundleMetafile = {
    outputs: {
      "dist/out.js": {
        inputs: {
          "src/main.ts": { bytesInOutput: 100 },
          "node_modules/a/index.js": { bytesInOutput: 10 },
          "node_modules/@s/b/lib/x.mjs": { bytesInOutput: 20 },
          "node_modules/a/node_modules/c/c.js": { bytesInOutput: 30 },
          "node_modules/c/index.js": { bytesInOutput: 0 },
        },
      },
    },
  };

  it("lists bundled packages with version, licence and purl, and the graph between them", () => {
    const bom = makeSbom(root, metafile, "dist/out.js", Buffer.from("bundle"));
    expect(bom.components.map((component) => component.purl)).toEqual(["pkg:npm/%40s/b@2.0.0", "pkg:npm/a@1.0.0", "pkg:npm/c@3.1.0"]);
    expect(bom.components.find((component) => component.name === "b")).toMatchObject({ group: "@s", version: "2.0.0", licenses: [{ expression: "Apache-2.0" }] });
    expect(bom.components.find((component) => component.name === "c")?.licenses).toEqual([{ expression: "MIT OR BSD-2-Clause" }]);
    expect(bom.metadata.component).toMatchObject({ name: "hr-upload", version: "1.2.3", hashes: [{ alg: "SHA-256", content: createHash("sha256").update("bundle").digest("hex") }] });
    expect(bom.dependencies).toEqual([
      { ref: "hr-upload", dependsOn: ["pkg:npm/%40s/b@2.0.0", "pkg:npm/a@1.0.0"] },
      { ref: "pkg:npm/%40s/b@2.0.0", dependsOn: [] },
      { ref: "pkg:npm/a@1.0.0", dependsOn: ["pkg:npm/c@3.1.0"] },
      { ref: "pkg:npm/c@3.1.0", dependsOn: [] },
    ]);
  });

  it("is the same document for the same bundle, and names the bundle by hash", () => {
    const first = makeSbom(root, metafile, "dist/out.js", Buffer.from("bundle"));
    expect(makeSbom(root, metafile, "dist/out.js", Buffer.from("bundle"))).toEqual(first);
    const other = makeSbom(root, metafile, "dist/out.js", Buffer.from("bundle 2"));
    expect(other.serialNumber).not.toBe(first.serialNumber);
    expect(first.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("finds a file's package folder, scoped and nested", () => {
    expect(packageDirOf("node_modules/@azure/msal-node/dist/index.mjs")).toBe("node_modules/@azure/msal-node");
    expect(packageDirOf("node_modules/a/node_modules/c/c.js")).toBe("node_modules/a/node_modules/c");
    expect(packageDirOf("uploader/src/cli/bin.ts")).toBeUndefined();
  });
});

describe("SBOM of the real bundle", () => {
  it("lists each package the bundle holds code of, and none it does not (no Pulumi, no test tools)", () => {
    const metafile = JSON.parse(readFileSync(join(ROOT, BUILD_PATHS.metafile), "utf8")) as BundleMetafile;
    const bom = makeSbom(ROOT, metafile, BUILD_PATHS.bundle, readFileSync(join(ROOT, BUILD_PATHS.bundle)));
    const inBundle = new Set(
      Object.entries(metafile.outputs[BUILD_PATHS.bundle]?.inputs ?? {})
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => packageDirOf(path))
        .filter(Boolean),
    );
    expect(bom.components).toHaveLength(inBundle.size);
    const names = bom.components.map((component) => (component.group ? `${component.group}/${component.name}` : component.name));
    expect(names).toEqual(expect.arrayContaining(["@azure/msal-node", "csv-parse", "@azure/storage-blob"]));
    expect(names.filter((name) => /^@pulumi\/|^jest|^esbuild|^typescript$/.test(name))).toEqual([]);
    expect(bom.components.every((component) => component.licenses !== undefined)).toBe(true);
  });
});
