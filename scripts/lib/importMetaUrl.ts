// Injected into the CommonJS bundle: @azure/storage-common's ESM build calls
// createRequire(import.meta.url), and import.meta is empty in CommonJS output.
import { pathToFileURL } from "node:url";

export const import_meta_url = pathToFileURL(__filename).href;
