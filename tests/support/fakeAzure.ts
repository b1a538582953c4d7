/**
 * The Azure a stateful stand-in `az` (tests/support/fakeAz.sh) sees: its folder of
 * resources, the log of every invocation, and the environment that puts it first on PATH.
 * bootstrap-state creates through it, and preflight reads back what it made.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { StateBackendOptions } from "../../scripts/lib/stateBackend/bootstrap";

export const FAKE_SUBSCRIPTION = "11111111-1111-4111-8111-111111111111";
export const FAKE_USER_ID = "44444444-4444-4444-8444-444444444444";
/** The names bootstrap-state derives from the subscription when given none. */
const SUFFIX = createHash("sha256").update(FAKE_SUBSCRIPTION).digest("hex").slice(0, 8);
export const DEFAULT_STATE_NAMES = { suffix: SUFFIX, account: `pulumistate${SUFFIX}`, vault: `pulumi-state-${SUFFIX}` } as const;
/** bootstrap-state's defaults in Azure Government, as its command line gives them. */
export const GOV_BOOTSTRAP: StateBackendOptions = {
  azureEnvironment: "usgovernment",
  resourceGroup: "pulumi-state",
  location: "usgovvirginia",
  container: "pulumi-state",
  key: "pulumi-secrets",
  storageKey: "pulumi-state-storage",
  keyRotation: "P1Y",
  rotateExistingKey: false,
};

export interface FakeAzureState {
  readonly cloud?: string;
  /** Key reads Key Vault refuses first, as while a new role assignment propagates. */
  readonly keyForbiddenReads?: number;
  /** Key Vault's firewall refuses this machine. */
  readonly keyFirewall?: boolean;
  /** Times Storage refuses the customer-managed key, as while the identity's new role propagates. */
  readonly customerManagedKeyRefusals?: number;
}

export class FakeAzure {
  /** The folder holding `az`, to put first on PATH. */
  readonly bin: string;
  private readonly statePath: string;
  private readonly logPath: string;

  constructor(directory: string) {
    this.bin = path.join(directory, "bin");
    mkdirSync(this.bin, { recursive: true });
    copyFileSync(path.join(__dirname, "fakeAz.sh"), path.join(this.bin, "az"));
    this.statePath = path.join(directory, "azure");
    this.logPath = path.join(directory, "az.log");
  }

  /** Signed in to the Gov cloud with nothing created, unless overridden. */
  reset(overrides: FakeAzureState = {}): void {
    rmSync(this.statePath, { recursive: true, force: true });
    mkdirSync(path.join(this.statePath, "resources"), { recursive: true });
    const account = { id: FAKE_SUBSCRIPTION, tenantId: "22222222-2222-4222-8222-222222222222", user: { name: "admin@agency.onmicrosoft.us", type: "user" } };
    writeFileSync(path.join(this.statePath, "cloud"), `${overrides.cloud ?? "AzureUSGovernment"}\n`);
    writeFileSync(path.join(this.statePath, "subscription"), `${account.id}\n`);
    writeFileSync(path.join(this.statePath, "account.json"), `${JSON.stringify(account)}\n`);
    writeFileSync(path.join(this.statePath, "signed-in-user"), `${FAKE_USER_ID}\n`);
    writeFileSync(path.join(this.statePath, "key-forbidden-reads"), `${overrides.keyForbiddenReads ?? 0}\n`);
    writeFileSync(path.join(this.statePath, "cmk-refusals"), `${overrides.customerManagedKeyRefusals ?? 0}\n`);
    if (overrides.keyFirewall === true) this.closeKeyVaultFirewall();
    this.clearLog();
  }

  closeKeyVaultFirewall(): void {
    writeFileSync(path.join(this.statePath, "key-firewall"), "");
  }

  clearLog(): void {
    writeFileSync(this.logPath, "");
  }

  /** Every az invocation since the log was last cleared, as argv arrays. */
  invocations(): string[][] {
    return readFileSync(this.logPath, "utf8").split("\n").filter(Boolean).map((line) => line.split("\x1f").slice(0, -1));
  }

  /** The invocations starting with `prefix` (az's words). */
  calls(prefix: string): string[][] {
    return this.invocations().filter((argv) => argv.join(" ").startsWith(prefix));
  }

  /** One JSON object a line: role-assignments, diagnostic-settings. */
  lines<T>(file: "role-assignments" | "diagnostic-settings"): T[] {
    return readFileSync(path.join(this.statePath, file), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as T);
  }

  /** A resource the stand-in holds as JSON (`<kind>__<name>`), or undefined. */
  resource(name: string): unknown {
    const file = path.join(this.statePath, "resources", name);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as unknown) : undefined;
  }

  /** The environment of a process whose `az` is the stand-in. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${this.bin}${path.delimiter}${process.env.PATH}`, FAKE_AZ_STATE: this.statePath, FAKE_AZ_LOG: this.logPath, ...extra };
  }
}
