import { UsageError } from "../../uploader/src/core/errors";
import { unsupportedRuntime } from "../../uploader/src/cli/runtime";

describe("the runtime floor", () => {
  it.each(["22.0.0", "22.23.3", "24.21.0", "v24.21.0", "26.1.0"])("accepts Node.js %s", (version) => {
    expect(unsupportedRuntime(version)).toBeUndefined();
  });

  it.each(["21.7.3", "20.20.2", "18.20.4", "v8.17.0", "garbage"])("refuses Node.js %s as a usage error naming the supported lines", (version) => {
    const refusal = unsupportedRuntime(version);
    expect(refusal).toBeInstanceOf(UsageError);
    expect(refusal?.message).toBe(`this is Node.js ${version}; hr-upload runs on Node.js 24 LTS or 22 LTS: install Node.js 24 LTS and run it again`);
  });
});
