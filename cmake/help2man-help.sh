#!/bin/sh
# help2man-help.sh PROGRAM ARGS...: PROGRAM's output for help2man (docs/cli.md, "Manual
# pages"). Usage lines become the form help2man takes for the SYNOPSIS: the first
# "Usage: ...", the others "   or: ...", a wrapped usage line joined to the one it
# continues. Everything else, and --version's line, passes as it is.
out=$("$@") || exit $?
printf '%s\n' "$out" | awk '
  done { print; next }
  /^$/ { if (have) print line; print; done = 1; next }
  /^usage: / { line = "Usage: " substr($0, 8); have = 1; next }
  /^       [^ ]/ && have { print line; sub(/^ +/, ""); line = "   or: " $0; next }
  /^        +[^ ]/ && have { sub(/^ +/, ""); line = line " " $0; next }
  { if (have) print line; have = 0; print }
  END { if (have && !done) print line }'
