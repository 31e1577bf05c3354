#!/bin/bash
# run.sh - the README's main job.
#
# On a real Xen host (dom0 or a network driver domain): builds vifd and runs
# it in the foreground, serving every vif backend of this domain.
#
# Anywhere else: the end-to-end demo on the simulated Xen. It builds
# everything, brings up the rig (tools/vif-rig: a simulated machine, the
# real xenstored, vifd, two guests played by vif-guest in network
# namespaces, the host side on bridge xenbr0), pings both ways, runs a TCP
# transfer each way with iperf3, prints what it measured, and tears it all
# down. It exits 0 only if traffic flowed both ways.
#
#   tools/run.sh [--seconds N] [--queues N] [--keep]
#     --keep leaves the rig up afterwards (tools/vif-rig down removes it).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=3
queues=1
keep=no
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?}; shift 2 ;;
	--queues) queues=${2:?}; shift 2 ;;
	--keep) keep=yes; shift ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 1; }

"$top/tools/build.sh" "$top/_build" || { echo "run.sh: build failed" >&2; exit 1; }
export VIFD_BUILDDIR=$top/_build VIFD_SRCDIR=$top

if grep -q control_d /proc/xen/capabilities 2>/dev/null ||
    { [ -e /dev/xen/evtchn ] && [ -e /dev/xen/gntdev ]; }; then
	echo "run.sh: this is a Xen domain: running vifd (Ctrl-C stops it; the"
	echo "run.sh: vifs and their TAPs stay up for the next start)"
	exec "$top/_build/src/vifd" --foreground --script-dir="$top/hotplug"
fi

rig=$top/tools/vif-rig
say() { printf '\n== %s\n' "$*"; }
fail=0
finish() {
	if [ "$keep" = no ]; then "$rig" down >/dev/null 2>&1; fi
}
trap finish EXIT

"$rig" down >/dev/null 2>&1	# a previous run's leftovers, if any
say "bringing up the rig: simulated Xen, xenstored, vifd, 2 guests"
"$rig" up --queues "$queues" \
    --vif "script=$top/hotplug/vif-bridge" \
    --vif "script=$top/hotplug/vif-bridge" || { echo "run.sh: rig up failed"; exit 1; }
"$rig" status

ping_ok() {	# ping_ok WHERE ADDR LABEL
	local out
	if out=$("$rig" exec "$1" ping -c 5 -i 0.2 -W 1 "$2" 2>&1); then
		echo "$3: $(echo "$out" | grep -E 'packets transmitted|rtt' | tr '\n' ' ')"
	else
		echo "$3: FAILED"; fail=1
	fi
}
say "ping"
ping_ok guest1 10.77.0.1 "guest1 -> host  "
ping_ok host 10.77.0.2 "host   -> guest1"
ping_ok guest1 10.77.0.3 "guest1 -> guest2"

listening() {	# listening WHERE: an iperf3 server listens there
	"$rig" exec "$1" ss -Hltn 'sport = :5201' 2>/dev/null | grep -q .
}
tcp() {		# tcp FROM SERVER-WHERE SERVER-ADDR LABEL
	local gbit
	# The last one-shot server may still hold the port (it exits after
	# its client has the results), and -D returns before it listens.
	for _ in $(seq 100); do listening "$2" || break; sleep 0.1; done
	"$rig" exec "$2" iperf3 -s -D -1 >/dev/null 2>&1
	for _ in $(seq 100); do listening "$2" && break; sleep 0.1; done
	gbit=$("$rig" exec "$1" timeout $((seconds + 20)) iperf3 -c "$3" -t "$seconds" -J 2>/dev/null |
	    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null)
	if [ -n "$gbit" ] && awk -v g="$gbit" 'BEGIN { exit !(g > 0) }'; then
		echo "$4: $gbit Gbit/s"
	else
		echo "$4: FAILED"; fail=1
	fi
}
say "TCP, ${seconds} s each way (iperf3; TSO and checksum offload on both sides)"
tcp guest1 host 10.77.0.1 "guest1 -> host  "
tcp host guest1 10.77.0.2 "host   -> guest1"
tcp guest2 guest1 10.77.0.2 "guest2 -> guest1"

say "vifd's counters for vif1.0 (over all queues)"
"$VIFD_BUILDDIR/tools/vifctl/vifctl" --xen=sim:/run/vif-rig/xen stats 1 0 |
    awk '$2 == "total" && $4 != 0 && $3 ~ /^(tx|rx)_(packets|bytes|gso_frames|copy_calls|copy_segs|sweeps|batches)$/ { printf "  %-16s %s\n", $3, $4 }'

say "result"
if [ "$fail" = 0 ]; then
	echo "traffic flowed both ways through vifd"
else
	echo "FAILED: see above; vifd's log: /run/vif-rig/vifd.log (run with --keep to inspect)"
fi
exit $fail
