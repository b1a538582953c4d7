import { forType, resourcePolicy, type NistPolicy } from "./define";
import { TYPE } from "./types";

const DAY_MS = 24 * 60 * 60 * 1000;
/** The stack's own default secret lifetime; agencies with another maximum set it in the pack's config. */
const DEFAULT_MAX_LIFETIME_DAYS = 180;

export interface EntraPolicyOptions {
  /** The clock: a password without a start date is valid from its creation, i.e. now. */
  readonly now: () => Date;
}

export function entraPolicies({ now }: EntraPolicyOptions): NistPolicy[] {
  return [
    resourcePolicy(
      {
        name: "entra-app-password-lifetime",
        asks: "Entra application passwords (client secrets) have an end date no later than maxLifetimeDays after they start (default 180; set the agency's maximum, as its Graph app-management policy passwordLifetime does).",
        controls: ["IA-5", "IA-5(1)"],
        evidence: [{ type: TYPE.applicationPassword, settings: ["startDate", "endDate", "rotateWhenChanged"] }],
        configSchema: { properties: { maxLifetimeDays: { type: "integer", default: DEFAULT_MAX_LIFETIME_DAYS, minimum: 1 } } },
      },
      forType(TYPE.applicationPassword, (props, report, args) => {
        const { maxLifetimeDays = DEFAULT_MAX_LIFETIME_DAYS } = args.getConfig<{ maxLifetimeDays?: number }>();
        const end = typeof props.endDate === "string" ? Date.parse(props.endDate) : NaN;
        if (Number.isNaN(end)) {
          report("Application password must have an explicit endDate (RFC 3339).");
          return;
        }
        const start = typeof props.startDate === "string" ? Date.parse(props.startDate) : now().getTime();
        const days = Math.ceil((end - start) / DAY_MS);
        if (days > maxLifetimeDays) report(`Application password is valid ${days} days, more than the maximum of ${maxLifetimeDays}: end it sooner (secretLifetimeDays) or configure the pack's maxLifetimeDays.`);
      }),
    ),
    resourcePolicy(
      {
        name: "entra-app-owners",
        asks: "Every Entra application has owners, who are accountable for it and told of its credentials.",
        controls: ["AC-2"],
        evidence: [{ type: TYPE.application, settings: ["owners", "signInAudience"] }],
      },
      forType(TYPE.application, (props, report) => {
        if (!Array.isArray(props.owners) || props.owners.length === 0) report("Application must have owners: set owners.");
      }),
    ),
  ];
}
