import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A stand-in for cmd.exe, so Linux CI runs the Windows way of starting a tool:
 * it accepts only `cmd.exe /d /s /c "<line>"`, splits the line as cmd.exe does
 * (outer quotes stripped, words split on spaces outside quotes), and runs the
 * named tool from PATH; a tool that is not there answers as cmd.exe does (9009).
 * A shell script: tools run through it dozens of times per test.
 * Returns the path to give as ComSpec.
 */
export function writeFakeCmdExe(dir: string): string {
  const file = join(dir, "cmd.exe");
  writeFileSync(
    file,
    `#!/bin/sh
refuse() { printf 'fake cmd.exe: not started as cmd.exe /d /s /c "<line>": %s\\n' "$*" >&2; exit 9; }
[ $# -eq 4 ] && [ "$1" = /d ] && [ "$2" = /s ] && [ "$3" = /c ] || refuse "$@"
case "$4" in '"'*'"') ;; *) refuse "$@" ;; esac
rest=\${4#'"'}
rest=\${rest%'"'}
set --
while :; do
  rest=\${rest#"\${rest%%[! ]*}"}
  [ -n "$rest" ] || break
  case "$rest" in
    '"'*'"'*)
      rest=\${rest#'"'}
      set -- "$@" "\${rest%%'"'*}"
      rest=\${rest#*'"'} ;;
    *' '*)
      set -- "$@" "\${rest%%' '*}"
      rest=\${rest#*' '} ;;
    *)
      set -- "$@" "$rest"
      rest= ;;
  esac
done
if ! command -v "$1" >/dev/null 2>&1; then
  printf "'%s' is not recognized as an internal or external command,\\r\\noperable program or batch file.\\r\\n" "$1" >&2
  exit 9009
fi
exec "$@"
`,
  );
  chmodSync(file, 0o755);
  return file;
}
