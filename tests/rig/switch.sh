#!/bin/bash
# switch.sh - vifs on a switch inside vifd (bridge=vifd:NAME, issue 20),
# through the real vifd, vifctl, vif-guest and vif-bridge on the simulated
# Xen: guests reach each other with no host bridge in the way; learning,
# flooding, isolation, a pinned mac a spoofer cannot take, two switches
# apart, a guest that takes nothing stalling nothing else, TCP with TSO
# across the switch in one grant copy guest to guest and 32 MiB intact
# (SHA-256), a burst of short frames placed by the sender's worker many
# to a grant copy, a guest revoking a grant in flight on that path (one frame
# lost, the one copy off for its queue), the uplink TAP (down
# until brought up; then the host and guests both ways, 32 MiB intact
# each way), VLANs (access ports by vifd-vlan, live; the uplink a trunk:
# the host's tagged ARP answered in its VLAN; a guest's own tag refused),
# a guest without GSO sent TSO super-frames (cut for it in
# software, 32 MiB intact), a port leaving; a peer
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
G2_PID=$GUEST_PID
check "vif1.0's TAP is on no bridge" sh -c "! ip -n $HOSTNS link show vif1.0 | grep -q master"
check "... and down: it carries nothing" sh -c "! ip -n $HOSTNS link show vif1.0 | grep -q ',UP'"
check "vifd says vif1.0 is a port of sw0" vifd_log_has "vif1.0: a port of switch sw0"
eventually 10 "guest 1 pings guest 2 through switch sw0" pings 1 10.88.0.2
check "guest 2 pings guest 1" pings 2 10.88.0.1
check "stats names the switch" [ "$(st 1 switch)" = sw0 ]
check "stats --json gives the switch and its port's counters" sh -c "$VIFCTL --xen=sim:$M stats --json 1 0 |
    python3 -c 'import json, sys; s = json.load(sys.stdin)[\"vifs\"][0][\"switch\"]; assert s[\"name\"] == \"sw0\" and s[\"kind\"] == \"switch\" and s[\"counters\"][\"in_frames\"] > 0, s'"
vifctl stats --prometheus --output "$M.prom"
check "stats --prometheus has the ports' switch counters" \
    grep -q "^vifd_switch_port_in_frames_total{domid=\"1\",devid=\"0\",switch=\"sw0\",kind=\"switch\"} [1-9]" "$M.prom"
check "... and promtool finds no problem" sh -c "promtool check metrics <$M.prom >$M.promtool 2>&1"
diag_file "$M.promtool"
check "ARP was flooded" [ "$(st 1 switch_flooded)" -gt 0 ]
check "... and the replies went to one learned port" [ "$(st 2 switch_unicast)" -gt 0 ]
check "frames from the switch reached guest 2's ring" [ "$(total 2 rx_switched_in)" -gt 0 ]
# At light load a short frame is placed in the receiver's ring by the
# sender's worker (no hand-over to the receiver's worker): each ping
# alone in its batch, each reply too.
p1=$(total 1 rx_placed); p2=$(total 2 rx_placed)
in_guest 1 ping -c 5 -i 0.2 -W 1 10.88.0.2 >/dev/null
check "pings one at a time: placed in guest 2's ring by guest 1's worker (rx_placed +$(( $(total 2 rx_placed) - p2 )))" \
    [ $(( $(total 2 rx_placed) - p2 )) -ge 4 ]
check "... and the replies in guest 1's by guest 2's (+$(( $(total 1 rx_placed) - p1 )))" \
    [ $(( $(total 1 rx_placed) - p1 )) -ge 4 ]
check "... in two copies, not counted as one (rx_direct $(total 2 rx_direct))" [ "$(total 2 rx_direct)" = 0 ]
check "... counted by the senders too (tx_placed $(total 1 tx_placed) and $(total 2 tx_placed))" \
    sh -c "[ $(total 1 tx_placed) -ge 4 ] && [ $(total 2 tx_placed) -ge 4 ]"
