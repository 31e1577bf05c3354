#!/bin/bash
# bench.sh - vifd's data-plane benchmark on the simulated Xen.
#
# For each frame kind (udp64, f1514, gso64k: vif-guest's frames) it
# measures, in one run and interleaved:
#   TX vifd  guest TX through vifd: vif-guest --mode gen floods the TX ring,
#            vifd writes every frame to its TAP; frames answered OKAY per
#            second (cross-checked with vifd's tx_packets counter);
#   TX tap   the syscall bound: vifd-bench tapwrite, a plain writev loop of
#            the same frames with the same virtio-net header into a TAP of
#            vifd's kind;
#   RX vifd  guest RX through vifd: vifd-bench inject pushes frames into
#            vifd's TAP from the host side, vif-guest --mode sink counts
#            what reaches the guest's RX ring;
#   RX tap   the syscall bound: vifd-bench tapread, a readv loop on a TAP
#            of vifd's kind fed by the same injector;
# and prints a table of medians over --runs runs with the ratio
# vifd / baseline, a table of CPU time per frame (vifd's, all threads, and
# the baseline loop's: on a shared machine the steadier figure), a table
# of what each frame costs in system calls (vifd's, the baseline loop's),
# event-channel notifications to the guest, grant-copy calls and their
# segments (vifd's counters notifies, tx_/rx_copy_calls, tx_/rx_copy_segs)
# and CPU nanoseconds (vifd's), then every run with its cross-checks and
# CPU use. With two or more CPUs,
# vifd (one queue) and the baseline loops run on the first CPU and the
# injectors on the last (see --no-pin).
#
# Everything runs in a private network namespace (IPv6 off, no bridge, the
# TAPs up with no address) on a simulated machine in a temporary
# directory; both are removed on exit, whatever happens. Guest TX frames
# are addressed to a foreign MAC, so the host stack drops them as
# OTHERHOST right away, for vifd and for the baseline alike: the set-up of
# the performance notes' TAP probes (shared/research/performance.md, Part
# B), which makes the TAP syscall itself the bound. Needs root. Not a
# test: it asserts nothing about speed.
#
# System calls are counted in the kernel, by perf stat on the tracepoint
# raw_syscalls:sys_enter (every system call entry; Debian: linux-perf),
# not by strace, which stops the target at every call. vifd: perf stat -p
# on all its threads, and on the threads they create (a guest's queue
# threads are born when it connects), counting switched on and off through
# perf's control fifo around the same window as vifd's CPU time. The
# baseline: perf stat -i runs vifd-bench and counts that process alone,
# not the injector child tapread forks, over its whole life (set-up and
# exit add a few hundred calls to millions). While a perf counts, every
# system call on the machine takes the kernel's slower traced path (on
# the 2-CPU machine it cost the bare TAP write loop 8 to 27% of its
# frames/s, vifd up to 7%), so the
# counting has a run of its own, run S, after the --runs runs: the other
# tables leave it out, the system-call columns come from it alone, and the
# table shows its frames/s over the uncounted median (what counting
# cost); --no-syscalls skips it. On the simulated
# machine a grant copy is a memcpy in vifd (no system call) where on Xen it
# is one ioctl per call: there, add gntcopy_calls/frame to syscalls/frame.
#
# usage: bench.sh [--builddir DIR] [--seconds S] [--runs N]
#                 [--queues N] [--frames "udp64 f1514 gso64k"] [--keep DIR]
#                 [--backoff-us N] [--no-pin] [--perf DIR] [--no-syscalls]
#                 [--tap-io auto|plain]
#        (make bench BENCH_ARGS='...' runs it from the build directory)

set -u

usage() {
	cat <<'EOF'
usage: bench.sh [options]
  --builddir DIR   the build tree (default: $VIFD_BUILDDIR, else .)
  --seconds S      length of each measurement (default 3; 0.5 to 60)
  --runs N         runs of every measurement; the table shows medians
                   (default 3; 1 to 15)
  --queues N       queues of the guest's vif (default 1; 1 to 8). The
                   baselines stay single-queue loops; with N > 1 the
                   injector spreads its frames over 8 flows per queue.
  --frames LIST    frame kinds (default "udp64 f1514 gso64k")
  --tap-io MODE    vifd's --tap-io: auto (default: a batch of guest
                   frames per system call, io_uring) or plain (one
                   writev per frame, as before); the baselines are the
                   same loops either way
  --backoff-us N   the injector's nap when a TAP queue is full (default 20)
  --no-pin         leave every process to the scheduler. By default (two
                   or more CPUs) vifd (with one queue) and the baseline
                   loops run on the first CPU and the injectors on the
                   last: otherwise a reader and its injector now and then
                   share one CPU (wake-affine) and the numbers halve.
  --keep DIR       keep the logs and raw results in DIR
  --perf DIR       profile the machine (perf record -a -g, cpu-clock)
                   during every vifd measurement of run 1 into
                   DIR/vifd.KIND.DIR.data (the profiler slows run 1 down
                   a little); see vifd's part with perf report --pid
  --no-syscalls    no extra run S counting system calls (perf stat on
                   raw_syscalls:sys_enter, which slows every system call,
                   hence a run of its own)
  -h, --help       this text
