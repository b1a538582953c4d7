/**
 * A local HTTPS stand-in of the two Microsoft endpoints the uploader talks to:
 * the Entra token endpoint (client credentials, v2) for one tenant, app and
 * secret, and the HR connector's ingestion endpoint (`POST /api/signals`),
 * which checks the bearer token, the job ID and the multipart `file` part and
 * counts records as the service's RecordsSaved does. Faults can be injected.
 *
 * One server on 127.0.0.1 with a self-signed certificate made at start; point
 * Node at it with NODE_EXTRA_CA_CERTS=<caFile>.
 *
 *   npx tsx scripts/standin.ts     prints {"url","caFile",...} and serves until killed
 */
import { randomBytes, randomUUID, verify, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseCsv } from "csv-parse/sync";
import { CLOUD_PROFILES, tokenScope } from "../uploader/src/core/clouds";
import { makeLoopbackCertificate, removeLoopbackCertificate, type LoopbackCertificate } from "./lib/loopbackCert";

export interface StandInOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Connector job IDs that belong to the app. */
  jobIds?: string[];
  /** Seconds a token lives (MSAL treats tokens as expired 300 s early). */
  tokenLifetimeSeconds?: number;
  /** Reject the secret as expired (AADSTS7000222). */
  secretExpired?: boolean;
  /** Keep every received record (tests); off for benchmarks, which only count. */
  keepRecords?: boolean;
  /** Serve with this certificate (shared with Azurite, so one NODE_EXTRA_CA_CERTS file trusts both). */
  certificate?: LoopbackCertificate;
  /** The app's federated identity credential: client assertions are checked against it (issuer, subject, audience, expiry, signature). */
  federation?: FederatedCredential;
}

/** What an app's federated credential trusts, and the key that signs the trusted tokens (the identity stand-in's). */
export interface FederatedCredential {
  /** Default: this stand-in's own tenant authority, `<url>/<tenant>/v2.0`, as Entra's managed identity tokens carry. */
  readonly issuer?: string;
  readonly subject: string;
  readonly audience: string;
  readonly publicKey: KeyObject;
}

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** What the next ingestion request gets instead of normal service. */
export type Fault =
  /** Served normally: lets a test aim later faults at later requests. */
  | { kind: "pass" }
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  /** The chunk is stored, then answered with this status (a gateway's 504 after the service kept it: the ambiguous answer). */
  | { kind: "store-then-status"; status: number; retryAfter?: string }
  /** 200 with a saved count: only the chunk's first `recordsSaved` records are kept. */
  | { kind: "saved"; recordsSaved: number }
  /** 200 with an HTML page (a proxy's sign-in page, a captive portal): nothing is kept. */
  | { kind: "html" }
  | { kind: "reset" }
  | { kind: "hang" };

export interface ReceivedChunk {
  jobId: string;
  fileName: string;
  contentType: string;
  header: string[];
  records: string[][];
  recordCount: number;
}

export const STANDIN_DEFAULTS = {
  tenantId: "8d1f4e6a-2b3c-4d5e-9f60-7a8b9c0d1e2f",
  clientId: "29ee526e-f9a7-4e98-a682-67f41bfd643e",
  clientSecret: "stand-in-secret-Do-Not-Print-7Qx",
  jobId: "e081f4f4-3831-48d6-7bb3-fcfab1581458",
} as const;

const JSON_TYPE = { "content-type": "application/json" };

