/**
 * How the pack's policies are written: each one names the NIST SP 800-53 Rev. 5
 * controls it checks, the Azure Policy built-ins it mirrors (the definitions an
 * assessor runs from the "NIST SP 800-53 Rev. 5" and "FedRAMP High" initiatives),
 * and the settings it reads, which `npm run plan -- --controls` prints as evidence.
 */
import type { EnforcementLevel, PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidation, StackValidationPolicy } from "@pulumi/policy";

/** An Azure Policy built-in definition (Azure/azure-policy, also published in Azure Government). */
export interface AzureBuiltIn {
  readonly displayName: string;
  readonly definitionId: string;
}

/** Resources whose settings implement a control, and the settings (dotted input paths). */
export interface Evidence {
  readonly type: string;
  readonly settings: readonly string[];
  /** Only resources whose given input comes from a resource of this type (e.g. the diagnostic setting of a Key Vault). */
  readonly where?: { readonly input: string; readonly fromType: string };
}

export interface NistPolicy {
  readonly policy: ResourceValidationPolicy | StackValidationPolicy;
  /** NIST SP 800-53 Rev. 5 controls (and enhancements) the rule supports, as the Azure initiatives group it where they do. */
  readonly controls: readonly string[];
  readonly azurePolicies: readonly AzureBuiltIn[];
  readonly evidence: readonly Evidence[];
}

/** Titles of the controls the pack names (NIST SP 800-53 Rev. 5). */
export const CONTROL_TITLES: Readonly<Record<string, string>> = {
  "AC-2": "Account Management",
  "AC-2(1)": "Account Management | Automated System Account Management",
  "AC-3": "Access Enforcement",
  "AC-3(7)": "Access Enforcement | Role-based Access Control",
  "AC-4": "Information Flow Enforcement",
  "AC-6": "Least Privilege",
  "AC-14": "Permitted Actions Without Identification or Authentication",
  "AC-17": "Remote Access",
  "AU-2": "Event Logging",
  "AU-11": "Audit Record Retention",
  "AU-12": "Audit Record Generation",
  "CP-9": "System Backup",
  "IA-2": "Identification and Authentication (Organizational Users)",
  "IA-5": "Authenticator Management",
  "IA-5(1)": "Authenticator Management | Password-based Authentication",
  "SC-7": "Boundary Protection",
  "SC-7(3)": "Boundary Protection | Access Points",
  "SC-8": "Transmission Confidentiality and Integrity",
  "SC-8(1)": "Transmission Confidentiality and Integrity | Cryptographic Protection",
  "SC-12": "Cryptographic Key Establishment and Management",
  "SC-13": "Cryptographic Protection",
};

/** The value at a dotted path (`properties.enableRbacAuthorization`); undefined where the path ends early. */
export function valueAt(node: unknown, dottedPath: string): unknown {
  return dottedPath.split(".").reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), node);
}

interface Definition {
  readonly name: string;
  /** What the rule asks, one sentence. */
  readonly asks: string;
  readonly controls: readonly string[];
  readonly azurePolicies?: readonly AzureBuiltIn[];
  readonly evidence: readonly Evidence[];
  /** Advisory for what depends on the agency; mandatory (the pack's level) for what the stack must never violate. */
  readonly enforcementLevel?: EnforcementLevel;
  readonly configSchema?: PolicyConfigSchema;
}

function metadataOf(definition: Definition): Pick<ResourceValidationPolicy, "name" | "description" | "enforcementLevel" | "configSchema" | "framework"> {
  const mirrors = (definition.azurePolicies ?? []).map((builtIn) => `"${builtIn.displayName}" (${builtIn.definitionId})`);
  return {
    name: definition.name,
    description: [
      definition.asks,
      `NIST SP 800-53 Rev. 5: ${definition.controls.join(", ")}.`,
      mirrors.length === 0 ? "No Azure Policy built-in checks this." : `Mirrors Azure Policy ${mirrors.join(", ")}.`,
    ].join(" "),
    enforcementLevel: definition.enforcementLevel,
    configSchema: definition.configSchema,
    framework: {
      name: "NIST SP 800-53",
      version: "Rev. 5",
      reference: definition.controls.join(", "),
      specification: definition.controls.map((control) => `${control} ${CONTROL_TITLES[control] ?? ""}`.trim()).join("; "),
    },
  };
}

/** A policy checking resources one at a time, on the inputs they are created or updated with. */
export function resourcePolicy(definition: Definition, validateResource: ResourceValidation | ResourceValidation[]): NistPolicy {
  return { policy: { ...metadataOf(definition), validateResource }, controls: definition.controls, azurePolicies: definition.azurePolicies ?? [], evidence: definition.evidence };
}

/** A policy checking the whole stack, on its resources' outputs, for what spans resources (a diagnostic setting per vault). */
export function stackPolicy(definition: Definition, validateStack: StackValidation): NistPolicy {
  return { policy: { ...metadataOf(definition), validateStack }, controls: definition.controls, azurePolicies: definition.azurePolicies ?? [], evidence: definition.evidence };
}

/** A check of one resource type; other types are not applicable. */
export function forType(type: string, validate: (props: Record<string, unknown>, report: ReportViolation, args: ResourceValidationArgs) => void): ResourceValidation {
  return (args, report) => {
    if (args.type !== type) args.notApplicable(`applies to ${type} only`);
    validate(args.props, report, args);
  };
}

/** Resources of a type. */
export const resourcesOfType = (resources: readonly PolicyResource[], type: string): PolicyResource[] => resources.filter((resource) => resource.type === type);

/** Whether a resource's given input was computed from `source` (e.g. a diagnostic setting's resourceUri from a vault's ID). */
export const inputComesFrom = (resource: PolicyResource, input: string, source: PolicyResource): boolean => (resource.propertyDependencies[input] ?? []).some((dependency) => dependency.urn === source.urn);
