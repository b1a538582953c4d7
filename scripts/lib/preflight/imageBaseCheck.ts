/**
 * The image-base check: the base (config `imageBase`) the stack assembles the uploader image on, read from
 * its registry as the push reads it (anonymous pull tokens, as MCR gives; through HTTPS_PROXY when set).
 * The pinned digest must still exist with a linux/amd64 image; its tag may have moved on to a newer digest
 * (the tag follows security fixes); and this machine must complete TLS with the host the registry sends
 * layer downloads to (MCR redirects them to a regional data host: found from a real redirect, never assumed).
 */
import { anonymousTokens, RegistryAuthError } from "../oci/auth";
import { readPlatformConfig, readPlatformManifest, type PlatformManifest } from "../oci/baseImage";
import { formatPlatform, PlatformMismatchError } from "../oci/image";
import { formatImageReference, parseImageReference, type ImageReference } from "../oci/reference";
import { RegistryClient, RegistryError } from "../oci/registry";
import { IMAGE_PLATFORM } from "../uploaderImage";
import type { CheckLine, PreflightStack } from "./checks";
import { connectionProblem, proxied, tlsProblem, type NetworkDependencies } from "./reach";

type Line = Omit<CheckLine, "id">;

const REFRESH = 'README "Refreshing the base image digest"';
const PLATFORM = formatPlatform(IMAGE_PLATFORM);

/** What a tag or digest names in the registry, for the platform Container Apps runs. */
type Lookup =
  | { readonly state: "absent" }
  | { readonly state: "no-platform"; readonly why: string }
  | Found;
/** `platform`: listed by its index, read from its config, or not read (a single image whose layer host failed). */
type Found = { readonly state: "found"; readonly platform: "listed" | "read" | "unread" } & PlatformManifest;

/** The check's lines: the pin (and its tag), then the host the layers come from. */
export async function imageBaseCheck(stack: PreflightStack, deps: NetworkDependencies): Promise<Line[]> {
  if (stack.image !== undefined) return [{ status: "passed", title: `a prebuilt image is set (${stack.image}): the stack assembles none, so the base image is not used` }];
  const base = parseImageReference(stack.imageBase);
  if (base.digest === undefined) return [{ status: "failed", title: `base image ${stack.imageBase} is not pinned by digest`, fix: `pulumi config set imageBase ${stack.imageBase}@sha256:… (${REFRESH})` }];
  const client = new RegistryClient(base.registry, deps.http, anonymousTokens(deps.http), "pull");
  try {
    const pinned = await lookUp(client, base.repository, base.digest);
    const tagged = base.tag === undefined ? undefined : await lookUp(client, base.repository, base.tag);
    const image = [pinned, tagged].find(isFound);
    const layers = image === undefined ? undefined : await layerHostLine(client, base, image, deps);
    // A single image names its platform only in its config, a blob the layer host serves: read it when that host answers.
    const withPlatform = async <T extends Lookup | undefined>(lookup: T) => (isFound(lookup) && lookup.platform === "unread" && layers?.status === "passed" ? withPlatformRead(client, base, lookup) : lookup);
    return [pinLine(base, base.digest, await withPlatform(pinned), await withPlatform(tagged)), ...(layers === undefined ? [] : [layers])];
  } catch (error) {
    return [failureLine(error, base, deps)];
  }
}

const isFound = (lookup: Lookup | undefined): lookup is Found => lookup?.state === "found";

async function lookUp(client: RegistryClient, repository: string, reference: string): Promise<Lookup> {
  try {
    const found = await readPlatformManifest(client, repository, reference, IMAGE_PLATFORM);
    return { state: "found", platform: found.platformListed ? "listed" : "unread", ...found };
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return { state: "absent" };
    if (error instanceof PlatformMismatchError) return { state: "no-platform", why: error.message };
    throw error;
  }
}

async function withPlatformRead(client: RegistryClient, base: ImageReference, found: Found): Promise<Lookup> {
  try {
    await readPlatformConfig(client, base.repository, found.manifest, IMAGE_PLATFORM);
    return { ...found, platform: "read" };
  } catch (error) {
    if (error instanceof PlatformMismatchError) return { state: "no-platform", why: error.message };
    throw error;
  }
}

