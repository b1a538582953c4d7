import type { ClientCredentials, TokenServices, TokenSource } from "../auth/tokenSource";
import type { Clock } from "../core/clock";
import type { RunCancellation } from "../core/stop";
import type { ColumnMap } from "../csv/layout";
import type { FileRules } from "../csv/fileRules";
import type { DeliverySettings } from "../ingest/delivery";
import type { PostChunk } from "../ingest/transport";
import type { MachineLocks } from "../lock/machineLock";
import type { ProxyAgents } from "../net/proxy";
import type { Logger } from "../observe/log";
import type { ByteSource } from "../source/byteSource";
import type { StateStore } from "../state/stateStore";
import type { ValidationWorkers } from "../validation/inSlices";

/** What an upload run is given: its validated config from the CLI edge, and the services it runs with. */
/** The CSV to upload, opened only when the run gets to it: a version left unfinished is delivered first, even if the file is gone. */
export interface CsvSource {
  /** The file as given (a path made absolute, or a blob URL without its query). */
  readonly name: string;
  /** Earlier spellings of the name under which format-1 checkpoints were kept. */
  readonly legacyNames: readonly string[];
  open(): Promise<ByteSource>;
}

export interface UploadConfig {
  readonly csv: CsvSource;
  readonly rules: FileRules;
  readonly columns: ColumnMap;
  readonly showValues: boolean;
  readonly cloud: string;
  readonly jobId: string;
  readonly credentials: ClientCredentials;
  readonly delivery: DeliverySettings;
  readonly recordsPerCall: number;
  readonly concurrency: number;
  readonly skipInvalid: boolean;
  /** Job states, run locks, kept copies and run records. */
  readonly state: StateStore;
  /** Where runs on this machine lock each job whatever their state folder; absent in tests of the run alone. */
  readonly machineLocks?: MachineLocks;
  readonly force: boolean;
  readonly resendAfterDays: number;
  readonly dryRun: boolean;
  readonly secretExpiresOn?: Date;
  /** How long a killed run's lock blocks the job. */
  readonly lockLeaseMs: number;
  /** Run records older than this are deleted from a state folder. */
  readonly keepRunsDays: number;
  /** Where sign-in and upload requests go through the agency's proxy. */
  readonly proxyAgents?: ProxyAgents;
}

export interface UploadServices {
  readonly logger: Logger;
  readonly clock: Clock;
  /** From the CLI edge: signals stop the run (and, past the grace period, halt requests in flight). */
  readonly cancellation: RunCancellation;
  readonly createTokenSource: (credentials: ClientCredentials, services: TokenServices) => TokenSource;
  readonly post: PostChunk;
  /** Progress line on an interactive terminal; absent otherwise. */
  readonly progress?: ProgressLine;
  /** Worker threads for validation; absent, validation runs on this thread. */
  readonly validationWorkers?: ValidationWorkers;
}

export interface ProgressLine {
  update(text: string): void;
  clear(): void;
}
