#!/bin/bash
# uplink-bench.sh - a vifd switch's way to the wire on the simulated Xen,
# side by side in one run: (a) the switch's TAP uplink on a Linux bridge
# with the NIC (a veth end), the host's stack in the way, and (b) the
# switch's AF_XDP uplink on a NIC of its own (another veth end, generic
# or driver XDP in copy mode: no zero-copy on veth). The far ends of both
# veth pairs are a "wire" namespace.
#
# For each run and each path in turn, 64-byte frames (vif-guest's udp64):
#  - guest -> wire: vif-guest --mode gen floods the guest's TX ring for
#    --seconds with frames to the far end's MAC; the figure is what the
#    far end's veth received (its rx_packets) per second;
#  - wire -> guest: vifd-bench inject pushes frames into the far end for
#    --seconds, to the guest's MAC; the figure is what reached the
#    guest's RX ring (vif-guest --mode sink's frames/s);
# and vifd's CPU time (all threads) per frame over the same window.
# Prints medians over --runs runs and the ratio AF_XDP / TAP. Needs root.
# Not a test: it asserts nothing about speed.
#
# usage: uplink-bench.sh [--builddir DIR] [--seconds S] [--runs N]
set -u
BUILDDIR=${VIFD_BUILDDIR:-.}
SECS=3
RUNS=3
die() { echo "uplink-bench: $*" >&2; exit 1; }
declare -A BENCH_OPTS=([--builddir]=BUILDDIR [--seconds]=SECS [--runs]=RUNS)
BENCH_HELP=2,20p
. "$(dirname "$0")/benchlib.sh"
bench_parse "$@"
bench_int seconds "$SECS" 1 60
bench_int runs "$RUNS" 1 15
[ "$(id -u)" = 0 ] || die "needs root (namespaces, TAPs, XDP)"
bench_bins
M=$(mktemp -d /tmp/vifd-upbench.XXXXXX) || die "mktemp"
NS=vupb$$
VIFD_PID=
KEEP=()
cleanup() {
	[ ${#KEEP[@]} -gt 0 ] && kill "${KEEP[@]}" 2>/dev/null
	[ -n "$VIFD_PID" ] && kill "$VIFD_PID" 2>/dev/null && wait "$VIFD_PID" 2>/dev/null
	"$XENSIM" destroy "$M" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS-w" 2>/dev/null
	rm -rf "$M"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
GMAC=00:16:3e:00:01:00		# vifd-bench inject's destination
xsr() { "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }
rxp() { ip netns exec "$NS-w" cat "/sys/class/net/$1/statistics/rx_packets"; }

"$XENSIM" create "$M/m" >"$M/log" 2>&1 || die "xensim create failed"
M=$M/m
for d in 1 2; do "$XENSIM" domain "$M" add "$d" >>"$M.log" 2>&1 || die "domain add"; done
ip netns add "$NS" || die "ip netns add"
ip netns add "$NS-w" || die "ip netns add"
for n in "$NS" "$NS-w"; do
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
done
# (a) the TAP path: the switch's TAP swt and veth ta0 on bridge brt;
# (b) the AF_XDP path: veth xa0 alone. The far ends ta1, xa1.
ip -n "$NS" link add brt type bridge stp_state 0 forward_delay 0
ip -n "$NS" link add ta0 type veth peer name ta1 netns "$NS-w"
ip -n "$NS" link add xa0 type veth peer name xa1 netns "$NS-w"
ip -n "$NS" link set ta0 master brt up
ip -n "$NS" link set xa0 up
ip -n "$NS" link set brt up
ip -n "$NS-w" link set ta1 up
ip -n "$NS-w" link set xa1 up
cat >"$M.hotplug" <<'EOS'
#!/bin/sh
[ "$1" = online ] && exec xenstore-write "$XENBUS_PATH/hotplug-status" connected
exit 0
EOS
chmod +x "$M.hotplug"
bench_vifd "$NS" "$M" "$M.vifd.log" --switch-uplink=swx=xa0 ||
    die "vifd did not start"
# devid 0: switch swt (TAP uplink); devid 1: switch swx (AF_XDP uplink).
# Domain 2 keeps a port on each connected all along (vif-guest sinks), so
# that the switches, their uplinks and what they learned outlive guest
# 1's reconnections between measurements.
for d in 1 2; do
	mac=$GMAC; [ "$d" = 2 ] && mac=00:16:3e:00:01:02
	"$VIFCTL" --xen="sim:$M" attach "$d" "mac=$mac,bridge=vifd:swt,script=$M.hotplug" >>"$M.log" 2>&1 ||
	    die "attach $d swt"
	"$VIFCTL" --xen="sim:$M" attach "$d" "mac=$mac,bridge=vifd:swx,script=$M.hotplug" >>"$M.log" 2>&1 ||
	    die "attach $d swx"
done
for n in 0 1; do
	"$GUEST" --xen="sim:$M" --domid 2 --devid "$n" --queues 1 --mode sink \
	    --seconds 3600 >/dev/null 2>>"$M.guest.log" &
	KEEP+=($!)
done
for _ in $(seq 200); do ip -n "$NS" link show swt >/dev/null 2>&1 && break; sleep 0.05; done
# The TAP uplink's MAC is every vifd TAP's, fe:ff:ff:ff:ff:ff, which is
# also the source of vifd-bench inject's frames: another one for it, so
# that brt forwards those frames rather than take them for its own.
ip -n "$NS" link set swt address 02:00:00:00:00:aa || die "the TAP uplink swt did not come"
ip -n "$NS" link set swt master brt up || die "swt on brt"
for _ in $(seq 100); do grep -q 'AF_XDP socket bound' "$M.vifd.log" && break; sleep 0.05; done
grep -q 'AF_XDP socket bound' "$M.vifd.log" || die "no AF_XDP uplink: $(grep -i 'xdp' "$M.vifd.log" | tail -n 2)"
connected() { [ "$(xsr "/local/domain/0/backend/vif/1/$1/state")" = 4 ] &&
    [ "$(xsr "/local/domain/1/device/vif/$1/state")" = 4 ]; }

# outward PATH RUN: guest -> wire; appends "out PATH RUN frames/s
# us/frame". The frames go to fe:ff:ff:ff:ff:ff, which the switch and brt
# learned on their way to the far end from inward's frames: unicast all
# the way, counted by the far end's veth (which then drops them: not its
# address).
outward() {
	local p=$1 run=$2 n far c0 c1 r0 r1 sent
	case $p in tap) n=0; far=ta1 ;; xdp) n=1; far=xa1 ;; esac
	r0=$(rxp "$far"); c0=$(cputicks "$VIFD_PID")
	sent=$("$GUEST" --xen="sim:$M" --domid 1 --devid "$n" --queues 1 \
	    --mode gen --frame udp64 --seconds "$SECS" --dst-mac fe:ff:ff:ff:ff:ff \
	    2>>"$M.guest.log" | grep '^frames ' | tail -1 | field frames)
	sleep 0.2
	r1=$(rxp "$far"); c1=$(cputicks "$VIFD_PID")
	[ -n "$sent" ] || { echo "# out $p run $run: no result" >&2; return; }
	echo "out $p $run $(awk -v n=$((r1 - r0)) -v s="$SECS" -v a="$c0" -v b="$c1" -v hz="$HZ" \
	    'BEGIN { printf "%.0f %.3f", n / s, (n > 0 ? (b - a) / hz * 1e6 / n : 0) }') sent=$sent got=$((r1 - r0))" >>"$M.raw"
}

# inward PATH RUN: wire -> guest; appends "in PATH RUN frames/s us/frame".
inward() {
	local p=$1 run=$2 n far c0 c1 fr fps sink
	case $p in tap) n=0; far=ta1 ;; xdp) n=1; far=xa1 ;; esac
	"$GUEST" --xen="sim:$M" --domid 1 --devid "$n" --queues 1 --mode sink \
	    --seconds 120 >"$M.sink" 2>>"$M.guest.log" &
	sink=$!
	for _ in $(seq 200); do connected "$n" && break; sleep 0.05; done
	sleep 0.3
	c0=$(cputicks "$VIFD_PID")
	ip netns exec "$NS-w" "$VBENCH" inject --ifname "$far" --frame udp64 \
	    --seconds "$SECS" >>"$M.inject.log" 2>&1
	sleep 0.2
	c1=$(cputicks "$VIFD_PID")
	kill -TERM "$sink" 2>/dev/null; wait "$sink" 2>/dev/null
	fr=$(grep '^frames ' "$M.sink" | tail -1 | field frames)
	fps=$(grep '^frames ' "$M.sink" | tail -1 | field frames_per_s)
	[ -n "$fr" ] || { echo "# in $p run $run: no result" >&2; return; }
	echo "in $p $run $fps $(awk -v n="$fr" -v a="$c0" -v b="$c1" -v hz="$HZ" \
	    'BEGIN { printf "%.3f", (n > 0 ? (b - a) / hz * 1e6 / n : 0) }') got=$fr" >>"$M.raw"
}

