#!/bin/sh
# A stand-in for the Azure CLI, for the tests of the tools that drive it. It
# appends each invocation's arguments to $FAKE_AZ_LOG (one line, each argument
# followed by the unit separator \037), keeps the resources it "created" in the
# folder $FAKE_AZ_STATE, and answers with the documented JSON shapes and exit
# codes (3 with "(ResourceNotFound)" for a `show` of something missing). The
# Windows path runs it through the stand-in cmd.exe (tests/support/fakeCmdExe.ts).
# A shell script, not node: a bootstrap run calls az twenty times.
#
# State folder: cloud, subscription, account.json (absent: not signed in),
# signed-in-user, key-forbidden-reads and cmk-refusals (counts of refusals while
# a new role propagates: key reads, the account's key update), key-firewall (present: the
# vault's firewall refuses this machine), resources/<kind>__<name> (JSON; for a
# storage account or vault its group, its settings in resources/<kind>__<name>.<setting>),
# role-assignments and diagnostic-settings (one JSON object a line). Names are
# inserted into JSON as they are: the tests use plain ones. A JSON argument given
# as @<file> is read from the file, as az does.
state=$FAKE_AZ_STATE
for arg do printf '%s\037' "$arg"; done >> "$FAKE_AZ_LOG"
printf '\n' >> "$FAKE_AZ_LOG"

fail() { printf 'ERROR: %s\n' "$2" >&2; exit "$1"; }
# cat, with builtins only: the Windows test's PATH holds nothing but az.
print_file() { while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line"; done < "$1"; }

previous=
for arg do
  case $previous in
    --name) name=$arg ;;
    --resource-group) group=$arg ;;
    --location) location=$arg ;;
    --storage-account) account=$arg ;;
    --assignee) assignee=$arg ;;
    --assignee-object-id) assignee=$arg ;;
    --assignee-principal-type) principal_type=$arg ;;
    --role) role=$arg ;;
    --scope) scope=$arg ;;
    --allow-shared-key-access) shared_key=$arg ;;
    --min-tls-version) tls=$arg ;;
    --enable-versioning) versioning=$arg ;;
    --delete-retention-days) retention_days=$arg ;;
    --vault-name) vault=$arg ;;
    --kty) kty=$arg ;;
    --sku) sku=$arg ;;
    --require-infrastructure-encryption) infrastructure=$arg ;;
    --encryption-key-source) key_source=$arg ;;
    --public-network-access) public_access=$arg ;;
    --workspace-name) name=$arg ;;
    --resource) resource=$arg ;;
    --workspace) workspace=$arg ;;
    --logs) logs=$arg ;;
    --value) value=$arg ;;
    --zone-name) zone=$arg ;;
    --endpoint-name) endpoint=$arg ;;
    --private-connection-resource-id) target=$arg ;;
    --group-id) group_id_arg=$arg ;;
    --subnet) subnet=$arg ;;
  esac
  previous=$arg
done
read -r subscription < "$state/subscription"
group_id="/subscriptions/$subscription/resourceGroups/${group:-$name}"

