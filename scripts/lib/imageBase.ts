import { parseImageReference } from "./oci/reference";

/**
 * Microsoft's distroless Node.js 20 image (Azure Linux), non-root variant, pinned by digest; Node 20 is what
 * the bundle is built for (target node20) and tested on. This digest is the one a public scan listed for the
 * 20-nonroot tag (Node 20.14.0). It cannot be checked from the team machines (no internet):
 * REFRESH IT FROM MCR before production use, e.g.
 *   curl -sI -H "Accept: application/vnd.oci.image.index.v1+json" \
 *     https://mcr.microsoft.com/v2/azurelinux/distroless/nodejs/manifests/20-nonroot | grep -i docker-content-digest
 * and set the stack's `imageBase` (or this default) to mcr.microsoft.com/azurelinux/distroless/nodejs:20-nonroot@<digest>.
 */
export const DEFAULT_IMAGE_BASE = "mcr.microsoft.com/azurelinux/distroless/nodejs:20-nonroot@sha256:60773809112a278016c356118123621ddf763c80f970faa36e6366bdaf794d50";

/** Why a base reference is unusable (not a reference, or not pinned by digest), or undefined. */
export function imageBaseProblem(value: string): string | undefined {
  try {
    return parseImageReference(value).digest === undefined ? `"${value}" must be pinned by digest (<registry>/<repository>:<tag>@sha256:…)` : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
