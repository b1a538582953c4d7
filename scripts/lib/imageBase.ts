import { parseImageReference } from "./oci/reference";

/**
 * Microsoft's distroless Node.js 24 LTS image (Azure Linux 3.0), non-root variant, pinned by digest. Node 20
 * reached end of life on 2026-04-30; Node 24 LTS is supported until 2028-04-30 (nodejs/Release schedule).
 *
 * Source of the digest: the public scan report `docs/daily_recommendations.md` of GitHub repository
 * maniSbindra/sbi, generated 2026-10-08T02:27:44Z, lists
 * mcr.microsoft.com/azurelinux/distroless/nodejs:24.21-nonroot@sha256:be12f1235ae6… (Node 24.21.0, created
 * 2026-10-06, also tagged 24-nonroot; 0 critical / 8 high findings). A public Dockerfile pinning
 * nodejs:24.21.0-1-nonroot-azl3.0.20261005@sha256:be12f1235ae6… agrees.
 * UNCONFIRMED against MCR itself: the team machines have no internet. `npm run preflight` (check image-base)
 * checks it from the deployer's machine: that the digest still exists with a linux/amd64 image, and whether
 * the 24-nonroot tag has moved on (README "Refreshing the base image digest").
 */
export const DEFAULT_IMAGE_BASE = "mcr.microsoft.com/azurelinux/distroless/nodejs:24-nonroot@sha256:be12f1235ae675a4246ac2a276ac20aac8b573e70914f726c17b96615a573ced";

/** Why a base reference is unusable (not a reference, or not pinned by digest), or undefined. */
export function imageBaseProblem(value: string): string | undefined {
  try {
    return parseImageReference(value).digest === undefined ? `"${value}" must be pinned by digest (<registry>/<repository>:<tag>@sha256:…)` : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
