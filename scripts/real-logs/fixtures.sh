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

# cut_to_last SOURCE FIXTURE START-REGEX END-REGEX: from the first line matching START to the last
# line matching END (a report that prints its registers once more after its end marker).
cut_to_last() {
  local dest=$DEST/real-debian-$2.log
  awk -v s="$3" -v e="$4" '
    !on && $0 ~ s { on = 1 }
    on { buf[++n] = $0; if ($0 ~ e) last = n }
    END { for (i = 1; i <= last; i++) print buf[i] }' "$OUT/$1" > "$dest"
  [ -s "$dest" ] || { echo "nothing cut from $OUT/$1" >&2; exit 1; }
  echo "$dest: $(wc -l < "$dest") lines from $1"
}

# Our module (make.sh mod-*): the reports as the kernel printed them, its `Tainted: G OE` included.
cut_log mod-warn.log module-warning 'cut here' 'end trace'
cut_to_last mod-null.log module-null-deref 'BUG: kernel NULL pointer' 'CR2: '
cut_log mod-bug.log module-bug-on 'cut here' 'end trace'
# The hung task detector reports the blocked writer three times (hung_task_timeout_secs=10).
cut_to_last mod-hang.log module-hung-task 'INFO: task ' '</TASK>'
# Preemption off for 30 s: RCU reports the stall first (from the timer interrupt's registers).
cut_log mod-softlockup.log module-rcu-stall 'rcu: INFO: ' '</TASK>'
# A NULL write in a timer callback: an oops on the IRQ stack, then `Fatal exception in interrupt`.
cut_log mod-timer-null.log module-timer-oops-panic 'BUG: kernel NULL pointer' 'Kernel Offset'
# A WARN inside an NMI handler: a register block inside `<NMI>`, and `? ` copies of its RIP after it.
cut_log mod-nmi-warn.log module-warn-in-nmi 'cut here' 'end trace'