Prints a table: frame dir vifd_frames/s vifd_Gbit/s tap_frames/s
tap_Gbit/s ratio (vifd / baseline), medians over the runs; then CPU per
frame, and per frame: system calls (vifd, baseline; run S),
notifications to the guest, grant-copy calls and segments, vifd's CPU ns.
EOF
}

die()	{ echo "bench.sh: $*" >&2; exit 2; }
isnum()	{ [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
inrange() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(v >= a && v <= b) }'; }

BUILDDIR=${VIFD_BUILDDIR:-.}
SECS=3
RUNS=3
QUEUES=1
FRAMES="udp64 f1514 gso64k"
BACKOFF=20
KEEP=
PERF_DIR=
PERF_PID=
PIN=1
SYSC=1		# 1: run S counts system calls
COUNT=		# set during run S: count system calls
TAPIO=auto
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) BUILDDIR=${2:?}; shift ;;
	--seconds) SECS=${2:?}; shift ;;
	--runs) RUNS=${2:?}; shift ;;
	--queues) QUEUES=${2:?}; shift ;;
	--frames) FRAMES=${2:?}; shift ;;
	--tap-io) TAPIO=${2:?}; shift ;;
	--backoff-us) BACKOFF=${2:?}; shift ;;
	--keep) KEEP=${2:?}; shift ;;
	--perf) PERF_DIR=${2:?}; shift ;;
	--no-pin) PIN= ;;
	--no-syscalls) SYSC= ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
if ! isnum "$SECS" || ! inrange "$SECS" 0.5 60; then
	die "--seconds: '$SECS' (0.5 to 60)"
fi
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ! inrange "$RUNS" 1 15; then
	die "--runs: '$RUNS' (1 to 15)"
fi
case $TAPIO in auto|plain) ;; *) die "--tap-io: '$TAPIO' (auto or plain)" ;; esac
if ! [[ $QUEUES =~ ^[0-9]+$ ]] || ! inrange "$QUEUES" 1 8; then
	die "--queues: '$QUEUES' (1 to 8)"
fi
if ! [[ $BACKOFF =~ ^[0-9]+$ ]] || ! inrange "$BACKOFF" 0 100000; then
	die "--backoff-us: '$BACKOFF' (0 to 100000)"
fi
for k in $FRAMES; do
	case $k in udp64|f1514|gso64k) ;; *) die "--frames: unknown kind '$k'" ;; esac
done
[ -n "$FRAMES" ] || die "--frames: empty"

BUILDDIR=$(cd "$BUILDDIR" 2>/dev/null && pwd) || die "no build directory"
XENSIM=$BUILDDIR/tools/xensim/xensim
VIFD=$BUILDDIR/src/vifd
VIFCTL=$BUILDDIR/tools/vifctl/vifctl
GUEST=$BUILDDIR/tools/vif-guest/vif-guest
VBENCH=$BUILDDIR/tools/bench/vifd-bench
for b in "$XENSIM" "$VIFD" "$VIFCTL" "$GUEST" "$VBENCH"; do
	[ -x "$b" ] || die "$b is missing (build first: make)"
done
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, TAPs)"
if [ -n "$PERF_DIR" ]; then
	command -v perf >/dev/null || die "--perf: no perf (Debian: linux-perf)"
	mkdir -p "$PERF_DIR" || die "--perf: cannot create $PERF_DIR"
	PERF_DIR=$(cd "$PERF_DIR" && pwd)
fi
# System calls are counted with perf (see the top); without it, or
# without the tracepoint, the columns show "-".
SYSC_WHY=
if [ -n "$SYSC" ] && ! perf stat -e raw_syscalls:sys_enter -x, -o /dev/null \
    -- true >/dev/null 2>&1; then
	SYSC=
	SYSC_WHY="no perf, or no raw_syscalls:sys_enter (Debian: linux-perf)"
fi

