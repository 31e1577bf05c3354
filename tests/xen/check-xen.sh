#!/bin/bash
# tests/xen/check-xen.sh - the real-Xen lab (make check-xen).
#
# Boots Xen 4.17 with a PV dom0 and PV domUs (Linux xen-netfront), all from
# Debian packages, under QEMU TCG (no Xen or KVM needed on the host), and
# runs the scenarios in dom0 against the backend chosen with BACKEND:
#   vifd    (default) vifd from the build tree serves the vifs; xen-netback
#           is not loaded. Scenario 9 then repeats 1-2 with xen-netback.
#   kernel  Linux xen-netback and Xen's own vif-bridge (proves the lab).
# Prints each scenario's SCENARIO line, a summary, and exits 0 only if
# every scenario passed (a scenario that does not apply to the backend is
# skipped). Needs root (debootstrap, chroot) and apt.
#
# Environment:
#   VIFD_BUILDDIR, VIFD_SRCDIR  build and source trees (make sets them)
#   VIFD_HOTPLUGDIR    where dom0 gets our hotplug scripts (make: hotplugdir)
#   VIFD_LAB_CACHE     images, packages and logs (default /var/cache/vifd-lab)
#   BACKEND or VIFD_LAB_BACKEND   vifd | kernel
#   VIFD_LAB_SCENARIOS scenario numbers to run (default all, "0 1 ... 23";
#                      the process-fault check "env" always runs)
#   VIFD_LAB_STRESS    seconds of scenario 0's memory stress (default 30)
#   VIFD_LAB_TIMEOUT   hard limit for QEMU in seconds (default 3000)
#   VIFD_LAB_KEEP_GOING=1  run scenarios 2-8 even when scenario 1 failed
#   VIFD_LAB_VIFD_ARGS extra vifd arguments (e.g. -v)
#   VIFD_LAB_REBUILD=1 rebuild the images; VIFD_LAB_NO_INSTALL=1 never
#                      apt-get install host tools
#   VIFD_LAB_SHELL=1   after the scenarios, a dom0 shell on this terminal
#   VIFD_LAB_EXTRA     a bash script run in dom0 after the scenarios, with
#                      dom0-lib.sh's helpers (output lines start "EXTRA ")
#   VIFD_LAB_XEN_ARGS, VIFD_LAB_DOM0_ARGS  extra Xen / dom0 command line
set -euo pipefail

LAB_SRC=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
VIFD_SRCDIR=${VIFD_SRCDIR:-$(cd "$LAB_SRC/../.." && pwd)}
VIFD_BUILDDIR=${VIFD_BUILDDIR:-$PWD}
LAB_CACHE=${VIFD_LAB_CACHE:-/var/cache/vifd-lab}
LAB_BACKEND=${VIFD_LAB_BACKEND:-${BACKEND:-vifd}}
LAB_SCENARIOS=${VIFD_LAB_SCENARIOS-0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23}
LAB_TIMEOUT=${VIFD_LAB_TIMEOUT:-3000}
LAB_HOTPLUGDIR=${VIFD_HOTPLUGDIR:-/usr/local/libexec/vifd}
# kernel uptime at dom0's /init on a quiet 2-core reference host (seconds);
# the scenario timeouts scale with the ratio to it
LAB_BOOT_REF=${VIFD_LAB_BOOT_REF:-6}

# shellcheck source=images.sh
. "$LAB_SRC/images.sh"

