#!/bin/bash
# switch.sh - vifs on a switch inside vifd (bridge=vifd:NAME, issue 20),
# through the real vifd, vifctl, vif-guest and vif-bridge on the simulated
# Xen: guests reach each other with no host bridge in the way; learning,
# flooding, isolation, a pinned mac a spoofer cannot take, two switches
# apart, a guest that takes nothing stalling nothing else, TCP with TSO
# across the switch and 32 MiB intact (SHA-256), a port leaving; a peer
# link (bridge=vifd-peer:NAME): every frame to the other end, whatever
# its addresses, 32 MiB intact, a third end refused, a name clash refused;
# a bad switch name refused with a line naming it.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge

st() {	# st DOMID KEY -> the value of "vifD.0 KEY VALUE"
	"$VIFCTL" --xen="sim:$M" stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == c { print $3 }'
}
total() {	# total DOMID COUNTER -> the vif's total
	"$VIFCTL" --xen="sim:$M" stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
pings() { in_guest "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
no_ping() { ! in_guest "$1" ping -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }
mac() { printf '00:16:3e:00:20:%02x' "$1"; }
port_up() {	# port_up DOMID SWITCH ADDR [vif-guest args]
	local d=$1 sw=$2 a=$3; shift 3
	guest_add "$d"
	attach "$d" "mac=$(mac "$d"),bridge=vifd:$sw,script=$VB" >/dev/null
	guest_tap "$d" 0 "$a" --queues 1 "$@"
	eventually 15 "vif$d.0 on switch $sw connected" be_state_is "$d" 0 4
}

port_up 1 sw0 10.88.0.1
port_up 2 sw0 10.88.0.2
check "vif1.0's TAP is on no bridge" sh -c "! ip -n $HOSTNS link show vif1.0 | grep -q master"
check "... and down: it carries nothing" sh -c "! ip -n $HOSTNS link show vif1.0 | grep -q ',UP'"
check "vifd says vif1.0 is a port of sw0" vifd_log_has "vif1.0: a port of switch sw0"
eventually 10 "guest 1 pings guest 2 through switch sw0" pings 1 10.88.0.2
check "guest 2 pings guest 1" pings 2 10.88.0.1
check "stats names the switch" [ "$(st 1 switch)" = sw0 ]
check "ARP was flooded" [ "$(st 1 switch_flooded)" -gt 0 ]
check "... and the replies went to one learned port" [ "$(st 2 switch_unicast)" -gt 0 ]
check "frames from the switch reached guest 2's ring" [ "$(total 2 rx_switched_in)" -gt 0 ]
check "guest 1's frames went to the switch, not the TAP" \
    [ "$(total 1 tx_switched)" -gt 0 ] && [ "$(total 1 tx_drop_tap)" = 0 ]
check "the host's bridge saw none of it" no_ping 1 10.77.0.1

# ---- TCP with offloads across the switch, and integrity -------------------------
tx0=$(total 1 tx_gso_frames); rx0=$(total 2 rx_gso_frames)
iperf_measure "$(guest_ns 1)" "$(guest_ns 2)" 10.88.0.2 3
check "TCP guest 1 -> guest 2 across the switch" [ -n "$IPERF_BPS" ]
diag "guest -> guest TCP through the switch: $(awk -v b="${IPERF_BPS:-0}" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s"
check "GSO super-frames left guest 1" [ $(( $(total 1 tx_gso_frames) - tx0 )) -gt 100 ]
check "... and reached guest 2 as GSO (no software segmentation)" \
    [ $(( $(total 2 rx_gso_frames) - rx0 )) -gt 100 ]
head -c 33554432 /dev/urandom >"$M.file"
want="$(sha256sum <"$M.file" | cut -d' ' -f1) 33554432"
recv_sum "$(guest_ns 2)" 10.88.0.2 7000 >"$M.sum" &
waitfor 10 listening "$(guest_ns 2)" 7000
in_guest 1 timeout 60 bash -c "cat $M.file > /dev/tcp/10.88.0.2/7000"
wait $!
check "32 MiB guest 1 -> guest 2 arrive intact (SHA-256)" [ "$(cat "$M.sum")" = "$want" ]
rm -f "$M.file" "$M.sum"
check "no header drops either way" [ "$(total 1 rx_drop_hdr)" = 0 ] && [ "$(total 2 rx_drop_hdr)" = 0 ]

# ---- isolation (vifd-isolated before the guests connect) --------------------------
guest_add 3; guest_add 4
for d in 3 4; do
	attach "$d" "mac=$(mac "$d"),bridge=vifd:sw0,script=$VB" >/dev/null
	check "vifctl port --isolated=yes $d 0" vifctl port --isolated=yes "$d" 0
	guest_tap "$d" 0 "10.88.0.$d" --queues 1
	eventually 15 "vif$d.0 connected, isolated" be_state_is "$d" 0 4
done
check "vifd says vif3.0 is an isolated port" vifd_log_has "vif3.0: a port of switch sw0, isolated"
eventually 10 "isolated guest 3 reaches guest 1" pings 3 10.88.0.1
check "isolated guest 4 reaches guest 2" pings 4 10.88.0.2
check "isolated guests 3 and 4 do not reach each other" no_ping 3 10.88.0.4
# Their broadcasts (ARP) leave each other out; a unicast to the other's
# (pinned) address is refused and counted.
ip -n "$(guest_ns 3)" neigh replace 10.88.0.4 lladdr "$(mac 4)" dev eth0
check "... not even by its address" no_ping 3 10.88.0.4
check "... refused as isolation, counted" [ "$(st 3 switch_drop_isolated)" -gt 0 ]

# ---- a spoofer cannot take a pinned mac -----------------------------------------
d0=$(st 4 switch_drop_src)
ip -n "$(guest_ns 4)" link set eth0 address "$(mac 1)"
in_guest 4 ping -c 3 -i 0.3 -W 1 10.88.0.2 >/dev/null 2>&1
check "guest 4 sending from guest 1's mac is refused, counted" [ "$(st 4 switch_drop_src)" -gt "$d0" ]
check "guest 2 still reaches guest 1" pings 2 10.88.0.1
ip -n "$(guest_ns 4)" link set eth0 address "$(mac 4)"

# ---- two switches are apart -------------------------------------------------------
port_up 5 sw1 10.88.0.5
check "a vif on switch sw1 does not reach sw0's guests" no_ping 5 10.88.0.1
check "stats names sw1" [ "$(st 5 switch)" = sw1 ]

# ---- a guest that takes nothing stalls nothing else ---------------------------------
kill -STOP "$(pgrep -f -- "--domid 2 --devid 0" | head -1)"
in_guest 1 ping -f -b -c 3000 -s 1400 10.88.0.255 >/dev/null 2>&1
check "guest 1 still reaches guest 3 while guest 2 takes nothing" pings 1 10.88.0.3
check "what guest 2 had no room for was dropped at its port, counted" [ "$(st 2 switch_drop_full)" -gt 0 ]
kill -CONT "$(pgrep -f -- "--domid 2 --devid 0" | head -1)"
eventually 15 "guest 2 reachable again once it takes frames" pings 1 10.88.0.2

# ---- a port leaves; the last one takes its switch -----------------------------------
check "vifctl detach 5 0" vifctl detach 5 0
eventually 15 "vifd says switch sw1 lost its last port" vifd_log_has "switch sw1: its last port left"
check "sw0 still works" pings 1 10.88.0.2

# ---- a peer link: two vifs joined, every frame of one to the other --------------------
guest_add 7; guest_add 8
attach 7 "mac=$(mac 7),bridge=vifd-peer:p0,script=$VB" >/dev/null
attach 8 "mac=$(mac 8),bridge=vifd-peer:p0,script=$VB" >/dev/null
guest_tap 7 0 10.89.0.7 --queues 1
guest_tap 8 0 10.89.0.8 --queues 2
eventually 15 "vif7.0 on peer link p0 connected" be_state_is 7 0 4
eventually 15 "vif8.0 (2 queues) on peer link p0 connected" be_state_is 8 0 4
check "vifd says vif7.0 is an end of peer link p0" vifd_log_has "vif7.0: a port of peer link p0"
check "stats names the peer link" [ "$(st 7 peer_link)" = p0 ]
eventually 10 "guest 7 pings guest 8 over the peer link" pings 7 10.89.0.8
check "... and it reaches no switch: guest 7 cannot ping guest 1" no_ping 7 10.88.0.1
# No learning and nothing pinned: any source address crosses.
ip -n "$(guest_ns 7)" link set eth0 address 02:00:00:00:77:77
check "a new mac on guest 7 still reaches guest 8" pings 7 10.89.0.8
check "... as a unicast to the other end" [ "$(st 7 switch_unicast)" -gt 0 ]
head -c 33554432 /dev/urandom >"$M.file"
want="$(sha256sum <"$M.file" | cut -d' ' -f1) 33554432"
recv_sum "$(guest_ns 7)" 10.89.0.7 7001 >"$M.sum" &
waitfor 10 listening "$(guest_ns 7)" 7001
in_guest 8 timeout 60 bash -c "cat $M.file > /dev/tcp/10.89.0.7/7001"
wait $!
check "32 MiB guest 8 (2 queues) -> guest 7 over the peer link intact (SHA-256)" [ "$(cat "$M.sum")" = "$want" ]
rm -f "$M.file" "$M.sum"
guest_add 9
attach 9 "mac=$(mac 9),bridge=vifd-peer:p0,script=$VB" >/dev/null
guest_tap 9 0 10.89.0.9 --queues 1
eventually 15 "a third end for peer link p0 fails" sh -c "$VIFCTL --xen=sim:$M stats 9 0 | grep -qx 'vif9.0 failed 1'"
check "... saying it has two ports already" vifd_log_has "peer link p0 has 2 ports already"
check "... and the link still works" pings 8 10.89.0.7
guest_add 10
attach 10 "mac=$(mac 10),bridge=vifd-peer:sw0,script=$VB" >/dev/null
guest_tap 10 0 10.89.0.10 --queues 1
eventually 15 "a peer link named like switch sw0 fails" sh -c "$VIFCTL --xen=sim:$M stats 10 0 | grep -qx 'vif10.0 failed 1'"
check "... saying sw0 is a switch" vifd_log_has "sw0 is a switch already"

# ---- a bad switch name ----------------------------------------------------------------
vifctl attach 6 "mac=$(mac 6),bridge=vifd:sw.0" 2>"$M.err"; rc=$?
check "vifctl refuses bridge=vifd:sw.0" [ $rc != 0 ]
check "... naming the bad character" grep -q "switch name 'sw.0': character 3" "$M.err"
guest_add 6
# As a toolstack that does not check would write it.
attach_by_hand 6 "mac=$(mac 6),bridge=vifd:swx,script=$VB" 's/vifd:swx/vifd:sw.0/'
guest_tap 6 0 10.88.0.6 --queues 1
eventually 15 "vif6.0 with bridge vifd:sw.0 fails" sh -c "$VIFCTL --xen=sim:$M stats 6 0 | grep -qx 'vif6.0 failed 1'"
check "... with a line naming the bad character" vifd_log_has "bridge: switch name 'sw.0': character 3 is not one of"
check "... and sw0 still works" pings 2 10.88.0.1

done_testing
