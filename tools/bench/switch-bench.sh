#!/bin/bash
# switch-bench.sh - guest to guest on the simulated Xen, side by side in
# one run: (a) two vifs on a Linux bridge (each guest's frames through
# its TAP, the bridge, the other TAP) and (b) the same two guests on a
# switch inside vifd (bridge=vifd:NAME: no TAP, no host stack).
#
# For each frame kind (vif-guest's udp64, f1514) and each run, for each
# path in turn: guest 2 runs vif-guest --mode sink, guest 1 --mode gen
# floods its TX ring with frames to guest 2's MAC for --seconds; the
# figure is what reached guest 2's RX ring (the sink's frames/s), and
# vifd's CPU time (all threads) per delivered frame over the same window,
# and what the switch dropped for a full inbox (the receiving guest's
# worker behind; sent - got).
# Prints medians over --runs runs and the ratio switch / bridge. Both
# paths run in the same vifd, one after the other in every run, so the
# machine's noise falls on both. Needs root. Not a test: it asserts
# nothing about speed.
#
# Then TCP: guest 1 -> guest 2 with iperf3 through each path in turn
# (vif-guest's tap mode in a namespace per guest, TSO on), Gbit/s and
# vifd's CPU time per KiB received.
#
# usage: switch-bench.sh [--builddir DIR] [--seconds S] [--runs N]
#                        [--frames "udp64 f1514"] [--tcp-seconds S]
set -u
BUILDDIR=${VIFD_BUILDDIR:-.}
SECS=3
RUNS=3
FRAMES="udp64 f1514"
TCP_SECS=5
die() { echo "switch-bench: $*" >&2; exit 1; }
declare -A BENCH_OPTS=([--builddir]=BUILDDIR [--seconds]=SECS [--runs]=RUNS [--frames]=FRAMES [--tcp-seconds]=TCP_SECS)
BENCH_HELP=2,24p
. "$(dirname "$0")/benchlib.sh"
bench_parse "$@"
bench_int seconds "$SECS" 1 60
bench_int tcp-seconds "$TCP_SECS" 0 60	# 0: no TCP
bench_int runs "$RUNS" 1 15
for k in $FRAMES; do
	case $k in udp64|f1514) ;; *) die "--frames: unknown kind '$k'" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root (namespaces, TAPs)"
bench_bins
M=$(mktemp -d /tmp/vifd-swbench.XXXXXX) || die "mktemp"
NS=vswb$$
VIFD_PID=
cleanup() {
	[ -n "$VIFD_PID" ] && kill "$VIFD_PID" 2>/dev/null && wait "$VIFD_PID" 2>/dev/null
	"$XENSIM" destroy "$M" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS-g1" 2>/dev/null
	ip netns del "$NS-g2" 2>/dev/null
	rm -rf "$M"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
xsr() { "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }

"$XENSIM" create "$M/m" >"$M/log" 2>&1 || die "xensim create failed"
M=$M/m
for d in 1 2; do "$XENSIM" domain "$M" add "$d" >>"$M.log" 2>&1 || die "domain add"; done
ip netns add "$NS" || die "ip netns add"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
ip -n "$NS" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "$NS" link set br0 up
# The hotplug script: a bridge port up, or nothing for a switch port.
cat >"$M.hotplug" <<'EOS'
#!/bin/sh
case "$1" in
online)
	b=$(xenstore-read "$XENBUS_PATH/bridge")
	case $b in
	vifd:*) ;;
	*) ip link set dev "$vif" master "$b" up || exit 1 ;;
	esac
	exec xenstore-write "$XENBUS_PATH/hotplug-status" connected ;;
