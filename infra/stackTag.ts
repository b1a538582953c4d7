/**
 * The tag on the stack's resource group that names its Pulumi project and stack. Azure names the group
 * (and the registry in it) with a random suffix, so tools that run before or beside `pulumi up`
 * (preflight) find what a stack deployed by this tag: `az group list --tag hr-connector-stack=<project>/<stack>`.
 */
export const STACK_TAG = "hr-connector-stack";

export const stackTagValue = (project: string, stack: string): string => `${project}/${stack}`;
