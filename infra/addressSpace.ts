/**
 * The private network's address plan: one IPv4 range (`vnetAddressSpace`) split
 * into the Container Apps environment's subnet and the private endpoints' subnet.
 */

/** The environment's subnet: a workload-profiles environment needs at least a /27; a /25 leaves room for replicas. */
const ENVIRONMENT_PREFIX = 25;
/**
 * Four private endpoints: Key Vault, blob and the registry take one address each, Azure Monitor's one per host it
 * serves (about ten); a /27 holds them (27 usable addresses) with room to spare.
 */
const ENDPOINTS_PREFIX = 27;
/** The smallest range that holds both subnets. */
export const MAX_ADDRESS_SPACE_PREFIX = 24;

export interface SubnetLayout {
  readonly environment: string;
  readonly endpoints: string;
}

interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function parseCidr(text: string): Cidr | undefined {
  const match = CIDR.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  return { base: octets.reduce((value, octet) => value * 256 + octet, 0), prefix };
}

const formatAddress = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");

/** Why a `vnetAddressSpace` value cannot hold the stack's subnets; undefined when it can. */
export function addressSpaceProblem(text: string, key = "vnetAddressSpace"): string | undefined {
  const cidr = parseCidr(text);
  if (cidr === undefined) return `${key} "${text}" must be an IPv4 range a.b.c.d/n, e.g. 10.42.0.0/24`;
  if (cidr.base % 2 ** (32 - cidr.prefix) !== 0) return `${key} "${text}" is not the start of a /${cidr.prefix} range (its host bits are set)`;
  if (cidr.prefix > MAX_ADDRESS_SPACE_PREFIX) return `${key} "${text}" is too small: it must be a /${MAX_ADDRESS_SPACE_PREFIX} or larger to hold a /${ENVIRONMENT_PREFIX} for the Container Apps environment and a /${ENDPOINTS_PREFIX} for the private endpoints`;
  return undefined;
}

/** The two subnets, from the start of the range: the environment's /25, then the endpoints' /27. */
export function subnetLayout(text: string): SubnetLayout {
  const problem = addressSpaceProblem(text);
  if (problem !== undefined) throw new Error(problem);
  const { base } = parseCidr(text) as Cidr;
  return {
    environment: `${formatAddress(base)}/${ENVIRONMENT_PREFIX}`,
    endpoints: `${formatAddress(base + 2 ** (32 - ENVIRONMENT_PREFIX))}/${ENDPOINTS_PREFIX}`,
  };
}
