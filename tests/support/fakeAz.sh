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
# signed-in-user, key-forbidden-reads (a count), resources/<kind>__<name>
# (JSON), role-assignments (one JSON object a line). Names are inserted into
# JSON as they are: the tests use plain ones.
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

case "$*" in
  "cloud show"*) print_file "$state/cloud" ;;
  "account show"*)
    [ -f "$state/account.json" ] || fail 1 "Please run 'az login' to setup account."
    print_file "$state/account.json" ;;
  "ad signed-in-user show"*) print_file "$state/signed-in-user" ;;
  "group show"*) show "group__$name" ;;
  "group create"*) create "group__$name" "{\"id\":\"$group_id\",\"name\":\"$name\",\"location\":\"$location\"}" ;;
  "storage account show"*) show "storageAccount__$name" ;;
  "storage account create"*)
    [ "$shared_key" = true ] && shared_key=true || shared_key=false
    create "storageAccount__$name" "{\"id\":\"$group_id/providers/Microsoft.Storage/storageAccounts/$name\",\"name\":\"$name\",\"allowSharedKeyAccess\":$shared_key,\"minimumTlsVersion\":\"$tls\"}" ;;
  "storage account blob-service-properties"*)
    [ "$versioning" = true ] && versioning=true || versioning=false
    printf '{"isVersioningEnabled":%s,"deleteRetentionPolicy":{"enabled":true,"days":%d}}\n' "$versioning" "$retention_days" ;;
  "storage container-rm show"*) show "container__${account}__$name" ;;
  "storage container-rm create"*) create "container__${account}__$name" "{\"name\":\"$name\",\"publicAccess\":\"None\"}" ;;
  "role assignment list"*)
    separator=
    printf '['
    if [ -f "$state/role-assignments" ]; then
      while IFS= read -r assignment; do
        case $assignment in
          "{\"principalId\":\"$assignee\","*"\"role\":\"$role\",\"scope\":\"$scope\"}")
            printf '%s%s' "$separator" "$assignment"
            separator=, ;;
        esac
      done < "$state/role-assignments"
    fi
    printf ']\n' ;;
  "role assignment create"*)
    assignment="{\"principalId\":\"$assignee\",\"principalType\":\"$principal_type\",\"role\":\"$role\",\"scope\":\"$scope\"}"
    printf '%s\n' "$assignment" >> "$state/role-assignments"
    printf '%s\n' "$assignment" ;;
  "keyvault show"*) show "vault__$name" ;;
  "keyvault create"*) create "vault__$name" "{\"id\":\"$group_id/providers/Microsoft.KeyVault/vaults/$name\",\"name\":\"$name\",\"properties\":{\"enableRbacAuthorization\":true}}" ;;
  "keyvault key show"*)
    read -r forbidden < "$state/key-forbidden-reads"
    if [ "$forbidden" -gt 0 ]; then
      printf '%d\n' $((forbidden - 1)) > "$state/key-forbidden-reads"
      fail 1 "(Forbidden) Caller is not authorized to perform action on resource."
    fi
    [ -f "$state/resources/key__${vault}__$name" ] || fail 1 "(KeyNotFound) A key with (name/id) $name was not found in this key vault."
    print_file "$state/resources/key__${vault}__$name" ;;
  "keyvault key create"*) create "key__${vault}__$name" "{\"key\":{\"kid\":\"https://$vault.vault.usgovcloudapi.net/keys/$name/1\",\"kty\":\"$kty\"}}" ;;
  *) fail 2 "fake az does not know: az $*" ;;
esac
