#!/bin/bash
# tcp-bench.sh - TCP between a guest and the host on the simulated Xen,
# vifd's TAP I/O one system call per frame (--tap-io=plain, vifd before
# issue 19's batching) against a batch per call (--tap-io=auto, io_uring),
# side by side in one invocation.
#
# Each run sets up, for each mode in turn, a fresh simulated machine: vifd
# in a namespace whose TAP vif1.0 has 10.19.0.1, and one guest whose
# netfront is vif-guest's tap mode (a Linux stack in its own namespace,
# 10.19.0.2, TSO on). Then: ping RTT host -> guest at a light load (20
# pings 50 ms apart: batching must not add latency), and iperf3 TCP
# guest -> host and host -> guest for --seconds each: Gbit/s and vifd's
# CPU time (all threads) per KiB received. iperf3 and the simulated guest
# share the machine's CPUs with vifd, so throughput alone misleads; CPU
# per byte is the figure to judge. Prints medians over --runs runs and
# the ratios auto / plain. Needs root. Not a test: it asserts nothing
# about speed.
#
# usage: tcp-bench.sh [--builddir DIR] [--seconds S] [--runs N]
#        (make tcp-bench BENCH_ARGS='...' runs it from the build directory)
set -u
BUILDDIR=${VIFD_BUILDDIR:-.}
SECS=5
RUNS=3
die() { echo "tcp-bench: $*" >&2; exit 1; }
declare -A BENCH_OPTS=([--builddir]=BUILDDIR [--seconds]=SECS [--runs]=RUNS)
BENCH_HELP=2,19p
. "$(dirname "$0")/benchlib.sh"
bench_parse "$@"
bench_int seconds "$SECS" 1 60
bench_int runs "$RUNS" 1 15
[ "$(id -u)" = 0 ] || die "needs root (namespaces, TAPs)"
command -v iperf3 >/dev/null || die "needs iperf3"
bench_bins
TOP=$(mktemp -d /tmp/vifd-tcpbench.XXXXXX) || die "mktemp"
NS=vtcb$$
M=
VIFD_PID=
GPID=
teardown() {
	[ -n "$GPID" ] && kill -TERM "$GPID" 2>/dev/null && wait "$GPID" 2>/dev/null
	[ -n "$VIFD_PID" ] && kill "$VIFD_PID" 2>/dev/null && wait "$VIFD_PID" 2>/dev/null
	[ -n "$M" ] && "$XENSIM" destroy "$M" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS-g" 2>/dev/null
	GPID= VIFD_PID= M=
}
cleanup() { teardown; rm -rf "$TOP"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
xsr() { "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }
connected() {
	[ "$(xsr /local/domain/0/backend/vif/1/0/state)" = 4 ] &&
	[ "$(xsr /local/domain/1/device/vif/0/state)" = 4 ]
}
cat >"$TOP/hotplug" <<'EOS'
#!/bin/sh
case "$1" in
online)
	ip link set dev "$vif" up || exit 1
	ip addr add 10.19.0.1/24 dev "$vif" || exit 1
	exec xenstore-write "$XENBUS_PATH/hotplug-status" connected ;;
esac
exit 0
EOS
chmod +x "$TOP/hotplug"

# setup MODE: a machine, vifd --tap-io=MODE, the guest up. 0 or 1.
setup() {
	local i
	M=$TOP/m-$1
	"$XENSIM" create "$M" >>"$TOP/log" 2>&1 || return 1
	"$XENSIM" domain "$M" add 1 >>"$TOP/log" 2>&1 || return 1
	ip netns add "$NS" || return 1
	ip -n "$NS" link set lo up
	ip netns add "$NS-g" || return 1
	ip -n "$NS-g" link set lo up
	bench_vifd "$NS" "$M" "$TOP/vifd-$1.log" --tap-io="$1" || return 1
	"$VIFCTL" --xen="sim:$M" attach 1 \
	    "mac=00:16:3e:00:19:01,script=$TOP/hotplug" >>"$TOP/log" 2>&1 || return 1
	"$GUEST" --xen="sim:$M" --domid 1 --devid 0 --queues 1 --mode tap \
	    --tap eth0 --netns "$NS-g" >>"$TOP/guest.log" 2>&1 &
	GPID=$!
	for i in $(seq 200); do
		connected && ip -n "$NS-g" link show eth0 >/dev/null 2>&1 && break
		sleep 0.05
	done
	ip -n "$NS-g" addr add 10.19.0.2/24 dev eth0 &&
	    ip -n "$NS-g" link set eth0 up || return 1
	for i in $(seq 50); do
		ip netns exec "$NS" ping -c 1 -W 1 10.19.0.2 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# iperf FROM_NS TO_NS TO_IP: "Gbit/s vifd_ns/KiB" of one transfer, or "- -".
iperf() {
	local c0 c1 out
	ip netns exec "$2" iperf3 -s -D -1 >/dev/null 2>&1
	sleep 0.3
	c0=$(cputicks "$VIFD_PID")
	out=$(ip netns exec "$1" timeout $((SECS + 20)) iperf3 -c "$3" -t "$SECS" \
	    -J 2>/dev/null | bench_iperf)
	c1=$(cputicks "$VIFD_PID")
	set -- $out
	case $1 in [0-9]*) ;; *) echo "- -"; return ;; esac
	awk -v b="$1" -v n="$2" -v a="$c0" -v c="$c1" -v hz="$HZ" \
	    'BEGIN { printf "%.3f %.1f\n", b / 1e9, (n > 0 ? (c - a) / hz * 1e9 / (n / 1024) : 0) }'
}

: >"$TOP/raw"
for run in $(seq "$RUNS"); do
	for mode in plain auto; do
		if ! setup "$mode"; then
			echo "# run $run $mode: the guest did not come up (logs: vifd-$mode.log)" >&2
			teardown
			continue
		fi
		rtt=$(ip netns exec "$NS" ping -q -c 20 -i 0.05 10.19.0.2 2>/dev/null |
		    awk -F/ '/^rtt/ { print $5 }')
		tx=$(iperf "$NS-g" "$NS" 10.19.0.1)
		rx=$(iperf "$NS" "$NS-g" 10.19.0.2)
		echo "$mode $run ${rtt:--} $tx $rx" >>"$TOP/raw"
		teardown
	done
done

col() { awk -v m="$1" -v c="$2" '$1 == m && $c != "-" { print $c }' "$TOP/raw" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 ? a / b : 0) }'; }
echo "TCP guest <-> host on the simulated Xen: vifd --tap-io=plain vs auto"
echo "(medians of $RUNS runs; iperf3 ${SECS} s each way, TSO on; vifd_ns/KiB:"
echo " vifd's CPU time, all threads, per KiB received; rtt: 20 pings host ->"
echo " guest 50 ms apart, average ms)"
printf '%-20s %12s %12s %8s\n' measure plain auto auto/plain
for m in "rtt_ms 3" "tx_Gbit/s 4" "tx_ns/KiB 5" "rx_Gbit/s 6" "rx_ns/KiB 7"; do
	set -- $m
	p=$(col plain "$2")
	a=$(col auto "$2")
	printf '%-20s %12.3f %12.3f %8.2f\n' "$1" "$p" "$a" "$(ratio "$a" "$p")"
done
echo "(tx: guest -> host, rx: host -> guest)"
echo "runs (mode run rtt_ms tx_Gbit/s tx_ns/KiB rx_Gbit/s rx_ns/KiB):"
sed 's/^/  /' "$TOP/raw"
