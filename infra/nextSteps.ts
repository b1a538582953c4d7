import { CLOUD_PROFILES, type CloudName } from "../uploader/src/core/clouds";
import { SCENARIOS } from "../uploader/src/csv/scenarios";
import type { ConnectorConfig } from "./config";
import { DATA_CONTAINER } from "./hrStorage";

/** One connector as configured, with what the deployment made of it. */
export interface ConnectorFacts {
  readonly connector: ConnectorConfig;
  readonly csvUploadUrl: string;
  /** Set once its connectorJobId is configured and the job exists. */
  readonly deployedJobName?: string;
}

export interface NextStepsFacts {
  readonly cloud: CloudName;
  readonly appClientId: string;
  readonly storageAccountName: string;
  readonly resourceGroupName: string;
  /** With a client secret; absent when the job signs in with its identity (federated). */
  readonly secretExpiresOn?: string;
  readonly connectors: readonly ConnectorFacts[];
  /** Registry the pass that creates a job pushes the uploader image to; absent when `image` is configured. */
  readonly imageRegistryName?: string;
  /** With `network: private`: the network that alone reaches Key Vault, Storage and the registry. */
  readonly virtualNetworkName?: string;
}

/** The admin's to-do list after `pulumi up`, as plain text (a stack output). */
export function renderNextSteps(facts: NextStepsFacts): string {
  const profile = CLOUD_PROFILES[facts.cloud];
  const connectorSteps = facts.connectors.map((connector) => {
    const steps = connector.deployedJobName === undefined ? wizardSteps(facts, connector.connector) : jobSteps(facts, connector, connector.deployedJobName);
    // Several connectors: each one's steps under its name.
    return connector.connector.name === undefined ? steps : [`Connector "${connector.connector.name}":`, ...steps.map((line) => `  ${line}`)];
  });
  const privateNetwork =
    facts.virtualNetworkName === undefined
      ? []
      : [
          `Private network: Key Vault, Storage and the registry accept no public traffic. Run ${facts.imageRegistryName === undefined ? "" : `pulumi up (it pushes the uploader image to ${facts.imageRegistryName}) and `}the HR system's uploads`,
          `from the virtual network ${facts.virtualNetworkName} (resource group ${facts.resourceGroupName}) or a network peered with it; npm run preflight there checks it (README: "Private networking").`,
        ];
  return [
    ...connectorSteps.flat(),
    ...privateNetwork,
    `The uploader signs in at ${profile.authorityHost} and uploads to ${profile.ingestionBaseUrl} (${profile.title}).`,
    facts.secretExpiresOn === undefined
      ? "The job signs in as the app with its managed identity (workload identity federation): there is no client secret to store, rotate or leak."
      : `The client secret expires on ${facts.secretExpiresOn}; rotate it before then: pulumi config set secretRotation <yyyy-mm-dd> && pulumi up`,
  ].join("\n");
}

/** Before its job ID is known: what to type into the Purview connector wizard, and what to run after. */
function wizardSteps(facts: NextStepsFacts, connector: ConnectorConfig): string[] {
  const login = facts.imageRegistryName === undefined ? [] : [`       # the next pass assembles the uploader image and pushes it to ${facts.imageRegistryName} with your az login (no Docker)`];
  return [
    "One manual step remains: create the HR connector in the Microsoft Purview portal",
    "(Data connectors > HR > Add connector) and type in:",
    `  1. Authentication credentials, App ID: ${facts.appClientId}`,
    `  2. Data types: ${connector.scenarios.map((scenario) => SCENARIOS[scenario].title).join(", ")}`,
    ...fileMapping(connector).map((line, index) => (index === 0 ? `  3. ${line}` : `     ${line}`)),
    "  4. Copy the job ID from the confirmation page, then run:",
    ...login,
    `       pulumi config set ${connector.connectorJobIdKey} <job-id> && pulumi up`,
  ];
}

/** The wizard's File mapping page: the scenario column and its values for a multi-scenario file, then each scenario's columns. */
function fileMapping(connector: ConnectorConfig): string[] {
  const [single] = connector.wizardColumns;
  const scenarioColumn = connector.wizardScenarioColumn;
  if (scenarioColumn === undefined && single !== undefined) return [`File mapping, column names: ${single.columns.join(", ")}`];
  const values = scenarioColumn?.values.map(({ scenario, value }) => `${SCENARIOS[scenario].title} = "${value}"`).join(", ");
  return [
    `File mapping, scenario column: ${scenarioColumn?.header}; its value per scenario: ${values}`,
    ...connector.wizardColumns.map(({ scenario, columns }) => `${SCENARIOS[scenario].title} column names: ${columns.join(", ")}`),
  ];
}

/** Once the job exists: where the CSV goes and how to run the job now. */
function jobSteps(facts: NextStepsFacts, { connector, csvUploadUrl }: ConnectorFacts, jobName: string): string[] {
  return [
    `The job ${jobName} runs on the schedule "${connector.schedule}" (UTC) and reads ${csvUploadUrl}`,
    "The HR system drops the CSV with:",
    `  az storage blob upload --auth-mode login --account-name ${facts.storageAccountName} --container-name ${DATA_CONTAINER} --name ${connector.csvBlobName} --file <file.csv> --overwrite`,
    "Run it now to check the setup:",
    `  az containerapp job start --name ${jobName} --resource-group ${facts.resourceGroupName}`,
  ];
}
