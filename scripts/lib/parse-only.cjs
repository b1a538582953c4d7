// The floor `npm run bench:validate` compares validation with: csv-parse alone reading a file through its
// stream API, with the reader's options, and nothing done with the records but counting them.
//   node scripts/lib/parse-only.cjs FILE
const { createReadStream } = require("node:fs");
const { parse } = require("csv-parse");

async function count(file) {
  let records = 0;
  const parser = createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true }));
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for await (const _record of parser) records++;
  return records;
}

count(process.argv[2]).then(
  (records) => process.stdout.write(`${JSON.stringify({ records })}\n`),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  },
);
