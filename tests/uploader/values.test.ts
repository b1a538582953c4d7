import { checkDate, checkDateTime, checkEmail, checkMaxLength } from "../../uploader/src/csv/values";

describe("date-time rule", () => {
  it.each([
    ["2019-04-23T15:18:02.4675041+05:30", "seed example: 7 fraction digits and an offset"],
    ["2019-04-24T09:15:49Z", "seed example: UTC"],
    ["2019-04-29T15:18:02.7117540", "seed example: no offset"],
    ["2026-03-20T17:00:00-05:00", "negative offset"],
    ["2024-02-29T00:00:00Z", "leap day"],
    ["2026-12-31T23:59:59.1Z", "one fraction digit"],
  ])("accepts %s (%s)", (value) => {
    expect(checkDateTime(value)).toBeUndefined();
  });

  it.each([
    ["2019-02-30T00:00:00Z", /calendar date/],
    ["2019-13-01T00:00:00Z", /calendar date/],
    ["2023-02-29T00:00:00Z", /calendar date/],
    ["2019-04-00T00:00:00Z", /calendar date/],
    ["2019-04-23T24:00:00Z", /time of day/],
    ["2019-04-23T23:60:00Z", /time of day/],
    ["2019-04-23T15:18:02+15:00", /UTC offset/],
    ["2019-04-23", /ISO 8601/],
    ["2019-04-23 15:18:02", /ISO 8601/],
    ["2019-04-23T15:18:02.12345678Z", /ISO 8601/],
    ["2019-04-23T15:18:02+0530", /ISO 8601/],
    ["04/23/2019", /ISO 8601/],
  ])("rejects %s", (value, reason) => {
    expect(checkDateTime(value)).toMatch(reason);
  });

  it("never repeats the value in its reason", () => {
    expect(checkDateTime("2019-02-30T00:00:00Z")).not.toContain("2019");
  });
});

describe("email/UPN rule", () => {
  it.each(["sarad@contoso.com", "first.last+hr@agency.gov", "o'brien@sub.agency.gov", "user@contoso.onmicrosoft.us"])("accepts %s", (value) => {
    expect(checkEmail(value)).toBeUndefined();
  });
  it.each(["plainaddress", "@agency.gov", "user@", "user@agency", "user name@agency.gov", "user@-agency.gov", "a@b@agency.gov", " user@agency.gov"])(
    "rejects %j",
    (value) => {
      expect(checkEmail(value)).toMatch(/email address or UPN/);
    },
  );

  it.each([
    ["a NUL", "alex\u0000doe@agency.gov", /control character/],
    ["a control character", "alex\u0001doe@agency.gov", /control character/],
    ["DEL", "alex\u007fdoe@agency.gov", /control character/],
    ["a zero-width space", "alex\u200bdoe@agency.gov", /invisible character/],
    ["a zero-width joiner", "alex\u200ddoe@agency.gov", /invisible character/],
    ["a byte-order mark", "\ufeffalex.doe@agency.gov", /invisible character/],
    ["a right-to-left override", "alex\u202edoe@agency.gov", /invisible character/],
    ["a left-to-right mark", "alex.doe\u200e@agency.gov", /invisible character/],
    ["two dots in a row", "alex..doe@agency.gov", /two dots in a row/],
    ["a leading dot", ".alex.doe@agency.gov", /dot at the start or end/],
    ["a trailing dot", "alex.doe.@agency.gov", /dot at the start or end/],
  ])("rejects %s, saying which rule", (_case, value, reason) => {
    expect(checkEmail(value)).toMatch(reason);
    expect(checkEmail(value)).not.toContain("alex");
  });

  it("accepts letters beyond ASCII in the local part and single dots between its parts", () => {
    expect(checkEmail("josé.garcía@agency.gov")).toBeUndefined();
    expect(checkEmail("a.b.c@agency.gov")).toBeUndefined();
    expect(checkEmail(`${"x".repeat(64)}@agency.gov`)).toBeUndefined();
    expect(checkEmail(`${"x".repeat(65)}@agency.gov`)).toMatch(/email address or UPN/);
  });
});

describe("date rule (date flags)", () => {
  it.each(["2026-02-28", "2028-02-29", "2026-12-31"])("accepts %s", (value) => {
    expect(checkDate(value)).toBeUndefined();
  });
  it.each([
    ["2026-02-30", /calendar date/],
    ["2027-02-29", /calendar date/],
    ["2026-13-01", /calendar date/],
    ["2026-04-31", /calendar date/],
    ["2026-3-1", /yyyy-mm-dd/],
    ["next year", /yyyy-mm-dd/],
  ])("rejects %s", (value, reason) => {
    expect(checkDate(value)).toMatch(reason);
  });
});

describe("length rule", () => {
  it("counts characters, not UTF-16 units", () => {
    expect(checkMaxLength("😀".repeat(25), 25)).toBeUndefined();
    expect(checkMaxLength("x".repeat(26), 25)).toMatch(/longer than 25/);
  });
});