# A `show`: the stored resource, or exit 3 as az does for a missing ARM resource.
show() {
  [ -f "$state/resources/$1" ] || fail 3 "(ResourceNotFound) The Resource '${1%%__*}/${1#*__}' was not found."
  print_file "$state/resources/$1"
}
create() {
  printf '%s\n' "$2" > "$state/resources/$1"
  printf '%s\n' "$2"
}
# A JSON argument: inline, or the content of the file after @.
json_arg() { case $1 in @*) print_file "${1#@}" ;; *) printf '%s\n' "$1" ;; esac; }
# A setting kept beside a resource: its value, or the default given.
setting() { if [ -f "$state/resources/$1" ]; then read -r kept < "$state/resources/$1"; printf '%s' "$kept"; else printf '%s' "$2"; fi; }
# A private endpoint connection, approved, when bootstrap-state made the endpoint `$1`.
endpoint_connections() { [ -f "$state/resources/endpoint__$1" ] && printf '[{"privateLinkServiceConnectionState":{"status":"Approved"}}]' || printf '[]'; }
storage_account() {
  [ -f "$state/resources/storageAccount__$1" ] || fail 3 "(ResourceNotFound) The Resource 'Microsoft.Storage/storageAccounts/$1' was not found."
  read -r account_group < "$state/resources/storageAccount__$1"
  printf '{"id":"%s","name":"%s","sku":{"name":"%s"},"allowSharedKeyAccess":%s,"minimumTlsVersion":"%s","encryption":{"requireInfrastructureEncryption":%s,"keySource":"%s"},"publicNetworkAccess":"%s","privateEndpointConnections":%s}\n' \
    "/subscriptions/$subscription/resourceGroups/$account_group/providers/Microsoft.Storage/storageAccounts/$1" "$1" "$(setting "storageAccount__$1.sku" Standard_LRS)" "$(setting "storageAccount__$1.sharedKey" true)" \
    "$(setting "storageAccount__$1.tls" TLS1_0)" "$(setting "storageAccount__$1.infrastructure" false)" "$(setting "storageAccount__$1.keySource" Microsoft.Storage)" "$(setting "storageAccount__$1.publicAccess" Enabled)" \
    "$(endpoint_connections "$1-blob")"
}
vault() {
  [ -f "$state/resources/vault__$1" ] || fail 3 "(ResourceNotFound) The Resource 'Microsoft.KeyVault/vaults/$1' was not found."
  read -r vault_group < "$state/resources/vault__$1"
  printf '{"id":"%s","name":"%s","properties":{"enableRbacAuthorization":true,"publicNetworkAccess":"%s","privateEndpointConnections":%s}}\n' \
    "/subscriptions/$subscription/resourceGroups/$vault_group/providers/Microsoft.KeyVault/vaults/$1" "$1" "$(setting "vault__$1.publicAccess" Enabled)" "$(endpoint_connections "$1-vault")"
}
# A JSON list of the lines of state file $1 that start with $2 and end with $3.
json_list() {
  separator=
  printf '['
  if [ -f "$state/$1" ]; then
    while IFS= read -r line; do
      case $line in "$2"*"$3") printf '%s%s' "$separator" "$line"; separator=, ;; esac
    done < "$state/$1"
  fi
  printf ']\n'
}
keep() { printf '%s\n' "$2" > "$state/resources/$1"; }

