/**
 * Checks, before a 20-minute `pulumi up`, what would make it fail: the Azure
 * CLI's cloud, resource providers, the pinned SDK's API versions in the region,
 * Container Apps jobs in the region, the deployer's right to create role
 * assignments and app registrations, the Pulumi backend, with network: private
 * whether this machine reaches the registry privately, TLS to the hosts
 * involved (through HTTPS_PROXY if set), and the base image: still at its
 * pinned digest with linux/amd64, its tag's newer digest if it moved, and TLS
 * to the host its layers come from. One line each, ✓ or ✗ with the fix.
 *
 *   npm run preflight -- --stack <name> [--skip <check>]...
 *
 * Exit codes: 0 every check passed; 2 usage or stack file problem; 3 a check failed.
 */
import { preflightCli } from "./lib/preflight/cli";
import { runAsScript } from "./lib/scriptIo";

runAsScript(preflightCli);
