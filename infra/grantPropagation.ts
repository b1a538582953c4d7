import * as pulumi from "@pulumi/pulumi";

/**
 * New role assignments take a while to reach the services that check them
 * (Microsoft: usually minutes); Container Apps checks the job's Key Vault
 * reference and registry pull with the identity when the job is created. This
 * wait sits between the grants and the job: it waits when the grants are new
 * or changed, and costs nothing on later deployments.
 */
export const GRANT_PROPAGATION_SECONDS = 150;

interface WaitInputs {
  /** The role assignments waited for (their IDs: a change means new grants, so a new wait). */
  readonly roleAssignmentIds: string[];
  readonly seconds: number;
}

const wait = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

/** Serialized into the state by Pulumi: it captures nothing. */
export const grantPropagationProvider: pulumi.dynamic.ResourceProvider<WaitInputs, WaitInputs> = {
  async create(inputs) {
    await wait(inputs.seconds);
    return { id: `grants-${inputs.roleAssignmentIds.length}-propagated`, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: JSON.stringify(olds.roleAssignmentIds) !== JSON.stringify(news.roleAssignmentIds) };
  },
  async update(_id, _olds, news) {
    await wait(news.seconds);
    return { outs: news };
  },
  async delete() {},
};

export interface GrantPropagationArgs {
  readonly roleAssignments: pulumi.CustomResource[];
  readonly seconds?: number;
}

/** Depend on this, not on the grants, to start only once they are in effect. */
export class GrantPropagation extends pulumi.dynamic.Resource {
  constructor(name: string, args: GrantPropagationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      grantPropagationProvider,
      name,
      { roleAssignmentIds: args.roleAssignments.map((grant) => grant.id), seconds: args.seconds ?? GRANT_PROPAGATION_SECONDS },
      { ...opts, dependsOn: args.roleAssignments },
      "hr-connector",
      "GrantPropagation",
    );
  }
}
