/**
 * How the pack's policies are written: each one names the Azure Policy built-ins it
 * mirrors (govBuiltIns.ts: those of the Azure Government NIST SP 800-53 Rev. 5,
 * FedRAMP High and DoD IL5 initiatives, or related ones outside them), the NIST SP
 * 800-53 Rev. 5 controls it checks (for a Gov built-in, as its initiative groups it),
 * and the settings it reads, which `npm run plan -- --controls` prints as evidence.
 */
import { GOV_INITIATIVES, SNAPSHOT, isGovMember, type AzureBuiltIn } from "./govBuiltIns";
import type { EnforcementLevel, PolicyConfigSchema, PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidation, StackValidationPolicy } from "@pulumi/policy";

/** Resources whose settings implement a control, and the settings (dotted input paths). */
export interface Evidence {
  readonly type: string;
  readonly settings: readonly string[];
  /** Only resources whose given input comes from a resource of this type (e.g. the diagnostic setting of a Key Vault). */
  readonly where?: { readonly input: string; readonly fromType: string };
}

export interface NistPolicy {
  readonly policy: ResourceValidationPolicy | StackValidationPolicy;
  /** NIST SP 800-53 Rev. 5 controls (and enhancements): those the Gov initiatives group its Gov built-ins under, then the rule's own. */
  readonly controls: readonly string[];
  readonly azurePolicies: readonly AzureBuiltIn[];
  readonly evidence: readonly Evidence[];
  /** The resource types a resource policy checks (forType): a plan with none of them gives it nothing to check. Unset for stack policies. */
  readonly appliesTo?: readonly string[];
}

/** Titles of the controls the pack names (NIST SP 800-53 Rev. 5). */
export const CONTROL_TITLES: Readonly<Record<string, string>> = {
  "AC-2": "Account Management",
  "AC-2(1)": "Account Management | Automated System Account Management",
  "AC-2(12)": "Account Management | Account Monitoring for Atypical Usage",
  "AC-3": "Access Enforcement",
  "AC-3(7)": "Access Enforcement | Role-based Access Control",
  "AC-4": "Information Flow Enforcement",
  "AC-6": "Least Privilege",
  "AC-14": "Permitted Actions Without Identification or Authentication",
  "AC-17": "Remote Access",
  "AC-17(1)": "Remote Access | Monitoring and Control",
  "AU-2": "Event Logging",
  "AU-6": "Audit Record Review, Analysis, and Reporting",
  "AU-6(4)": "Audit Record Review, Analysis, and Reporting | Central Review and Analysis",
  "AU-6(5)": "Audit Record Review, Analysis, and Reporting | Integrated Analysis of Audit Records",
  "AU-11": "Audit Record Retention",
  "AU-12": "Audit Record Generation",
  "AU-12(1)": "Audit Record Generation | System-wide and Time-correlated Audit Trail",
  "CP-6": "Alternate Storage Site",
  "CP-6(1)": "Alternate Storage Site | Separation from Primary Site",
  "CP-9": "System Backup",
  "IA-2": "Identification and Authentication (Organizational Users)",
  "IA-5": "Authenticator Management",
  "IA-5(1)": "Authenticator Management | Password-based Authentication",
  "IR-4": "Incident Handling",
  "IR-5": "Incident Monitoring",
  "RA-5": "Vulnerability Monitoring and Scanning",
  "SC-5": "Denial-of-service Protection",
  "SC-7": "Boundary Protection",
  "SC-7(3)": "Boundary Protection | Access Points",
  "SC-8": "Transmission Confidentiality and Integrity",
  "SC-8(1)": "Transmission Confidentiality and Integrity | Cryptographic Protection",
  "SC-12": "Cryptographic Key Establishment and Management",
  "SC-13": "Cryptographic Protection",
  "SC-28": "Protection of Information at Rest",
  "SC-28(1)": "Protection of Information at Rest | Cryptographic Protection",
  "SI-2": "Flaw Remediation",
  "SI-4": "System Monitoring",
  "SI-12": "Information Management and Retention",
  "SI-12(3)": "Information Management and Retention | Information Disposal",
};

/** The value at a dotted path (`properties.enableRbacAuthorization`); undefined where the path ends early. */
export function valueAt(node: unknown, dottedPath: string): unknown {
  return dottedPath.split(".").reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), node);
}

interface Definition {
  readonly name: string;
  /** What the rule asks, one sentence. */
  readonly asks: string;
  /** The rule's own controls, beyond those of the Gov built-ins it mirrors (which come from govBuiltIns.ts). */
  readonly controls?: readonly string[];
  /** Built-ins whose rule this policy's condition matches (govBuiltIns.ts). */
  readonly azurePolicies?: readonly AzureBuiltIn[];
  readonly evidence: readonly Evidence[];
  /** Advisory for what depends on the agency; mandatory (the pack's level) for what the stack must never violate. */
  readonly enforcementLevel?: EnforcementLevel;
  readonly configSchema?: PolicyConfigSchema;
}

