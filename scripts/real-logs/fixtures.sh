#!/usr/bin/env bash
# Cuts the test fixtures test/fixtures/real-debian-*.log out of the logs make.sh wrote: a
# contiguous stretch of each boot log, kernel output only (no lines of our /init), unchanged
# otherwise. Run make.sh first (same RELEASE/VERSION/CACHE/OUT), then re-create the snapshots.
set -euo pipefail
RELEASE=${RELEASE:-6.1.0-56-amd64}
VERSION=${VERSION:-6.1.192-2}
CACHE=${CACHE:-/var/cache/kcrash-real}
OUT=${OUT:-$CACHE/logs-$RELEASE-$VERSION}
DEST=${DEST:-$(cd "$(dirname "$0")/../.." && pwd)/test/fixtures}

# cut SOURCE FIXTURE START-REGEX [END-REGEX]: from the first line matching START to the first line
# after it matching END (inclusive), or to the end of the file.
cut_log() {
  local src=$1 dest=$DEST/real-debian-$2.log
  awk -v s="$3" -v e="${4:-}" '
    !on && $0 ~ s { on = 1 }
    on { print; n++ }
    on && e != "" && n > 1 && $0 ~ e { exit }' "$OUT/$src" > "$dest"
  [ -s "$dest" ] || { echo "nothing cut from $OUT/$src" >&2; exit 1; }
  echo "$dest: $(wc -l < "$dest") lines from $src"
}

cut_log sysrq-c.log sysrq-c 'x86/mm: Checked W\+X'
# Kept with the serial port's CRLF line ends on purpose.
cut_log nmi-backtrace.raw.log nmi-backtrace-crlf 'x86/mm: Checked W\+X' 'INFO: NMI handler'
cut_log break-l-busy.log break-l-busy 'sysrq: Show backtrace' 'INFO: NMI handler'
# SysRq t: the first tasks of a Show State dump (each `task:` line starts the dump of one task),
# up to the line of the task after them.
cut_log sysrq-t.log sysrq-t-tasks 'sysrq: Show State' 'task:kworker/0:0 '

# whole_log SOURCE FIXTURE: a whole boot console, kernel output only (our /init's KCRASH-* lines
# left out): the boot messages, then the crash. Most of a real console log is lines like these, and
# none of them may be taken for a report.
whole_log() {
  local dest=$DEST/real-debian-console-$2.log
  grep -v '^KCRASH-' "$OUT/$1" > "$dest"
  echo "$dest: $(wc -l < "$dest") lines, the whole console of $1"
}

whole_log sysrq-c.log sysrq-c
whole_log break-l-busy.log break-l-busy