esac
exit 0
EOS
chmod +x "$M.hotplug"
bench_vifd "$NS" "$M" "$M.vifd.log" || die "vifd did not start"
# devid 0: on br0; devid 1: on switch sw0.
for d in 1 2; do
	"$VIFCTL" --xen="sim:$M" attach "$d" \
	    "mac=00:16:3e:00:30:0$d,bridge=br0,script=$M.hotplug" >>"$M.log" 2>&1 ||
	    die "attach $d bridge"
	"$VIFCTL" --xen="sim:$M" attach "$d" \
	    "mac=00:16:3e:00:31:0$d,bridge=vifd:sw0,script=$M.hotplug" >>"$M.log" 2>&1 ||
	    die "attach $d switch"
done
connected() {	# connected DOMID DEVID
	[ "$(xsr "/local/domain/0/backend/vif/$1/$2/state")" = 4 ] &&
	[ "$(xsr "/local/domain/$1/device/vif/$2/state")" = 4 ]
}

# total DOMID DEVID COUNTER: the vif's total of a queue counter.
total() {
	"$VIFCTL" --xen="sim:$M" stats "$1" "$2" 2>/dev/null |
	    awk -v k="vif$1.$2" -v c="$3" '$1 == k && $2 == "total" && $3 == c { print $4; exit }'
}
# copies DEVID: "grant-copied-bytes switched-bytes delivered-bytes frames
# placed" so far: what the sender's vif grant-copied in and the
# receiver's out, what the switch sent the receiver (through its inbox,
# or placed in its ring by the sender's worker: those frames are
# `placed`, of the `frames` that reached the receiver's ring), what
# reached the receiver's ring.
copies() {
	local sw
	sw=$("$VIFCTL" --xen="sim:$M" stats 2 "$1" 2>/dev/null |
	    awk '$2 == "switch_out_bytes" { print $3; exit }')
	echo "$(( $(total 1 "$1" tx_copy_bytes) + $(total 2 "$1" rx_copy_bytes) )) ${sw:-0} $(total 2 "$1" rx_bytes) $(total 2 "$1" rx_packets) $(total 2 "$1" rx_placed)"
}

# measure KIND PATH RUN: one run; appends "KIND PATH RUN frames/s us/frame
# sent= got= copied/byte".
measure() {
	local k=$1 p=$2 run=$3 n dst sink out fr fps c0 c1 g0 i0 d0 g1 i1 d1 \
	    f0 f1 l0 l1
	case $p in bridge) n=0; dst=00:16:3e:00:30:02 ;; switch) n=1; dst=00:16:3e:00:31:02 ;; esac
	"$GUEST" --xen="sim:$M" --domid 2 --devid "$n" --queues 1 --mode sink \
	    --seconds 120 >"$M.sink" 2>>"$M.guest.log" &
	sink=$!
	for _ in $(seq 200); do connected 2 "$n" && break; sleep 0.05; done
	read -r g0 i0 d0 f0 l0 < <(copies "$n")
	c0=$(cputicks "$VIFD_PID")
	out=$("$GUEST" --xen="sim:$M" --domid 1 --devid "$n" --queues 1 \
	    --mode gen --frame "$k" --seconds "$SECS" --dst-mac "$dst" \
	    2>>"$M.guest.log" | grep '^frames ' | tail -1)
	sleep 0.2
	c1=$(cputicks "$VIFD_PID")
	read -r g1 i1 d1 f1 l1 < <(copies "$n")
	kill -TERM "$sink" 2>/dev/null; wait "$sink" 2>/dev/null
	fr=$(grep '^frames ' "$M.sink" | tail -1 | field frames)
	fps=$(grep '^frames ' "$M.sink" | tail -1 | field frames_per_s)
	if [ -z "$fr" ] || [ -z "$out" ]; then
		echo "# $k $p run $run: no result (sent: '$out')" >&2
		return
	fi
	# Grant-copied bytes per delivered byte, and every copy of them: the
	# bridge path adds the two of the kernel (the TAP write into an skb,
	# the other TAP read out of it), the switch path the two of vifd (into
	# the inbox of the receiver, out of it into its RX buffer) for the
	# frames that went through the inbox: all but those placed (one size
	# of frame per run, so their share of the bytes is their share of
	# the frames).
	echo "$k $p $run $fps $(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v n="$fr" \
	    'BEGIN { printf "%.3f", (n > 0 ? (b - a) / hz * 1e6 / n : 0) }') sent=$(echo "$out" | field frames) got=$fr $(awk \
	    -v g=$((g1 - g0)) -v i=$((i1 - i0)) -v d=$((d1 - d0)) -v p="$p" \
	    -v f=$((f1 - f0)) -v l=$((l1 - l0)) \
	    'BEGIN { if (d <= 0) { print "0 0"; exit }
		if (f > 0) i = i * (1 - l / f)
		printf "%.3f %.3f", g / d, (p == "bridge" ? g + 2 * d : g + 2 * i) / d }')" >>"$M.raw"
}

