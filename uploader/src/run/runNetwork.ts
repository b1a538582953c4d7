import type { TokenSource } from "../auth/tokenSource";
import type { RunCancellation } from "../core/stop";
import type { Tally } from "./runReport";
import type { UploadConfig, UploadServices } from "./uploadConfig";

/**
 * A run's way to the service: the proxy agent for each URL, its one token source (made when the first chunk needs a
 * token, so a run with nothing to send signs in to nothing), and the notice of each retry, sign-in's and upload's alike.
 */
export class RunNetwork {
  private source: TokenSource | undefined;

  constructor(
    private readonly config: Pick<UploadConfig, "credentials" | "proxyAgents">,
    private readonly services: Pick<UploadServices, "createTokenSource" | "clock" | "logger" | "progress">,
    private readonly cancellation: RunCancellation,
    private readonly tally: Pick<Tally, "retries">,
  ) {}

  readonly agentFor = (url: string) => this.config.proxyAgents?.for(url);

  tokens(): TokenSource {
    this.source ??= this.services.createTokenSource(this.config.credentials, { clock: this.services.clock, cancellation: this.cancellation, agentFor: this.agentFor, onRetry: this.retrying });
    return this.source;
  }

  /** Token requests sent to the network, for the run summary (none when no token was needed). */
  get networkRequests(): number {
    return this.source?.networkRequests ?? 0;
  }

  readonly retrying = (reason: string, waitMs: number): void => {
    this.tally.retries++;
    this.services.progress?.clear();
    this.services.logger.warn("retry", `${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`, { reason, waitMs });
  };
}