case "$*" in
  "cloud show"*) print_file "$state/cloud" ;;
  "account show"*)
    [ -f "$state/account.json" ] || fail 1 "Please run 'az login' to setup account."
    print_file "$state/account.json" ;;
  "ad signed-in-user show"*) print_file "$state/signed-in-user" ;;
  "group show"*) show "group__$name" ;;
  "group create"*) create "group__$name" "{\"id\":\"$group_id\",\"name\":\"$name\",\"location\":\"$location\"}" ;;
  "storage account show"*) storage_account "$name" ;;
  "storage account create"*)
    [ "$shared_key" = true ] && shared_key=true || shared_key=false
    [ "$infrastructure" = true ] && infrastructure=true || infrastructure=false
    keep "storageAccount__$name" "$group"
    keep "storageAccount__$name.sku" "$sku"
    keep "storageAccount__$name.sharedKey" "$shared_key"
    keep "storageAccount__$name.tls" "$tls"
    keep "storageAccount__$name.infrastructure" "$infrastructure"
    storage_account "$name" ;;
  "storage account update"*)
    if [ -n "$key_source" ] && [ -f "$state/cmk-refusals" ]; then
      read -r refusals < "$state/cmk-refusals"
      if [ "$refusals" -gt 0 ]; then
        printf '%d\n' $((refusals - 1)) > "$state/cmk-refusals"
        fail 1 "(KeyVaultAuthenticationFailure) The operation failed because the key vault key is not found or access is denied."
      fi
    fi
    [ -z "$key_source" ] || keep "storageAccount__$name.keySource" "$key_source"
    [ -z "$public_access" ] || keep "storageAccount__$name.publicAccess" "$public_access"
    storage_account "$name" ;;
  "storage account blob-service-properties"*)
    [ "$versioning" = true ] && versioning=true || versioning=false
    printf '{"isVersioningEnabled":%s,"deleteRetentionPolicy":{"enabled":true,"days":%d}}\n' "$versioning" "$retention_days" ;;
  "storage container-rm show"*) show "container__${account}__$name" ;;
  "storage container-rm create"*) create "container__${account}__$name" "{\"name\":\"$name\",\"publicAccess\":\"None\"}" ;;
  "role assignment list"*) json_list role-assignments "{\"principalId\":\"$assignee\"," "\"role\":\"$role\",\"scope\":\"$scope\"}" ;;
  "role assignment create"*)
    assignment="{\"principalId\":\"$assignee\",\"principalType\":\"$principal_type\",\"role\":\"$role\",\"scope\":\"$scope\"}"
    printf '%s\n' "$assignment" >> "$state/role-assignments"
    printf '%s\n' "$assignment" ;;
  "keyvault show"*) vault "$name" ;;
  "keyvault update"*) keep "vault__$name.publicAccess" "$public_access"; vault "$name" ;;
  "keyvault create"*) keep "vault__$name" "$group"; vault "$name" ;;
  "keyvault key rotation-policy show"*)
    # Key Vault's default policy for a key that has none: notify 30 days before expiry, never rotate.
    [ -f "$state/resources/rotation__${vault}__$name" ] && print_file "$state/resources/rotation__${vault}__$name" \
      || printf '{"lifetimeActions":[{"action":{"type":"Notify"},"trigger":{"timeBeforeExpiry":"P30D"}}]}\n' ;;
  "keyvault key rotation-policy update"*) create "rotation__${vault}__$name" "$(json_arg "$value")" ;;
  "keyvault key show"*)
    [ -f "$state/key-firewall" ] && fail 1 "(Forbidden) Client address is not authorized and caller is not a trusted service. Code: ForbiddenByFirewall"
    read -r forbidden < "$state/key-forbidden-reads"
    if [ "$forbidden" -gt 0 ]; then
      printf '%d\n' $((forbidden - 1)) > "$state/key-forbidden-reads"
      fail 1 "(Forbidden) Caller is not authorized to perform action on resource."
    fi
    [ -f "$state/resources/key__${vault}__$name" ] || fail 1 "(KeyNotFound) A key with (name/id) $name was not found in this key vault."
    print_file "$state/resources/key__${vault}__$name" ;;
  "keyvault key create"*) create "key__${vault}__$name" "{\"key\":{\"kid\":\"https://$vault.vault.usgovcloudapi.net/keys/$name/0123456789abcdef0123456789abcdef\",\"kty\":\"$kty\"}}" ;;
  "identity show"*) show "identity__$name" ;;
  "identity create"*) create "identity__$name" "{\"id\":\"$group_id/providers/Microsoft.ManagedIdentity/userAssignedIdentities/$name\",\"name\":\"$name\",\"principalId\":\"55555555-5555-4555-8555-555555555555\"}" ;;
  "monitor log-analytics workspace show"*) show "workspace__$name" ;;
  "monitor log-analytics workspace create"*) create "workspace__$name" "{\"id\":\"$group_id/providers/Microsoft.OperationalInsights/workspaces/$name\",\"name\":\"$name\"}" ;;
  "monitor diagnostic-settings list"*) json_list diagnostic-settings "{\"resource\":\"$resource\"," "" ;;
  "monitor diagnostic-settings create"*)
    setting="{\"resource\":\"$resource\",\"name\":\"$name\",\"workspaceId\":\"$workspace\",\"logs\":$(json_arg "$logs")}"
    printf '%s\n' "$setting" >> "$state/diagnostic-settings"
    printf '%s\n' "$setting" ;;
  "network private-dns zone show"*) show "zone__$name" ;;
  "network private-dns zone create"*) create "zone__$name" "{\"id\":\"$group_id/providers/Microsoft.Network/privateDnsZones/$name\",\"name\":\"$name\"}" ;;
  "network private-dns link vnet show"*) show "link__${zone}__$name" ;;
  "network private-dns link vnet create"*) create "link__${zone}__$name" "{\"name\":\"$name\"}" ;;
  "network private-endpoint show"*) show "endpoint__$name" ;;
  "network private-endpoint create"*) create "endpoint__$name" "{\"name\":\"$name\",\"subnet\":{\"id\":\"$subnet\"},\"privateLinkServiceConnections\":[{\"privateLinkServiceId\":\"$target\",\"groupIds\":[\"$group_id_arg\"]}]}" ;;
  "network private-endpoint dns-zone-group show"*) show "zoneGroup__${endpoint}__$name" ;;
  "network private-endpoint dns-zone-group create"*) create "zoneGroup__${endpoint}__$name" "{\"name\":\"$name\"}" ;;
  *) fail 2 "fake az does not know: az $*" ;;
esac
