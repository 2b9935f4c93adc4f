#!/usr/bin/env bash
# Real crash logs from a known Debian kernel booted under qemu (TCG). See README.md beside this file.
#
#   sudo apt-get install qemu-system-x86 busybox-static cpio
#   scripts/real-logs/make.sh [SCENARIO...]        (default: all scenarios)
#   scripts/real-logs/make.sh debug                (no boots: the -dbg package, vmlinux, System.map
#                                                   and the module, for ground-truth.mjs and
#                                                   npm run test:debian; needs no qemu)
#
# Environment: RELEASE (6.1.0-56-amd64), VERSION (6.1.192-2), CACHE (/var/cache/kcrash-real),
# OUT ($CACHE/logs-$RELEASE-$VERSION), BOOT_TIMEOUT (seconds per boot, 300), APPEND_EXTRA (more
# kernel parameters, e.g. APPEND_EXTRA=syms=foo,bar for the `symbols` helper scenario).
# Idempotent: the package is downloaded and the initramfs built once; a scenario whose log exists is
# skipped unless FORCE=1. Each scenario gives OUT/NAME.raw.log (serial output as is, CRLF) and
# OUT/NAME.log (the same without \r). OUT/SHA256SUMS records the package hash, OUT/BUILD-ID the
# vmlinux build id (read from /sys/kernel/notes in one more boot).
# `debug` downloads linux-image-$RELEASE-dbg=$VERSION (858 MB) into CACHE/debs once, extracts
# vmlinux-$RELEASE and System.map-$RELEASE into CACHE/kernel-$RELEASE-$VERSION/, checks the vmlinux
# build id against a boot's (when OUT/BUILD-ID exists) and builds the module. It can be combined
# with scenarios (`make.sh debug mod-warn`).
set -euo pipefail

RELEASE=${RELEASE:-6.1.0-56-amd64}
VERSION=${VERSION:-6.1.192-2}
CACHE=${CACHE:-/var/cache/kcrash-real}
OUT=${OUT:-$CACHE/logs-$RELEASE-$VERSION}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
PKG=linux-image-$RELEASE-unsigned
ALL_SCENARIOS=(sysrq-c nmi-backtrace sysrq-t break-l break-l-busy)
# Crashes of our own module (module/kcrash_test.c), built against the package's headers.
MODULE_SCENARIOS=(mod-warn mod-null mod-bug mod-hang mod-softlockup mod-timer-null mod-nmi-warn)
HERE=$(cd "$(dirname "$0")" && pwd)

# `debug` is not a scenario: it is taken out of the argument list and done before the boots.
want_debug=
scenario_args=()
for a in "$@"; do if [ "$a" = debug ]; then want_debug=1; else scenario_args+=("$a"); fi; done
set -- ${scenario_args[@]+"${scenario_args[@]}"}
boots=1
[ -n "$want_debug" ] && [ $# -eq 0 ] && boots=

for tool in dpkg-deb ${boots:+qemu-system-x86_64 cpio gzip timeout}; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install qemu-system-x86 busybox-static cpio)" >&2; exit 1; }
done
[ -z "$boots" ] || [ -x /bin/busybox ] || { echo "missing /bin/busybox (apt-get install busybox-static)" >&2; exit 1; }

mkdir -p "$CACHE/debs" "$OUT"

# --- kernel package ------------------------------------------------------------------------------
deb=$(ls "$CACHE/debs/${PKG}_${VERSION//:/%3a}_amd64.deb" 2>/dev/null || true)
if [ -z "$deb" ]; then
  (cd "$CACHE/debs" && apt-get download "$PKG=$VERSION")
  deb=$(ls "$CACHE/debs/${PKG}_${VERSION//:/%3a}_amd64.deb")
fi
kdir=$CACHE/kernel-$RELEASE-$VERSION
vmlinuz=$kdir/boot/vmlinuz-$RELEASE
if [ ! -f "$vmlinuz" ]; then
  mkdir -p "$kdir"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" "./boot/vmlinuz-$RELEASE"
fi
(cd "$(dirname "$deb")" && sha256sum "$(basename "$deb")") > "$OUT/SHA256SUMS"

