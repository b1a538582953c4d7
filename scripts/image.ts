/**
 * Assembles the uploader image without Docker and pushes it to a registry
 * that speaks the OCI distribution API; prints `<host>/<repository>@sha256:…`.
 *
 *   npm run image -- --registry https://<host> [--repository hr-upload] [--base <ref@sha256:…>]
 *                    [--tag <tag>] [--auth auto|azure|anonymous] [--platform linux/amd64]
 *
 * Exit codes: 0 pushed; 2 usage; 4 sign-in refused; 5 registry or base image problem.
 */
import { imageCli } from "./lib/imageCli";
import { runAsScript } from "./lib/scriptIo";

const abort = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort.abort(new Error(`stopped by ${signal}`)));
runAsScript((argv, io) => imageCli(argv, io, abort.signal));
