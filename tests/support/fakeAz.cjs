/**
 * A stand-in for the Azure CLI, for the tests of the tools that drive it. It
 * appends each invocation's argv as a JSON line to $FAKE_AZ_LOG, keeps the
 * resources it "created" in the JSON file $FAKE_AZ_STATE, and answers with the
 * documented JSON shapes and exit codes (3 with "(ResourceNotFound)" for a
 * `show` of something missing). The Windows path runs it through the
 * stand-in cmd.exe (tests/support/fakeCmdExe.ts).
 *
 * State file: { cloud, account, signedInUserId, keyForbiddenReads, resources: { "<kind>/<name>": object }, roleAssignments: [] }
 */
const fs = require("node:fs");

const statePath = process.env.FAKE_AZ_STATE;
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));

function fail(code, message) {
  process.stderr.write(`ERROR: ${message}\n`);
  process.exit(code);
}

const argv = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_AZ_LOG, `${JSON.stringify(argv)}\n`);

const option = (name) => {
  const index = argv.indexOf(name);
  return index === -1 ? undefined : argv[index + 1];
};
const command = argv.filter((word) => !word.startsWith("-")).slice(0, 4).join(" ");
const print = (value) => process.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value)}\n`);
const group = () => `/subscriptions/${state.account.id}/resourceGroups/${option("--resource-group") ?? option("--name")}`;

/** A `show`: the stored resource, or exit 3 as az does for a missing ARM resource. */
function show(key) {
  if (!(key in state.resources)) fail(3, `(ResourceNotFound) The Resource '${key}' was not found.`);
  print(state.resources[key]);
}
function create(key, resource) {
  state.resources[key] = resource;
  save();
  print(resource);
}

const name = option("--name");
switch (true) {
  case command.startsWith("cloud show"):
    print(state.cloud);
    break;
  case command.startsWith("account show"):
    if (!state.account) fail(1, "Please run 'az login' to setup account.");
    print(state.account);
    break;
  case command.startsWith("ad signed-in-user show"):
    print(state.signedInUserId);
    break;
  case command.startsWith("group show"):
    show(`group/${name}`);
    break;
  case command.startsWith("group create"):
    create(`group/${name}`, { id: group(), name, location: option("--location") });
    break;
  case command.startsWith("storage account show"):
    show(`storageAccount/${name}`);
    break;
  case command.startsWith("storage account create"):
    create(`storageAccount/${name}`, {
      id: `${group()}/providers/Microsoft.Storage/storageAccounts/${name}`,
      name,
      allowSharedKeyAccess: option("--allow-shared-key-access") === "true",
      minimumTlsVersion: option("--min-tls-version"),
    });
    break;
  case command.startsWith("storage account blob-service-properties"):
    print({ isVersioningEnabled: option("--enable-versioning") === "true", deleteRetentionPolicy: { enabled: true, days: Number(option("--delete-retention-days")) } });
    break;
  case command.startsWith("storage container-rm show"):
    show(`container/${option("--storage-account")}/${name}`);
    break;
  case command.startsWith("storage container-rm create"):
    create(`container/${option("--storage-account")}/${name}`, { name, publicAccess: "None" });
    break;
  case command.startsWith("role assignment list"):
    print(state.roleAssignments.filter((assignment) => assignment.principalId === option("--assignee") && assignment.role === option("--role") && assignment.scope === option("--scope")));
    break;
  case command.startsWith("role assignment create"): {
    const assignment = { principalId: option("--assignee-object-id"), principalType: option("--assignee-principal-type"), role: option("--role"), scope: option("--scope") };
    state.roleAssignments.push(assignment);
    save();
    print(assignment);
    break;
  }
  case command.startsWith("keyvault show"):
    show(`vault/${name}`);
    break;
  case command.startsWith("keyvault create"):
    create(`vault/${name}`, { id: `${group()}/providers/Microsoft.KeyVault/vaults/${name}`, name, properties: { enableRbacAuthorization: true } });
    break;
  case command.startsWith("keyvault key show"):
    if (state.keyForbiddenReads > 0) {
      state.keyForbiddenReads -= 1;
      save();
      fail(1, "(Forbidden) Caller is not authorized to perform action on resource.");
    }
    if (!(`key/${option("--vault-name")}/${name}` in state.resources)) fail(1, `(KeyNotFound) A key with (name/id) ${name} was not found in this key vault.`);
    print(state.resources[`key/${option("--vault-name")}/${name}`]);
    break;
  case command.startsWith("keyvault key create"):
    create(`key/${option("--vault-name")}/${name}`, { key: { kid: `https://${option("--vault-name")}.vault.usgovcloudapi.net/keys/${name}/1`, kty: option("--kty") } });
    break;
  default:
    fail(2, `fake az does not know: az ${argv.join(" ")}`);
}