# --- debug info (`make.sh debug`) ----------------------------------------------------------------
# The -dbg package holds the unstripped vmlinux (DWARF 5) and the real System.map (the image
# package's is an 83-byte placeholder), both under /usr/lib/debug/boot/. Never copy the package or
# vmlinux into the repository.
DBG_PKG=linux-image-$RELEASE-dbg
vmlinux=$kdir/vmlinux-$RELEASE
sysmap=$kdir/System.map-$RELEASE
fetch_debug() {
  local dbg tmp
  dbg=$(ls "$CACHE/debs/${DBG_PKG}_${VERSION//:/%3a}_amd64.deb" 2>/dev/null || true)
  if [ -z "$dbg" ]; then
    (cd "$CACHE/debs" && apt-get download "$DBG_PKG=$VERSION")
    dbg=$(ls "$CACHE/debs/${DBG_PKG}_${VERSION//:/%3a}_amd64.deb")
  fi
  if [ ! -f "$vmlinux" ] || [ ! -f "$sysmap" ]; then
    echo "extracting vmlinux-$RELEASE and System.map-$RELEASE from $(basename "$dbg") (about a minute)"
    tmp=$(mktemp -d "$kdir/dbg.XXXXXX")
    dpkg-deb --fsys-tarfile "$dbg" | tar -x -C "$tmp" \
      "./usr/lib/debug/boot/vmlinux-$RELEASE" "./usr/lib/debug/boot/System.map-$RELEASE"
    mv "$tmp/usr/lib/debug/boot/System.map-$RELEASE" "$sysmap"
    mv "$tmp/usr/lib/debug/boot/vmlinux-$RELEASE" "$vmlinux"
    rm -rf "$tmp"
  fi
  (cd "$(dirname "$dbg")" && sha256sum "$(basename "$dbg")") >> "$OUT/SHA256SUMS"
  local id
  id=$(readelf -n "$vmlinux" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p' | head -1)
  echo "$id  vmlinux-$RELEASE (readelf -n)" > "$kdir/BUILD-ID"
  echo "vmlinux-$RELEASE build id (readelf -n): $id"
  if [ -s "$OUT/BUILD-ID" ] && [ "$(cut -d' ' -f1 "$OUT/BUILD-ID")" != "$id" ]; then
    echo "vmlinux build id $id differs from the booted kernel's $(cut -d' ' -f1 "$OUT/BUILD-ID")" >&2; exit 1
  fi
}

# --- the module ----------------------------------------------------------------------------------
# Built in a fixed directory ($CACHE/module) with the compiler the kernel was built with (gcc-12 on
# bookworm), so that its paths in WARNING/BUG lines and the object itself are the same every time.
HEADERS_VERSION=${RELEASE%-amd64}
module_ko=$CACHE/module/kcrash_test.ko
build_module() {
  local h=$CACHE/headers kbuild kver
  kbuild=linux-kbuild-$(echo "$RELEASE" | cut -d. -f1-2)
  if [ ! -f "$h/usr/src/linux-headers-$RELEASE/Makefile" ]; then
    # linux-kbuild-X.Y (host tools: fixdep, modpost, ...) is not ABI-versioned, so a later upload of
    # the same kernel replaces it in the archive while the image, headers and -dbg of the earlier one
    # stay (November 2026: 6.1.192-2 gone, 6.1.192-3 there). Take the newest of the same upstream
    # version then, and compare the module with the logs (test/fixtures/real-debian/README.md).
    kver=$VERSION
    if ! apt-cache madison "$kbuild" | awk -v v="$VERSION" '$3 == v { f = 1 } END { exit !f }'; then
      kver=$(apt-cache madison "$kbuild" | awk -v u="${VERSION%-*}-" 'index($3, u) == 1 { print $3; exit }')
      [ -n "$kver" ] || { echo "no $kbuild of upstream version ${VERSION%-*} in the archive" >&2; exit 1; }
      echo "warning: $kbuild=$VERSION is no longer in the archive; using $kbuild=$kver" >&2
    fi
    (cd "$CACHE/debs" && apt-get download "linux-headers-$RELEASE=$VERSION" "linux-headers-$HEADERS_VERSION-common=$VERSION" \
      "$kbuild=$kver")
    rm -rf "$h" && mkdir -p "$h"
    for d in "$CACHE/debs/linux-headers-${RELEASE}_${VERSION}_amd64.deb" "$CACHE/debs/linux-headers-$HEADERS_VERSION-common_${VERSION}_all.deb" \
      "$CACHE/debs/${kbuild}_${kver}_amd64.deb"; do dpkg-deb -x "$d" "$h"; done
    (cd "$CACHE/debs" && sha256sum "linux-headers-${RELEASE}_${VERSION}_amd64.deb" "linux-headers-$HEADERS_VERSION-common_${VERSION}_all.deb" \
      "${kbuild}_${kver}_amd64.deb") > "$h/SHA256SUMS"
    # The headers' Makefile includes the common tree by its installed path; point it at ours.
    sed -i "s|include /usr/src/|include $h/usr/src/|" "$h/usr/src/linux-headers-$RELEASE/Makefile"
  fi
  if [ ! -f "$module_ko" ] || [ "$HERE/module/kcrash_test.c" -nt "$module_ko" ] || [ "$HERE/module/Kbuild" -nt "$module_ko" ]; then
    rm -rf "$CACHE/module" && mkdir -p "$CACHE/module"
    cp "$HERE/module/kcrash_test.c" "$HERE/module/Kbuild" "$CACHE/module/"
    make -s -C "$h/usr/src/linux-headers-$RELEASE" M="$CACHE/module" modules
  fi
}

# --- initramfs -----------------------------------------------------------------------------------
if [ -n "$want_debug" ]; then fetch_debug; build_module; fi
[ -n "$boots" ] || exit 0
initrd=$CACHE/initrd-kcrash.cpio.gz
for s in "$@"; do case "$s" in mod-*) build_module ;; esac; done
if [ ! -f "$initrd" ] || [ "$HERE/make.sh" -nt "$initrd" ] || { [ -f "$module_ko" ] && [ "$module_ko" -nt "$initrd" ]; }; then
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,dev,proc,sys,tmp}
  cp /bin/busybox "$root/bin/busybox"
  [ -f "$module_ko" ] && cp "$module_ko" "$root/kcrash_test.ko"
  mknod -m 600 "$root/dev/console" c 5 1
  mknod -m 666 "$root/dev/null" c 1 3
  cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 1 > /proc/sys/kernel/sysrq
