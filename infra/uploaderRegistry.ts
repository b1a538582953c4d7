import * as path from "node:path";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkMode } from "./config";

export interface UploaderRegistryArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** "private": reachable only through its private endpoint, which needs the Premium SKU. */
  readonly network: NetworkMode;
}

/**
 * Private registry for the uploader image. No admin user and no anonymous pull:
 * the job pulls with its managed identity, the deployer pushes with their own
 * Entra login.
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
        // Private endpoints exist for Premium registries only.
        sku: { name: args.network === "private" ? containerregistry.SkuName.Premium : containerregistry.SkuName.Basic },
        adminUserEnabled: false,
        anonymousPullEnabled: false,
        publicNetworkAccess: args.network === "private" ? containerregistry.PublicNetworkAccess.Disabled : containerregistry.PublicNetworkAccess.Enabled,
      },
      { parent: this },
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
}

const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/**
 * The uploader image built from uploader/Dockerfile and pushed with the
 * deployer's Docker credentials (`az acr login`); none are stored in the stack.
 */
export class UploaderImage extends pulumi.ComponentResource {
  /** `<loginServer>/hr-upload:latest@sha256:…`: the digest pins what the job runs. */
  readonly ref: pulumi.Output<string>;

  constructor(name: string, args: UploaderImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hr-connector:registry:UploaderImage", name, {}, opts);

    const image = new dockerBuild.Image(
      name,
      {
        context: { location: REPOSITORY_ROOT },
        dockerfile: { location: path.join(REPOSITORY_ROOT, "uploader", "Dockerfile") },
        platforms: [dockerBuild.Platform.Linux_amd64], // what Container Apps runs, also when built on an ARM laptop
        tags: [pulumi.interpolate`${args.loginServer}/hr-upload:latest`],
        push: true,
      },
      { parent: this },
    );

    this.ref = image.ref;
    this.registerOutputs({ ref: this.ref });
  }
}
