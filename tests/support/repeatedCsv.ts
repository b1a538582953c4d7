import { writeFile } from "node:fs/promises";
import { generateCsv, type GenerateOptions } from "../../scripts/generate-csv";

/**
 * Writes a large CSV cheaply: the records of `block`, generated once, `copies` times after its header line. For tests
 * that need a file's size (many slices, seconds of validation), not that many records differ: generating each record
 * costs this process's CPU (300,000 records: about 10 s under Jest). Every injected error recurs in each copy, on its own line.
 */
export async function writeRepeatedCsv(path: string, block: GenerateOptions, copies: number): Promise<void> {
  const text = [...generateCsv(block)].join("");
  const headerEnd = text.indexOf("\n") + 1;
  await writeFile(path, text.slice(0, headerEnd) + text.slice(headerEnd).repeat(copies));
}