check "guest 1's frames went to the switch" [ "$(total 1 tx_switched)" -gt 0 ]
tapcount() { ip netns exec "$HOSTNS" cat "/sys/class/net/vif1.0/statistics/$1"; }
check "... none to its TAP" [ "$(tapcount rx_packets)" = 0 ]
check "... and none from it" [ "$(tapcount tx_packets)" = 0 ]
check "the host's bridge never learned guest 1" sh -c "! bridge -n $HOSTNS fdb show br xenbr0 | grep -qi '$(mac 1)'"

# ---- the uplink: a TAP named like the switch, down until the admin brings it up ------
check "vifd made the uplink TAP sw0" link_in_host sw0
check "... down" sh -c "! ip -n $HOSTNS link show sw0 | grep -q ',UP'"
check "guests cannot reach the host while it is down" no_ping 1 10.88.0.254
ip -n "$HOSTNS" addr add 10.88.0.254/24 dev sw0
ip -n "$HOSTNS" link set sw0 up
eventually 10 "once up, the host pings guest 1 through the uplink" in_host ping -c 1 -W 1 10.88.0.1
check "guest 2 pings the host" pings 2 10.88.0.254
# The uplink's thread places a frame alone in its read in the guest's
# ring itself (no hand-over to the guest's worker), as guests' workers do.
# Guest 1's worker writes its replies, each alone in its batch, to the
# uplink's TAP itself (tx_placed), as the uplink's thread would.
p1=$(total 1 rx_placed); s1=$(total 1 rx_switched_in); t1=$(total 1 tx_placed)
w1=$(ip netns exec "$HOSTNS" cat /sys/class/net/sw0/statistics/rx_packets)
check "the host pings guest 1 five times, one at a time" in_host ping -c 5 -i 0.2 -W 1 10.88.0.1
check "... its pings placed in guest 1's ring by the uplink's thread (rx_placed +$(( $(total 1 rx_placed) - p1 )))" \
    [ $(( $(total 1 rx_placed) - p1 )) -ge 4 ]
check "... counted as switched in (+$(( $(total 1 rx_switched_in) - s1 )))" \
    [ $(( $(total 1 rx_switched_in) - s1 )) -ge 5 ]
check "... the replies written to the uplink TAP by guest 1's worker (tx_placed +$(( $(total 1 tx_placed) - t1 )))" \
    [ $(( $(total 1 tx_placed) - t1 )) -ge 4 ]
check "... which the host received ($(( $(ip netns exec "$HOSTNS" cat /sys/class/net/sw0/statistics/rx_packets) - w1 )) frames)" \
    [ $(( $(ip netns exec "$HOSTNS" cat /sys/class/net/sw0/statistics/rx_packets) - w1 )) -ge 5 ]
intact_file
send_intact "$(guest_ns 1)" "$HOSTNS" 10.88.0.254 7002 "guest 1 -> host through the uplink"
send_intact "$HOSTNS" "$(guest_ns 2)" 10.88.0.2 7003 "host -> guest 2 through the uplink"
rm -f "$M.file" "$M.sum"

# ---- TCP with offloads across the switch, and integrity -------------------------
tx0=$(total 1 tx_gso_frames); rx0=$(total 2 rx_gso_frames)
pl0=$(total 2 rx_placed); pc0=$(total 2 rx_place_calls)
iperf_measure "$(guest_ns 1)" "$(guest_ns 2)" 10.88.0.2 3
pl=$(( $(total 2 rx_placed) - pl0 )); pc=$(( $(total 2 rx_place_calls) - pc0 ))
check "TCP guest 1 -> guest 2 across the switch" [ -n "$IPERF_BPS" ]
diag "guest -> guest TCP through the switch: $(awk -v b="${IPERF_BPS:-0}" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s"
check "GSO super-frames left guest 1" [ $(( $(total 1 tx_gso_frames) - tx0 )) -gt 100 ]
check "... and reached guest 2 as GSO (no software segmentation)" \
    [ $(( $(total 2 rx_gso_frames) - rx0 )) -gt 100 ]
