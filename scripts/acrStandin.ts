/**
 * A local HTTPS stand-in of Azure Container Registry's token service, in front
 * of a real registry (the CNCF Distribution registry with `auth: token`):
 *
 *   POST /oauth2/exchange  grant_type=access_token, service, access_token (an Entra token)
 *                          → {"refresh_token"}          (ACR's AAD-OAuth exchange)
 *   POST /oauth2/token     grant_type=refresh_token, service, scope, refresh_token
 *                          → {"access_token"}           (a JWT the registry verifies)
 *   GET  /oauth2/token     ?service&scope, no credentials → 401 (anonymous pull disabled, as the stack's ACR)
 *
 * Access tokens are RS256 JWTs signed with node:crypto by a key whose
 * certificate the registry trusts (`rootcertbundle`), carried in the `x5c`
 * header, with Docker's `access` claim.
 */
import { randomBytes, randomUUID, sign, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { join } from "node:path";
import { generate } from "selfsigned";
import type { LoopbackCertificate } from "./lib/loopbackCert";

export interface AcrStandInOptions {
  /** HTTPS certificate of the stand-in (the loopback one). */
  readonly certificate: LoopbackCertificate;
  /** The Entra access token the deployer's `az` hands out; anything else is refused. */
  readonly entraAccessToken: string;
  /** The registry's service name (the token audience). */
  readonly service: string;
  readonly tokenLifetimeSeconds?: number;
}

/** What the registry's `auth.token` section needs. */
export interface RegistryTokenAuth {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM file with the token-signing certificate. */
  readonly rootCertBundle: string;
}

export interface StandInRequest {
  readonly method: string;
  readonly path: string;
  readonly grantType?: string;
  readonly scope?: string;
  readonly status: number;
}

const ISSUER = "hr-connector-acr-standin";

const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export class AcrTokenStandIn {
  /** Every request, in order, without its secrets. */
  readonly requests: StandInRequest[] = [];
  private readonly refreshTokens = new Set<string>();

  private constructor(
    private readonly server: Server,
    private readonly options: AcrStandInOptions,
    private readonly signingKey: string,
    private readonly signingCertDer: string,
    private readonly rootCertBundle: string,
  ) {}

  static async start(options: AcrStandInOptions): Promise<AcrTokenStandIn> {
    const signer = await generate([{ name: "commonName", value: "hr-connector ACR stand-in token signer" }], { keySize: 2048 });
    const rootCertBundle = join(options.certificate.certFile, "..", `token-signer-${randomUUID()}.pem`);
    writeFileSync(rootCertBundle, signer.cert);
    const der = new X509Certificate(signer.cert).raw.toString("base64");
    const server = createServer({ cert: options.certificate.cert, key: options.certificate.key });
    const standIn = new AcrTokenStandIn(server, options, signer.private, der, rootCertBundle);
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      standIn.handle(request, response).catch(() => {
        response.statusCode = 500;
        response.end();
      });
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
    return standIn;
  }

  /** What the registry's `auth.token` section needs. */
  get registryAuth(): RegistryTokenAuth {
    const { port } = this.server.address() as { port: number };
    return { realm: `https://127.0.0.1:${port}/oauth2/token`, service: this.options.service, issuer: ISSUER, rootCertBundle: this.rootCertBundle };
  }

  get url(): string {
    return new URL(this.registryAuth.realm).origin;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((closed) => this.server.close(() => closed()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const form = new URLSearchParams(request.method === "POST" ? await readBody(request) : url.search);
    const answer = (status: number, body: object) => {
      this.requests.push({ method: request.method ?? "", path: url.pathname, grantType: form.get("grant_type") ?? undefined, scope: form.get("scope") ?? undefined, status });
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    const refuse = (status: number, error: string) => answer(status, { errors: [{ code: "UNAUTHORIZED", message: error }] });

    if (form.get("service") !== this.options.service) return refuse(400, "unknown service");
    if (request.method === "POST" && url.pathname === "/oauth2/exchange") {
      if (form.get("grant_type") !== "access_token" || form.get("access_token") !== this.options.entraAccessToken) return refuse(401, "invalid Entra token");
      const refreshToken = randomBytes(24).toString("base64url");
      this.refreshTokens.add(refreshToken);
      return answer(200, { refresh_token: refreshToken });
    }
    if (url.pathname === "/oauth2/token") {
      if (request.method !== "POST") return refuse(401, "anonymous access is disabled");
      if (form.get("grant_type") !== "refresh_token" || !this.refreshTokens.has(form.get("refresh_token") ?? "")) return refuse(401, "invalid refresh token");
      return answer(200, { access_token: this.accessToken((form.get("scope") ?? "").split(" ").filter(Boolean)) });
    }
    return refuse(404, "not found");
  }

  /** Grants what each `repository:<name>:<actions>` scope asks. */
  private accessToken(scopes: string[]): string {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((scope) => {
      const [type, name, actions] = scope.split(":");
      return { type, name, actions: (actions ?? "").split(",").filter((action) => action === "pull" || action === "push") };
    });
    const header = { typ: "JWT", alg: "RS256", x5c: [this.signingCertDer] };
    const claims = { iss: ISSUER, sub: "deployer", aud: this.options.service, iat: now, nbf: now - 5, exp: now + (this.options.tokenLifetimeSeconds ?? 300), jti: randomUUID(), access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), this.signingKey))}`;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}
