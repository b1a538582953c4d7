import {
  AccountSASPermissions,
  BlobServiceClient,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { Azurite, AZURITE_KEY, AZURITE_SHARED_KEY } from "../../scripts/lib/azurite";

export { Azurite };

/** An admin's client for setting up and inspecting an http Azurite (the jest process trusts no test CA). */
export function adminClient(azurite: Azurite): BlobServiceClient {
  return new BlobServiceClient(azurite.blobEndpoint, AZURITE_SHARED_KEY);
}

/** A SAS URL: read-only for a blob, read/write/list for a container (what the job's identity may do). */
export function sasUrl(azurite: Azurite, container: string, blob?: string, allowed = blob ? "r" : "racwdl"): string {
  const permissions = ContainerSASPermissions.parse(allowed);
  const expiresOn = new Date(Date.now() + 3_600_000);
  const sas = generateBlobSASQueryParameters({ containerName: container, blobName: blob, permissions, expiresOn }, AZURITE_SHARED_KEY).toString();
  return `${azurite.blobEndpoint}/${container}${blob ? `/${blob}` : ""}?${sas}`;
}

/** Azurite's second account of the Blob tests (BlobSuite), for what lives in an account of its own: the stack's kept copies. */
export const KEPT_ACCOUNT = "hrkept";
const KEPT_ACCOUNT_KEY = new StorageSharedKeyCredential(KEPT_ACCOUNT, AZURITE_KEY);

/** An admin's client for that account, and a container SAS URL in it. */
export const keptAccountClient = (azurite: Azurite): BlobServiceClient => new BlobServiceClient(azurite.endpointOf(KEPT_ACCOUNT), KEPT_ACCOUNT_KEY);
export function keptAccountSasUrl(azurite: Azurite, container: string): string {
  const sas = generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse("racwdl"), expiresOn: new Date(Date.now() + 3_600_000) }, KEPT_ACCOUNT_KEY).toString();
  return `${azurite.endpointOf(KEPT_ACCOUNT)}/${container}?${sas}`;
}

/** A container's URL with an account SAS (Blob containers and blobs, read/write/list): valid for hr-kept beside it too. */
export function accountSasUrl(azurite: Azurite, container: string): string {
  const permissions = AccountSASPermissions.parse("racwdl");
  const expiresOn = new Date(Date.now() + 3_600_000);
  const sas = generateAccountSASQueryParameters({ services: "b", resourceTypes: "co", permissions, expiresOn }, AZURITE_SHARED_KEY).toString();
  return `${azurite.blobEndpoint}/${container}?${sas}`;
}
