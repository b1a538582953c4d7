import { BlobClient } from "@azure/storage-blob";
import { UploadError } from "../core/errors";
import { rangeBuffer, type ByteSource } from "./byteSource";
import type { BlobLocation } from "../storage/blobUrl";
import { isStatus, storageError } from "../storage/errors";
import type { BlobAccess } from "../storage/pipeline";

/**
 * A file as a blob: streamed once, then read by range. Every read is pinned to
 * the ETag seen first, so a blob replaced while it is read fails the read
 * instead of mixing two versions. `etag`, when given, is the version to read.
 */
export async function openBlobFile(location: BlobLocation, access: BlobAccess, etag?: string): Promise<ByteSource> {
  const client = new BlobClient(location.url, access.credential, access.pipeline);
  const properties = await client.getProperties(etag === undefined ? {} : { conditions: { ifMatch: etag } }).catch((error: unknown) => {
    throw storageError(error, location.name);
  });
  const conditions = { ifMatch: properties.etag };
  const replaced = () => new UploadError(`${location.name} was replaced while it was being read; nothing of it was sent, and the next run sends the new version`);
  const failed = (error: unknown) => (isStatus(error, 412) ? replaced() : storageError(error, location.name));

  return {
    name: location.name,
    fingerprint: `blob:${properties.etag ?? ""}`,
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
    async readRanges(ranges, prefix = Buffer.alloc(0), into) {
      const { buffer, slots } = rangeBuffer(prefix, ranges, into);
      for (const { range, at } of slots) {
        const count = range.end - range.start;
        await client.downloadToBuffer(buffer.subarray(at, at + count), range.start, count, { conditions, maxRetryRequestsPerBlock: 5 }).catch((error: unknown) => {
          throw failed(error);
        });
      }
      return buffer;
    },
    // A blob changes only as a whole (a new ETag), which every read above checks.
    assertUnchanged: async () => undefined,
    close: async () => undefined,
  };
}