: >"$M.raw"
for run in $(seq "$RUNS"); do
	inward tap "$run"; inward xdp "$run"
	outward tap "$run"; outward xdp "$run"
done
echo "a vifd switch's uplink on the simulated Xen: TAP + Linux bridge vs AF_XDP (veth, copy mode)"
echo "(64-byte frames; medians of $RUNS runs of ${SECS} s; vifd_us/frame: vifd's CPU time,"
echo " all threads, per frame delivered)"
printf '%-13s %12s %12s %7s %12s %12s\n' direction tap_fr/s xdp_fr/s ratio tap_us/fr xdp_us/fr
for d in out in; do
	tf=$(awk -v d=$d '$1 == d && $2 == "tap" { print $4 }' "$M.raw" | median)
	xf=$(awk -v d=$d '$1 == d && $2 == "xdp" { print $4 }' "$M.raw" | median)
	tu=$(awk -v d=$d '$1 == d && $2 == "tap" { print $5 }' "$M.raw" | median)
	xu=$(awk -v d=$d '$1 == d && $2 == "xdp" { print $5 }' "$M.raw" | median)
	printf '%-13s %12.0f %12.0f %7.2f %12.3f %12.3f\n' \
	    "$([ $d = out ] && echo guest-\>wire || echo wire-\>guest)" "$tf" "$xf" \
	    "$(awk -v a="$xf" -v b="$tf" 'BEGIN { print (b > 0 ? a / b : 0) }')" "$tu" "$xu"
done
echo "runs (direction path run frames/s us/frame ...):"
sed 's/^/  /' "$M.raw"
kill -0 "$VIFD_PID" 2>/dev/null || echo "WARNING: vifd died during the run"
