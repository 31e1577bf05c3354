#!/bin/bash
# data-traffic.sh - real Linux network stacks talking through vifd on the
# simulated Xen: ping both ways, TCP with TSO and checksum offload in both
# directions (GSO super-frames counted crossing vifd), UDP, IPv6, MTU 9000
# with feature-sg, two queues both carrying traffic, two guests talking to
# each other.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge

stat() {	# stat DOMID DEVID QUEUE COUNTER -> value
	"$VIFCTL" --xen="sim:$M" stats "$1" "$2" |
	    awk -v k="vif$1.$2" -v q="q$3" -v c="$4" '$1 == k && $2 == q && $3 == c { print $4 }'
}
sumstat() {	# sumstat DOMID DEVID COUNTER -> sum over queues
	"$VIFCTL" --xen="sim:$M" stats "$1" "$2" |
	    awk -v k="vif$1.$2" -v c="$3" '$1 == k && $3 == c { s += $4 } END { print s + 0 }'
}
iperf_rate() {	# iperf_rate CLIENT-NS SERVER-NS SERVER-IP ARGS...: R = Gbit/s (receiver), 3 s
	local c=$1 sv=$2 ip=$3; shift 3
	R=
	iperf_measure "$c" "$sv" "$ip" 3 "$@" &&
	    R=$(awk -v b="$IPERF_BPS" 'BEGIN { printf "%.2f", b / 1e9 }')
}
gt0() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }

guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 1 0 10.77.0.2 --queues 1
eventually 15 "vif1.0 connected" be_state_is 1 0 4
eventually 10 "guest pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1
check "host pings the guest" in_host ping -c 3 -i 0.2 -W 1 10.77.0.2
check "guest eth0 has TSO on (offloads from the backend's features)" sh -c \
    "ip netns exec $(guest_ns 1) ethtool -k eth0 | grep -q '^tcp-segmentation-offload: on'"
check "guest eth0 has tx checksumming on" sh -c \
    "ip netns exec $(guest_ns 1) ethtool -k eth0 | grep -q '^tx-checksumming: on'"

# tcp_gso FROM_NS TO_NS TO_ADDR LABEL COUNTER WHICH: a TCP transfer, and
# more than 100 GSO super-frames counted by vifd's COUNTER on the way.
tcp_gso() {
	local g0 g1 r
	g0=$(sumstat 1 0 "$5")
	iperf_rate "$1" "$2" "$3"; r=$R
	diag "$4 TCP: ${r:-?} Gbit/s"
	check "$4 TCP transfer" gt0 "$r"
	g1=$(sumstat 1 0 "$5")
	diag "guest $6 GSO frames: $((g1 - g0))"
	check "GSO super-frames crossed vifd $4" [ "$((g1 - g0))" -gt 100 ]
}
# Guest -> host: the guest's TSO makes 64 KiB frames; vifd must carry them
# as GSO (tx_gso_frames) to the TAP.
tcp_gso "$(guest_ns 1)" "$HOSTNS" 10.77.0.1 "guest -> host" tx_gso_frames TX
# Host -> guest: the host stack's TSO towards the TAP, GSO extras on RX.
tcp_gso "$HOSTNS" "$(guest_ns 1)" 10.77.0.2 "host -> guest" rx_gso_frames RX

# Integrity: checksums are offloaded end to end (the TAP computes them
# over whatever we wrote), so TCP alone would not notice bytes we got
# wrong. A 32 MiB random file each way, compared by SHA-256.
intact_file
send_intact "$(guest_ns 1)" "$HOSTNS" 10.77.0.1 7000 "guest -> host"
send_intact "$HOSTNS" "$(guest_ns 1)" 10.77.0.2 7001 "host -> guest"
rm -f "$M.file" "$M.sum"

# UDP both ways (checksums offloaded, no GSO).
iperf_rate "$(guest_ns 1)" "$HOSTNS" 10.77.0.1 -u -b 200M; r=$R
check "guest -> host UDP (${r:-?} Gbit/s)" gt0 "$r"
iperf_rate "$HOSTNS" "$(guest_ns 1)" 10.77.0.2 -u -b 200M; r=$R
check "host -> guest UDP (${r:-?} Gbit/s)" gt0 "$r"

