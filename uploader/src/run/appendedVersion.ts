import { createHash } from "node:crypto";
import type { ByteSource } from "../source/byteSource";

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Whether `source` is `version` with records appended: its first
 * `version.bytes` bytes are that version (same SHA-256), more follow, and the
 * version ends on a line break (its last byte, or the first appended one), so
 * every record of the version is a record of the file, at the same position.
 * Reads only as far as the version's length and one byte beyond.
 */
export async function extendsVersion(source: ByteSource, version: { readonly bytes: number; readonly sha256: string }): Promise<boolean> {
  const hash = createHash("sha256");
  let seen = 0;
  let lastByte: number | undefined;
  for await (const part of source.read()) {
    const take = Math.min(part.length, version.bytes - seen);
    if (take > 0) {
      hash.update(part.subarray(0, take));
      seen += take;
      lastByte = part[take - 1];
    }
    if (seen < version.bytes || take === part.length) continue;
    const next = part[take] as number;
    const onLineBreak = lastByte === LINE_FEED || next === LINE_FEED || next === CARRIAGE_RETURN;
    return onLineBreak && hash.digest("hex") === version.sha256;
  }
  return false; // no longer than the version: not an append
}
