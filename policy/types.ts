/** Type tokens of the resources the pack checks (azure-native v3, azuread v6). */
export const TYPE = {
  vault: "azure-native:keyvault:Vault",
  secret: "azure-native:keyvault:Secret",
  storageAccount: "azure-native:storage:StorageAccount",
  blobService: "azure-native:storage:BlobServiceProperties",
  blobContainer: "azure-native:storage:BlobContainer",
  registry: "azure-native:containerregistry:Registry",
  job: "azure-native:app:Job",
  containerApp: "azure-native:app:ContainerApp",
  environment: "azure-native:app:ManagedEnvironment",
  workspace: "azure-native:operationalinsights:Workspace",
  linkedStorageAccount: "azure-native:operationalinsights:LinkedStorageAccount",
  deployment: "azure-native:resources:Deployment",
  diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  application: "azuread:index/application:Application",
  applicationPassword: "azuread:index/applicationPassword:ApplicationPassword",
  virtualNetwork: "azure-native:network:VirtualNetwork",
  subnet: "azure-native:network:Subnet",
  networkSecurityGroup: "azure-native:network:NetworkSecurityGroup",
  monitorPrivateLinkScope: "azure-native:monitor:PrivateLinkScope",
  monitorPrivateLinkScopedResource: "azure-native:monitor:PrivateLinkScopedResource",
  privateEndpoint: "azure-native:network:PrivateEndpoint",
  privateDnsZoneGroup: "azure-native:network:PrivateDnsZoneGroup",
  privateZone: "azure-native:privatedns:PrivateZone",
  virtualNetworkLink: "azure-native:privatedns:VirtualNetworkLink",
} as const;

/** `azure-native:keyvault:Vault` → `keyvault:Vault`, `azuread:index/application:Application` → `azuread:Application`: how the control file names types. */
export const shortType = (type: string): string => type.replace(/^azure-native:/, "").replace(/^azuread:index\/\w+:/, "azuread:");