scenario=$(sed -n 's/.*scenario=\([^ ]*\).*/\1/p' /proc/cmdline)
# A busy loop on CPU 1, so that an NMI backtrace catches a CPU running in the kernel.
spin() { taskset 2 dd if=/dev/zero of=/dev/null bs=4k & }
run() {
  case "$scenario" in
    sysrq-c) echo c > /proc/sysrq-trigger ;;
    nmi-backtrace) spin; sleep 2; echo l > /proc/sysrq-trigger; sleep 1 ;;
    sysrq-t) sleep 1; echo t > /proc/sysrq-trigger; sleep 1 ;;
    # The serial interrupt goes to the idle CPU 0, so SysRq runs on the IRQ stack (<IRQ>...</IRQ>).
    break-l) echo 1 > /proc/irq/4/smp_affinity; spin; sleep 1; echo KCRASH-READY; sleep 15 ;;
    # Here it goes to CPU 1, which runs dd mostly in user mode: the trace ends in a user register
    # block, and the idle CPU 0 prints `NMI backtrace for cpu 0 skipped: idling at ...`.
    break-l-busy) echo 2 > /proc/irq/4/smp_affinity; spin; sleep 1; echo KCRASH-READY; sleep 15 ;;
    # Not a crash: the symbols named by syms=a,b,c on the command line and the ones that follow
    # them in memory (ground truth for `func+off/size` entries; the image package has no System.map).
    symbols) grep -A1 -E " ($(sed -n 's/.*syms=\([^ ]*\).*/\1/p' /proc/cmdline | tr , '|'))\$" /proc/kallsyms ;;
    # Our module: insmod, then the crash named after `mod-`.
    mod-hang) insmod /kcrash_test.ko; echo 10 > /proc/sys/kernel/hung_task_timeout_secs
      (echo hang > /sys/kernel/debug/kcrash_test/trigger &); sleep 45 ;;
    mod-timer-null) insmod /kcrash_test.ko; echo timer-null > /sys/kernel/debug/kcrash_test/trigger; sleep 5 ;;
    mod-*) insmod /kcrash_test.ko; echo "${scenario#mod-}" > /sys/kernel/debug/kcrash_test/trigger; sleep 1 ;;
    # Not a crash: the ELF notes of the running kernel (the vmlinux build id is one of them).
    buildid) echo "KCRASH-NOTES $(od -An -v -tx1 /sys/kernel/notes | tr -d ' \n')" ;;
    *) echo "unknown scenario '$scenario'" ;;
  esac
}
# The scenario runs in a child shell on CPU 0, so an oops kills the child, not PID 1.
taskset -p 1 $$ >/dev/null
( run )
echo KCRASH-DONE
sync
poweroff -f
EOF
  chmod 755 "$root/init"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -9n) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  rm -rf "$root"
