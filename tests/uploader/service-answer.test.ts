import { notKept, readServiceAnswer } from "../../uploader/src/ingest/serviceAnswer";

/** Whether a 2xx answer says the service did not keep a chunk of 5 records, by its body and Content-Type. */
const verdict = (body: string, contentType?: string) => notKept(readServiceAnswer(Buffer.from(body), contentType), 5) ?? "delivered";

describe("a 2xx answer's word on whether the service kept the chunk", () => {
  it.each([
    ["no body", "", undefined, "delivered"],
    ["JSON without a saved count", '{"RequestId":"9f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"}', "application/json", "delivered"],
    ["JSON saving every record", '{"RecordsSaved":5}', "application/json", "delivered"],
    ["a saved count as a string, any case of its name", '{"recordssaved":"5"}', "application/json", "delivered"],
    ["JSON that is not an object", '"accepted"', "application/json", "delivered"],
    // Only markup is known not to be the service's answer; plain text is taken at its status, as the contract has it.
    ["plain text", "OK", "text/plain", "delivered"],
    ["a saved count below the records sent", '{"RecordsSaved":3}', "application/json", "RecordsSaved 3 of 5 records sent"],
    ["a saved count of zero, as a string", '{"RecordsSaved":"0"}', undefined, "RecordsSaved 0 of 5 records sent"],
    ["HTML by its Content-Type", "Please sign in", "text/html; charset=utf-8", "an HTML page of 14 bytes (sha256 "],
    ["HTML by its first character, after a byte-order mark", "\uFEFF  <!doctype html><title>Portal</title>", "application/octet-stream", "an HTML page of "],
    ["XML", "<Error><Code>Denied</Code></Error>", "application/xml", "an HTML page of "],
  ])("%s", (_case, body, contentType, expected) => {
    const said = verdict(body, contentType);
    if (expected === "delivered") expect(said).toBe("delivered");
    else expect(said).toContain(expected);
  });

  it("never carries the answer's text into what it says, only a length and a digest", () => {
    const said = verdict("<html>alex.doe@agency.gov was not saved</html>", "text/html");
    expect(said).toMatch(/^an HTML page of 46 bytes \(sha256 [0-9a-f]{12}\) instead of the service's answer$/);
    expect(said).not.toContain("alex.doe");
  });
});
