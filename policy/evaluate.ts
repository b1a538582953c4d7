/**
 * Runs the pack's validations without the Pulumi engine, on the resources an
 * offline run of the stack registered (tests/policy, `npm run plan --
 * --controls`). It calls each policy as the engine does: validateResource with
 * every custom resource's inputs, validateStack once with all resources' outputs,
 * their parents and dependencies; config defaults from each policy's schema.
 */
import type { EnforcementLevel, PolicyResource, PolicyResourceOptions, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { NistPolicy } from "./define";

/** One registered resource, as an offline run records it. */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly parentUrn?: string;
  /** False for component resources. */
  readonly custom: boolean;
  /** What validateResource sees. */
  readonly inputs: Record<string, unknown>;
  /** What validateStack sees. */
  readonly outputs: Record<string, unknown>;
  readonly dependencyUrns: readonly string[];
  readonly propertyDependencyUrns: Readonly<Record<string, readonly string[]>>;
}

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly message: string;
  /** The resource it concerns. */
  readonly urn?: string;
}

export interface EvaluationOptions {
  /** Enforcement of policies that set none (the pack's level). */
  readonly packEnforcementLevel: EnforcementLevel;
  /** Per policy: its config, as `--policy-pack-config` gives it. */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
}

export interface Evaluation {
  readonly violations: Violation[];
  /** Policies that found something to check (the others were not applicable to any resource). */
  readonly applied: Set<string>;
  /** Why a stack policy had nothing to check, as it said (a resource policy's reason is per resource). */
  readonly notApplicable: Map<string, string>;
}

/**
 * How a policy says it has nothing to check (the engine's `notApplicable` throws too). A signal, not a failure: it
 * takes no stack trace, which a policy on a resource it does not check would pay for each time (under Jest's
 * source-mapped traces, about 0.5 s of the offline-stack tests' CPU).
 */
class NotApplicable extends Error {
  constructor(reason?: string) {
    const traceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = traceLimit;
  }
}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

const NO_OPTIONS: PolicyResourceOptions = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

/** `validateResourceOfType` and friends compare the resource class's type token. */
const typeCheck = (type: string) => (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type;

const isStackPolicy = (policy: ResourceValidationPolicy | StackValidationPolicy): policy is StackValidationPolicy => "validateStack" in policy;

/** The policy's config: its schema's defaults, then what the caller sets. */
function configOf(policy: ResourceValidationPolicy | StackValidationPolicy, options: EvaluationOptions): Record<string, unknown> {
  const defaults = Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).flatMap(([key, schema]) => (schema.default === undefined ? [] : [[key, schema.default]])));
  return { ...defaults, ...options.config?.[policy.name] };
}

/** The resources as validateStack receives them, linked to their parents and dependencies. */
function policyResources(resources: readonly StackResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const linked = resources.map((resource) => {
    const policyResource: PolicyResource = {
      type: resource.type,
      name: resource.name,
      urn: resource.urn,
      props: resource.outputs,
      opts: NO_OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: typeCheck(resource.type),
      asType: (resourceClass) => (typeCheck(resource.type)(resourceClass) ? (resource.outputs as never) : undefined),
    };
    byUrn.set(resource.urn, policyResource);
    return [resource, policyResource] as const;
  });
  const resolve = (urns: readonly string[]) => urns.flatMap((urn) => byUrn.get(urn) ?? []);
  for (const [resource, policyResource] of linked) {
    policyResource.parent = resource.parentUrn === undefined ? undefined : byUrn.get(resource.parentUrn);
    policyResource.dependencies = resolve(resource.dependencyUrns);
    policyResource.propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencyUrns).map(([input, urns]) => [input, resolve(urns)]));
  }
  return linked.map(([, policyResource]) => policyResource);
}

export async function evaluatePolicies(policies: readonly NistPolicy[], resources: readonly StackResource[], options: EvaluationOptions): Promise<Evaluation> {
  const violations: Violation[] = [];
  const applied = new Set<string>();
  const notApplicableStack = new Map<string, string>();
  const stack = policyResources(resources);

  for (const { policy } of policies) {
    const enforcementLevel = (options.config?.[policy.name]?.enforcementLevel as EnforcementLevel | undefined) ?? policy.enforcementLevel ?? options.packEnforcementLevel;
    if (enforcementLevel === "disabled") continue;
    const config = configOf(policy, options);
    const getConfig = <T extends object>() => config as T;
    const record = (urn: string | undefined) => (message: string, reportedUrn?: string) => violations.push({ policy: policy.name, enforcementLevel, message, urn: reportedUrn ?? urn });
    const attempt = async (validation: () => Promise<void> | void, onNotApplicable?: (reason: string) => void) => {
      try {
        await validation();
        applied.add(policy.name);
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
        if (error.message !== "") onNotApplicable?.(error.message);
      }
    };

    if (isStackPolicy(policy)) {
      await attempt(
        () => policy.validateStack({ resources: stack, stackTags: new Map(), getConfig, notApplicable }, record(undefined)),
        (reason) => notApplicableStack.set(policy.name, reason),
      );
      continue;
    }
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    for (const resource of resources.filter((candidate) => candidate.custom)) {
      for (const validate of validations) {
        await attempt(() =>
          validate(
            {
              type: resource.type,
              name: resource.name,
              urn: resource.urn,
              props: resource.inputs,
              opts: NO_OPTIONS,
              stackTags: new Map(),
              isType: typeCheck(resource.type),
              asType: (resourceClass) => (typeCheck(resource.type)(resourceClass) ? (resource.inputs as never) : undefined),
              getConfig,
              notApplicable,
            },
            record(resource.urn),
          ),
        );
      }
    }
  }
  return { violations, applied, notApplicable: notApplicableStack };
}
