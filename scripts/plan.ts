/**
 * What `pulumi up` would create, without the Pulumi CLI or Azure: runs the
 * program under offline mocks with a stack file and prints each resource with
 * its security-relevant settings, then every role assignment with its scope.
 * A reviewer's artifact for change and ATO reviews.
 *
 *   npm run plan [-- --stack gov] [--set connectorJobId=<guid> ...] [--controls controls.md]
 *   npm run plan -- --set 'connectors=[{"name":"resignations","connectorJobId":"<guid>"},{"name":"reviews"}]'
 *
 * A `--set` value is the key's value as the program reads it: structured keys (`connectors`) take JSON.
 * `--controls <file>` also runs the policy pack (policy/) on the plan and writes the control-implementation
 * table of a System Security Plan: per NIST SP 800-53 Rev. 5 control, the settings and the policy checking them.
 */
import { planCli } from "./lib/plan";
import { runAsScript } from "./lib/scriptIo";

runAsScript(planCli);
