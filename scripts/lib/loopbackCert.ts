import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface LoopbackCertificate {
  readonly cert: string;
  readonly key: string;
  /** The certificate as a file, for NODE_EXTRA_CA_CERTS and Azurite's --cert. */
  readonly certFile: string;
  readonly keyFile: string;
  /** The folder of the two files (the key among them), made for them alone: removeLoopbackCertificate removes it. */
  readonly folder: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at start: the stand-ins and Azurite serve HTTPS with it.
 * localhost is a name, for clients (the Storage SDK's proxy agent) that check a tunnelled certificate only against a
 * host name; `dnsNames` adds more, for a stand-in reached under a real host's name (through a test proxy).
 * A second certificate trusted beside the first needs another `commonName`: TLS finds an issuer by its name.
 */
export async function makeLoopbackCertificate(dnsNames: readonly string[] = [], commonName = "127.0.0.1"): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: "commonName", value: commonName }], {
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, ...["localhost", ...dnsNames].map((value) => ({ type: 2 as const, value }))] }],
  });
  const dir = mkdtempSync(join(tmpdir(), "hr-loopback-tls-"));
  const certFile = join(dir, "loopback-cert.pem");
  const keyFile = join(dir, "loopback-key.pem");
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, certFile, keyFile, folder: dir };
}

/** Removes the certificate's files, its private key among them, once nothing serves or trusts it any more. */
export function removeLoopbackCertificate(certificate: LoopbackCertificate): void {
  rmSync(certificate.folder, { recursive: true, force: true });
}
