import { backoffDelayMs, isRetryableStatus, parseRetryAfter } from "../../uploader/src/retry";

const policy = { maxRetries: 8, baseDelayMs: 5000, maxDelayMs: 300_000 };

describe("retry policy", () => {
  it("retries transient statuses only", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 413, 501].some(isRetryableStatus)).toBe(false);
  });

  it("backs off exponentially with full jitter, capped", () => {
    expect(backoffDelayMs(0, policy, undefined, () => 0.999)).toBe(4995);
    expect(backoffDelayMs(3, policy, undefined, () => 0.5)).toBe(20_000);
    expect(backoffDelayMs(3, policy, undefined, () => 0)).toBe(0);
    expect(backoffDelayMs(20, policy, undefined, () => 1)).toBe(300_000);
  });

  it("lets Retry-After win, clamped to the cap", () => {
    expect(backoffDelayMs(0, policy, 12_000, () => 0)).toBe(12_000);
    expect(backoffDelayMs(0, policy, 3_600_000)).toBe(300_000);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-24T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Tue, 24 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 24 Nov 2026 11:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