# ---- CPUs ---------------------------------------------------------------------
# The CPUs we may use (Cpus_allowed_list, e.g. "0-1" or "0,2-3").
CPUS=$(awk '/^Cpus_allowed_list:/ { n = split($2, r, ",");
	for (i = 1; i <= n; i++) { m = split(r[i], ab, "-");
		for (c = ab[1]; c <= (m > 1 ? ab[2] : ab[1]); c++) printf "%d ", c } }' \
	/proc/self/status)
CPU_A=$(echo "$CPUS" | awk '{ print $1 }')	# vifd, the baseline loops
CPU_B=$(echo "$CPUS" | awk '{ print $NF }')	# the injectors
[ "$(echo "$CPUS" | wc -w)" -ge 2 ] || PIN=
VIFD_PIN=()	# a prefix for vifd's command line
BASE_PIN=()	# vifd-bench tapwrite/tapread: the loop
BASE_INJ_PIN=()	# vifd-bench tapread: its injector
INJ_PIN=()	# vifd-bench inject
if [ -n "$PIN" ]; then
	[ "$QUEUES" = 1 ] && VIFD_PIN=(taskset -c "$CPU_A")
	BASE_PIN=(--cpu "$CPU_A")
	BASE_INJ_PIN=(--inject-cpu "$CPU_B")
	INJ_PIN=(--cpu "$CPU_B")
fi

# ---- the machine, vifd, cleanup ------------------------------------------

ID=$$
M=/tmp/vb$ID		# short: unix socket paths under it must fit
NS=vb$ID-h
VIFD_PID=
SINK_PID=
SYSC_PID=
NS_MADE=

