/**
 * A reproducible image layer: the same files always give the same bytes, so
 * the same digest. Entries are sorted, owned by root (0:0, readable by the
 * image's non-root user, writable by nobody else), dated at the epoch, with
 * fixed modes; gzip's header carries no time and a fixed OS byte.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export interface LayerFile {
  /** Path in the image without a leading "/", e.g. `app/hr-upload.js`. */
  readonly path: string;
  readonly bytes: Buffer;
  /** Permission bits, e.g. 0o644. */
  readonly mode: number;
}

export interface Layer {
  /** The gzipped tar, as pushed. */
  readonly blob: Buffer;
  /** sha256 of the blob: the manifest's layer digest. */
  readonly digest: string;
  /** sha256 of the uncompressed tar: the config's rootfs diff_id. */
  readonly diffId: string;
}

const EPOCH = new Date(0);
const DIRECTORY_MODE = 0o755;
/** RFC 1952 OS byte "unknown": zlib writes the build platform's code here, which would differ between Linux and Windows. */
const GZIP_OS_UNKNOWN = 0xff;
const GZIP_OS_OFFSET = 9;

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

export async function buildLayer(files: readonly LayerFile[]): Promise<Layer> {
  const tar = await tarOf(files);
  const blob = gzipSync(tar, { level: 9 });
  blob[GZIP_OS_OFFSET] = GZIP_OS_UNKNOWN;
  return { blob, digest: sha256(blob), diffId: sha256(tar) };
}

async function tarOf(files: readonly LayerFile[]): Promise<Buffer> {
  for (const file of files) {
    if (file.path.startsWith("/") || file.path.split("/").includes("..")) throw new Error(`layer path ${file.path} must be relative, without ".."`);
  }
  const directories = new Set(files.flatMap((file) => parentsOf(file.path)));
  const entries = [
    ...[...directories].map((path) => ({ name: `${path}/`, type: "directory" as const, mode: DIRECTORY_MODE })),
    ...files.map((file) => ({ name: file.path, type: "file" as const, mode: file.mode, bytes: file.bytes })),
  ].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));

  const archive = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    archive.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    archive.on("error", reject);
  });
  for (const entry of entries) {
    const header = { name: entry.name, type: entry.type, mode: entry.mode, mtime: EPOCH, uid: 0, gid: 0, uname: "root", gname: "root" };
    const bytes = "bytes" in entry ? entry.bytes : Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => archive.entry(header, bytes, (error) => (error ? reject(error) : resolve())));
  }
  archive.finalize();
  return done;
}

/** `a/b/c.js` → `a`, `a/b`. */
function parentsOf(path: string): string[] {
  const parents: string[] = [];
  for (let dir = posix.dirname(path); dir !== "." && dir !== "/"; dir = posix.dirname(dir)) parents.push(dir);
  return parents;
}
