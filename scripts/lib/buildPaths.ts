/** What `npm run build` writes, relative to the repository root. */
export const BUILD_PATHS = {
  bundle: "dist/hr-upload.js",
  /** The validation worker thread's code, bundled on its own (the bundle carries a copy and starts workers from it). */
  sliceWorker: "dist/hr-slice-worker.js",
  /** esbuild's metafile of the bundle: which files of which packages it holds. */
  metafile: "dist/hr-upload.meta.json",
  /** The image assembly as one CommonJS file, for the stack's dynamic provider. */
  imageModule: "dist/hr-image.js",
  /** Where `npm run sbom` writes by default. */
  sbom: "dist/hr-upload.cdx.json",
} as const;