cleanup() {
	local p
	for p in $PERF_PID $SYSC_PID $SINK_PID $VIFD_PID; do kill "$p" 2>/dev/null; done
	for p in $PERF_PID $SYSC_PID $SINK_PID $VIFD_PID; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -d "$M" ] && "$XENSIM" destroy "$M" >/dev/null 2>&1
	# The netns goes with the persistent vif TAP and any baseline TAP.
	[ -n "$NS_MADE" ] && ip netns del "$NS" 2>/dev/null
	rm -f "$M.sc.ctl" "$M.sc.ack"	# fifos: cp would block on them
	if [ -n "$KEEP" ]; then
		mkdir -p "$KEEP" && cp "$M".* "$KEEP"/ 2>/dev/null
	fi
	rm -rf "$M" "$M".*
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log()	{ echo "$*" >>"$M.log"; }
now()	{ date +%s.%N; }
xsr()	{ "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }
vsnap() { # vsnap FILE: vif1.0's totals (over queues and reconnects)
	"$VIFCTL" --xen="sim:$M" stats 1 0 2>/dev/null |
	    awk '$1 == "vif1.0" && $2 == "total" { print $3, $4 }' >"$1"
}
vdiff() { # vdiff BEFORE AFTER COUNTER... -> "counter=after-before ..."
	local a=$1 b=$2; shift 2
	awk -v want="$*" 'BEGIN { n = split(want, w, " ") }
	    FNR == NR { x[$1] = $2; next } { y[$1] = $2 }
	    END { for (i = 1; i <= n; i++)
		printf "%s%s=%d", (i > 1 ? " " : ""), w[i], y[w[i]] - x[w[i]] }' "$a" "$b"
}
ifstat() { # ifstat IF COUNTER -> /sys/class/net/IF/statistics/COUNTER
	ip netns exec "$NS" cat "/sys/class/net/$1/statistics/$2" 2>/dev/null || echo 0
}
cputicks() { # cputicks PID -> utime + stime of the process, clock ticks
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
busyticks() { # the machine's busy and total ticks over all CPUs
	# user nice system idle iowait irq softirq steal (guest time is
	# already in user)
	awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i;
		print t - $5 - $6, t, $9 }' /proc/stat
}
HZ=$(getconf CLK_TCK)
field()	{ # field KEY < "k v k v ..." line -> v
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

: >"$M.log" || die "cannot write $M.log"
"$XENSIM" create "$M" >>"$M.log" 2>&1 || die "xensim create failed (see $M.log)"
"$XENSIM" domain "$M" add 1 >>"$M.log" 2>&1 || die "xensim domain add failed"
ip netns add "$NS" || die "ip netns add failed"
NS_MADE=1
ip -n "$NS" link set lo up
# No IPv6: no router solicitations or MLD reports in the measurements.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null

# The hotplug script: the TAP must be up (writes to a down TAP fail).
cat >"$M.hotplug" <<'EOF'
#!/bin/sh
case "$1" in
online|add)
	ip link set dev "$vif" up &&
	    exec xenstore-write "$XENBUS_PATH/hotplug-status" connected ;;
esac
exit 0
EOF
chmod +x "$M.hotplug"

ip netns exec "$NS" "${VIFD_PIN[@]}" "$VIFD" --xen="sim:$M" -f \
    --max-queues="$QUEUES" --tap-io="$TAPIO" \
    --script-dir="$M" >>"$M.vifd.log" 2>&1 &
VIFD_PID=$!
for _ in $(seq 100); do [ -S "$M/vifd-0.sock" ] && break; sleep 0.05; done
[ -S "$M/vifd-0.sock" ] || die "vifd did not start (see $M.vifd.log)"
"$VIFCTL" --xen="sim:$M" attach 1 \
    "mac=00:16:3e:00:01:00,script=$M.hotplug" >>"$M.log" 2>&1 ||
    die "vifctl attach failed"
TAPIF=vif1.0
# Guest TX frames go to a foreign MAC, as vifd-bench tapwrite's (bench.h,
# BFRAME_OTHER_MAC): the host drops them at once as OTHERHOST.
OTHER_MAC=02:00:00:00:00:01
FLOWS=1
[ "$QUEUES" -gt 1 ] && FLOWS=$((8 * QUEUES)) && [ $FLOWS -gt 16 ] && FLOWS=16

# connected: both ends of vif1.0 Connected and the TAP's carrier on.
connected() {
	[ "$(xsr /local/domain/0/backend/vif/1/0/state)" = 4 ] &&
	[ "$(xsr /local/domain/1/device/vif/0/state)" = 4 ] &&
	[ "$(ip netns exec "$NS" cat /sys/class/net/$TAPIF/carrier 2>/dev/null)" = 1 ]
}
wait_connected() {
	for _ in $(seq 200); do connected && return 0; sleep 0.05; done
	return 1
}

# ---- one measurement each; results go to $M.raw ----------------------------
# Raw line: KIND DIR SIDE RUN FPS GBPS NOTES...

GUESTQ=(--xen="sim:$M" --domid 1 --devid 0 --queues "$QUEUES" -q)
[ "$QUEUES" -gt 1 ] && GUESTQ+=(--per-queue)

result_line() { grep '^frames ' | tail -1; }
# per_queue < vif-guest output -> " per_queue=q0:N/q1:N" (with --queues > 1)
per_queue() { awk '/^q[0-9]+ frames / { s = s (s == "" ? "" : "/") $1 ":" $3 }
	END { if (s != "") printf " per_queue=%s", s }'; }

# perf_start KIND DIR RUN / perf_stop: the profile of vifd (run 1 only).
perf_start() {
	[ -n "$PERF_DIR" ] && [ "$3" = 1 ] || return 0
	# System-wide: vifd's queue threads are born when the guest connects,
	# after perf would have attached to the process; -a also shows what
	# the guest, the injector and anyone else cost. perf report --pid.
	perf record -q -e cpu-clock -F 1999 -g -a \
	    -o "$PERF_DIR/vifd.$1.$2.data" -- sleep "$SECS" \
	    >>"$M.log" 2>&1 &
	PERF_PID=$!
}
perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	wait "$PERF_PID" 2>/dev/null
	PERF_PID=
}

# ---- system calls (see the top) -------------------------------------------
# sysc_start PID: a perf stat on PID's threads, counting off. sysc_on,
# sysc_off: counting on and off (each waits for perf's ack, so the window
# is exact). sysc_stop: ends it and sets SYSC_RES to " syscalls=N", or
# to nothing if counting is off or perf failed (the run's line then lacks
# the key and the table shows "-").
SYSC_CTL=
SYSC_ACK=
SYSC_RES=
sysc_start() {
	[ -n "$COUNT" ] || return 0
	rm -f "$M.sc.ctl" "$M.sc.ack" "$M.sc.out"
	mkfifo "$M.sc.ctl" "$M.sc.ack" || return 0
	perf stat -D -1 --control "fifo:$M.sc.ctl,$M.sc.ack" \
	    -e raw_syscalls:sys_enter -x, -o "$M.sc.out" -p "$1" \
	    >>"$M.log" 2>&1 &
	SYSC_PID=$!
	# Read-write opens never block, so a perf that died cannot hang us:
	# the reads below time out instead.
	exec {SYSC_CTL}<>"$M.sc.ctl" {SYSC_ACK}<>"$M.sc.ack"
}
sysc_cmd() { # sysc_cmd enable|disable
	local a=
	[ -n "$SYSC_PID" ] || return 0
	echo "$1" >&"$SYSC_CTL"
	read -r -t 10 -u "$SYSC_ACK" a
	[ "$a" = ack ] && return 0
	log "perf stat: no ack to $1"
	kill "$SYSC_PID" 2>/dev/null
	wait "$SYSC_PID" 2>/dev/null
	SYSC_PID=
}
sysc_on() { sysc_cmd enable; }
sysc_off() { sysc_cmd disable; }
sysc_stop() {
	local p=$SYSC_PID
	SYSC_RES=
	if [ -n "$p" ]; then
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		SYSC_PID=
		SYSC_RES=$(sysc_read)
	fi
	[ -n "$SYSC_CTL" ] && exec {SYSC_CTL}>&- {SYSC_ACK}>&-
	SYSC_CTL=
	SYSC_ACK=
	# No fifo left behind: --keep's cp would block reading one.
	rm -f "$M.sc.ctl" "$M.sc.ack"
}
# The baseline: perf stat runs vifd-bench and counts it alone (-i: not
# the injector it forks) into $M.sc.out; sysc_base prints " syscalls=N".
SYSC_WRAP=(perf stat -i -e raw_syscalls:sys_enter -x, -o "$M.sc.out" --)
sysc_base() { [ -z "$COUNT" ] || sysc_read; }
# sysc_read: perf's count in $M.sc.out as " syscalls=N" ("<not counted>",
# no call at all, is 0); nothing if perf wrote none.
sysc_read() {
	awk -F, '$3 == "raw_syscalls:sys_enter" {
		printf " syscalls=%d", ($1 ~ /^[0-9]+$/ ? $1 : 0) }' \
	    "$M.sc.out" 2>/dev/null
}

