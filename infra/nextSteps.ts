import { CLOUD_PROFILES, type CloudName } from "../uploader/src/clouds";
import { DATA_CONTAINER } from "./hrStorage";

export interface NextStepsFacts {
  readonly cloud: CloudName;
  readonly appClientId: string;
  readonly wizardColumns: readonly string[];
  readonly csvUploadUrl: string;
  readonly storageAccountName: string;
  readonly csvBlobName: string;
  readonly resourceGroupName: string;
  readonly secretExpiresOn: string;
  /** Set once `connectorJobId` is configured and the job exists. */
  readonly job?: { readonly name: string; readonly schedule: string };
  /** Registry the second pass pushes the uploader image to; absent when `image` is configured. */
  readonly imageRegistryName?: string;
}

/** The admin's to-do list after `pulumi up`, as plain text (a stack output). */
export function renderNextSteps(facts: NextStepsFacts): string {
  const profile = CLOUD_PROFILES[facts.cloud];
  const endpoints = `The uploader signs in at ${profile.authorityHost} and uploads to ${profile.ingestionBaseUrl} (${profile.title}).`;
  const secret = `The client secret expires on ${facts.secretExpiresOn}; rotate it before then: pulumi config set secretRotation <yyyy-mm-dd> && pulumi up`;

  if (facts.job === undefined) {
    const login = facts.imageRegistryName === undefined ? [] : [`       az acr login --name ${facts.imageRegistryName}    # the next pass pushes the uploader image`];
    return [
      "One manual step remains: create the HR connector in the Microsoft Purview portal",
      "(Data connectors > HR > Add connector) and type in:",
      `  1. Authentication credentials, App ID: ${facts.appClientId}`,
      `  2. File mapping, column names: ${facts.wizardColumns.join(", ")}`,
      "  3. Copy the job ID from the confirmation page, then run:",
      ...login,
      "       pulumi config set connectorJobId <job-id> && pulumi up",
      endpoints,
      secret,
    ].join("\n");
  }
  return [
    `The job ${facts.job.name} runs on the schedule "${facts.job.schedule}" (UTC) and reads ${facts.csvUploadUrl}`,
    "The HR system drops the CSV with:",
    `  az storage blob upload --auth-mode login --account-name ${facts.storageAccountName} --container-name ${DATA_CONTAINER} --name ${facts.csvBlobName} --file <file.csv> --overwrite`,
    "Run it now to check the setup:",
    `  az containerapp job start --name ${facts.job.name} --resource-group ${facts.resourceGroupName}`,
    endpoints,
    secret,
  ].join("\n");
}