: >"$M.raw"
for run in $(seq "$RUNS"); do
	for k in $FRAMES; do
		measure "$k" bridge "$run"
		measure "$k" switch "$run"
	done
done

# ---- TCP: iperf3 between the guests, through each path in turn ----------------
# Each guest is a namespace whose eth0 (bridge path) and eth1 (switch
# path) are vif-guest's tap mode: a TAP with TSO there, netfront's
# offloads on the ring.
: >"$M.tcp"
if [ "$TCP_SECS" -gt 0 ] && command -v iperf3 >/dev/null; then
	GPIDS=()
	for d in 1 2; do
		ip netns add "$NS-g$d"
		ip -n "$NS-g$d" link set lo up
		for n in 0 1; do
			"$GUEST" --xen="sim:$M" --domid "$d" --devid "$n" --queues 1 \
			    --mode tap --tap "eth$n" --netns "$NS-g$d" \
			    >>"$M.guest.log" 2>&1 &
			GPIDS+=($!)
		done
	done
	ok=1
	for d in 1 2; do
		for n in 0 1; do
			for _ in $(seq 200); do
				connected "$d" "$n" && ip -n "$NS-g$d" link show "eth$n" >/dev/null 2>&1 && break
				sleep 0.05
			done
			ip -n "$NS-g$d" addr add "10.9$n.0.$d/24" dev "eth$n" 2>/dev/null &&
			    ip -n "$NS-g$d" link set "eth$n" up || ok=0
		done
	done
	sleep 1
	# tcp PATH RUN: appends "PATH RUN Gbit/s vifd_ns/KiB".
	tcp() {
		local p=$1 run=$2 n c0 c1 out g0 i0 d0 g1 i1 d1 x
		case $p in bridge) n=0 ;; switch) n=1 ;; esac
		ip netns exec "$NS-g2" iperf3 -s -D -1 >/dev/null 2>&1
		sleep 0.3
		read -r g0 i0 d0 x < <(copies "$n")
		c0=$(cputicks "$VIFD_PID")
		out=$(ip netns exec "$NS-g1" timeout $((TCP_SECS + 20)) iperf3 -c "10.9$n.0.2" \
		    -t "$TCP_SECS" -J 2>/dev/null | bench_iperf)
		c1=$(cputicks "$VIFD_PID")
		read -r g1 i1 d1 x < <(copies "$n")
		set -- $out
		case $1 in [0-9]*) ;; *) echo "# tcp $p run $run: no result" >&2; return ;; esac
		echo "$p $run $(awk -v b="$1" -v n="$2" -v a="$c0" -v c="$c1" -v hz="$HZ" \
		    -v g=$((g1 - g0)) -v d=$((d1 - d0)) \
		    'BEGIN { printf "%.3f %.1f %.3f", b / 1e9, (n > 0 ? (c - a) / hz * 1e9 / (n / 1024) : 0), (d > 0 ? g / d : 0) }')" >>"$M.tcp"
	}
	if [ "$ok" = 1 ]; then
		for run in $(seq "$RUNS"); do
			tcp bridge "$run"
			tcp switch "$run"
		done
	else
		echo "# tcp: the guests' interfaces did not come up" >&2
	fi
	kill -TERM "${GPIDS[@]}" 2>/dev/null; wait "${GPIDS[@]}" 2>/dev/null
