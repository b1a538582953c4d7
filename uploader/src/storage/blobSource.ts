import { BlobClient, type AnonymousCredential } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { ByteRange } from "../chunkPlan";
import { UploadError } from "../errors";
import { rangeBuffer, type ByteSource } from "../source/localFile";
import type { BlobLocation } from "./blobUrl";
import { isStatus, storageError } from "./errors";
import { STORAGE_PIPELINE } from "./pipeline";

/**
 * The CSV as a blob: streamed once for validation, then read by range to
 * send. Every read is pinned to the ETag seen first, so a file replaced while
 * being read fails the run instead of mixing two versions.
 */
export async function openBlobFile(location: BlobLocation, credential: TokenCredential | AnonymousCredential): Promise<ByteSource> {
  const client = new BlobClient(location.url, credential, STORAGE_PIPELINE);
  const properties = await client.getProperties().catch((error: unknown) => {
    throw storageError(error, location.name);
  });
  const conditions = { ifMatch: properties.etag };
  const changed = () => new UploadError(`${location.name} was replaced while it was being read; nothing more was sent, and the next run starts the new file from the beginning`);
  const failed = (error: unknown) => (isStatus(error, 412) ? changed() : storageError(error, location.name));

  return {
    name: location.name,
    async *read() {
      const response = await client.download(0, undefined, { conditions, maxRetryRequests: 5 }).catch((error: unknown) => {
        throw failed(error);
      });
      try {
        for await (const chunk of response.readableStreamBody as AsyncIterable<Buffer>) yield chunk;
      } catch (error) {
        throw failed(error);
      }
    },
    async readRanges(ranges: readonly ByteRange[], prefix = Buffer.alloc(0), into?: Buffer) {
      const { buffer, slots } = rangeBuffer(prefix, ranges, into);
      for (const { range, at } of slots) {
        const count = range.end - range.start;
        await client.downloadToBuffer(buffer.subarray(at, at + count), range.start, count, { conditions, maxRetryRequestsPerBlock: 5 }).catch((error: unknown) => {
          throw failed(error);
        });
      }
      return buffer;
    },
  };
}
