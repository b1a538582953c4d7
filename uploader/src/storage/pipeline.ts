import { AnonymousCredential, type StoragePipelineOptions } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { forStorageSdk } from "./httpClient";
import type { BlobLocation } from "./blobUrl";

/** What a Storage client needs for one account: how to sign in, and how to get there. */
export interface BlobAccess {
  readonly credential: TokenCredential | AnonymousCredential;
  readonly pipeline: StoragePipelineOptions;
}

/**
 * A SAS URL authenticates itself; anything else gets the token credential
 * (resolved only then). Requests go through our HTTP client (httpClient.ts):
 * its proxy rule, timeouts, the run's halt and our retry loop; the SDK makes
 * one try per call, so its own retry policy never stacks on ours.
 */
export async function blobAccessFor(location: BlobLocation, tokens: () => Promise<TokenCredential>, httpClient: HttpClient): Promise<BlobAccess> {
  return {
    credential: location.hasSas ? new AnonymousCredential() : await tokens(),
    pipeline: { httpClient: forStorageSdk(httpClient), retryOptions: { maxTries: 1 } },
  };
}