# record KIND DIR SIDE RUN FRAMES/S GBIT/S US/FRAME NOTES...: one raw line.
record() { echo "$*" >>"$M.raw"; }
failed() { record "$1 $2 $3 $4 0 0 0 failed"; }
# us_per_frame CPU_SECONDS FRAMES -> microseconds of CPU per frame
us_per_frame() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", (n > 0 ? c * 1e6 / n : 0) }'; }
# cpu_pct T0 T1 SECONDS -> % of one CPU
cpu_pct() { awk -v a="$1" -v b="$2" -v s="$3" -v hz="$HZ" \
	'BEGIN { printf "%.0f%%", (s > 0 ? (b - a) / hz / s * 100 : 0) }'; }
ticks2s() { awk -v a="$1" -v b="$2" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }'; }
# busy_pct "BUSY TOTAL STEAL" "BUSY TOTAL STEAL" -> busy % of all CPUs (steal)
busy_pct() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
	t = y[2] - x[2]; if (t <= 0) t = 1;
	printf "%.0f%%(steal%.0f%%)", (y[1] - x[1]) / t * 100, (y[3] - x[3]) / t * 100 }'; }

measure_vifd_tx() {	# KIND RUN
	local k=$1 run=$2 out res c0 c1 b0 b1 fr vcpu
	sysc_start "$VIFD_PID"
	vsnap "$M.s0"
	sysc_on
	c0=$(cputicks "$VIFD_PID"); b0=$(busyticks)
	perf_start "$k" TX "$run"
	out=$(/usr/bin/time -f "gcpu %U %S" -o "$M.time" \
	    "$GUEST" "${GUESTQ[@]}" --mode gen --frame "$k" --seconds "$SECS" \
	    --dst-mac "$OTHER_MAC" 2>>"$M.guest.log")
	c1=$(cputicks "$VIFD_PID"); b1=$(busyticks)
	sysc_off
	perf_stop
	vsnap "$M.s1"
	sysc_stop
	res=$(echo "$out" | result_line)
	if [ -z "$res" ]; then
		log "vifd TX $k: no result from vif-guest gen"
		failed "$k" TX vifd "$run"
		return
	fi
	fr=$(echo "$res" | field frames)
	vcpu=$(ticks2s "$c0" "$c1")
	record "$k TX vifd $run $(echo "$res" | field frames_per_s)" \
	    "$(echo "$res" | field gbit_per_s) $(us_per_frame "$vcpu" "$fr")" \
	    "okay=$fr $(vdiff "$M.s0" "$M.s1" tx_packets tx_drop_tap \
		tx_sweeps evtchn_events notifies tx_copy_calls \
		tx_copy_segs)$SYSC_RES" \
	    "vifd_cpu=$(cpu_pct "$c0" "$c1" "$(echo "$res" | field seconds)")" \
	    "guest_cpu_s=$(awk '/^gcpu/ { print $2 + $3 }' "$M.time")" \
	    "machine_busy=$(busy_pct "$b0" "$b1")$(echo "$out" | per_queue)"
}