fi

# --- boots ---------------------------------------------------------------------------------------
boot() {
  local name=$1 raw=$OUT/$1.raw.log fifo
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  local start=$SECONDS
  timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel tcg -display none -vga none -no-reboot -m 512 -smp 2 \
    -chardev stdio,id=con0,mux=on,signal=off -serial chardev:con0 -mon chardev=con0,mode=readline \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 scenario=$name panic=-1 nokaslr${APPEND_EXTRA:+ $APPEND_EXTRA}" < "$fifo" > "$raw" 2>"$OUT/$name.qemu.err" &
  local qpid=$!
  exec 3>"$fifo"
  if [ "$name" = break-l ] || [ "$name" = break-l-busy ]; then
    # Wait for the guest, then send a serial BREAK (C-a b on the monitor mux) and the SysRq key.
    for _ in $(seq 1 "$BOOT_TIMEOUT"); do grep -q KCRASH-READY "$raw" 2>/dev/null && break; sleep 1; done
    sleep 1; printf '\001b' >&3; sleep 1; printf 'l' >&3
  fi
  wait "$qpid" || echo "$name: qemu exited with $? (124 = timeout)" >&2
  exec 3>&-
  rm -f "$fifo"
  tr -d '\r' < "$raw" > "$OUT/$name.log"
  echo "$name: $((SECONDS - start)) s, $(wc -l < "$OUT/$name.log") lines -> $OUT/$name.log"
}

# The GNU build id (note type 3, name "GNU") from the hex dump of /sys/kernel/notes.
build_id() {
  local hex le n=0 namesz descsz type
  hex=$(sed -n 's/^KCRASH-NOTES \([0-9a-f]*\).*/\1/p' "$1" | head -1)
  le() { local h=${hex:$1:8}; echo $((16#${h:6:2}${h:4:2}${h:2:2}${h:0:2})); }
  while [ $((n + 24)) -le ${#hex} ]; do
    namesz=$(le $n); descsz=$(le $((n + 8))); type=$(le $((n + 16)))
    local name_at=$((n + 24)) desc_at=$((n + 24 + ((namesz + 3) / 4) * 8))
    if [ "$type" = 3 ] && [ "${hex:$name_at:6}" = 474e55 ]; then echo "${hex:$desc_at:$((descsz * 2))}"; return; fi
    n=$((desc_at + ((descsz + 3) / 4) * 8))
  done
}

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=("${ALL_SCENARIOS[@]}")
for s in "${scenarios[@]}"; do
  if [ -s "$OUT/$s.log" ] && [ -z "${FORCE:-}" ]; then echo "$s: exists ($OUT/$s.log)"; continue; fi
  boot "$s"
done
if [ ! -s "$OUT/buildid.log" ]; then boot buildid >/dev/null; fi
id=$(build_id "$OUT/buildid.log")
echo "vmlinux build id: ${id:-unknown}"
echo "${id:-unknown}  vmlinux-$RELEASE (build id)" > "$OUT/BUILD-ID"
