/**
 * Geo-redundant storage (built-in bf045164) for the stack's account and the state
 * backend's alike: GZRS where the region offers it, else GRS; never read access to
 * the secondary (not needed, costs more). No Pulumi here: bootstrap-state uses it too.
 */

/**
 * Regions where zone- and geo-redundant storage is offered. UNCONFIRMED for Azure Government (no primary source
 * found listing GZRS per Gov region): one entry to change; the others get GRS, which every region with a pair offers.
 */
const GZRS_REGIONS: readonly string[] = ["usgovvirginia"];

export type GeoRedundantSku = "Standard_GZRS" | "Standard_GRS";

export function geoRedundantSku(location: string): GeoRedundantSku {
  return GZRS_REGIONS.includes(location.replace(/\s+/g, "").toLowerCase()) ? "Standard_GZRS" : "Standard_GRS";
}