export class StandInCloud {
  readonly received: ReceivedChunk[] = [];
  readonly issuedTokens = new Set<string>();
  tokenRequests = 0;
  /** Token requests that carried a client secret, and that carried a client assertion. */
  readonly credentialsSeen = { secrets: 0, assertions: 0 };
  ingestionRequests = 0;
  /** Delay before each ingestion request is accepted, for tests that must act mid-run. */
  ingestionDelayMs = 0;
  /** Ingestion requests after this many are held until `releaseHeldIngestion()`: a test acts while they are surely in flight. */
  holdIngestionAfter: number | undefined;
  /** Delay between saving a chunk and answering: a client that dies meanwhile never learns its chunk was kept (the lost answer). */
  answerDelayMs = 0;
  private readonly faults: Fault[] = [];
  private readonly tokenFaults: Fault[] = [];
  private readonly recordsSavedByJob = new Map<string, number>();
  private readonly tokenExpiry = new Map<string, number>();
  private readonly hung = new Set<ServerResponse>();
  private readonly held: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly caFile: string,
    readonly options: Required<Omit<StandInOptions, "certificate" | "federation">>,
    private readonly federation: FederatedCredential | undefined,
    /** The certificate it made for itself (none when given one), removed when it closes. */
    private readonly ownCertificate: LoopbackCertificate | undefined,
  ) {}

  static async start(options: StandInOptions = {}): Promise<StandInCloud> {
    const settings: Required<Omit<StandInOptions, "certificate" | "federation">> = {
      tenantId: options.tenantId ?? STANDIN_DEFAULTS.tenantId,
      clientId: options.clientId ?? STANDIN_DEFAULTS.clientId,
      clientSecret: options.clientSecret ?? STANDIN_DEFAULTS.clientSecret,
      jobIds: options.jobIds ?? [STANDIN_DEFAULTS.jobId],
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
      secretExpired: options.secretExpired ?? false,
      keepRecords: options.keepRecords ?? true,
    };
    const certificate = options.certificate ?? (await makeLoopbackCertificate());
    const caFile = certificate.certFile;
    const server = createServer({ key: certificate.key, cert: certificate.cert });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const { port } = server.address() as { port: number };
    const standIn = new StandInCloud(server, `https://127.0.0.1:${port}`, caFile, settings, options.federation, options.certificate === undefined ? certificate : undefined);
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      standIn.handle(request, response).catch(() => response.destroy());
    });
    return standIn;
  }

  /** The v2.0 issuer of its tenant: what an app's federated credential names for a managed identity of that tenant. */
  get issuer(): string {
    return `${this.url}/${this.options.tenantId}/v2.0`;
  }

  injectFaults(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Faults for the next token requests (a status fault answers with its body, no `error` field). */
  injectTokenFaults(...faults: Fault[]): void {
    this.tokenFaults.push(...faults);
  }

  recordsSaved(jobId: string = this.options.jobIds[0] as string): number {
    return this.recordsSavedByJob.get(jobId) ?? 0;
  }

  /** Every received record's EmailAddress, in arrival order. */
  receivedEmails(): string[] {
    return this.received.flatMap((chunk) => {
      const column = chunk.header.findIndex((name) => name.toLowerCase() === "emailaddress");
      return chunk.records.map((record) => record[column] as string);
    });
  }

  stats() {
    return {
      tokenRequests: this.tokenRequests,
      ingestionRequests: this.ingestionRequests,
      chunks: this.received.length,
      recordsSaved: Object.fromEntries(this.recordsSavedByJob),
    };
  }

  async close(): Promise<void> {
    for (const response of this.hung) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((closed) => this.server.close(() => closed()));
    if (this.ownCertificate !== undefined) removeLoopbackCertificate(this.ownCertificate);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const body = await readBody(request);
    const tenantPath = `/${this.options.tenantId}`;
    if (request.method === "GET" && url.pathname.endsWith("/v2.0/.well-known/openid-configuration")) {
      return this.openIdConfiguration(url, response);
    }
    if (request.method === "POST" && url.pathname.endsWith("/oauth2/v2.0/token")) {
      return this.token(url.pathname.startsWith(`${tenantPath}/`), new URLSearchParams(body.toString()), response);
    }
    if (request.method === "POST" && url.pathname === "/api/signals") {
      return this.ingest(url, request, body, response);
    }
    if (request.method === "GET" && url.pathname === "/_standin/stats") {
      return send(response, 200, JSON.stringify(this.stats()), JSON_TYPE);
    }
    send(response, 404, "not found");
  }

  private openIdConfiguration(url: URL, response: ServerResponse): void {
    const tenant = url.pathname.split("/")[1];
    send(
      response,
      200,
      JSON.stringify({
        token_endpoint: `${this.url}/${tenant}/oauth2/v2.0/token`,
        authorization_endpoint: `${this.url}/${tenant}/oauth2/v2.0/authorize`,
        issuer: `${this.url}/${tenant}/v2.0`,
        jwks_uri: `${this.url}/${tenant}/discovery/v2.0/keys`,
        response_types_supported: ["code", "token"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
      }),
      JSON_TYPE,
    );
  }

  private token(knownTenant: boolean, form: URLSearchParams, response: ServerResponse): void {
    this.tokenRequests++;
    const fault = this.tokenFaults.shift();
    if (fault?.kind === "reset") return void response.socket?.destroy();
    if (fault?.kind === "hang") return void this.hung.add(response);
    if (fault?.kind === "status") return send(response, fault.status, fault.body ?? "{}", { ...JSON_TYPE, ...retryAfterHeader(fault) });
    const reject = (status: number, error: string, code: number, description: string) =>
      send(response, status, JSON.stringify({ error, error_description: `AADSTS${code}: ${description}`, error_codes: [code] }), JSON_TYPE);
    if (!knownTenant) return reject(400, "invalid_request", 90002, "Tenant not found.");
    if (form.get("grant_type") !== "client_credentials") return reject(400, "unsupported_grant_type", 70003, "Unsupported grant type.");
    if (form.get("client_id") !== this.options.clientId) {
      return reject(400, "unauthorized_client", 700016, "Application was not found in the directory.");
    }
    if (form.has("client_secret")) this.credentialsSeen.secrets++;
    if (form.has("client_assertion")) this.credentialsSeen.assertions++;
    if (form.get("client_assertion_type") === JWT_BEARER) {
      const problem = this.federationProblem(form.get("client_assertion") ?? "");
      if (problem) return reject(401, "invalid_client", 70021, `No matching federated identity record found for presented assertion. ${problem}`);
    } else {
      if (form.get("client_secret") !== this.options.clientSecret) {
        return reject(401, "invalid_client", 7000215, "Invalid client secret provided.");
      }
      if (this.options.secretExpired) return reject(401, "invalid_client", 7000222, "The provided client secret keys are expired.");
    }
    if (form.get("scope") !== tokenScope(CLOUD_PROFILES.gcch.tokenResource)) {
      return reject(400, "invalid_resource", 500011, "The resource principal was not found in the tenant.");
    }
    const token = randomBytes(24).toString("base64url");
    this.issuedTokens.add(token);
    this.tokenExpiry.set(token, Date.now() + this.options.tokenLifetimeSeconds * 1000);
    send(response, 200, JSON.stringify({ token_type: "Bearer", expires_in: this.options.tokenLifetimeSeconds, access_token: token }), JSON_TYPE);
  }

  /** Why Entra would refuse this client assertion for the app's federated credential, or undefined. */
  private federationProblem(assertion: string): string | undefined {
    const federation = this.federation;
    if (federation === undefined) return "The app has no federated identity credential.";
    const [header = "", payload = "", signature = ""] = assertion.split(".");
    const signed = verify("sha256", Buffer.from(`${header}.${payload}`), federation.publicKey, Buffer.from(signature, "base64url"));
    if (!signed) return "The assertion's signature is not the issuer's.";
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: string; sub?: string; aud?: string; exp?: number };
    if ((claims.exp ?? 0) * 1000 < Date.now()) return "The assertion has expired.";
    if (claims.iss !== (federation.issuer ?? this.issuer) || claims.sub !== federation.subject || claims.aud !== federation.audience) {
      return `Assertion Issuer: '${claims.iss}'. Assertion Subject: '${claims.sub}'. Assertion Audience: '${claims.aud}'.`;
    }
    return undefined;
  }

  /** Lets the held ingestion requests go on, and holds no more. */
  releaseHeldIngestion(): void {
    this.holdIngestionAfter = undefined;
    for (const release of this.held.splice(0)) release();
  }

  private async ingest(url: URL, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    this.ingestionRequests++;
    const fault = this.faults.shift();
    if (fault?.kind === "reset") return void request.socket.destroy();
    if (fault?.kind === "hang") return void this.hung.add(response);
    if (fault?.kind === "status") {
      return send(response, fault.status, fault.body ?? "", retryAfterHeader(fault));
    }
    if (fault?.kind === "html") return send(response, 200, SIGN_IN_PAGE, { "content-type": "text/html; charset=utf-8" });
    if (this.holdIngestionAfter !== undefined && this.ingestionRequests > this.holdIngestionAfter) await new Promise<void>((release) => this.held.push(release));
    if (this.ingestionDelayMs > 0) {
      // Unref'd: the delay of a request whose client is gone never keeps the process (a test run) alive.
      await new Promise((later) => setTimeout(later, this.ingestionDelayMs).unref());
      // A client that went away while its request was held never had the chunk accepted.
      if (request.socket.destroyed) return;
    }

    const token = /^Bearer ([^ ]+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (token === undefined || (this.tokenExpiry.get(token) ?? 0) < Date.now()) return send(response, 401, "");
    const jobId = url.searchParams.get("jobid") ?? "";
    if (!this.options.jobIds.includes(jobId)) return send(response, 403, "jobId and corresponding appId do not match.");

    const form = await new Response(body, { headers: { "content-type": request.headers["content-type"] ?? "" } }).formData().catch(() => undefined);
    const parts = form ? [...form.keys()] : [];
    const file = form?.get("file");
    if (parts.length !== 1 || !(file instanceof File) || !file.name.endsWith(".csv")) {
      return send(response, 400, "Expected one multipart part named 'file' holding a .csv file.");
    }
    const rows = parseCsv(Buffer.from(await file.arrayBuffer()), { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
    const [header = [], ...sent] = rows;
    const records = fault?.kind === "saved" ? sent.slice(0, fault.recordsSaved) : sent;
    this.received.push({
      jobId,
      fileName: file.name,
      contentType: file.type,
      header,
      records: this.options.keepRecords ? records : [],
      recordCount: records.length,
    });
    this.recordsSavedByJob.set(jobId, this.recordsSaved(jobId) + records.length);
    if (this.answerDelayMs > 0) await new Promise((later) => setTimeout(later, this.answerDelayMs).unref());
    if (fault?.kind === "store-then-status") return send(response, fault.status, "", retryAfterHeader(fault));
    send(response, 200, JSON.stringify({ RecordsSaved: records.length, RequestId: randomUUID() }), JSON_TYPE);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const parts: Buffer[] = [];
    request.on("data", (part: Buffer) => parts.push(part));
    request.on("end", () => done(Buffer.concat(parts)));
    request.on("error", fail);
  });
}

const SIGN_IN_PAGE = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form method=\"post\">Sign in to continue</form></body></html>\n";

const retryAfterHeader = (fault: { retryAfter?: string }): Record<string, string> => (fault.retryAfter === undefined ? {} : { "retry-after": fault.retryAfter });

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, headers).end(body);
}

if (require.main === module) {
  StandInCloud.start({ keepRecords: process.argv.includes("--keep-records") }).then((standIn) => {
    // Listening before saying where it serves: whoever reads the line may stop it at once (Ctrl+C by hand).
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void standIn.close().then(() => process.exit(0)));
    console.log(JSON.stringify({ url: standIn.url, caFile: standIn.caFile, ...STANDIN_DEFAULTS }));
  });
}
