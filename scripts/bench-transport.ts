/**
 * The baseline of `npm run bench`: POSTs the chunks of a file with the
 * uploader's own transport and token endpoint, in order, with no validation,
 * no checkpoint and no retry. Chunk boundaries are found before the clock
 * starts. Run by bench-upload.ts with NODE_EXTRA_CA_CERTS set.
 *   tsx scripts/bench-transport.ts FILE RECORDS_PER_CALL STANDIN_URL
 */
import { CLOUD_PROFILES, signalsUrl, tokenScope } from "../uploader/src/core/clouds";
import { planChunks } from "../uploader/src/csv/chunking";
import { fileRulesFor } from "../uploader/src/csv/fileRules";
import { inspectCsv } from "../uploader/src/validation/inspect";
import { RecordRanges } from "../uploader/src/csv/recordRanges";
import { openLocalFile } from "../uploader/src/source/localFile";
import { postChunk } from "../uploader/src/ingest/transport";
import { STANDIN_DEFAULTS } from "./standin";

async function transportOnly(file: string, recordsPerCall: number, standInUrl: string): Promise<void> {
  const source = await openLocalFile(file);
  const { header, index } = await inspectCsv(source, { rules: fileRulesFor({}), columns: new Map(), showValues: false, index: true });
  const chunks = planChunks(index as NonNullable<typeof index>, RecordRanges.EMPTY, recordsPerCall);
  const tokenResponse = await fetch(`${standInUrl}/${STANDIN_DEFAULTS.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: STANDIN_DEFAULTS.clientId,
      client_secret: STANDIN_DEFAULTS.clientSecret,
      scope: tokenScope(CLOUD_PROFILES.gcch.tokenResource),
    }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const url = signalsUrl(standInUrl, STANDIN_DEFAULTS.jobId);

  const started = process.hrtime.bigint();
  for (const chunk of chunks) {
    const body = await source.readRanges(chunk.byteRanges, header);
    const response = await postChunk({ url, token, body, fileName: "chunk.csv", signal: AbortSignal.timeout(400_000) });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ seconds, chunks: chunks.length }));
}

const [file, recordsPerCall, standInUrl] = process.argv.slice(2);
transportOnly(file as string, Number(recordsPerCall), standInUrl as string).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
