/** Jest's global teardown: removes the run's temporary folder (temporaryFolder.cjs points TMPDIR at it). */
const { rmSync } = require("node:fs");

module.exports = async () => {
  if (process.env.TMPDIR && /hr-jest-/.test(process.env.TMPDIR)) rmSync(process.env.TMPDIR, { recursive: true, force: true });
};
