import { readFileSync } from "node:fs";
import { AnonymousCredential, type ContainerClient } from "@azure/storage-blob";
import { parse } from "csv-parse/sync";
import { blobStateStore } from "../../uploader/src/state/blobState";
import { parseBlobUrl } from "../../uploader/src/storage/blobUrl";
import { runBundle, runCli } from "./cli";
import { accountSasUrl, adminClient, Azurite, KEPT_ACCOUNT, sasUrl } from "./azurite";
import { generatedCsv, UploadHarness } from "./standin";

/** The records of CSV bytes as the service counts them (header excluded). */
export const recordsOf = (bytes: Buffer) => (parse(bytes, { bom: true, relax_column_count: true }) as string[][]).slice(1);

export async function generatedBytes(records: number, seed = records): Promise<Buffer> {
  return readFileSync(await generatedCsv(records, seed));
}

/**
 * The Blob tests' fixture, for the test files that share it (split so that Jest runs them side by side): one Azurite
 * per file, with a second account (KEPT_ACCOUNT) for copies kept apart, as the stack keeps them; per test a stand-in
 * and its own hr-data-N and hr-state-N containers, and hr-kept emptied (the one container of kept copies beside the
 * state). Call inside a `describe`: it registers that describe's hooks.
 */
export class BlobSuite {
  private current?: { azurite: Azurite; kept: ContainerClient; harness?: UploadHarness; data?: ContainerClient; state?: ContainerClient };
  private testNumber = 0;

  static use(): BlobSuite {
    const suite = new BlobSuite();
    beforeAll(async () => {
      const azurite = await Azurite.start({ moreAccounts: [KEPT_ACCOUNT] });
      const kept = adminClient(azurite).getContainerClient("hr-kept");
      await kept.create();
      suite.current = { azurite, kept };
    });
    afterAll(async () => {
      await suite.current?.azurite.stop();
    });
    beforeEach(async () => {
      const { azurite, kept } = suite.fixture;
      suite.testNumber++;
      const data = adminClient(azurite).getContainerClient(`hr-data-${suite.testNumber}`);
      const state = adminClient(azurite).getContainerClient(`hr-state-${suite.testNumber}`);
      await data.create();
      await state.create();
      for await (const blob of kept.listBlobsFlat()) await kept.deleteBlob(blob.name);
      suite.current = { azurite, kept, harness: await UploadHarness.start(), data, state };
    });
    afterEach(async () => {
      await suite.current?.harness?.close();
    });
    return suite;
  }

  private get fixture() {
    if (this.current === undefined) throw new Error("BlobSuite.use() was not called in this describe");
    return this.current;
  }
  private perTest<T>(value: T | undefined): T {
    if (value === undefined) throw new Error("only inside a test");
    return value;
  }

  get azurite(): Azurite {
    return this.fixture.azurite;
  }
  get kept(): ContainerClient {
    return this.fixture.kept;
  }
  get harness(): UploadHarness {
    return this.perTest(this.fixture.harness);
  }
  get data(): ContainerClient {
    return this.perTest(this.fixture.data);
  }
  get state(): ContainerClient {
    return this.perTest(this.fixture.state);
  }

  readonly putCsv = async (bytes: Buffer, name = "employees.csv") => {
    await this.data.getBlockBlobClient(name).uploadData(bytes);
    return sasUrl(this.azurite, this.data.containerName, name);
  };
  /** An account SAS: the run keeps its copies in hr-kept, beside the state container. */
  readonly blobArgs = (csvUrl: string, ...extra: string[]) => [...this.harness.args(csvUrl, ...extra), "--checkpoint", accountSasUrl(this.azurite, this.state.containerName)];
  /** The real bundle uploads from Blob with its state in Blob. */
  readonly upload = (csvUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => runBundle(this.blobArgs(csvUrl, ...extra), this.harness.env(env));
  /** The same upload by the bundle's main() in this process: for runs that prove a rule of the state in Blob, not the process. */
  readonly uploadHere = (csvUrl: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) => runCli(this.blobArgs(csvUrl, ...extra), this.harness.env(env));
  readonly sent = () => this.harness.standIn.received.flatMap((chunk) => chunk.records);
  readonly stateNames = async (prefix = "") => {
    const names: string[] = [];
    for await (const blob of this.state.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  };
  readonly keptNames = async () => {
    const names: string[] = [];
    for await (const blob of this.kept.listBlobsFlat()) names.push(blob.name);
    return names;
  };
  /**
   * The test's state container as a run's store sees it, at `url` (by default Azurite's own, with a SAS), its kept copies
   * in `keptUrl` (by default hr-kept beside it). One try per
   * call, as the run's Storage clients make (storage/pipeline.ts): the SDK's own retries would hold a failed lease
   * renewal for seconds of real time that the test's clock does not see.
   */
  readonly store = (url = sasUrl(this.azurite, this.state.containerName), keptUrl?: string) => {
    const location = parseBlobUrl(url, "--checkpoint", "container");
    const access = { credential: new AnonymousCredential(), pipeline: { retryOptions: { maxTries: 1 } } };
    return blobStateStore({ location, access }, keptUrl === undefined ? undefined : { location: parseBlobUrl(keptUrl, "--kept-container", "container"), access });
  };
}
