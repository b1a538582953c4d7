import { DAY_MS } from "../core/clock";
import type { Logger } from "../observe/log";
import { LOG_EVENT } from "../observe/logEvents";

/** From this many days before `--secret-expires-on`, every run warns that the client secret needs rotating. */
export const SECRET_EXPIRY_WARNING_DAYS = 30;

export function warnIfSecretExpiring(expiresOn: Date | undefined, now: number, logger: Logger): void {
  if (expiresOn === undefined) return;
  const daysLeft = Math.floor((expiresOn.getTime() - now) / DAY_MS);
  if (daysLeft > SECRET_EXPIRY_WARNING_DAYS) return;
  const when = expiresOn.toISOString().slice(0, 10);
  const message =
    daysLeft < 0
      ? `the client secret expired on ${when}; rotate it: pulumi config set secretRotation <today> && pulumi up`
      : `the client secret expires on ${when} (${daysLeft} days); rotate it: pulumi config set secretRotation <today> && pulumi up`;
  logger.warn(LOG_EVENT.secretExpiring, message, { expiresOn: when, daysLeft });
}
