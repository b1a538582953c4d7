import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { Clock } from "../core/clock";
import { UsageError } from "../core/errors";
import type { Platform } from "../core/platform";
import type { RunCancellation } from "../core/stop";
import { ProxyAgents, proxySettingsFrom, type ProxySettings } from "../net/proxy";
import type { CsvSource } from "../run/uploadConfig";
import { openLocalFile } from "../source/localFile";
import { defaultStateDir, localStateStore } from "../state/localState";
import type { StateStore } from "../state/stateStore";
import { isUrl, parseBlobUrl, type BlobLocation } from "../storage/blobUrl";
import type { BlobAccess } from "../storage/pipeline";
import type { Flags } from "./args";

/*
 * Where a command's bytes and state are: the CSV (a local file or a Blob), the state store (a local folder or a Blob
 * container), and how Blob Storage is reached (one identity, one proxy rule, one HTTP client), wired from the flags.
 */

/** What reading the configuration needs from the edge: the environment, the machine, time, and the command's cancellation (for Storage calls). */
export interface ConfigEdge {
  readonly env: NodeJS.ProcessEnv;
  readonly platform: Platform;
  readonly clock: Clock;
  readonly cancellation: RunCancellation;
}

/** How a command reaches Blob Storage: one identity, one proxy rule and one HTTP client for all its Storage clients. */
export interface StorageReach {
  readonly tokens: () => Promise<TokenCredential>;
  readonly access: (location: BlobLocation) => Promise<BlobAccess>;
}

/**
 * The Storage identity is resolved once per run and only if a Blob URL without
 * SAS needs it. The Storage SDK is initialised only for Blob URLs: a local run
 * neither runs its modules nor holds its objects (the bundle, one file, is
 * still read and compiled whole: about 30 ms of a start goes to the SDK).
 */
export function storageReach(edge: ConfigEdge, agents: ProxyAgents = new ProxyAgents(proxySettingsOf(edge.env))): StorageReach {
  let credential: Promise<TokenCredential> | undefined;
  let httpClient: Promise<HttpClient> | undefined;
  const tokens = () => (credential ??= import("../auth/storageCredential").then(({ storageCredential }) => storageCredential(edge.env, edge.platform, edge.clock, edge.cancellation.halt)));
  return {
    tokens,
    access: async (location) => {
      httpClient ??= import("../storage/httpClient").then(({ storageHttpClient }) => storageHttpClient({ agents, clock: edge.clock, cancellation: edge.cancellation }));
      const { blobAccessFor } = await import("../storage/pipeline");
      return blobAccessFor(location, tokens, await httpClient);
    },
  };
}

/** HTTPS_PROXY, HTTP_PROXY and NO_PROXY, read once by the one rule every request follows. */
export function proxySettingsOf(env: NodeJS.ProcessEnv): ProxySettings {
  try {
    return proxySettingsFrom(env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--csv`: a local path, or an https Blob URL (SAS, managed identity or Azure CLI login); opened when the run gets to it. */
export function csvSourceOf(text: string, storage: StorageReach, platform: Platform): CsvSource {
  if (!isUrl(text)) {
    const path = platform.path.resolve(text);
    return { name: path, legacyNames: [path], open: () => openLocalFile(text) };
  }
  const location = parseBlobUrl(text, "--csv", "blob");
  return {
    name: location.name,
    legacyNames: [location.name],
    open: async () => {
      const { openBlobFile } = await import("../source/blobSource");
      return openBlobFile(location, await storage.access(location));
    },
  };
}

/**
 * Where checkpoints and run records live: `--checkpoint` (a folder or a Blob
 * container URL) or `--checkpoint-dir` (a folder), never both from the same
 * source; by default the user's state directory.
 */
function stateLocationOf(flags: Flags, env: NodeJS.ProcessEnv, platform: Platform): string {
  const checkpoint = flags.string("checkpoint");
  const dir = flags.string("checkpoint-dir");
  if (checkpoint === undefined || dir === undefined) return checkpoint ?? dir ?? defaultStateDir(env, platform);
  if (flags.origin("checkpoint") === flags.origin("checkpoint-dir")) {
    throw new UsageError(`${flags.label("checkpoint")} and ${flags.label("checkpoint-dir")} both say where the state lives; give one of them`);
  }
  return flags.origin("checkpoint") === "command line" ? checkpoint : dir;
}

/** Whether the state lives in a Blob container (its lock is then an Azure lease) rather than a folder. */
export function stateInBlob(flags: Flags, edge: ConfigEdge): boolean {
  return isUrl(stateLocationOf(flags, edge.env, edge.platform));
}

export async function stateStoreOf(flags: Flags, edge: ConfigEdge, storage: StorageReach = storageReach(edge)): Promise<StateStore> {
  const { env, platform } = edge;
  const location = stateLocationOf(flags, env, platform);
  const keptText = flags.string("kept-container");
  if (!isUrl(location)) {
    if (keptText !== undefined) throw new UsageError(`${flags.label("kept-container")} is for a Blob --checkpoint; with a state folder, copies are kept in its kept/ folder`);
    return localStateStore(platform.path.resolve(location), platform);
  }
  const container = parseBlobUrl(location, "--checkpoint", "container");
  const keptApart = keptText === undefined ? undefined : parseBlobUrl(keptText, flags.label("kept-container"), "container");
  const { blobStateStore } = await import("../state/blobState");
  return blobStateStore({ location: container, access: await storage.access(container) }, keptApart && { location: keptApart, access: await storage.access(keptApart) });
}