measure_vifd_rx() {	# KIND RUN
	local k=$1 run=$2 inj res x0 x1 c0 c1 g0 g1 b0 b1 fr vcpu
	"$GUEST" "${GUESTQ[@]}" --mode sink --seconds 120 \
	    >"$M.sink.out" 2>>"$M.guest.log" &
	SINK_PID=$!
	if ! wait_connected; then
		log "vifd RX $k: the guest did not connect"
		kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null
		SINK_PID=
		failed "$k" RX vifd "$run"
		return
	fi
	sysc_start "$VIFD_PID"
	vsnap "$M.s0"; x0=$(ifstat "$TAPIF" tx_dropped)
	sysc_on
	c0=$(cputicks "$VIFD_PID"); g0=$(cputicks "$SINK_PID"); b0=$(busyticks)
	perf_start "$k" RX "$run"
	inj=$(ip netns exec "$NS" "$VBENCH" inject --ifname "$TAPIF" \
	    --frame "$k" --seconds "$SECS" --flows "$FLOWS" \
	    --backoff-us "$BACKOFF" "${INJ_PIN[@]}" 2>>"$M.log")
	c1=$(cputicks "$VIFD_PID"); g1=$(cputicks "$SINK_PID"); b1=$(busyticks)
	sysc_off
	perf_stop
	sysc_stop
	# Let vifd pass on what is still queued, then stop the sink: its
	# window ends at the last frame it got.
	sleep 0.1
	kill -TERM "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
	vsnap "$M.s1"; x1=$(ifstat "$TAPIF" tx_dropped)
	res=$(result_line <"$M.sink.out")
	if [ -z "$res" ] || [ -z "$inj" ]; then
		log "vifd RX $k: no result (inject: '$inj')"
		failed "$k" RX vifd "$run"
		return
	fi
	fr=$(echo "$res" | field frames)
	vcpu=$(ticks2s "$c0" "$c1")
	record "$k RX vifd $run $(echo "$res" | field frames_per_s)" \
	    "$(echo "$res" | field gbit_per_s) $(us_per_frame "$vcpu" "$fr")" \
	    "sink=$fr injected=$(echo "$inj" | field inject_frames)" \
	    "$(vdiff "$M.s0" "$M.s1" rx_packets rx_batches evtchn_events \
		notifies rx_copy_calls rx_copy_segs) tap_tx_dropped=$((x1 - x0))$SYSC_RES" \
	    "vifd_cpu=$(cpu_pct "$c0" "$c1" "$(echo "$res" | field seconds)")" \
	    "guest_cpu_s=$(ticks2s "$g0" "$g1")" \
	    "machine_busy=$(busy_pct "$b0" "$b1")$(per_queue <"$M.sink.out")"
}

measure_tap() {		# KIND DIR RUN
	local k=$1 dir=$2 run=$3 mode out res b0 b1 fr pin=("${BASE_PIN[@]}")
	[ "$dir" = TX ] && mode=tapwrite || { mode=tapread; pin+=("${BASE_INJ_PIN[@]}"); }
	b0=$(busyticks)
	rm -f "$M.sc.out"
	local wrap=()
	[ -n "$COUNT" ] && wrap=("${SYSC_WRAP[@]}")
	out=$(ip netns exec "$NS" "${wrap[@]}" "$VBENCH" "$mode" \
	    --frame "$k" --seconds "$SECS" --backoff-us "$BACKOFF" "${pin[@]}" \
	    2>>"$M.log")
	b1=$(busyticks)
	res=$(echo "$out" | result_line)
	if [ -z "$res" ]; then
		log "tap $dir $k: no result: $out"
		failed "$k" "$dir" tap "$run"
		return
	fi
	fr=$(echo "$res" | field frames)
	if [ "$dir" = TX ]; then
		record "$k TX tap $run $(echo "$res" | field frames_per_s)" \
		    "$(echo "$res" | field gbit_per_s)" \
		    "$(us_per_frame "$(echo "$out" | field cpu_s)" "$fr")" \
		    "written=$fr errors=$(echo "$out" | field errors)$(sysc_base)" \
		    "machine_busy=$(busy_pct "$b0" "$b1")"
	else
		record "$k RX tap $run $(echo "$res" | field frames_per_s)" \
		    "$(echo "$res" | field gbit_per_s)" \
		    "$(us_per_frame "$(echo "$out" | field cpu_s)" "$fr")" \
		    "read=$fr injected=$(echo "$out" | field inject_frames)$(sysc_base)" \
		    "refused_batches=$(echo "$out" | field inject_refused)" \
		    "machine_busy=$(busy_pct "$b0" "$b1")"
	fi
}

