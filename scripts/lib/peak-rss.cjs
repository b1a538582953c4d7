// Preloaded into a measured child (`node --require`): at exit, appends the
// process's peak resident set size in bytes to the file named by PEAK_RSS_FILE.
process.on("exit", () => {
  require("node:fs").appendFileSync(process.env.PEAK_RSS_FILE, `${process.resourceUsage().maxRSS * 1024}\n`);
});
