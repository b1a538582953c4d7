/**
 * What each kind of resource sends to the workspace, and the tables it lands in
 * (no Pulumi here: bootstrap-state sends the state backend's logs by the same table).
 * Explicit categories rather than category groups: an assessor reads exactly what is
 * logged. Resource-specific ("Dedicated") tables where the service writes them; Key
 * Vault keeps AzureDiagnostics, the table every cloud has for its audit events.
 */
export const RESOURCE_LOG_KINDS = {
  keyVault: { categories: ["AuditEvent"], tables: ["AzureDiagnostics"], dedicated: false },
  blobService: { categories: ["StorageRead", "StorageWrite", "StorageDelete"], tables: ["StorageBlobLogs"], dedicated: true },
  registry: { categories: ["ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"], tables: ["ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"], dedicated: true },
  jobsEnvironment: { categories: ["ContainerAppConsoleLogs", "ContainerAppSystemLogs"], tables: ["ContainerAppConsoleLogs", "ContainerAppSystemLogs"], dedicated: true },
} as const;
export type ResourceLogKind = keyof typeof RESOURCE_LOG_KINDS;