# ---- run -------------------------------------------------------------------

NK=$(wc -w <<<"$FRAMES")
EST=$(awk -v s="$SECS" -v r="$((RUNS + (SYSC ? 1 : 0)))" -v k="$NK" 'BEGIN { printf "%.0f", r * k * (4 * s + 1) + 2 }')
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
BUSY0=$(busyticks)
T0=$(now)
echo "vifd data-plane benchmark (simulated Xen; guest = vif-guest, one vif)"
echo "machine: ${CPU:-unknown CPU}, $(nproc) CPUs, Linux $(uname -r)"
echo "load average before: $LOAD0 (the machine may be shared)"
echo "vif: $QUEUES queue(s)$([ "$QUEUES" = 1 ] && echo ', single-queue runs'); vifd --tap-io=$TAPIO; baselines: one TAP queue, one loop"
if [ -n "$PIN" ]; then
	echo "CPUs: $([ "$QUEUES" = 1 ] && echo "vifd and ")the baseline loops on CPU $CPU_A," \
	    "injectors on CPU $CPU_B, the guest (vif-guest) unpinned"
else
	echo "CPUs: nothing pinned"
fi
echo "runs: $RUNS x ${SECS}s per measurement, medians shown; about ${EST}s in all"
if [ -n "$SYSC" ]; then
	echo "system calls: counted by perf stat on raw_syscalls:sys_enter in an extra run S (off: --no-syscalls)"
else
	echo "system calls: not counted (${SYSC_WHY:---no-syscalls})"
fi
echo

: >"$M.raw"
for run in $(seq "$RUNS"); do
	for k in $FRAMES; do
		measure_vifd_tx "$k" "$run"
		measure_tap "$k" TX "$run"
		measure_vifd_rx "$k" "$run"
		measure_tap "$k" RX "$run"
	done
done
if [ -n "$SYSC" ]; then
	COUNT=1
	for k in $FRAMES; do
		measure_vifd_tx "$k" S
		measure_tap "$k" TX S
		measure_vifd_rx "$k" S
		measure_tap "$k" RX S
	done
	COUNT=
fi
kill -0 "$VIFD_PID" 2>/dev/null || echo "WARNING: vifd died during the run (see its log)"
# Cross-checks: every frame gen saw answered OKAY went out of the TAP
# (vifd's tx_packets; in-flight frames at the end make it a little
# larger), none was dropped at the TAP, and the sink got what vifd put on
# its RX ring.
awk '{ delete v; for (i = 8; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2] }
    $8 == "failed" { printf "WARNING: %s %s %s run %s failed\n", $1, $2, $3, $4 }
    $2 == "TX" && $3 == "vifd" && $8 != "failed" &&
	(v["tx_packets"] < v["okay"] || v["tx_drop_tap"] > 0) {
	printf "WARNING: %s TX run %s: %d answered OKAY, %d written, %d TAP drops\n",
	    $1, $4, v["okay"], v["tx_packets"], v["tx_drop_tap"] }
    $2 == "RX" && $3 == "vifd" && $8 != "failed" && v["sink"] > v["rx_packets"] {
	printf "WARNING: %s RX run %s: the sink counted %d, vifd sent %d\n",
	    $1, $4, v["sink"], v["rx_packets"] }' "$M.raw"
if grep -q ' failed$' "$M.raw"; then
	for f in "$M.log" "$M.vifd.log" "$M.guest.log"; do
		[ -s "$f" ] && { echo "--- ${f##*/} (last lines)"; tail -5 "$f"; }
	done
fi

median() { sort -g | awk '{ a[NR] = $1 } END {
	if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2];
	else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() {	# col KIND DIR SIDE FIELD (5 frames/s, 6 Gbit/s, 7 us/frame) [S]
	# Without S the measuring runs, with S run S (system calls counted).
	awk -v k="$1" -v d="$2" -v s="$3" -v f="$4" -v r="${5:-}" \
	    '$1 == k && $2 == d && $3 == s && $8 != "failed" &&
	    (r == "S") == ($4 == "S") { print $f }' "$M.raw"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'; }

printf '%-7s %-4s %14s %12s %14s %12s %7s\n' frame dir vifd_frames/s \
    vifd_Gbit/s tap_frames/s tap_Gbit/s ratio
for k in $FRAMES; do
	for d in TX RX; do
		vf=$(col "$k" "$d" vifd 5 | median); vg=$(col "$k" "$d" vifd 6 | median)
		tf=$(col "$k" "$d" tap 5 | median); tg=$(col "$k" "$d" tap 6 | median)
		printf '%-7s %-4s %14.0f %12.3f %14.0f %12.3f %7s\n' "$k" "$d" \
		    "$vf" "$vg" "$tf" "$tg" "$(ratio "$vf" "$tf")"
	done
