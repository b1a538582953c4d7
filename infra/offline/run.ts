import * as pulumi from "@pulumi/pulumi";
import { installOfflineMocks, type RecordedResource } from "./mocks";
import { PROJECT } from "./stackFile";

/** What the program returns: the stack outputs. */
export type ProgramOutputs = Record<string, unknown>;

export interface OfflineRun {
  /** Every resource registered, in registration order. */
  readonly resources: RecordedResource[];
  readonly program: ProgramOutputs;
  /** Stack outputs as plain values (absent ones omitted). */
  readonly outputs: Record<string, unknown>;
}

const promiseOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

/**
 * Runs the program (infra/index.ts, a module that is the program function) once
 * under the offline mocks: mocks first, then config, then the program, and waits
 * until every registration has been answered.
 *
 * Pulumi records a stack trace on every promise it makes, for a leak report an
 * offline run never prints, and each trace is source-mapped frame by frame (by
 * tsx, by Jest): half of a run's time. The run takes no traces; a run that fails
 * is run again with them (the program is deterministic offline), so its error
 * still says where it happened.
 */
export async function runOffline(stack: string, config: Record<string, string>, runProgram: () => ProgramOutputs): Promise<OfflineRun> {
  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await runOnce(stack, config, runProgram);
  } catch {
    Error.stackTraceLimit = traceLimit;
    return await runOnce(stack, config, runProgram);
  } finally {
    Error.stackTraceLimit = traceLimit;
  }
}

async function runOnce(stack: string, config: Record<string, string>, runProgram: () => ProgramOutputs): Promise<OfflineRun> {
  const resources = await installOfflineMocks(PROJECT, stack);
  pulumi.runtime.setAllConfig(config);
  const program = runProgram();
  const settled = await Promise.all(
    Object.entries(program).map(async ([name, value]) => [name, pulumi.Output.isInstance(value) ? await promiseOf(value) : value] as const),
  );
  await pulumi.runtime.disconnect(); // drains the registrations no output depends on (alerts, role assignments)
  return { resources, program, outputs: Object.fromEntries(settled.filter(([, value]) => value !== undefined)) };
}
