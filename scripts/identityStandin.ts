/**
 * A local stand-in of the Container Apps managed identity endpoint
 * (IDENTITY_ENDPOINT + IDENTITY_HEADER, the App Service protocol, api-version
 * 2019-08-01). It issues tokens for one user-assigned identity
 * (AZURE_CLIENT_ID): RS256 JWTs, for Storage with the claims Azurite's OAuth
 * mode checks, and for the token exchange audience with the issuer and
 * subject (the identity's principal ID) an app's federated credential trusts.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface IdentityRequest {
  resource: string | null;
  clientId: string | null;
}

export interface IdentityOptions {
  readonly clientId?: string;
  /** `iss` of its tokens: the tenant's v2.0 authority, as Entra issues managed identity tokens for the exchange audience. */
  readonly issuer?: string;
}

export class IdentityStandIn {
  readonly requests: IdentityRequest[] = [];
  /** The identity's object (principal) ID: the `sub` of its tokens, the subject of a federated credential. */
  readonly principalId = randomUUID();
  /** Verifies its tokens' signatures (what Entra checks a client assertion against). */
  readonly publicKey: KeyObject;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    readonly header: string,
    readonly clientId: string,
    /** Settable: a test points it at the Entra stand-in's own tenant authority once that listens. */
    public issuer: string,
    private readonly key: KeyObject,
  ) {
    this.publicKey = createPublicKey(key);
  }

  static async start(options: IdentityOptions = {}): Promise<IdentityStandIn> {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const server = createServer();
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const { port } = server.address() as { port: number };
    const issuer = options.issuer ?? "https://login.microsoftonline.us/8d1f4e6a-2b3c-4d5e-9f60-7a8b9c0d1e2f/v2.0";
    const standIn = new IdentityStandIn(server, `http://127.0.0.1:${port}/msi/token`, randomUUID(), options.clientId ?? randomUUID(), issuer, privateKey);
    server.on("request", (request: IncomingMessage, response: ServerResponse) => standIn.handle(request, response));
    return standIn;
  }

  /** The environment Container Apps gives a job with this identity. */
  environment(): NodeJS.ProcessEnv {
    return { IDENTITY_ENDPOINT: this.endpoint, IDENTITY_HEADER: this.header, AZURE_CLIENT_ID: this.clientId };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((closed) => this.server.close(() => closed()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", this.endpoint);
    const resource = url.searchParams.get("resource");
    const clientId = url.searchParams.get("client_id");
    this.requests.push({ resource, clientId });
    const reply = (status: number, body: object): void => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (request.headers["x-identity-header"] !== this.header) return reply(401, { error: "invalid_request", error_description: "bad X-IDENTITY-HEADER" });
    if (url.searchParams.get("api-version") !== "2019-08-01") return reply(400, { error: "invalid_request", error_description: "api-version" });
    if (clientId !== this.clientId) return reply(400, { error: "invalid_request", error_description: "unknown identity" });
    const now = Math.floor(Date.now() / 1000);
    // Tokens for an app (api://, as the exchange audience) carry the v2.0 issuer; Storage tokens the v1 issuer Azurite expects.
    const exchange = resource?.startsWith("api://") ?? false;
    const iss = exchange ? this.issuer : "https://sts.windows.net/8d1f4e6a-2b3c-4d5e-9f60-7a8b9c0d1e2f/";
    const token = this.jwt({ aud: resource, iss, sub: this.principalId, nbf: now - 60, iat: now - 60, exp: now + 3600, appid: this.clientId, oid: this.principalId });
    reply(200, { access_token: token, expires_on: String(now + 3600), resource, token_type: "Bearer", client_id: this.clientId });
  }

  private jwt(claims: object): string {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
    return `${unsigned}.${sign("sha256", Buffer.from(unsigned), this.key).toString("base64url")}`;
  }
}