check "... guest to guest in one grant copy (tx_direct)" [ "$(total 1 tx_direct)" -gt 100 ]
check "... placed in guest 2's ring by guest 1's worker (rx_direct, switch_direct)" \
    sh -c "[ $(total 2 rx_direct) -gt 100 ] && [ $(st 2 switch_direct) -gt 100 ]"
# A sweep's run of super-frames to one guest shares one grant copy: fewer
# copy calls than frames placed (each frame alone in its call would make
# them equal).
check "... a run of them in one grant copy ($pl frames placed in $pc copies)" \
    sh -c "[ $pc -gt 0 ] && [ $pl -gt $pc ]"
intact_file
d0=$(total 1 tx_direct)
send_intact "$(guest_ns 1)" "$(guest_ns 2)" 10.88.0.2 7000 "guest 1 -> guest 2"
check "... most of it in one copy" [ $(( $(total 1 tx_direct) - d0 )) -gt 200 ]
rm -f "$M.file" "$M.sum"
check "no header drops at guest 1" [ "$(total 1 rx_drop_hdr)" = 0 ]
check "no header drops at guest 2" [ "$(total 2 rx_drop_hdr)" = 0 ]

# ---- a burst of short frames: placed by the sender's worker, in runs ------------------
# Guest 20 floods guest 21 (a sink, its mac pinned, so known) with 64-byte
# frames: the sender's worker puts them in guest 21's ring itself, a run
# of them to one guest in one grant copy, rather than handing each over
# to guest 21's worker through its inbox.
guest_add 20; guest_add 21
attach 20 "mac=$(mac 20),bridge=vifd:sw4,script=$VB" >/dev/null
attach 21 "mac=$(mac 21),bridge=vifd:sw4,script=$VB" >/dev/null
"$GUEST" --xen="sim:$M" --domid 21 --devid 0 --queues 1 --mode sink \
    --seconds 30 >"$M.sink21" 2>>"$M.guest21.log" &
S21=$!
eventually 15 "vif21.0 (a sink) on switch sw4 connected" be_state_is 21 0 4
pl0=$(total 21 rx_placed); pc0=$(total 21 rx_place_calls); pk0=$(total 21 rx_packets)
nt0=$(total 21 notifies)
"$GUEST" --xen="sim:$M" --domid 20 --devid 0 --queues 1 --mode gen --frame udp64 \
    --seconds 2 --dst-mac "$(mac 21)" >"$M.gen20" 2>>"$M.guest20.log"
sleep 0.3
pl=$(( $(total 21 rx_placed) - pl0 )); pc=$(( $(total 21 rx_place_calls) - pc0 ))
pk=$(( $(total 21 rx_packets) - pk0 ))
diag "64-byte burst: $(grep '^frames ' "$M.gen20" | tail -n 1); guest 21 got $pk, $pl of them placed by guest 20's worker in $pc grant copies"
check "a burst of 64-byte frames reached guest 21 ($pk)" [ "$pk" -gt 10000 ]
check "... most placed in its ring by guest 20's worker ($pl)" [ $(( pl * 2 )) -gt "$pk" ]
check "... in runs, many to a grant copy ($pl in $pc)" sh -c "[ $pc -gt 0 ] && [ $pl -ge $(( pc * 4 )) ]"
# The sink sends nothing: its notifications are its worker's, at most one
# for each frame that worker delivered, and the placements', at most one
# a copy; counted twice, they would exceed that. (A lower bound that
# shows the placements' are counted needs them apart: the worker
# notifies once a batch, not once a frame, so "more than its frames"
# failed with correct counting in a fresh-clone run: 11 652 notifies,
# 13 671 frames by the worker.)
nt=$(( $(total 21 notifies) - nt0 ))
check "... whose notifications guest 21's notifies counts at most once ($nt: $pc place copies, $(( pk - pl )) frames by its worker)" \
    sh -c "[ $nt -gt 0 ] && [ $nt -le $(( pc + pk - pl )) ]"
kill "$S21" 2>/dev/null; wait "$S21" 2>/dev/null

