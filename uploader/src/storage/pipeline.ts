import { AnonymousCredential, type StoragePipelineOptions } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { BlobLocation } from "./blobUrl";

/** Storage SDK retries: enough to ride out a storage blip of about half a minute. */
export const STORAGE_PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 6, retryDelayInMs: 1000, maxRetryDelayInMs: 16_000, tryTimeoutInMs: 120_000 },
};

/** A SAS URL authenticates itself; anything else gets the token credential (resolved only then). */
export async function credentialFor(location: BlobLocation, tokens: () => Promise<TokenCredential>): Promise<TokenCredential | AnonymousCredential> {
  return location.hasSas ? new AnonymousCredential() : tokens();
}