done
echo
echo "CPU per frame (medians; vifd: all its threads; tap: the loop alone;"
echo "efficiency = tap / vifd, 1.00 = vifd costs what the bare syscall does):"
printf '%-7s %-4s %14s %14s %10s\n' frame dir vifd_us/frame tap_us/frame \
    efficiency
for k in $FRAMES; do
	for d in TX RX; do
		vu=$(col "$k" "$d" vifd 7 | median); tu=$(col "$k" "$d" tap 7 | median)
		printf '%-7s %-4s %14.3f %14.3f %10s\n' "$k" "$d" "$vu" "$tu" \
		    "$(ratio "$tu" "$vu")"
	done
done
echo
# perframe KIND DIR SIDE KEY [S] -> the median over the measuring runs
# (with S: run S) of the run's KEY per frame it moved, or "-" if no run
# has KEY.
perframe() {
	local v
	v=$(awk -v k="$1" -v d="$2" -v s="$3" -v key="$4" -v r="${5:-}" '
	    $1 == k && $2 == d && $3 == s && $8 != "failed" &&
	    (r == "S") == ($4 == "S") {
		delete v
		for (i = 8; i <= NF; i++) if (split($i, kv, "=") == 2) v[kv[1]] = kv[2]
		if (d == "TX") n = s == "vifd" ? v["okay"] : v["written"]
		else n = s == "vifd" ? v["sink"] : v["read"]
		if ((key in v) && n > 0) print v[key] / n }' "$M.raw")
	if [ -z "$v" ]; then echo -; else printf '%.4f\n' "$(median <<<"$v")"; fi
}
echo "per frame: system calls (run S; vifd: all its threads; tap: the loop's"
echo "process), then medians of the other runs: vifd's notifications to the"
echo "guest, grant-copy calls and segments, vifd's CPU ns (as us/frame above);"
echo "S/med = run S's frames/s over the median, what counting cost$([ -n "$SYSC" ] ||
    echo "; syscalls not counted: ${SYSC_WHY:---no-syscalls}"):"
printf '%-7s %-4s %9s %9s %10s %10s %10s %13s %13s %12s\n' frame dir sys_vifd \
    sys_tap S/med_vifd S/med_tap notifies gntcopy_calls gntcopy_segs \
    vifd_cpu_ns
for k in $FRAMES; do
	for d in TX RX; do
		p=tx; [ "$d" = RX ] && p=rx
		vu=$(col "$k" "$d" vifd 7 | median)
		printf '%-7s %-4s %9s %9s %10s %10s %10s %13s %13s %12.0f\n' \
		    "$k" "$d" \
		    "$(perframe "$k" "$d" vifd syscalls S)" \
		    "$(perframe "$k" "$d" tap syscalls S)" \
		    "$(ratio "$(col "$k" "$d" vifd 5 S | median)" \
			"$(col "$k" "$d" vifd 5 | median)")" \
		    "$(ratio "$(col "$k" "$d" tap 5 S | median)" \
			"$(col "$k" "$d" tap 5 | median)")" \
		    "$(perframe "$k" "$d" vifd notifies)" \
		    "$(perframe "$k" "$d" vifd "${p}_copy_calls")" \
		    "$(perframe "$k" "$d" vifd "${p}_copy_segs")" \
		    "$(awk -v u="$vu" 'BEGIN { print u * 1000 }')"
	done
done
echo
echo "every run (frames/s Gbit/s us/frame, cross-checks; vifd_cpu = % of one"
echo "CPU; machine_busy = all CPUs, other users included; runS: system calls"
echo "counted):"
awk '{ printf "  %-6s %s %-4s run%s %10.0f %8.3f %7.3f ", $1, $2, $3, $4, $5, $6, $7;
	for (i = 8; i <= NF; i++) printf " %s", $i; printf "\n" }' "$M.raw"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg);" \
    "machine busy over the whole run: $(busy_pct "$BUSY0" "$(busyticks)");" \
    "took $(awk -v a="$T0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }')s"
if [ -n "$PERF_DIR" ]; then
	echo "profiles (run 1, system-wide): $PERF_DIR/vifd.*.data; vifd was" \
	    "pid $VIFD_PID, e.g."
	echo "  perf report --no-children --sort sym --pid $VIFD_PID" \
	    "-i $PERF_DIR/vifd.gso64k.TX.data"
fi
