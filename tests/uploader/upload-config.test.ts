import { runCli } from "../support/cli";
import { fixture } from "../support/cli";

const GUIDS = {
  tenant: "8d1f4e6a-2b3c-4d5e-9f60-7a8b9c0d1e2f",
  app: "29ee526e-f9a7-4e98-a682-67f41bfd643e",
  // The seed's own example: not an RFC 4122 variant, and accepted.
  job: "e081f4f4-3831-48d6-7bb3-fcfab1581458",
};
const base = ["upload", "--cloud", "gcch", "--tenant-id", GUIDS.tenant, "--app-id", GUIDS.app, "--job-id", GUIDS.job, "--csv", fixture("seed-example.csv")];

describe("hr-upload upload: configuration errors exit 2 with one line", () => {
  it.each([
    [["--cloud", "azure"], /--cloud must be one of commercial, gcc, gcch, dod/],
    [["--job-id", "not-a-guid"], /--job-id must be a GUID/],
    [["--tenant-id", "8d1f4e6a2b3c4d5e9f607a8b9c0d1e2f"], /--tenant-id must be a GUID/],
    [["--tenant-id", "bücher.onmicrosoft.us"], /--tenant-id must be a GUID .*; a domain with non-ASCII letters works in its punycode form: xn--bcher-kva\.onmicrosoft\.us$/m],
    [["--records-per-call", "0"], /--records-per-call must be a whole number from 1/],
    [["--records-per-call", "2.5"], /--records-per-call must be a whole number/],
    [["--records-per-call", "0x10"], /--records-per-call must be a whole number from 1/],
    [["--records-per-call", "0b101"], /--records-per-call must be a whole number from 1/],
    [["--retry-delay", "1e1"], /--retry-delay must be a number from 0 to 3600/],
    [["--retry-delay", "soon"], /--retry-delay must be a number from 0 to 3600/],
    [["--retry-delay", "-1"], /option --retry-delay needs a value \(for one starting with "-", write --retry-delay=-\.\.\.\)/],
    [["--concurrency", "100"], /--concurrency must be a whole number from 1 to 16/],
    [["--lock-lease", "1"], /--lock-lease must be a whole number from 2 to 60/],
    // A Blob lease is Azure's: 15 to 60 s, so a shorter one is refused before anything is sent, not silently lengthened.
    [["--lock-lease", "14", "--checkpoint", "https://acct.blob.core.usgovcloudapi.net/hr-state"], /^error: --lock-lease must be at least 15 with the state in Blob Storage \(an Azure lease lasts 15 to 60 seconds\), not 14$/m],
    [["--ingestion-url", "http://127.0.0.1:8080"], /--ingestion-url must be an https URL/],
    [["--authority-host", "login.microsoftonline.us"], /--authority-host must be an https URL/],
    [["--secret-expires-on", "next year"], /--secret-expires-on must be a date/],
    [["--checkpoint", "http://acct.blob.core.usgovcloudapi.net/hr-state"], /--checkpoint must be an https Blob Storage URL/],
    [["--csv", "ftp://files.agency.gov/employees.csv"], /--csv must be an https Blob Storage URL/],
    [["--csv", "https://acct.blob.core.usgovcloudapi.net/hr-data"], /^error: --csv must name a container and a blob: https:\/\/<account>\.blob\.core\.usgovcloudapi\.net\/<container>\/<file>\.csv$/m],
    [["--csv", "https://acct.blob.core.usgovcloudapi.net/"], /^error: --csv must name a container and a blob: /],
    [["--csv", "http://127.0.0.1:10000/devstoreaccount1/hr-data"], /^error: --csv must name a container and a blob: /],
    [["--checkpoint", "https://acct.blob.core.usgovcloudapi.net"], /^error: --checkpoint must name a container: https:\/\/<account>\.blob\.core\.usgovcloudapi\.net\/<container>$/m],
  ])("%j", async (override, message) => {
    const args = [...base];
    for (let i = 0; i < override.length; i += 2) {
      const at = args.indexOf(override[i] as string);
      if (at >= 0) args[at + 1] = override[i + 1] as string;
      else args.push(override[i] as string, override[i + 1] as string);
    }
    const result = await runCli(args, { HR_APP_SECRET: "s3cret" });
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it.each([
    ["--csv", "https//acct.blob.core.usgovcloudapi.net/hr-data/e.csv?sv=2024-01-01&sig=SECRETSIG"],
    ["--csv", "acct.blob.core.usgovcloudapi.net/hr-data/e.csv?sv=2024-01-01&sig=SECRETSIG"],
    ["--checkpoint", "https//acct.blob.core.usgovcloudapi.net/hr-state?sv=2024-01-01&sig=SECRETSIG"],
  ])("never echoes a SAS signature from a mistyped %s URL", async (flag, value) => {
    const args = flag === "--csv" ? base.map((arg) => (arg === fixture("seed-example.csv") ? value : arg)) : [...base, flag, value];
    const result = await runCli(args, { HR_APP_SECRET: "s3cret" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: ${flag} is not a valid URL`));
    expect(result.stdout + result.stderr).not.toContain("SECRETSIG");
  });

  it("requires the secret, preferring HR_APP_SECRET", async () => {
    const result = await runCli(base, {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set HR_APP_SECRET \(preferred\) or pass --app-secret/);
  });

  it("accepts the seed's non-RFC-4122 job ID and plans without network in a dry run", async () => {
    const result = await runCli([...base, "--dry-run", "--checkpoint-dir", "/nonexistent-dir-for-dry-run"], {});
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("https://webhook-itarl4.ingestion.office365.us/api/signals?jobid=e081f4f4-3831-48d6-7bb3-fcfab1581458");
    expect(result.stdout).toContain(`token from https://login.microsoftonline.us/${GUIDS.tenant}`);
  });

  it("--help teaches upload: required flags, the secret variable, aliases and exit codes", async () => {
    const { stdout, code } = await runCli(["upload", "--help"]);
    expect(code).toBe(0);
    for (const text of ["--cloud NAME", "[HR_APP_SECRET]", "also --tenantId", "also --csvFilePath, --FilePath", "4  sign-in failed", "5  upload failed"]) {
      expect(stdout).toContain(text);
    }
  });
});