/** The Gov initiatives, named once for every description. */
const GOV_NAMES = `the Azure Government ${Object.values(GOV_INITIATIVES).map((initiative) => initiative.displayName).join(", ")} initiatives (${SNAPSHOT.repository} ${SNAPSHOT.date})`;

/** The Gov built-ins' controls, then the rule's own, each once. */
function controlsOf(definition: Definition): readonly string[] {
  const fromGov = (definition.azurePolicies ?? []).filter(isGovMember).flatMap((builtIn) => builtIn.controls);
  return [...new Set([...fromGov, ...(definition.controls ?? [])])];
}

const quoted = (builtIns: readonly AzureBuiltIn[]) => builtIns.map((builtIn) => `"${builtIn.displayName}" (${builtIn.definitionId})`).join(", ");

function mirrorsText(builtIns: readonly AzureBuiltIn[]): string {
  const gov = builtIns.filter(isGovMember);
  const related = builtIns.filter((builtIn) => !isGovMember(builtIn));
  if (builtIns.length === 0) return "No Azure Policy built-in checks this.";
  return [
    gov.length > 0 ? `Mirrors Azure Policy ${quoted(gov)}, in ${GOV_NAMES}.` : "",
    related.length > 0 ? `Our rule: related built-in ${quoted(related)} is in none of the Azure Government initiatives.` : "",
  ]
    .filter((text) => text !== "")
    .join(" ");
}

function metadataOf(definition: Definition, controls: readonly string[]): Pick<ResourceValidationPolicy, "name" | "description" | "enforcementLevel" | "configSchema" | "framework"> {
  return {
    name: definition.name,
    description: [definition.asks, `NIST SP 800-53 Rev. 5: ${controls.join(", ")}.`, mirrorsText(definition.azurePolicies ?? [])].join(" "),
    enforcementLevel: definition.enforcementLevel,
    configSchema: definition.configSchema,
    framework: {
      name: "NIST SP 800-53",
      version: "Rev. 5",
      reference: controls.join(", "),
      specification: controls.map((control) => `${control} ${CONTROL_TITLES[control] ?? ""}`.trim()).join("; "),
    },
  };
}

function nistPolicy(definition: Definition, validation: Pick<ResourceValidationPolicy, "validateResource"> | Pick<StackValidationPolicy, "validateStack">, appliesTo?: readonly string[]): NistPolicy {
  const controls = controlsOf(definition);
  if (controls.length === 0) throw new Error(`policy ${definition.name} names no control`);
  return {
    policy: { ...metadataOf(definition, controls), ...validation } as ResourceValidationPolicy | StackValidationPolicy,
    controls,
    azurePolicies: definition.azurePolicies ?? [],
    evidence: definition.evidence,
    ...(appliesTo === undefined ? {} : { appliesTo }),
  };
}

/** A check of one resource type (forType), which says the type it checks. */
type TypedValidation = ResourceValidation & { readonly resourceType: string };

/** A policy checking resources one at a time (each validation a forType), on the inputs they are created or updated with. */
export function resourcePolicy(definition: Definition, validateResource: TypedValidation | TypedValidation[]): NistPolicy {
  return nistPolicy(definition, { validateResource }, [...new Set([validateResource].flat().map((validation) => validation.resourceType))]);
}

/** A policy checking the whole stack, on its resources' outputs, for what spans resources (a diagnostic setting per vault). */
export function stackPolicy(definition: Definition, validateStack: StackValidation): NistPolicy {
  return nistPolicy(definition, { validateStack });
}

/** A check of one resource type; other types are not applicable. */
export function forType(type: string, validate: (props: Record<string, unknown>, report: ReportViolation, args: ResourceValidationArgs) => void): TypedValidation {
  const validation: ResourceValidation = (args, report) => {
    if (args.type !== type) args.notApplicable(`applies to ${type} only`);
    validate(args.props, report, args);
  };
  return Object.assign(validation, { resourceType: type });
}

/** Resources of a type. */
export const resourcesOfType = (resources: readonly PolicyResource[], type: string): PolicyResource[] => resources.filter((resource) => resource.type === type);

/** Whether a resource's given input was computed from `source` (e.g. a diagnostic setting's resourceUri from a vault's ID). */
export const inputComesFrom = (resource: PolicyResource, input: string, source: PolicyResource): boolean => (resource.propertyDependencies[input] ?? []).some((dependency) => dependency.urn === source.urn);
