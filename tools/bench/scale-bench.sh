#!/bin/bash
# scale-bench.sh - one vifd serving many vifs (64 by default, one queue
# each) on the simulated Xen: what they cost idle, and whether traffic on
# all of them at once collapses (issue 19's last two goals).
#
# Idle: vifd's resident set and threads before any vif and with all of
# them connected (each guest vif-guest --mode sink, its RX buffers
# posted, nothing sent), then over --idle-seconds with nothing moving:
# vifd's CPU time and its threads' context switches (each is a wakeup:
# a worker that sleeps in epoll until its guest or its TAP has something
# wakes up never). Per vif: the resident set's growth over the vifs.
#
# Traffic: guest TX of udp64 frames (vif-guest --mode gen, flooding its
# TX ring; vifd writes each to the vif's TAP, where the host drops them
# as not its own) for --seconds: first one vif alone, then every vif at
# once. Prints the frames/s vifd answered (the guests' counts), one vif's
# and the aggregate, the aggregate's ratio to one vif's, and vifd's CPU
# time per frame in each case. The guests and vifd share the machine's
# CPUs: on 2 CPUs, 64 guests flooding at once leave vifd less than one
# guest does. Needs root. Not a test: it asserts nothing about speed.
#
# usage: scale-bench.sh [--builddir DIR] [--vifs N] [--seconds S]
#                       [--idle-seconds S]
#        (make scale-bench BENCH_ARGS='...' runs it from the build directory)
set -u
BUILDDIR=${VIFD_BUILDDIR:-.}
NVIF=64
SECS=3
IDLE=10
die() { echo "scale-bench: $*" >&2; exit 1; }
declare -A BENCH_OPTS=([--builddir]=BUILDDIR [--vifs]=NVIF [--seconds]=SECS [--idle-seconds]=IDLE)
BENCH_HELP=2,24p
. "$(dirname "$0")/benchlib.sh"
bench_parse "$@"
bench_int vifs "$NVIF" 2 200
bench_int seconds "$SECS" 1 60
bench_int idle-seconds "$IDLE" 1 300
[ "$(id -u)" = 0 ] || die "needs root (namespaces, TAPs)"
bench_bins
TOP=$(mktemp -d /tmp/vifd-scalebench.XXXXXX) || die "mktemp"
M=$TOP/m
NS=vscb$$
VIFD_PID=
SINKS=()
cleanup() {
	if [ ${#SINKS[@]} -gt 0 ]; then
		kill -TERM "${SINKS[@]}" 2>/dev/null
		wait "${SINKS[@]}" 2>/dev/null
	fi
	[ -n "$VIFD_PID" ] && kill "$VIFD_PID" 2>/dev/null && wait "$VIFD_PID" 2>/dev/null
	"$XENSIM" destroy "$M" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TOP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
xsr() { "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }
connected() {	# connected DOMID
	[ "$(xsr "/local/domain/0/backend/vif/$1/0/state")" = 4 ] &&
	[ "$(xsr "/local/domain/$1/device/vif/0/state")" = 4 ]
}
all_connected() {
	local d
	for d in $(seq "$NVIF"); do connected "$d" || return 1; done
}
status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$VIFD_PID/status"; }
# switches: voluntary + involuntary context switches of vifd's threads,
# "queue-workers control": the workers ("vif1.0-q0") and the others
switches() {
	local t w=0 c=0 n
	for t in /proc/"$VIFD_PID"/task/*; do
		n=$(awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }' "$t/status" 2>/dev/null)
		if grep -qE '^vif[0-9]+\.[0-9]+-q[0-9]+$' "$t/comm" 2>/dev/null; then
			w=$((w + ${n:-0}))
		else
			c=$((c + ${n:-0}))
		fi
	done
	echo "$w $c"
}
# gen D: vif D's guest floods udp64 frames for SECS; prints its frames/s
gen() {
	"$GUEST" --xen="sim:$M" --domid "$1" --devid 0 --queues 1 --mode gen \
	    --frame udp64 --seconds "$SECS" --dst-mac 02:00:00:00:00:09 \
	    2>>"$TOP/guest.log" | grep '^frames ' | tail -1 | field frames_per_s
}

"$XENSIM" create "$M" >"$TOP/log" 2>&1 || die "xensim create failed"
for d in $(seq "$NVIF"); do
	"$XENSIM" domain "$M" add "$d" >>"$TOP/log" 2>&1 || die "domain add $d"
done
ip netns add "$NS" || die "ip netns add"
ip -n "$NS" link set lo up
# No IPv6 on the TAPs: a TAP coming up would send router solicitations
# and MLD reports to its guest for a while, which is traffic, not idling.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
cat >"$TOP/hotplug" <<'EOS'
#!/bin/sh
case "$1" in
online)
	ip link set dev "$vif" up || exit 1
	exec xenstore-write "$XENBUS_PATH/hotplug-status" connected ;;
esac
exit 0
EOS
chmod +x "$TOP/hotplug"
bench_vifd "$NS" "$M" "$TOP/vifd.log" || die "vifd did not start"
sleep 0.5
rss0=$(status VmRSS); thr0=$(status Threads)

# ---- idle: every vif connected, nothing sent ----------------------------------
ap=()
for d in $(seq "$NVIF"); do
	"$VIFCTL" --xen="sim:$M" attach "$d" \
	    "mac=00:16:3e:01:$(printf %02x "$d"):00,script=$TOP/hotplug" \
	    >>"$TOP/log" 2>&1 &
	ap+=($!)
done
for p in "${ap[@]}"; do wait "$p" || die "vifctl attach failed (see $TOP/log)"; done
for d in $(seq "$NVIF"); do
	"$GUEST" --xen="sim:$M" --domid "$d" --devid 0 --queues 1 --mode sink \
	    --seconds 3600 >/dev/null 2>>"$TOP/guest.log" &
	SINKS+=($!)
done
for _ in $(seq 600); do all_connected && break; sleep 0.1; done
all_connected || die "not every vif connected in 60 s"
sleep 2
rss1=$(status VmRSS); thr1=$(status Threads)
c0=$(cputicks "$VIFD_PID"); read -r w0 k0 < <(switches)
sleep "$IDLE"
c1=$(cputicks "$VIFD_PID"); read -r w1 k1 < <(switches)
rss2=$(status VmRSS)
kill -TERM "${SINKS[@]}" 2>/dev/null
wait "${SINKS[@]}" 2>/dev/null
SINKS=()

# ---- traffic: one vif, then all at once ----------------------------------------
# A frontend that closed leaves its vif to the next one (reconnect).
for _ in $(seq 100); do
	[ "$(xsr /local/domain/0/backend/vif/1/0/state)" != 4 ] && break; sleep 0.1
done
t0=$(cputicks "$VIFD_PID")
one=$(gen 1)
t1=$(cputicks "$VIFD_PID")
gp=()
for d in $(seq "$NVIF"); do
	gen "$d" >"$TOP/gen.$d" &
	gp+=($!)
done
u0=$(cputicks "$VIFD_PID")
for p in "${gp[@]}"; do wait "$p"; done
u1=$(cputicks "$VIFD_PID")
agg=0; nres=0
for d in $(seq "$NVIF"); do
	v=$(cat "$TOP/gen.$d")
	[ -n "$v" ] || continue
	agg=$(awk -v a="$agg" -v b="$v" 'BEGIN { printf "%.0f", a + b }')
	nres=$((nres + 1))
done
rss3=$(status VmRSS); thr3=$(status Threads)
kill -0 "$VIFD_PID" 2>/dev/null || echo "WARNING: vifd died during the run"

echo "one vifd, $NVIF vifs of one queue each, on the simulated Xen ($(nproc) CPUs)"
echo "idle (every vif connected, RX buffers posted, nothing sent):"
awk -v r0="$rss0" -v r1="$rss1" -v r2="$rss2" -v n="$NVIF" -v t0="$thr0" -v t1="$thr1" \
    -v c="$((c1 - c0))" -v hz="$HZ" -v w="$((w1 - w0))" -v k="$((k1 - k0))" -v secs="$IDLE" 'BEGIN {
	printf "  vifd RSS: %d KiB with no vif, %d KiB with %d (%.0f KiB per vif), %d KiB after %d s idle\n", r0, r1, n, (r1 - r0) / n, r2, secs
	printf "  vifd threads: %d with no vif, %d with %d\n", t0, t1, n
	printf "  over %d s idle: vifd CPU %.3f s (%.2f%% of one CPU); context switches (wakeups): queue workers %d (%.2f/s, %.3f/s per worker), other threads %d (%.1f/s)\n", secs, c / hz, c / hz / secs * 100, w, w / secs, w / secs / n, k, k / secs
}'
echo "traffic (guest TX, udp64, ${SECS} s; frames/s the guests saw answered):"
awk -v one="${one:-0}" -v agg="$agg" -v n="$NVIF" -v got="$nres" -v ct="$((t1 - t0))" \
    -v cu="$((u1 - u0))" -v hz="$HZ" -v secs="$SECS" 'BEGIN {
	printf "  one vif alone: %.0f frames/s, vifd %.0f ns CPU per frame\n", one, (one > 0 ? ct / hz * 1e9 / (one * secs) : 0)
	printf "  all %d at once (%d reported): %.0f frames/s in all, %.0f per vif, vifd %.0f ns CPU per frame\n", n, got, agg, agg / n, (agg > 0 ? cu / hz * 1e9 / (agg * secs) : 0)
	printf "  aggregate / one vif: %.2f\n", (one > 0 ? agg / one : 0)
}'
echo "  vifd afterwards: RSS $rss3 KiB, $thr3 threads"
