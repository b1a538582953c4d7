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

interface KqlAnalysis {
  /** The language service's errors, as "code message" lines. */
  readonly errors: readonly string[];
  /** The names of the result's columns, as the language service infers them. */
  readonly resultColumns: readonly string[];
}

/** Analyses by query text: one ParseAndAnalyze gives both the errors and the result, and stack shapes repeat queries. */
const analyses = new Map<string, KqlAnalysis>();

function analysisOf(query: string): KqlAnalysis {
  const known = analyses.get(query);
  if (known !== undefined) return known;
  const code = language.KustoCode.ParseAndAnalyze(query, workspace);
  const diagnostics = code?.GetDiagnostics();
  const errors: string[] = [];
  for (let index = 0; index < (diagnostics?.Count ?? 0); index++) {
    const diagnostic = diagnostics?.getItem(index);
    if (diagnostic?.Severity === language.DiagnosticSeverity.Error) errors.push(`${diagnostic.Code} ${diagnostic.Message}`);
  }
  const result = code?.ResultType as Kusto.Language.Symbols.TableSymbol | null | undefined;
  const resultColumns: string[] = [];
  for (let index = 0; index < (result?.Columns?.Count ?? 0); index++) resultColumns.push(result?.Columns?.getItem(index)?.Name ?? "");
  const analysis = { errors, resultColumns };
  analyses.set(query, analysis);
  return analysis;
}

/** The language service's errors for a query, as "code message" lines. */
export const kqlErrorsOf = (query: string): string[] => [...analysisOf(query).errors];

/** The names of a query's result columns, as the language service infers them. */
export const kqlResultColumnsOf = (query: string): string[] => [...analysisOf(query).resultColumns];
