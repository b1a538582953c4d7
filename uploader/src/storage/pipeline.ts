import { AnonymousCredential, type StoragePipelineOptions } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import { proxyFor, type ProxySettings } from "../proxy";
import type { BlobLocation } from "./blobUrl";

/** What a Storage client needs for one account: how to sign in, and how to get there. */
export interface BlobAccess {
  readonly credential: TokenCredential | AnonymousCredential;
  readonly pipeline: StoragePipelineOptions;
}

/** Storage SDK retries: enough to ride out a storage blip of about half a minute. */
const RETRIES: StoragePipelineOptions["retryOptions"] = { maxTries: 6, retryDelayInMs: 1000, maxRetryDelayInMs: 16_000, tryTimeoutInMs: 120_000 };

/**
 * A SAS URL authenticates itself; anything else gets the token credential
 * (resolved only then). The proxy is the one our rule picks for this account,
 * not the SDK's own reading of the environment (which the CLI edge clears).
 */
export async function blobAccessFor(location: BlobLocation, tokens: () => Promise<TokenCredential>, proxy: ProxySettings): Promise<BlobAccess> {
  const via = proxyFor(location.url, proxy);
  return {
    credential: location.hasSas ? new AnonymousCredential() : await tokens(),
    pipeline: {
      retryOptions: RETRIES,
      ...(via ? { proxyOptions: { host: `${via.protocol}//${via.hostname}`, port: Number(via.port || 80), username: decodeURIComponent(via.username) || undefined, password: decodeURIComponent(via.password) || undefined } } : {}),
    },
  };
}
