/**
 * npm run bootstrap-state: creates (or finds) the self-managed Pulumi backend in
 * the agency's own subscription, so stack state and its encrypted secrets never
 * leave the Gov boundary, then prints the two commands to run next.
 */
import { runAsScript } from "./lib/scriptIo";
import { bootstrapStateCli } from "./lib/stateBackend/cli";

runAsScript(bootstrapStateCli);
