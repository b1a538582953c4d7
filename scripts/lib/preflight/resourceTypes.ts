/**
 * The Azure resource types the stack creates and the REST API version the
 * installed @pulumi/azure-native uses for each: types from a run of the
 * program under the offline mocks (their ARM IDs), versions from the SDK's
 * own typings ("Uses Azure REST API version …"). Nothing here is typed by hand,
 * so upgrading the SDK or adding a resource changes what preflight checks.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { RecordedResource } from "../../../infra/offline/mocks";

export interface ResourceTypeVersion {
  /** e.g. `Microsoft.App`. */
  readonly namespace: string;
  /** Type within the namespace, nested types joined by "/", e.g. `jobs`, `storageAccounts/blobServices/containers`. */
  readonly resourceType: string;
  readonly apiVersion: string;
  /** The SDK type tokens that map to it. */
  readonly tokens: readonly string[];
}

const AZURE_NATIVE = "azure-native:";
const API_VERSION = /Uses Azure REST API version ([0-9]{4}-[0-9]{2}-[0-9]{2}(?:-preview)?)/;

/** `Microsoft.App/jobs` from `/subscriptions/…/providers/Microsoft.App/jobs/<name>`; resource groups have no provider segment. */
export function armTypeOfId(id: string): { namespace: string; resourceType: string } | undefined {
  const at = id.lastIndexOf("/providers/");
  if (at < 0) return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(id) ? { namespace: "Microsoft.Resources", resourceType: "resourceGroups" } : undefined;
  const [namespace, ...rest] = id.slice(at + "/providers/".length).split("/");
  const types = rest.filter((_segment, index) => index % 2 === 0);
  return namespace && types.length > 0 && rest.length % 2 === 0 ? { namespace, resourceType: types.join("/") } : undefined;
}

/** The version in `node_modules/@pulumi/azure-native/<module>/<resource>.d.ts` for `azure-native:<module>:<Resource>`. */
export function sdkApiVersion(token: string, sdkRoot = dirname(require.resolve("@pulumi/azure-native/package.json"))): string {
  const [, module = "", resource = ""] = token.split(":");
  const file = join(sdkRoot, module, `${resource.charAt(0).toLowerCase()}${resource.slice(1)}.d.ts`);
  const version = API_VERSION.exec(readFileSync(file, "utf8"))?.[1];
  if (version === undefined) throw new Error(`${file} names no Azure REST API version`);
  return version;
}

/** A `-preview` API version is not generally available (Azure's versioning); any other is GA. */
export const isGenerallyAvailable = (apiVersion: string): boolean => !apiVersion.endsWith("-preview");

/** The installed @pulumi/azure-native's own version (its package.json). */
export function sdkVersion(sdkRoot = dirname(require.resolve("@pulumi/azure-native/package.json"))): string {
  return (JSON.parse(readFileSync(join(sdkRoot, "package.json"), "utf8")) as { version: string }).version;
}

/** One line per ARM type: `Microsoft.App/jobs  2025-02-02-preview  preview`, aligned. */
export function apiVersionLines(types: readonly ResourceTypeVersion[]): string[] {
  const names = types.map((type) => `${type.namespace}/${type.resourceType}`);
  const width = Math.max(0, ...names.map((name) => name.length));
  const versionWidth = Math.max(0, ...types.map((type) => type.apiVersion.length));
  return types.map((type, index) => `${(names[index] ?? "").padEnd(width)}  ${type.apiVersion.padEnd(versionWidth)}  ${isGenerallyAvailable(type.apiVersion) ? "GA" : "preview"}`);
}

export interface StackResourceTypes {
  readonly types: ResourceTypeVersion[];
  /** Azure SDK types whose ARM type the offline mocks do not give (no ARM ID): preflight cannot check them. */
  readonly unmapped: string[];
}

/** One entry per ARM type the program registered, with the SDK's version. */
export function resourceTypesOf(resources: readonly Pick<RecordedResource, "type" | "id" | "custom">[], sdkRoot?: string): StackResourceTypes {
  const byType = new Map<string, ResourceTypeVersion>();
  const unmapped = new Set<string>();
  for (const resource of resources.filter((candidate) => candidate.custom && candidate.type.startsWith(AZURE_NATIVE))) {
    const arm = armTypeOfId(resource.id);
    if (arm === undefined) {
      unmapped.add(resource.type);
      continue;
    }
    const apiVersion = sdkApiVersion(resource.type, sdkRoot);
    const key = `${arm.namespace}/${arm.resourceType}`.toLowerCase();
    const known = byType.get(key);
    if (known !== undefined && known.apiVersion !== apiVersion) throw new Error(`${key} is created with two API versions: ${known.apiVersion} and ${apiVersion}`);
    byType.set(key, { ...arm, apiVersion, tokens: [...new Set([...(known?.tokens ?? []), resource.type])] });
  }
  const types = [...byType.values()].sort((left, right) => `${left.namespace}/${left.resourceType}`.localeCompare(`${right.namespace}/${right.resourceType}`));
  return { types, unmapped: [...unmapped].sort() };
}