# ---- a guest revoking a grant in flight on the one-copy path -----------------------
# Its frame's head is good (all the switch reads to decide), its second
# slot's ref is not: the one copy into guest 2 fails half-way. That
# costs guest 2 that frame (an error in its slot), and the sender's queue
# takes two copies from then on, so it cannot cost more.
guest_add 17
attach 17 "mac=$(mac 17),bridge=vifd:sw0,script=$VB" >/dev/null
dc0=$(total 2 rx_drop_copy)
OUT=$(timeout 60 "$GUEST" --xen="sim:$M" --domid 17 --mode evil --attack bad-gref-long \
    --dst-mac "$(mac 2)" --wait 2 --seconds 0.1 2>>"$M.evil17.log")
echo "$OUT" >"$M.evil17.out"
diag_file "$M.evil17.out"
check "bad-gref-long: both slots answered OKAY (the frame left the guest)" grep -q "result: packet 1: 2 x OKAY" "$M.evil17.out"
check "... the one copy into guest 2 failed, and vifd turned it off for that queue, said" \
    vifd_log_has "vif17.0 q0: a grant copy to another guest failed; this queue's frames take two copies from now on"
check "... guest 2 lost that one frame (rx_drop_copy +1)" [ $(( $(total 2 rx_drop_copy) - dc0 )) = 1 ]
check "... counted at the sender" [ "$(total 17 tx_drop_copy)" = 1 ]
check "guest 1 still reaches guest 2" pings 1 10.88.0.2
check "vifctl detach 17 0" vifctl detach 17 0

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
check "vifctl port --isolated=no 4 0, live" vifctl port --isolated=no 4 0
eventually 10 "now guest 3 reaches guest 4" pings 3 10.88.0.4
check "vifctl port --isolated=yes 4 0, live" vifctl port --isolated=yes 4 0
eventually 10 "and no longer" no_ping 3 10.88.0.4

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

# ---- VLANs: access ports (vifd-vlan ID), the uplink a trunk ---------------------------
VLAN_ARP="python3 $VIFD_SRCDIR/tests/lib/vlan_arp.py"
for d in 14 15 16; do
	guest_add "$d"
	attach "$d" "mac=$(mac "$d"),bridge=vifd:sw0,script=$VB" >/dev/null
done
check "vifctl port --vlan=10 14 0" vifctl port --vlan=10 14 0
check "vifctl port --vlan=10 15 0" vifctl port --vlan=10 15 0
check "vifctl port --vlan=20 16 0" vifctl port --vlan=20 16 0
for d in 14 15 16; do
	guest_tap "$d" 0 "10.91.0.$d" --queues 1
	eventually 15 "vif$d.0 connected" be_state_is "$d" 0 4
done
check "vifd says vif14.0 is in VLAN 10" vifd_log_has "vif14.0: in VLAN 10 on switch sw0"
eventually 10 "guest 14 (VLAN 10) pings guest 15 (VLAN 10)" pings 14 10.91.0.15
check "guest 14 does not reach guest 16 (VLAN 20)" no_ping 14 10.91.0.16
ip -n "$(guest_ns 1)" addr add 10.91.0.1/24 dev eth0
check "... nor untagged guest 1" no_ping 14 10.91.0.1
check "vifctl port --vlan=20 15 0, live" vifctl port --vlan=20 15 0
eventually 10 "now guest 15 reaches guest 16 (VLAN 20)" pings 15 10.91.0.16
check "... and no longer guest 14" no_ping 15 10.91.0.14
# The uplink is the trunk: the host's tagged ARP reaches VLAN 10's guest,
# whose reply comes back tagged 10; the same question in VLAN 20 finds
# no one.
ip -n "$HOSTNS" addr add 10.91.0.254/24 dev sw0
out=$(ip netns exec "$HOSTNS" $VLAN_ARP ask sw0 10 10.91.0.254 10.91.0.14 3)
check "the host asks for guest 14 in VLAN 10 on the uplink: the reply comes tagged 10" \
    [ "${out%% mac=*}" = "reply vlan=10" ]
