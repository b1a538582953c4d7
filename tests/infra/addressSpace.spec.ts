import { addressSpaceProblem, subnetLayout } from "../../infra/addressSpace";

describe("subnetLayout", () => {
  it.each([
    ["10.42.0.0/24", { environment: "10.42.0.0/25", endpoints: "10.42.0.128/27" }],
    ["172.16.8.0/22", { environment: "172.16.8.0/25", endpoints: "172.16.8.128/27" }],
    ["192.168.255.0/24", { environment: "192.168.255.0/25", endpoints: "192.168.255.128/27" }],
  ])("puts the environment's /25 first and the endpoints' /27 after it in %s", (space, layout) => {
    expect(subnetLayout(space)).toEqual(layout);
  });

  it("refuses a range it cannot split", () => {
    expect(() => subnetLayout("10.42.0.0/26")).toThrow(/too small/);
  });
});

describe("addressSpaceProblem", () => {
  it("accepts an aligned /24 or larger", () => {
    expect(addressSpaceProblem("10.0.0.0/16")).toBeUndefined();
  });

  it("names the key it was given", () => {
    expect(addressSpaceProblem("10.0.0.1/16", "vnet")).toMatch(/^vnet "10.0.0.1\/16" is not the start/);
  });
});
