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
# usage: switch-bench.sh [--builddir DIR] [--seconds S] [--runs N]
#                        [--frames "udp64 f1514"]
set -u
BUILDDIR=${VIFD_BUILDDIR:-.}
SECS=3
RUNS=3
FRAMES="udp64 f1514"
die() { echo "switch-bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) BUILDDIR=${2:?}; shift ;;
	--seconds) SECS=${2:?}; shift ;;
	--runs) RUNS=${2:?}; shift ;;
	--frames) FRAMES=${2:?}; shift ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (--help)" ;;
	esac
	shift
done
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 1 ] && [ "$SECS" -le 60 ] ||
    die "--seconds: '$SECS' (1 to 60)"
[[ $RUNS =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 15 ] ||
    die "--runs: '$RUNS' (1 to 15)"
for k in $FRAMES; do
	case $k in udp64|f1514) ;; *) die "--frames: unknown kind '$k'" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root (namespaces, TAPs)"
BUILDDIR=$(cd "$BUILDDIR" 2>/dev/null && pwd) || die "no build directory"
XENSIM=$BUILDDIR/tools/xensim/xensim
VIFD=$BUILDDIR/src/vifd
VIFCTL=$BUILDDIR/tools/vifctl/vifctl
GUEST=$BUILDDIR/tools/vif-guest/vif-guest
for b in "$XENSIM" "$VIFD" "$VIFCTL" "$GUEST"; do
	[ -x "$b" ] || die "$b is not built"
done
M=$(mktemp -d /tmp/vifd-swbench.XXXXXX) || die "mktemp"
NS=vswb$$
VIFD_PID=
cleanup() {
	[ -n "$VIFD_PID" ] && kill "$VIFD_PID" 2>/dev/null && wait "$VIFD_PID" 2>/dev/null
	"$XENSIM" destroy "$M" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	rm -rf "$M"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
HZ=$(getconf CLK_TCK)
xsr() { "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }
cputicks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
median() { sort -g | awk '{ a[NR] = $1 } END {
	if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2];
	else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

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
ip netns exec "$NS" "$VIFD" --xen="sim:$M" -f --max-queues=1 \
    >>"$M.vifd.log" 2>&1 &
VIFD_PID=$!
for _ in $(seq 100); do [ -S "$M/vifd-0.sock" ] && break; sleep 0.05; done
[ -S "$M/vifd-0.sock" ] || die "vifd did not start"
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

# measure KIND PATH RUN: one run; appends "KIND PATH RUN frames/s us/frame".
measure() {
	local k=$1 p=$2 run=$3 n dst sink out fr fps c0 c1
	case $p in bridge) n=0; dst=00:16:3e:00:30:02 ;; switch) n=1; dst=00:16:3e:00:31:02 ;; esac
	"$GUEST" --xen="sim:$M" --domid 2 --devid "$n" --queues 1 --mode sink \
	    --seconds 120 >"$M.sink" 2>>"$M.guest.log" &
	sink=$!
	for _ in $(seq 200); do connected 2 "$n" && break; sleep 0.05; done
	c0=$(cputicks "$VIFD_PID")
	out=$("$GUEST" --xen="sim:$M" --domid 1 --devid "$n" --queues 1 \
	    --mode gen --frame "$k" --seconds "$SECS" --dst-mac "$dst" \
	    2>>"$M.guest.log" | grep '^frames ' | tail -1)
	sleep 0.2
	c1=$(cputicks "$VIFD_PID")
	kill -TERM "$sink" 2>/dev/null; wait "$sink" 2>/dev/null
	fr=$(grep '^frames ' "$M.sink" | tail -1 | field frames)
	fps=$(grep '^frames ' "$M.sink" | tail -1 | field frames_per_s)
	if [ -z "$fr" ] || [ -z "$out" ]; then
		echo "# $k $p run $run: no result (sent: '$out')" >&2
		return
	fi
	echo "$k $p $run $fps $(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v n="$fr" \
	    'BEGIN { printf "%.3f", (n > 0 ? (b - a) / hz * 1e6 / n : 0) }') sent=$(echo "$out" | field frames) got=$fr" >>"$M.raw"
}

: >"$M.raw"
for run in $(seq "$RUNS"); do
	for k in $FRAMES; do
		measure "$k" bridge "$run"
		measure "$k" switch "$run"
	done
done
echo "guest -> guest on the simulated Xen: Linux bridge vs switch inside vifd"
echo "(medians of $RUNS runs of ${SECS} s; frames/s reaching the receiving guest's ring;"
echo " vifd_us/frame: vifd's CPU time, all threads, per delivered frame)"
printf '%-6s %14s %14s %7s %15s %15s\n' frame bridge_fr/s switch_fr/s ratio \
    bridge_us/frame switch_us/frame
for k in $FRAMES; do
	bf=$(awk -v k="$k" '$1 == k && $2 == "bridge" { print $4 }' "$M.raw" | median)
	sf=$(awk -v k="$k" '$1 == k && $2 == "switch" { print $4 }' "$M.raw" | median)
	bu=$(awk -v k="$k" '$1 == k && $2 == "bridge" { print $5 }' "$M.raw" | median)
	su=$(awk -v k="$k" '$1 == k && $2 == "switch" { print $5 }' "$M.raw" | median)
	printf '%-6s %14.0f %14.0f %7.2f %15.3f %15.3f\n' "$k" "$bf" "$sf" \
	    "$(awk -v a="$sf" -v b="$bf" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$bu" "$su"
done
echo "runs (frame path run frames/s us/frame sent got):"
sed 's/^/  /' "$M.raw"
kill -0 "$VIFD_PID" 2>/dev/null || echo "WARNING: vifd died during the run"