check "... from guest 14" [ "${out##* mac=}" = "$(mac 14)" ]
check "asked in VLAN 20, guest 14 does not answer" sh -c "! ip netns exec $HOSTNS $VLAN_ARP ask sw0 20 10.91.0.254 10.91.0.14 1 >/dev/null"
out=$(ip netns exec "$HOSTNS" $VLAN_ARP ask sw0 20 10.91.0.254 10.91.0.16 3)
check "... guest 16 does, tagged 20" [ "${out%% mac=*}" = "reply vlan=20" ]
# A guest of an access port may not tag its own frames (a way onto
# another VLAN of the trunk).
d0=$(st 14 switch_drop_vlan)
ip netns exec "$(guest_ns 14)" $VLAN_ARP ask eth0 20 10.91.0.14 10.91.0.16 1 >/dev/null
check "guest 14's own tagged frames are refused, counted" [ "$(st 14 switch_drop_vlan)" -gt "$d0" ]
check "vifctl port --vlan=trunk:10,20 14 0 is written" vifctl port --vlan=trunk:10,20 14 0
eventually 10 "... and not applied to a switch port, said" vifd_log_has "vif14.0: vifd-vlan \"trunk:10,20\": a vifd switch's port is an access port"
out=$(ip netns exec "$HOSTNS" $VLAN_ARP ask sw0 10 10.91.0.254 10.91.0.14 3)
check "... guest 14 stays in VLAN 10 (answers the host's ARP tagged 10)" [ "${out%% mac=*}" = "reply vlan=10" ]
check "vifctl port --vlan=none 16 0" vifctl port --vlan=none 16 0
eventually 10 "guest 16, in no VLAN now, reaches untagged guest 1" pings 16 10.91.0.1
for d in 14 15 16; do check "vifctl detach $d 0" vifctl detach "$d" 0; done
ip -n "$(guest_ns 1)" addr del 10.91.0.1/24 dev eth0

# ---- a guest without GSO: super-frames segmented for it in software ------------------
# Behind a Linux bridge the kernel segments a TSO frame for a port that
# cannot take it; a vifd switch must not just lose it.
guest_add 12; guest_add 13
attach 12 "mac=$(mac 12),bridge=vifd:sw2,script=$VB" >/dev/null
vifctl attach --features-off=gso-tcpv4,gso-tcpv6 13 "mac=$(mac 13),bridge=vifd:sw2,script=$VB" >/dev/null
guest_tap 12 0 10.90.0.12 --queues 1
guest_tap 13 0 10.90.0.13 --queues 1
G13=$GUEST_PID
eventually 15 "vif12.0 on switch sw2 connected" be_state_is 12 0 4
eventually 15 "vif13.0 (GSO masked) on switch sw2 connected" be_state_is 13 0 4
eventually 10 "guest 12 pings guest 13" pings 12 10.90.0.13
tx0=$(total 12 tx_gso_frames)
intact_file
send_intact "$(guest_ns 12)" "$(guest_ns 13)" 10.90.0.13 7004 "guest 12 (TSO) -> guest 13 (no GSO)"
rm -f "$M.file" "$M.sum"
check "guest 12 sent GSO super-frames" [ $(( $(total 12 tx_gso_frames) - tx0 )) -gt 100 ]
check "... cut for guest 13's port in software, counted" [ "$(st 13 switch_segmented)" -gt 100 ]
check "... none refused as uncuttable" [ "$(st 13 switch_drop_gso)" = 0 ]
check "guest 13 got no GSO frame" [ "$(total 13 rx_gso_frames)" = 0 ]
check "... and dropped none for its header" [ "$(total 13 rx_drop_hdr)" = 0 ]
check "guest 12's port needed no cutting (it takes GSO)" [ "$(st 12 switch_segmented)" = 0 ]
iperf_measure "$(guest_ns 12)" "$(guest_ns 13)" 10.90.0.13 3
check "TCP guest 12 -> guest 13 (segmented)" [ -n "$IPERF_BPS" ]
diag "TCP to a guest without GSO through the switch: $(awk -v b="${IPERF_BPS:-0}" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s"
# A reboot of guest 13: its port's counters outlive the connection.
seg=$(st 13 switch_segmented)
kill -HUP "$G13"
eventually 10 "guest 13's netfront closes (a reboot)" vifd_log_has "vif13.0: disconnected"
check "... its port's counters are still there between connections" [ "$(st 13 switch_segmented)" -ge "$seg" ]
eventually 15 "guest 13 reconnected" be_state_is 13 0 4
eventually 10 "... and on sw2 again" pings 12 10.90.0.13
check "... its port's counters went on from where they were" [ "$(st 13 switch_segmented)" -ge "$seg" ]
check "vifctl detach 13 0" vifctl detach 13 0
check "vifctl detach 12 0" vifctl detach 12 0

