import * as path from "node:path";
import type { Platform } from "../../uploader/src/core/platform";
import { systemPlatform } from "../../uploader/src/cli/systemPlatform";

/** This machine as the uploader sees it. */
export const thisMachine: Platform = systemPlatform();

/** This machine dressed as Windows: the uploader's Windows paths (drive letters, %LOCALAPPDATA%, az.cmd through cmd.exe) run on Linux CI. */
export const asWindows = (overrides: Partial<Platform> = {}): Platform => ({ ...thisMachine, os: "win32", path: path.win32, homedir: "C:\\Users\\hr-admin", ...overrides });

export const asLinux = (overrides: Partial<Platform> = {}): Platform => ({ ...thisMachine, os: "linux", path: path.posix, homedir: "/home/hr-admin", ...overrides });
