/** `npm run image`'s command line (scripts/image.ts), apart from the process: the tests run it in-process. */
import { parseArgs } from "node:util";
import type { ScriptIo } from "./scriptIo";
import { REGISTRY_AUTH_MODES, RegistryAuthError, type RegistryAuthMode } from "./oci/auth";
import { parsePlatform } from "./oci/image";
import { DEFAULT_IMAGE_BASE, imageBaseProblem } from "./imageBase";
import { isRepositoryName, isTag } from "./oci/reference";
import { ToolError } from "../../uploader/src/auth/toolRunner";
import { DEFAULT_REPOSITORY, IMAGE_PLATFORM, processPushEnvironment, pushUploaderImage, readImageLabels, readUploaderFiles } from "./uploaderImage";
import { REPOSITORY_ROOT } from "./repositoryRoot";

const HELP = `npm run image -- --registry https://<host> [options]

Assembles the hr-upload image (base image + one layer holding dist/hr-upload.js and its SBOM) without
Docker and pushes it; prints the pushed reference <host>/<repository>@sha256:<digest>. Identical inputs
give the identical digest.

  --registry URL       https://<registry host>[:port] (required), e.g. https://myregistry.azurecr.us
  --repository NAME    repository in that registry (default ${DEFAULT_REPOSITORY})
  --base REF           base image pinned by digest (default ${DEFAULT_IMAGE_BASE})
  --tag TAG            tag the manifest also gets (default <version>-<git revision>)
  --auth MODE          auto (default: ACR's token exchange for *.azurecr.* hosts, anonymous tokens elsewhere),
                       azure (ACR exchange with your az login), anonymous
  --platform P         platform of the base to use (default linux/amd64, what Container Apps runs)
  --help               this text

Sign-in with --auth azure uses \`az account get-access-token\` (run az login, and for Azure Government
az cloud set --name AzureUSGovernment first); you need AcrPush or Contributor on the registry.
HTTPS_PROXY and NO_PROXY are honoured; NODE_EXTRA_CA_CERTS adds a TLS-inspecting proxy's root.

Exit codes: 0 pushed; 2 usage error; 4 sign-in refused; 5 registry or base image problem.`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      registry: { type: "string" },
      repository: { type: "string", default: DEFAULT_REPOSITORY },
      base: { type: "string", default: DEFAULT_IMAGE_BASE },
      tag: { type: "string" },
      auth: { type: "string", default: "auto" },
      platform: { type: "string", default: `${IMAGE_PLATFORM.os}/${IMAGE_PLATFORM.architecture}` },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return undefined;
  if (values.registry === undefined) throw new UsageError("--registry https://<host> is required");
  const registryUrl = new URL(values.registry.includes("://") ? values.registry : `https://${values.registry}`);
  if (registryUrl.protocol !== "https:" || registryUrl.pathname !== "/" || registryUrl.username || registryUrl.search) {
    throw new UsageError(`--registry ${values.registry} must be https://<host>[:port] with nothing after the host`);
  }
  if (!isRepositoryName(values.repository)) throw new UsageError(`--repository ${values.repository} is not a repository name (lowercase letters, digits, '.', '_', '-', '/')`);
  if (values.tag !== undefined && !isTag(values.tag)) throw new UsageError(`--tag ${values.tag} is not a tag`);
  if (!(REGISTRY_AUTH_MODES as readonly string[]).includes(values.auth)) throw new UsageError(`--auth must be one of ${REGISTRY_AUTH_MODES.join(", ")}`);
  const baseProblem = imageBaseProblem(values.base);
  if (baseProblem !== undefined) throw new UsageError(`--base ${baseProblem}`);
  return { registry: registryUrl.host, repository: values.repository, base: values.base, tag: values.tag, auth: values.auth as RegistryAuthMode, platform: parsePlatform(values.platform) };
}

/** `npm run image`: resolves to its exit code (0 pushed; 2 usage error; 4 sign-in refused; 5 registry or base image problem). */
/** `signal` stops the push (the script aborts it on SIGINT and SIGTERM). */
export async function imageCli(argv: string[], context: ScriptIo, signal?: AbortSignal): Promise<number> {
  const { stdout, stderr } = context;
  let options;
  try {
    options = parse(argv);
  } catch (error) {
    stderr(`npm run image: ${(error as Error).message} (see --help)`);
    return 2;
  }
  if (options === undefined) {
    stdout(HELP);
    return 0;
  }
  const environment = processPushEnvironment(context.env, context.platform, { signal, progress: stderr, extraCa: context.extraCa });
  try {
    const files = readUploaderFiles(REPOSITORY_ROOT);
    const pushed = await pushUploaderImage({ ...options, files, labels: readImageLabels(REPOSITORY_ROOT) }, environment);
    stderr(
      `pushed ${pushed.reference} (tag ${pushed.tag}): base ${(pushed.baseBytes / 1048576).toFixed(1)} MiB in ${pushed.copiedLayers + pushed.reusedLayers} layers ` +
        `(${pushed.copiedLayers} copied, ${pushed.reusedLayers} already there), our layer ${(pushed.layerBytes / 1024).toFixed(0)} KiB`,
    );
    stdout(pushed.reference);
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof RegistryAuthError || error instanceof ToolError) {
      stderr(`npm run image: sign-in failed: ${message}`);
      return 4;
    }
    stderr(`npm run image: ${message}`);
    return 5;
  } finally {
    await environment.http.close();
  }
}