function pinLine(base: ImageReference, pinnedDigest: string, pinned: Lookup, tagged: Lookup | undefined): Line {
  const name = formatImageReference({ ...base, digest: undefined });
  const repository = `${base.registry}/${base.repository}`;
  const setTo = (digest: string) => `pulumi config set imageBase ${name}@${digest}`;
  const tagNow = isFound(tagged) && tagged.platform !== "unread" ? tagged.digest : undefined;
  if (pinned.state === "absent") {
    const title = `base image ${name}: the pinned digest ${pinnedDigest} no longer exists in ${base.registry}`;
    if (tagNow !== undefined) return { status: "failed", title: `${title}; the tag ${base.tag} is now ${tagNow}, with a ${PLATFORM} image`, fix: `${setTo(tagNow)} (${REFRESH})` };
    if (tagged?.state === "no-platform") return { status: "failed", title: `${title}; the tag ${base.tag} now has no ${PLATFORM} image`, fix: `pin another tag's digest with a ${PLATFORM} image (${REFRESH})` };
    const nor = tagged?.state === "absent" ? `, nor does the tag ${base.tag}` : "";
    return { status: "failed", title: `${title}${nor}`, fix: `pick a current tag of ${repository} and pin its digest: pulumi config set imageBase ${repository}:<tag>@sha256:… (${REFRESH})` };
  }
  if (pinned.state === "no-platform") {
    return {
      status: "failed",
      title: `base image ${name}@${pinnedDigest}: ${pinned.why}; Container Apps runs ${PLATFORM}`,
      fix: tagNow !== undefined && tagNow !== pinnedDigest ? `${setTo(tagNow)} (the tag's image has ${PLATFORM})` : `pin a digest whose image has ${PLATFORM} (${REFRESH})`,
    };
  }
  const has = pinned.platform === "unread" ? "(its platform is in its config, not read: see the layers line)" : `with a ${PLATFORM} image`;
  if (tagNow === pinnedDigest) return { status: "passed", title: `base image ${name} is still at the pinned ${pinnedDigest}, ${has}` };
  const exists = `base image ${name}: the pinned ${pinnedDigest} exists, ${has}`;
  if (tagNow !== undefined) {
    return { status: "passed", title: `${exists}, but the tag has moved on to ${tagNow}: refresh the pin for its latest fixes (${setTo(tagNow)}; ${REFRESH})` };
  }
  if (tagged === undefined) return { status: "passed", title: `${exists} (imageBase names no tag to compare with)` };
  if (tagged.state === "no-platform") return { status: "passed", title: `${exists}; the tag ${base.tag} has moved on to an image without ${PLATFORM}, so keep the pin` };
  if (tagged.state === "absent") return { status: "passed", title: `${exists}; the tag ${base.tag} no longer exists, so no newer digest is known` };
  return { status: "passed", title: `${exists}; the tag ${base.tag} is at ${tagged.digest}, whose platform is not read (see the layers line)` };
}

/** Requests the image's config blob without following a redirect: the registry serves it, or names the host that does. */
async function layerHostLine(client: RegistryClient, base: ImageReference, image: PlatformManifest, deps: NetworkDependencies): Promise<Line> {
  const location = await client.blobLocation(base.repository, image.manifest.config.digest);
  if (location === undefined || location.host === base.registry.toLowerCase()) return { status: "passed", title: `base image layers: ${base.registry} serves them itself (no redirect to another host)` };
  const host = location.host;
  const sends = `base image layers: ${base.registry} sends their downloads to ${host}`;
  const problem = await tlsProblem(host, deps);
  if (problem === undefined) return { status: "passed", title: `${sends}, which answers over TLS${proxied(host, deps) ? " through HTTPS_PROXY" : ""}` };
  return { status: "failed", title: `${sends}, which ${problem.what}`, fix: problem.fix };
}

function failureLine(error: unknown, base: ImageReference, deps: NetworkDependencies): Line {
  const name = formatImageReference(base);
  if (error instanceof RegistryAuthError) {
    return { status: "failed", title: `base image ${name}: ${error.message}`, fix: "preflight pulls the base anonymously, as MCR allows; for a base in a private registry, check it yourself and run preflight with --skip image-base" };
  }
  if (error instanceof RegistryError) return { status: "failed", title: `base image ${name}: ${error.message}`, fix: "run preflight again; if it persists, check imageBase and the registry's status" };
  const problem = connectionProblem(error, base.registry, deps);
  return { status: "failed", title: `base image ${name}: ${base.registry} ${problem.what}`, fix: problem.fix };
}
