import { KEPT_CONTAINER, parseBlobUrl, siblingContainer } from "../../uploader/src/storage/blobUrl";

/** Kept copies live in hr-kept, found from --checkpoint's container by one rule: its last path segment replaced. */
describe("the kept-copy container beside the state container", () => {
  it.each([
    ["Azure Government", "https://hrdata1.blob.core.usgovcloudapi.net/hr-state", "https://hrdata1.blob.core.usgovcloudapi.net/hr-kept"],
    ["a trailing slash", "https://hrdata1.blob.core.usgovcloudapi.net/hr-state/", "https://hrdata1.blob.core.usgovcloudapi.net/hr-kept"],
    ["another state container's name", "https://acct.blob.core.windows.net/my-state", "https://acct.blob.core.windows.net/hr-kept"],
    ["an emulator, whose path names the account", "http://127.0.0.1:10000/devstoreaccount1/hr-state-3", "http://127.0.0.1:10000/devstoreaccount1/hr-kept"],
  ])("is hr-kept in the same account (%s)", (_case, state, kept) => {
    const location = siblingContainer(parseBlobUrl(state, "--checkpoint", "container"), KEPT_CONTAINER);
    expect(location).toEqual({ url: kept, name: kept, hasSas: false });
  });

  it("carries the SAS of the state container's URL along, never into its printable name", () => {
    const location = siblingContainer(parseBlobUrl("https://acct.blob.core.usgovcloudapi.net/hr-state?sv=2024-11-04&ss=b&srt=co&sp=racwdl&sig=abc%3D", "--checkpoint", "container"), KEPT_CONTAINER);
    expect(location).toEqual({ url: "https://acct.blob.core.usgovcloudapi.net/hr-kept?sv=2024-11-04&ss=b&srt=co&sp=racwdl&sig=abc%3D", name: "https://acct.blob.core.usgovcloudapi.net/hr-kept", hasSas: true });
  });
});
