import { request } from "node:https";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { Azurite, AZURITE_ACCOUNT, AZURITE_KEY } from "../../scripts/lib/azurite";

export { Azurite };

const sharedKey = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
const inAnHour = () => new Date(Date.now() + 3_600_000);

/** An admin's client for setting up and inspecting Azurite over plain http (the jest process trusts no test CA). */
export function adminClient(azurite: Azurite): BlobServiceClient {
  return new BlobServiceClient(azurite.blobEndpoint, sharedKey);
}

/** A SAS URL: read-only for a blob, read/write/list for a container (what the job's identity may do). */
export function sasUrl(azurite: Azurite, container: string, blob?: string): string {
  const permissions = ContainerSASPermissions.parse(blob ? "r" : "racwdl");
  const sas = generateBlobSASQueryParameters({ containerName: container, blobName: blob, permissions, expiresOn: inAnHour() }, sharedKey).toString();
  return `${azurite.blobEndpoint}/${container}${blob ? `/${blob}` : ""}?${sas}`;
}

/** Raw HTTPS PUT with an account SAS, for setting up an HTTPS Azurite from the test process. */
export function putOverHttps(azurite: Azurite, ca: string, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<number> {
  const sas = generateAccountSASQueryParameters(
    {
      services: AccountSASServices.parse("b").toString(),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      permissions: AccountSASPermissions.parse("rwdlacu"),
      expiresOn: inAnHour(),
    },
    sharedKey,
  ).toString();
  const url = new URL(`${azurite.blobEndpoint}/${path}${path.includes("?") ? "&" : "?"}${sas}`);
  return new Promise((resolve, reject) => {
    const put = request(url, { method: "PUT", ca, headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    put.on("error", reject);
    put.end(body);
  });
}