# IPv6: csum and TSO for v6.
ip -n "$HOSTNS" addr add fd77::1/64 dev xenbr0 nodad
ip -n "$(guest_ns 1)" addr add fd77::2/64 dev eth0 nodad
eventually 10 "guest pings the host over IPv6" in_guest 1 ping -6 -c 1 -W 1 fd77::1
g0=$(sumstat 1 0 tx_gso_frames)
iperf_rate "$(guest_ns 1)" "$HOSTNS" fd77::1; r=$R
check "guest -> host TCP over IPv6 (${r:-?} Gbit/s)" gt0 "$r"
check "IPv6 GSO frames crossed guest -> host" [ "$(( $(sumstat 1 0 tx_gso_frames) - g0 ))" -gt 100 ]
iperf_rate "$HOSTNS" "$(guest_ns 1)" fd77::2; r=$R
check "host -> guest TCP over IPv6 (${r:-?} Gbit/s)" gt0 "$r"
check "no TX header drops" [ "$(sumstat 1 0 tx_drop_hdr)" = 0 ]
check "no RX header drops" [ "$(sumstat 1 0 rx_drop_hdr)" = 0 ]

# ---- MTU 9000 with feature-sg ------------------------------------------------
guest_add 2
ip -n "$HOSTNS" link add xenbr9 type bridge stp_state 0 forward_delay 0
ip -n "$HOSTNS" link set xenbr9 mtu 9000
ip -n "$HOSTNS" addr add 10.79.0.1/24 dev xenbr9
ip -n "$HOSTNS" link set xenbr9 up
attach 2 "mac=00:16:3e:00:02:00,bridge=xenbr9,mtu=9000,script=$VB" >/dev/null
guest_tap 2 0 10.79.0.2 --queues 2
eventually 15 "vif2.0 (mtu=9000, 2 queues) connected" be_state_is 2 0 4
eventually 10 "the TAP has MTU 9000" sh -c "ip -n $HOSTNS link show vif2.0 | grep -q 'mtu 9000'"
ip -n "$(guest_ns 2)" link set eth0 mtu 9000
eventually 10 "9000-byte frames guest -> host (ping -s 8972 -M do)" \
    in_guest 2 ping -c 1 -W 1 -s 8972 -M do 10.79.0.1
check "9000-byte frames host -> guest" in_host ping -c 2 -W 1 -s 8972 -M do 10.79.0.2

# ---- two queues carrying traffic ----------------------------------------------
check "vif2.0 has 2 queues" sh -c "$VIFCTL --xen=sim:$M stats 2 0 | grep -q '^vif2.0 queues 2$'"
iperf_measure "$(guest_ns 2)" "$HOSTNS" 10.79.0.1 3 -P 8
iperf_measure "$HOSTNS" "$(guest_ns 2)" 10.79.0.2 3 -P 8
for q in 0 1; do
	tx=$(stat 2 0 "$q" tx_packets); rx=$(stat 2 0 "$q" rx_packets)
	diag "vif2.0 q$q: tx_packets $tx rx_packets $rx"
	check "queue $q carried guest -> host traffic" [ "${tx:-0}" -gt 100 ]
	check "queue $q carried host -> guest traffic" [ "${rx:-0}" -gt 100 ]
done

# ---- two guests on the bridge talking to each other ---------------------------
guest_add 3
attach 3 "mac=00:16:3e:00:03:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 3 0 10.77.0.4
eventually 15 "vif3.0 connected" be_state_is 3 0 4
eventually 10 "guest 3 pings guest 1" in_guest 3 ping -c 1 -W 1 10.77.0.2
iperf_rate "$(guest_ns 3)" "$(guest_ns 1)" 10.77.0.2; r=$R
diag "guest 3 -> guest 1 TCP: ${r:-?} Gbit/s"
check "guest 3 -> guest 1 TCP transfer" gt0 "$r"
check "vifd still running" kill -0 "$VIFD_PID"
done_testing
