/**
 * The Gov stack file's values (Pulumi.gov.yaml), read rather than retyped. Apart from the harness, which runs the
 * program: tests that only read the file (the policy pack's) need not load Pulumi and the whole stack.
 */
import * as path from "node:path";
import { readStackFile } from "../../infra/offline/stackFile";

export const GOV_STACK = readStackFile(path.join(__dirname, "..", "..", "Pulumi.gov.yaml")).values;