fi
echo "guest -> guest on the simulated Xen: Linux bridge vs switch inside vifd"
echo "(medians of $RUNS runs of ${SECS} s; frames/s reaching the receiving guest's ring;"
echo " vifd_us/frame: vifd's CPU time, all threads, per delivered frame)"
echo " gcopy/B: bytes grant-copied per byte delivered; copies/B: every copy of"
echo " those bytes (bridge: + the kernel's TAP write and read; switch: + vifd's"
echo " inbox in and out), per byte delivered)"
printf '%-6s %14s %14s %7s %15s %15s %8s %8s %8s %8s\n' frame bridge_fr/s switch_fr/s ratio \
    bridge_us/frame switch_us/frame b_gcopy/B s_gcopy/B b_copies/B s_copies/B
for k in $FRAMES; do
	bf=$(awk -v k="$k" '$1 == k && $2 == "bridge" { print $4 }' "$M.raw" | median)
	sf=$(awk -v k="$k" '$1 == k && $2 == "switch" { print $4 }' "$M.raw" | median)
	bu=$(awk -v k="$k" '$1 == k && $2 == "bridge" { print $5 }' "$M.raw" | median)
	su=$(awk -v k="$k" '$1 == k && $2 == "switch" { print $5 }' "$M.raw" | median)
	bg=$(awk -v k="$k" '$1 == k && $2 == "bridge" { print $8 }' "$M.raw" | median)
	sg=$(awk -v k="$k" '$1 == k && $2 == "switch" { print $8 }' "$M.raw" | median)
	bc=$(awk -v k="$k" '$1 == k && $2 == "bridge" { print $9 }' "$M.raw" | median)
	sc=$(awk -v k="$k" '$1 == k && $2 == "switch" { print $9 }' "$M.raw" | median)
	printf '%-6s %14.0f %14.0f %7.2f %15.3f %15.3f %8.2f %8.2f %8.2f %8.2f\n' "$k" "$bf" "$sf" \
	    "$(awk -v a="$sf" -v b="$bf" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$bu" "$su" \
	    "$bg" "$sg" "$bc" "$sc"
done
echo "runs (frame path run frames/s us/frame sent got gcopy/B copies/B):"
sed 's/^/  /' "$M.raw"
if [ -s "$M.tcp" ]; then
	bt=$(awk '$1 == "bridge" { print $3 }' "$M.tcp" | median)
	stt=$(awk '$1 == "switch" { print $3 }' "$M.tcp" | median)
	bn=$(awk '$1 == "bridge" { print $4 }' "$M.tcp" | median)
	sn=$(awk '$1 == "switch" { print $4 }' "$M.tcp" | median)
	bg=$(awk '$1 == "bridge" { print $5 }' "$M.tcp" | median)
	sg=$(awk '$1 == "switch" { print $5 }' "$M.tcp" | median)
	echo "TCP guest 1 -> guest 2 (iperf3, ${TCP_SECS} s, TSO on both; medians of $RUNS;"
	echo " vifd_ns/KiB: vifd's CPU time per KiB received; gcopy/B: bytes grant-copied"
	echo " per byte received, the switch's one copy guest to guest included)"
	printf '%-6s %14s %14s %7s %15s %15s %9s %9s\n' tcp bridge_Gbit/s switch_Gbit/s ratio \
	    bridge_ns/KiB switch_ns/KiB b_gcopy/B s_gcopy/B
	printf '%-6s %14.2f %14.2f %7.2f %15.0f %15.0f %9.3f %9.3f\n' tcp "$bt" "$stt" \
	    "$(awk -v a="$stt" -v b="$bt" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$bn" "$sn" "$bg" "$sg"
	echo "runs (path run Gbit/s vifd_ns/KiB gcopy/B):"
	sed 's/^/  /' "$M.tcp"
fi
kill -0 "$VIFD_PID" 2>/dev/null || echo "WARNING: vifd died during the run"
