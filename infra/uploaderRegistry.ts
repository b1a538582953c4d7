import * as path from "node:path";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as pulumi from "@pulumi/pulumi";
import { BUILD_PATHS } from "../scripts/lib/buildPaths";
import { DEFAULT_REPOSITORY, readImageLabels, readUploaderFiles, uploaderFileDigests, type ImageLabels } from "../scripts/lib/uploaderImage";
import type { NetworkMode } from "./config";

export interface UploaderRegistryArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** "private": reachable only through its private endpoint. */
  readonly network: NetworkMode;
  /** Images at rest: a customer-managed key (built-in 5b9159ae), which needs the Premium SKU. */
  readonly encryption: {
    readonly identityId: pulumi.Input<string>;
    readonly identityClientId: pulumi.Input<string>;
    /** Versionless key URI: the registry follows each rotation. */
    readonly keyUri: pulumi.Input<string>;
    /** The identity's grant on the key, in effect: the registry is created with its key, so after it. */
    readonly ready: pulumi.Resource;
  };
}

/**
/**
 * Private registry for the uploader image. No admin user and no anonymous pull:
 * the job pulls with its managed identity, the deployer pushes with their own
 * Entra login (no Docker, no `az acr login`).
 */
export class UploaderRegistry extends pulumi.ComponentResource {
  readonly registryId: pulumi.Output<string>;
  readonly registryName: pulumi.Output<string>;
  readonly loginServer: pulumi.Output<string>;

  constructor(name: string, args: UploaderRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:registry:UploaderRegistry", name, {}, opts);

    const registry = new containerregistry.Registry(
      name.replace(/[^a-zA-Z0-9]/g, ""), // registry names are alphanumeric only
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        // Customer-managed keys and private endpoints exist for Premium registries only.
        sku: { name: containerregistry.SkuName.Premium },
        identity: { type: containerregistry.ResourceIdentityType.UserAssigned, userAssignedIdentities: pulumi.output(args.encryption.identityId).apply((id) => ({ [id]: {} })) },
        // Set at creation only: adding it to an existing stack replaces the registry, whose image must then be pushed again (README).
        encryption: { status: containerregistry.EncryptionStatus.Enabled, keyVaultProperties: { keyIdentifier: args.encryption.keyUri, identity: args.encryption.identityClientId } },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        publicNetworkAccess: args.network === "private" ? containerregistry.PublicNetworkAccess.Disabled : containerregistry.PublicNetworkAccess.Enabled,
      },
      { parent: this, dependsOn: [args.encryption.ready] },
    );

    this.registryId = registry.id;
    this.registryName = registry.name;
    this.loginServer = registry.loginServer;
    this.registerOutputs({ registryId: this.registryId, loginServer: this.loginServer });
  }
}

export interface UploaderImageArgs {
  /** Registry to push to, e.g. `<name>.azurecr.us`. */
  readonly loginServer: pulumi.Input<string>;
  /** Base image pinned by digest (config `imageBase`). */
  readonly base: string;
}

const REPOSITORY_ROOT = path.resolve(__dirname, "..");
/** The image assembly bundled by `npm run build`: Pulumi's provider host runs JavaScript only, and loads it by path. */
const IMAGE_MODULE = path.join(REPOSITORY_ROOT, BUILD_PATHS.imageModule);

/** What the image resource keeps in the stack's state: names and digests, never a token. */
interface ImageInputs {
  readonly registry: string;
  readonly repository: string;
  readonly base: string;
  readonly bundleDigest: string;
  readonly sbomDigest: string;
  readonly source: string;
  readonly revision: string;
  readonly version: string;
}

interface ImageOutputs extends ImageInputs {
  readonly digest: string;
  /** `<registry>/<repository>@sha256:…`. */
  readonly ref: string;
}

/**
 * Assembles and pushes the image in Pulumi's provider host, at deploy time, with the deployer's own Azure
 * sign-in (`az account get-access-token`, exchanged at the registry's /oauth2/exchange). Serialized into the
 * state by Pulumi: it captures only the module path. The provider host is this code's edge, so it reads
 * the process's environment (HTTPS_PROXY, NO_PROXY, PATH for az) and platform here.
 */
async function pushImage(inputs: ImageInputs): Promise<ImageOutputs> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the provider host, by path
  const image = require(IMAGE_MODULE) as typeof import("../scripts/lib/uploaderImage");
  const root = path.dirname(path.dirname(IMAGE_MODULE));
  const files = image.readUploaderFiles(root);
  const { bundleDigest, sbomDigest } = image.uploaderFileDigests(files);
  if (bundleDigest !== inputs.bundleDigest || sbomDigest !== inputs.sbomDigest) {
    throw new Error("dist/hr-upload.js changed since this deployment was planned: run pulumi up again");
  }
  const environment = image.processPushEnvironment(process.env, process.platform);
  try {
    const pushed = await image.pushUploaderImage(
      { registry: inputs.registry, repository: inputs.repository, base: inputs.base, platform: image.IMAGE_PLATFORM, files, auth: "azure", labels: inputs },
      environment,
    );
    return { ...inputs, digest: pushed.digest, ref: pushed.reference };
  } finally {
    await environment.http.close();
  }
}

const imageProvider: pulumi.dynamic.ResourceProvider<ImageInputs, ImageOutputs> = {
  async create(inputs) {
    const outs = await pushImage(inputs);
    return { id: outs.digest, outs };
  },
  // What the image is made of; not the provider's own code (its module path differs between deployers' machines).
  async diff(_id, olds, news) {
    const changed = (Object.keys(news) as (keyof ImageInputs)[]).filter((key) => (key as string) !== "__provider" && olds[key] !== news[key]);
    return { changes: changed.length > 0 };
  },
  async update(_id, _olds, news) {
    return { outs: await pushImage(news) };
  },
  // Pushed images stay in the registry (the job may still run them); they go with the registry.
  async delete() {},
};

/** The dynamic resource itself (`pulumi-nodejs:dynamic/hr-connector:OciImage`); its ID is the digest. */
class OciImage extends pulumi.dynamic.Resource {
  declare readonly ref: pulumi.Output<string>;

  constructor(name: string, inputs: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super(imageProvider, name, { ...inputs, digest: undefined, ref: undefined }, opts, "hr-connector", "OciImage");
  }
}

/** The checkout's git labels do not change while the program runs: asked of git once per process, not per image. */
let checkoutLabels: ImageLabels | undefined;

/**
 * The uploader image, assembled without Docker (base pinned by digest plus one reproducible layer with
 * dist/hr-upload.js and its SBOM) and pushed at deploy time; the same code as `npm run image`.
 */
export class UploaderImage extends pulumi.ComponentResource {
  /** `<loginServer>/hr-upload@sha256:…`: the digest pins what the job runs. */
  readonly ref: pulumi.Output<string>;

  constructor(name: string, args: UploaderImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:registry:UploaderImage", name, {}, opts);

    const inputs: pulumi.Inputs = {
      registry: args.loginServer,
      repository: DEFAULT_REPOSITORY,
      base: args.base,
      ...uploaderFileDigests(readUploaderFiles(REPOSITORY_ROOT)),
      ...(checkoutLabels ??= readImageLabels(REPOSITORY_ROOT)),
    };
    this.ref = new OciImage(name, inputs, { parent: this }).ref;
    this.registerOutputs({ ref: this.ref });
  }
}
