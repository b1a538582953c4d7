import { UsageError } from "../core/errors";

/**
 * The Node.js lines hr-upload runs on: 24 LTS (the image's, supported until 2028-04-30) and 22 LTS (an admin's
 * workstation may have it; supported until 2027-04-30, then raise this floor with the esbuild target and `engines`).
 */
export const OLDEST_SUPPORTED_NODE_MAJOR = 22;

/** Why this Node.js cannot run hr-upload (`version` as in process.versions.node), or undefined. */
export function unsupportedRuntime(version: string): UsageError | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= OLDEST_SUPPORTED_NODE_MAJOR) return undefined;
  return new UsageError(`this is Node.js ${version}; hr-upload runs on Node.js 24 LTS or 22 LTS: install Node.js 24 LTS and run it again`);
}