# ---- a guest that takes nothing stalls nothing else ---------------------------------
check "guest 2's netfront stops taking anything (SIGSTOP)" kill -STOP "$G2_PID"
in_guest 1 ping -f -b -c 3000 -s 1400 10.88.0.255 >/dev/null 2>&1 &
flood=$!
eventually 10 "while guest 1 floods, what guest 2 had no room for is dropped at its port, counted" \
    sh -c "[ \$($VIFCTL --xen=sim:$M stats 2 0 | awk '\$2 == \"switch_drop_full\" { print \$3 }') -gt 0 ]"
check "... guest 1 still reaches guest 3 meanwhile" pings 1 10.88.0.3
check "... the flood was still going on" kill -0 "$flood"
wait "$flood"
check "guest 2's netfront goes on (SIGCONT)" kill -CONT "$G2_PID"
eventually 15 "guest 2 reachable again once it takes frames" pings 1 10.88.0.2

# ---- a mac two ports have (a migration on one host): the newer takes the pin ------------
guest_add 11
attach 11 "mac=$(mac 2),bridge=vifd:sw0,script=$VB" >/dev/null
guest_start 11 0 --mode sink --seconds 600 --queues 1
eventually 15 "a second vif with guest 2's mac connects" be_state_is 11 0 4
check "... taking the pin, said" vifd_log_has "vif11.0 takes the pinned mac $(mac 2) from vif2.0"
check "... so guest 2, the older, is cut off: its frames from the mac refused" no_ping 2 10.88.0.1
check "vifctl detach 11 0" vifctl detach 11 0
eventually 10 "once the newer is gone, guest 2 (unpinned) reaches guest 1 again" pings 2 10.88.0.1

# ---- a port leaves; the last one takes its switch -----------------------------------
check "vifctl detach 5 0" vifctl detach 5 0
eventually 15 "vifd says switch sw1 lost its last port" vifd_log_has "switch sw1: its last port left"
check "... its uplink TAP stays (the admin's settings on it too)" link_in_host sw1
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
check "... and --json its kind" sh -c "$VIFCTL --xen=sim:$M stats --json 7 0 |
    python3 -c 'import json, sys; assert json.load(sys.stdin)[\"vifs\"][0][\"switch\"][\"kind\"] == \"peer_link\"'"
eventually 10 "guest 7 pings guest 8 over the peer link" pings 7 10.89.0.8
check "... and it reaches no switch: guest 7 cannot ping guest 1" no_ping 7 10.88.0.1
# No learning and nothing pinned: any source address crosses.
ip -n "$(guest_ns 7)" link set eth0 address 02:00:00:00:77:77
check "a new mac on guest 7 still reaches guest 8" pings 7 10.89.0.8
check "... as a unicast to the other end" [ "$(st 7 switch_unicast)" -gt 0 ]
intact_file
send_intact "$(guest_ns 8)" "$(guest_ns 7)" 10.89.0.7 7001 "guest 8 (2 queues) -> guest 7 over the peer link"
check "... in one copy (guest 7's rx_direct)" [ "$(total 7 rx_direct)" -gt 100 ]
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
