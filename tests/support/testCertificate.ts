import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeLoopbackCertificate, type LoopbackCertificate } from "../../scripts/lib/loopbackCert";

/**
 * One loopback certificate for the whole test run, instead of a new 2048-bit RSA key per stand-in (0.3–1 s of CPU
 * each, hundreds of times a run). It is kept in the run's temporary folder (tests/support/temporaryFolder.cjs gives each run its own),
 * so every worker and test file serves and trusts the same one. Tests that need a certificate the run does NOT trust,
 * or one for other names, still make their own with makeLoopbackCertificate.
 */
const cacheFile = () => join(tmpdir(), "hr-test-loopback-certificate.json");

let shared: Promise<LoopbackCertificate> | undefined;

export function testCertificate(): Promise<LoopbackCertificate> {
  shared ??= cachedOrNew();
  return shared;
}

async function cachedOrNew(): Promise<LoopbackCertificate> {
  const file = cacheFile();
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, "utf8")) as LoopbackCertificate;
    if (existsSync(cached.certFile) && existsSync(cached.keyFile)) return cached;
  }
  const made = await makeLoopbackCertificate();
  // Written whole, then renamed: two workers making one at once each leave a complete pair, and the last one stays.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(made), { mode: 0o600 });
  renameSync(partial, file);
  return made;
}
