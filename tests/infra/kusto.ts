/**
 * Microsoft's Kusto language service, bound to the schema of the table the stack's queries read: the
 * resource-specific ContainerAppConsoleLogs table that the environment's diagnostic setting writes (columns
 * from Microsoft's table reference, gov-deployment.md §Logs). A misspelt column or table is an error here
 * instead of an alert that never fires or a dashboard tile that stays empty.
 */
import "@kusto/language-service-next/bridge";
import "@kusto/language-service-next";

const CONTAINER_APP_CONSOLE_LOGS =
  "(TimeGenerated: datetime, ContainerAppName: string, ContainerGroupName: string, ContainerName: string, ContainerImage: string, " +
  "EnvironmentName: string, JobName: string, Log: string, Stream: string, RevisionName: string, _ResourceId: string)";

const language = Kusto.Language;
const workspace = language.GlobalState.Default?.WithDatabase(
  new language.Symbols.DatabaseSymbol.ctor("workspace", [new language.Symbols.TableSymbol.$ctor7("ContainerAppConsoleLogs", CONTAINER_APP_CONSOLE_LOGS, null)]),
) as Kusto.Language.GlobalState;

/** The language service's errors for a query, as "code message" lines. */
export function kqlErrorsOf(query: string): string[] {
  const diagnostics = language.KustoCode.ParseAndAnalyze(query, workspace)?.GetDiagnostics();
  const errors: string[] = [];
  for (let index = 0; index < (diagnostics?.Count ?? 0); index++) {
    const diagnostic = diagnostics?.getItem(index);
    if (diagnostic?.Severity === language.DiagnosticSeverity.Error) errors.push(`${diagnostic.Code} ${diagnostic.Message}`);
  }
  return errors;
}

/** The names of a query's result columns, as the language service infers them. */
export function kqlResultColumnsOf(query: string): string[] {
  const code = language.KustoCode.ParseAndAnalyze(query, workspace);
  const result = code?.ResultType as Kusto.Language.Symbols.TableSymbol | null | undefined;
  const columns: string[] = [];
  for (let index = 0; index < (result?.Columns?.Count ?? 0); index++) columns.push(result?.Columns?.getItem(index)?.Name ?? "");
  return columns;
}