case $LAB_BACKEND in vifd|kernel) ;; *) lab_die "BACKEND must be vifd or kernel, not '$LAB_BACKEND'" ;; esac
case $LAB_CACHE in /*) ;; *) LAB_CACHE=$PWD/$LAB_CACHE ;; esac
case $LAB_CACHE in *[[:space:],]*) lab_die "VIFD_LAB_CACHE must not contain spaces or commas (QEMU splits its module list on them)" ;; esac
[ "$(id -u)" = 0 ] || lab_die "the real-Xen lab needs root (debootstrap, chroot); run make check-xen as root"

T_START=$(date +%s)
mkdir -p "$LAB_CACHE/logs"
# one lab at a time per cache (two runs would rebuild each other's images)
exec 9> "$LAB_CACHE/.lock"
flock -w 1800 9 || lab_die "$LAB_CACHE is locked by another check-xen for 30 min"

RUN=$(mktemp -d "$LAB_CACHE/run.XXXXXX")
QPID=""
lab_cleanup() {
	if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
		lab_log "stopping QEMU (pid $QPID)"
		kill "$QPID" 2>/dev/null || true
		sleep 1
		kill -9 "$QPID" 2>/dev/null || true
	fi
	rm -rf "$RUN"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

lab_step "host tools" lab_host_tools
lab_step "images" lab_images
T_IMAGES=$(date +%s)

# ---- what goes into dom0 from the build -------------------------------------
O=$RUN/overlay
mkdir -p "$O/usr/lib/vifd-lab" "$O/var/lib/vifd-lab" "$O/usr/local/sbin" "$O$LAB_HOTPLUGDIR"
MISSING=""
inject() {	# NAME SRC DEST
	if [ -f "$2" ] && [ -x "$2" ]; then
		if head -c 2 "$2" | grep -q '#!'; then
			lab_log "  $1: $2 is a script, not a program (a libtool wrapper?)"
		fi
		cp "$2" "$O$3"
		lab_log "  $1: $2 ($(stat -c %s "$2") bytes) -> dom0:$3"
	else
		lab_log "  $1: MISSING ($2 not built)"
		MISSING="$MISSING $1"
	fi
}
lab_log "build products for dom0 (from $VIFD_BUILDDIR and $VIFD_SRCDIR):"
inject vifd "${VIFD_LAB_VIFD:-$VIFD_BUILDDIR/src/vifd}" /usr/local/sbin/vifd
inject vifctl "${VIFD_LAB_VIFCTL:-$VIFD_BUILDDIR/tools/vifctl/vifctl}" /usr/local/sbin/vifctl
inject memstress "$VIFD_BUILDDIR/tests/xen/memstress" /usr/lib/vifd-lab/memstress
inject memstress-dyn "$VIFD_BUILDDIR/tests/xen/memstress-dyn" /usr/lib/vifd-lab/memstress-dyn
# hotplug scripts: the source tree's, then generated ones from the build tree
for d in "$VIFD_SRCDIR/hotplug" "$VIFD_BUILDDIR/hotplug"; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in *.mk|*.am|*.in|Makefile*|*.o|*.a|*.log|*.trs) continue ;; esac
		cp -p "$f" "$O$LAB_HOTPLUGDIR/"
	done
done
LAB_VIF_SCRIPT=$LAB_HOTPLUGDIR/vif-bridge
if [ -x "$O$LAB_VIF_SCRIPT" ]; then
	lab_log "  hotplug: $(ls "$O$LAB_HOTPLUGDIR" | tr '\n' ' ')-> dom0:$LAB_HOTPLUGDIR"
else
	lab_log "  hotplug/vif-bridge: MISSING (no executable $VIFD_SRCDIR/hotplug/vif-bridge)"
	MISSING="$MISSING hotplug/vif-bridge"
fi
if [ "$LAB_BACKEND" = vifd ] && [ -n "$MISSING" ]; then
	lab_log "WARNING: with BACKEND=vifd these are needed and missing:$MISSING"
fi

# The driver domain netdd's overlay, appended in dom0 to its cached root
# (netdd-base.cpio.zst): vifd's Debian package, netdd's /init, the lab's
# units and the agent. The package is tools/deb.sh's from this tree's
# HEAD: the one in $VIFD_SRCDIR/_deb if it was built from HEAD (tools/test.sh
# builds it there), else built now (nocheck, about 20 s); VIFD_LAB_DEB
# names another.
lab_deb() {
	local d=$VIFD_SRCDIR/_deb head
	if [ -n "${VIFD_LAB_DEB:-}" ]; then echo "$VIFD_LAB_DEB"; return; fi
	head=$(git -C "$VIFD_SRCDIR" rev-parse HEAD 2>/dev/null) || return 1
	if [ "$(git -C "$d/vifd" rev-parse HEAD 2>/dev/null)" != "$head" ] || ! ls "$d"/vifd_*.deb > /dev/null 2>&1; then
		d=$VIFD_BUILDDIR/tests/xen/deb
		if [ "$(git -C "$d/vifd" rev-parse HEAD 2>/dev/null)" != "$head" ] || ! ls "$d"/vifd_*.deb > /dev/null 2>&1; then
			DEB_BUILD_OPTIONS="nocheck parallel=2" "$VIFD_SRCDIR/tools/deb.sh" "$d" > "$RUN/deb.log" 2>&1 ||
			    { tail -n 20 "$RUN/deb.log" >&2; return 1; }
		fi
	fi
	ls "$d"/vifd_*_*.deb | head -n 1
}
N=$RUN/netdd
mkdir -p "$N/usr/lib/vifd-lab" "$N/etc/systemd/system" "$N/var/lib/vifd-lab"
if DEB=$(lab_deb) && [ -f "$DEB" ]; then
	cp "$DEB" "$N/var/lib/vifd-lab/"
	lab_log "  vifd package: $DEB ($(stat -c %s "$DEB") bytes) -> netdd"
else
	lab_log "  vifd package: MISSING (tools/deb.sh failed)"
	MISSING="$MISSING vifd.deb"
fi
cp "$LAB_SRC/netdd/init" "$N/init"
cp "$LAB_SRC/netdd/setup" "$N/usr/lib/vifd-lab/netdd-setup"
cp "$LAB_SRC/lab-agent" "$N/usr/lib/vifd-lab/lab-agent"
cp "$LAB_SRC"/netdd/*.service "$N/etc/systemd/system/"
chmod 755 "$N/init" "$N/usr/lib/vifd-lab/netdd-setup" "$N/usr/lib/vifd-lab/lab-agent"
(cd "$N" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$O/var/lib/vifd-lab/netdd-overlay.cpio"

if [ -n "${VIFD_LAB_EXTRA:-}" ]; then
	cp "$VIFD_LAB_EXTRA" "$O/usr/lib/vifd-lab/extra.sh" || lab_die "VIFD_LAB_EXTRA=$VIFD_LAB_EXTRA: no such file"
fi
cp "$LAB_SRC/dom0-init" "$O/init"
cp "$LAB_SRC/dom0-lib.sh" "$LAB_SRC/move-lib.sh" "$LAB_SRC/dd-lib.sh" "$LAB_SRC/run-scenarios" "$LAB_SRC"/scenario-*.sh "$O/usr/lib/vifd-lab/"
chmod 755 "$O/init" "$O/usr/lib/vifd-lab/run-scenarios"
{
	printf 'LAB_BACKEND=%q\n' "$LAB_BACKEND"
	printf 'LAB_SCENARIOS=%q\n' "$LAB_SCENARIOS"
	printf 'LAB_MODE=%q\n' "$([ "${VIFD_LAB_SHELL:-0}" = 1 ] && echo shell || echo auto)"
	printf 'LAB_KEEP_GOING=%q\n' "${VIFD_LAB_KEEP_GOING:-0}"
	printf 'LAB_VIFD_ARGS=%q\n' "${VIFD_LAB_VIFD_ARGS:-}"
	printf 'LAB_VIF_SCRIPT=%q\n' "$LAB_VIF_SCRIPT"
	printf 'LAB_MISSING=%q\n' "${MISSING# }"
	printf 'LAB_DD_SCRIPT=%q\n' /usr/libexec/vifd/vif-bridge
	printf 'LAB_BOOT_REF=%q\n' "$LAB_BOOT_REF"
	printf 'LAB_STRESS=%q\n' "${VIFD_LAB_STRESS:-30}"
	printf 'LAB_STRESS_TRAFFIC=%q\n' "${VIFD_LAB_STRESS_TRAFFIC:-0}"
	printf 'LAB_STRESS_DRIVERS=%q\n' "${VIFD_LAB_STRESS_DRIVERS:-3}"
} > "$O/usr/lib/vifd-lab/lab.env"

# the guest's initramfs: the cached base plus this tree's /init
mkdir -p "$RUN/domu"
cp "$LAB_SRC/domu-init" "$RUN/domu/init"
chmod 755 "$RUN/domu/init"
mkdir -p "$RUN/domu/bin"
cp "$LAB_SRC/lab-agent" "$RUN/domu/bin/lab-agent"
[ -x "$O/usr/lib/vifd-lab/memstress" ] && cp "$O/usr/lib/vifd-lab/memstress" "$RUN/domu/bin/memstress"
{ cat "$LAB_IMG/domu-base.cpio"; (cd "$RUN/domu" && find . | LC_ALL=C sort | cpio -o -H newc --quiet); } \
    > "$O/var/lib/vifd-lab/domu-initrd.cpio"

# dom0's initramfs: the cached base, then the overlay (later entries win)
(cd "$O" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$RUN/overlay.cpio"
cat "$LAB_IMG/dom0-base.cpio" "$RUN/overlay.cpio" > "$RUN/dom0-initrd.cpio"
lab_log "overlay: $(stat -c %s "$RUN/overlay.cpio") bytes (dom0 initramfs $(du -m "$RUN/dom0-initrd.cpio" | cut -f1) MiB)"

# ---- boot ---------------------------------------------------------------------
LOG=$LAB_CACHE/logs/check-xen-$(date +%Y%m%d-%H%M%S)-$LAB_BACKEND.log
# -cpu max,-smap: with SMAP, TCG's dom0 faults in Xen's create_bounce_frame.
# QEMU's multiboot loader takes the ELF xen, then "file args" modules
# separated by commas (a comma inside args would be written ",,").
# spec-ctrl=eager-fpu: with Xen's default for this emulated (AMD-like) CPU,
# lazy FPU switching (CR0.TS and #NM on a vCPU's first FPU use after a
# switch), processes in dom0 and the guests read SIMD registers that hold
# another context's values: 30-50 of 1000 short processes crashed in
# memstress, and the lab's tr, xl, bash, busybox and vifd crashes of
# earlier stops were this. With eager switching: 0 in 8491
# (tests/xen/README.md, "The emulation's memory faults").
XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 bootscrub=0 spec-ctrl=eager-fpu ${VIFD_LAB_XEN_ARGS:-}"
DOM0_ARGS="console=hvc0 earlyprintk=xen loglevel=4 ${VIFD_LAB_DOM0_ARGS:-}"
# shellcheck disable=SC2054 # the commas are QEMU's
QEMU=("${VIFD_LAB_QEMU:-qemu-system-x86_64}" ${VIFD_LAB_QEMU_ARGS:-} -M pc -cpu "${VIFD_LAB_CPU:-max,-smap}" -smp 2 -m 2048
      -accel "tcg,thread=${VIFD_LAB_TCG_THREAD:-multi}"
      -display none -nic none -no-reboot -monitor none -serial stdio
      -kernel "$LAB_IMG/xen" -append "$XEN_ARGS"
      -initrd "$LAB_IMG/vmlinuz $DOM0_ARGS,$RUN/dom0-initrd.cpio")
# host seconds since QEMU started, in front of every serial line
STAMP='BEGIN { $| = 1; $t0 = time } s/\r//g; printf "[%7.2f] %s", time - $t0, $_'

if [ "${VIFD_LAB_SHELL:-0}" = 1 ]; then
	lab_log "booting with the console on this terminal; 'poweroff' in dom0 ends it"
	timeout --foreground -k 5 "$LAB_TIMEOUT" "${QEMU[@]}" 2>&1 | perl -MTime::HiRes=time -pe "$STAMP" | tee "$LOG"
	exit 0
fi

lab_log "booting Xen (backend $LAB_BACKEND, scenarios: $LAB_SCENARIOS, limit $LAB_TIMEOUT s); serial log: $LOG"
lab_log "QEMU: $("${QEMU[0]}" --version | head -n 1): ${QEMU[*]:1:9}"
T_BOOT=$(date +%s)
: > "$LOG"
timeout -k 10 "$LAB_TIMEOUT" "${QEMU[@]}" < /dev/null > >(perl -MTime::HiRes=time -ne "$STAMP" > "$LOG") 2>&1 &
QPID=$!	# timeout's: it passes a SIGTERM on to QEMU
# Follow the log: show progress, and stop QEMU if dom0 finished but did
# not power off, died, or went silent for 10 minutes.
seen=0 done_at="" last_size=0 last_change=$(date +%s) why=""
while kill -0 "$QPID" 2>/dev/null; do
	sleep 1
	n=$(wc -l < "$LOG")
	if [ "$n" -gt "$seen" ]; then
		sed -n "$((seen + 1)),${n}p" "$LOG" | grep -E '^\[ *[0-9.]+\] (LAB\[|LAB-BIN|LAB-BOOT|MEMSTRESS-FAULT|SCENARIO |\(XEN\) .*([Pp]anic|crash|FATAL)|.*Kernel panic)' || true
		seen=$n
	fi
	size=$(stat -c %s "$LOG")
	now=$(date +%s)
	if [ "$size" != "$last_size" ]; then last_size=$size; last_change=$now; fi
	if [ -z "$done_at" ] && grep -qE 'LAB DONE|Kernel panic|Panic on CPU|Hardware Dom0 crashed' "$LOG"; then
		done_at=$now
	fi
	if [ -n "$done_at" ] && [ $((now - done_at)) -gt 30 ]; then why="dom0 did not power off"; break; fi
	if [ $((now - last_change)) -gt 600 ]; then why="no console output for 600 s"; break; fi
done
if [ -n "$why" ]; then
	lab_log "stopping QEMU: $why"
	kill "$QPID" 2>/dev/null || true
fi
qrc=0
wait "$QPID" || qrc=$?
QPID=""
sleep 0.5	# let the time-stamping perl write the last lines
T_END=$(date +%s)
ln -sfn "$(basename "$LOG")" "$LAB_CACHE/logs/latest.log"
ls -1t "$LAB_CACHE"/logs/check-xen-*.log 2>/dev/null | tail -n +11 | xargs -r rm -f
if [ -d "$VIFD_BUILDDIR" ] && [ -w "$VIFD_BUILDDIR" ]; then
	mkdir -p "$VIFD_BUILDDIR/tests/xen"
	cp "$LOG" "$VIFD_BUILDDIR/tests/xen/check-xen-$LAB_BACKEND.log"
fi

# ---- results --------------------------------------------------------------------
strip() { sed -E 's/^\[ *[0-9.]+\] //'; }
if grep -q 'LAB-RESULTS-END' "$LOG"; then
	RES=$(strip < "$LOG" | sed -n '/^LAB-RESULTS-BEGIN/,/^LAB-RESULTS-END/p' | grep '^SCENARIO ' || true)
else
	RES=$(strip < "$LOG" | grep -E '^SCENARIO ([0-9]+|env) ' || true)
fi
pass=0 fail=0 skip=0
echo
echo "==== check-xen results (backend $LAB_BACKEND) ===="
strip < "$LOG" | grep -E '^LAB-(BIN|BOOT) ' || true
strip < "$LOG" | sed -n '/^LAB-RESULTS-BEGIN/,/^LAB-RESULTS-END/p' | grep -E '^LAB-ENV' || true
for n in $LAB_SCENARIOS env; do
	line=$(echo "$RES" | grep -E "^SCENARIO $n " | tail -n 1 || true)
	[ -n "$line" ] || line="SCENARIO $n ?: FAIL reason=\"no result: dom0 stopped before it ($why)\""
	echo "$line"
	case $line in
	*": PASS"*) pass=$((pass + 1)) ;;
	*": SKIP"*) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
done
# scenario 0's memory stress, per driver (its SCENARIO line has the sums)
strip < "$LOG" | grep -E '^MEMSTRESS ' | sort -u || true
echo "times: images $((T_IMAGES - T_START)) s, boot and scenarios $((T_END - T_BOOT)) s, total $((T_END - T_START)) s (QEMU exit $qrc)"
echo "serial log: $LOG"
echo "check-xen: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
