#!/bin/bash
# switch-xdp.sh - a vifd switch's AF_XDP uplink (--switch-uplink, issue
# 20), through the real vifd, its privileged part, vifctl, vif-guest and
# vif-bridge on the simulated Xen: one end of a veth pair in the host's
# namespace is the uplink NIC (generic or driver XDP, copy mode), the
# other end is a far host in a namespace of its own. vifd attaches its
# XDP program and binds the socket; guests on the switch and the far host
# reach each other through it both ways (ARP, ping, TCP with the guests'
# TSO super-frames cut and checksummed for the wire, 32 MiB intact each
# way); the switch's TAP uplink stays down and carries nothing; a wire
# down for a while under traffic, then up, carries again; a NIC deleted
# under its uplink ends it, and one made again under that name gets a
# new uplink, as does a NIC that was missing when its switch was made; the
# frames are counted; once the switch's last port leaves, the socket
# closes and the XDP program leaves the NIC. A switch whose uplink NIC
# does not exist carries on without it and says so; bad --switch-uplink
# values are refused with a line naming the bad part.
. "$(dirname "$0")/../lib/rig.sh"
need_root

# ---- bad values: refused before anything starts -----------------------------------
bad() {	# bad VALUE PATTERN: vifd exits 2 saying PATTERN
	local out rc
	out=$("$VIFD" --xen=sim:/nonexistent --switch-uplink="$1" -f 2>&1); rc=$?
	check "--switch-uplink='$1' refused: $2" sh -c "[ $rc = 2 ] && printf '%s' \"\$0\" | grep -q -- \"\$1\"" "$out" "$2"
}
bad "sw0" "no '='"
bad "=eth0" "no switch name"
bad "0sw=eth0" "first character is not a letter"
bad "sw0=" "no interface name"
bad "sw0=eth/0" "character 4 of the interface name"
bad "sw0=eth0@64" "the queue after '@' is not a number from 0 to 63"
bad "sw0=eth0@x" "the queue after '@'"
bad "sw0=.." "'..' is not an interface name"
out=$("$VIFD" --xen=sim:/nonexistent --switch-uplink=sw0=a --switch-uplink=sw0=b -f 2>&1); rc=$?
check "one switch, two uplinks: refused" sh -c "[ $rc = 2 ] && printf '%s' \"\$0\" | grep -q 'switch sw0 is given two AF_XDP uplinks'" "$out"

machine_up
FAR="vr$T_ID-far"
ip netns add "$FAR"
NSS+=("$FAR")
ip -n "$FAR" link set lo up
ip -n "$HOSTNS" link add xu0 type veth peer name xu1 netns "$FAR"
ip -n "$HOSTNS" link set xu0 up
ip -n "$FAR" addr add 10.89.0.200/24 dev xu1
ip -n "$FAR" link set xu1 up
# A wire carries finished checksums; a veth peer in this kernel hands its
# frames on with the checksum left to "the hardware" (CHECKSUM_PARTIAL),
# which an AF_XDP socket cannot be told. The far host computes them, as a
# host across a real wire does.
ip netns exec "$FAR" ethtool -K xu1 tx off >/dev/null
# swz's uplink: a NIC that goes away under it (below). The far host's
# end keeps its address when made again, as a far host's NIC would when
# ours is unplugged (a new one would leave the guest's ARP entry stale).
XG1MAC=02:00:00:5b:00:c8
ip -n "$HOSTNS" link add xg0 type veth peer name xg1 address "$XG1MAC" netns "$FAR"
ip -n "$HOSTNS" link set xg0 up
ip -n "$FAR" addr add 10.91.0.200/24 dev xg1
ip -n "$FAR" link set xg1 up
ip netns exec "$FAR" ethtool -K xg1 tx off >/dev/null
vifd_start --switch-uplink=swx=xu0 --switch-uplink=swy=nosuch0@1 \
    --switch-uplink=swz=xg0
VB=$HOTPLUG/vif-bridge

mac() { printf '00:16:3e:00:21:%02x' "$1"; }
port_up() {	# port_up DOMID SWITCH ADDR
	guest_add "$1"
	attach "$1" "mac=$(mac "$1"),bridge=vifd:$2,script=$VB" >/dev/null
	guest_tap "$1" 0 "$3" --queues 1
	eventually 15 "vif$1.0 on switch $2 connected" be_state_is "$1" 0 4
}
total() {	# total DOMID COUNTER -> the vif's total
	vifctl stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
xdp_on() { ip -n "$HOSTNS" -d link show xu0 | grep -q 'prog/xdp'; }
far() { ip netns exec "$FAR" "$@"; }

port_up 1 swx 10.89.0.1
port_up 2 swx 10.89.0.2
check "vifd bound its AF_XDP socket on xu0 queue 0" vifd_log_has "switch swx uplink xu0@0: AF_XDP socket bound"
diag "$(grep -o 'switch swx uplink xu0@0: AF_XDP socket bound.*' "$M.vifd.log" | head -n 1)"
check "its XDP program is on xu0" xdp_on
check "the switch's TAP uplink swx is there, down" sh -c "ip -n $HOSTNS link show swx | grep -vq ',UP'"
eventually 10 "guest 1 pings the far host through the AF_XDP uplink" in_guest 1 ping -c 1 -W 1 10.89.0.200
p2=$(total 2 rx_placed); t2=$(total 2 tx_placed)
check "the far host pings guest 2, one at a time" far ping -c 5 -i 0.2 -W 1 10.89.0.2
# A frame alone in the socket's wakeup goes into the guest's ring by the
# uplink thread's hand, as on the TAP uplink (switch.sh).
check "... placed in guest 2's ring by the uplink's thread (rx_placed +$(( $(total 2 rx_placed) - p2 )))" \
    [ $(( $(total 2 rx_placed) - p2 )) -ge 4 ]
# ... and its reply, alone in guest 2's batch, goes onto the socket's TX
# ring by guest 2's worker's hand.
check "... the replies put on the socket's TX ring by guest 2's worker (tx_placed +$(( $(total 2 tx_placed) - t2 )))" \
    [ $(( $(total 2 tx_placed) - t2 )) -ge 4 ]
check "guest 1 pings guest 2 (the switch itself)" in_guest 1 ping -c 1 -W 1 10.89.0.2
check "the far host learned guest 1's mac from the wire" sh -c "ip -n $FAR neigh show 10.89.0.1 | grep -qi '$(mac 1)'"

# TCP: the guests send TSO super-frames, which the uplink cuts and
# checksums for the wire; the far host's frames come in plain.
intact_file
tx0=$(total 1 tx_gso_frames)
send_intact "$(guest_ns 1)" "$FAR" 10.89.0.200 7100 "guest 1 -> far host through the AF_XDP uplink"
check "... as GSO super-frames from guest 1 (cut by the uplink)" [ $(( $(total 1 tx_gso_frames) - tx0 )) -gt 50 ]
send_intact "$FAR" "$(guest_ns 2)" 10.89.0.2 7101 "far host -> guest 2 through the AF_XDP uplink"
rm -f "$M.file" "$M.sum"
iperf_measure "$(guest_ns 1)" "$FAR" 10.89.0.200 2
check "TCP guest 1 -> far host" [ -n "$IPERF_BPS" ]
diag "guest -> wire TCP through the AF_XDP uplink: $(awk -v b="${IPERF_BPS:-0}" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s"
iperf_measure "$FAR" "$(guest_ns 2)" 10.89.0.2 2
check "TCP far host -> guest 2" [ -n "$IPERF_BPS" ]
diag "wire -> guest TCP through the AF_XDP uplink: $(awk -v b="${IPERF_BPS:-0}" 'BEGIN { printf "%.2f", b / 1e9 }') Gbit/s"
check "the TAP uplink carried nothing" [ "$(ip netns exec "$HOSTNS" cat /sys/class/net/swx/statistics/tx_packets)" = 0 ]

# The uplink's counters, as vifctl shows them on each port of swx: text,
# JSON and the Prometheus format (there once for the switch).
xsk() {	# xsk DOMID COUNTER -> the uplink's counter, as vif DOMID.0 says it
	vifctl stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="switch_xsk_$2" '$1 == k && $2 == c { print $3 }'
}
for d in 1 2; do
	check "vifctl stats $d 0: its switch's AF_XDP uplink is xu0@0" \
	    sh -c "$VIFCTL --xen=sim:$M stats $d 0 | grep -qx 'vif$d.0 switch_uplink_xsk xu0@0'"
done
rx=$(xsk 1 rx_frames); tx=$(xsk 1 tx_frames)
check "... which took frames off the wire ($rx) and put frames on it ($tx)" \
    [ "${rx:-0}" -gt 100 ] && [ "${tx:-0}" -gt 100 ]
check "... and lost none ($(xsk 1 tx_nobuf) for want of a frame, $(xsk 1 tx_unfit) unfit)" \
    [ "$(xsk 1 tx_nobuf)" = 0 ] && [ "$(xsk 1 tx_unfit)" = 0 ]
check "vifctl stats --json: the uplink and its counters under the switch" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.run(sys.argv[1:], capture_output=True, check=True).stdout)
u = [v["switch"]["uplink_xsk"] for v in d["vifs"]]
assert len(u) == 2 and all(x["name"] == "xu0@0" for x in u), u
assert all(x["counters"]["rx_frames"] > 0 for x in u), u
' "$VIFCTL" --xen="sim:$M" stats --json
vifctl stats --prometheus >"$M.prom"
n=$(grep -c '^vifd_switch_xsk_rx_frames_total{switch="swx",uplink="xu0@0"} [1-9]' "$M.prom")
check "vifctl stats --prometheus: the uplink's counters once for swx ($n)" [ "$n" = 1 ]
check "... which promtool check metrics passes" sh -c "promtool check metrics <$M.prom >/dev/null 2>&1"

# The wire goes down under a guest's traffic and comes back: what the
# uplink could not send meanwhile waits or is lost, and sending resumes.
ip -n "$FAR" link set xu1 down
in_guest 1 ping -c 20 -i 0.05 -W 1 10.89.0.200 >/dev/null 2>&1
ip -n "$FAR" link set xu1 up
eventually 10 "after the wire was down a while, guest 1 reaches the far host again" in_guest 1 ping -c 1 -W 1 10.89.0.200

# ---- a switch whose uplink NIC does not exist -------------------------------------
port_up 3 swy 10.90.0.3
check "switch swy: no AF_XDP uplink on nosuch0, said" vifd_log_has "switch swy: no AF_XDP uplink on nosuch0: No such device"
check "... the privileged part saying why" vifd_log_has "privileged part: no interface nosuch0"
check "... and swy serves its port" be_state_is 3 0 4
# The NIC appears later (two queues: the uplink is on queue 1): within a
# second or two swy has its uplink on it.
ip -n "$HOSTNS" link add nosuch0 numtxqueues 2 numrxqueues 2 type veth \
    peer name nosuch1 numtxqueues 2 numrxqueues 2 netns "$FAR"
ip -n "$HOSTNS" link set nosuch0 up
eventually 10 "swy: once nosuch0 appeared, an AF_XDP uplink on its queue 1" vifd_log_has "switch swy uplink nosuch0@1: AF_XDP socket bound"
check "... said" vifd_log_has "switch swy: NIC nosuch0 (interface index [1-9][0-9]*): a new AF_XDP uplink on it"
check "vifctl detach 3 0" vifctl detach 3 0
eventually 10 "... the XDP program left nosuch0 with swy's last port" sh -c "! ip -n $HOSTNS -d link show nosuch0 | grep -q 'prog/xdp'"

# ---- a NIC that goes away under its uplink ----------------------------------------
# ip link del (or a driver unloaded) unbinds the socket for good: the
# uplink says so once and counts what the switch still sends it, without
# trying the dead socket again and again; the switch goes on.
port_up 5 swz 10.91.0.5
eventually 10 "guest 5 pings the far host through swz's AF_XDP uplink on xg0" in_guest 5 ping -c 1 -W 1 10.91.0.200
ip -n "$HOSTNS" link del xg0
in_guest 5 ping -c 10 -i 0.1 -W 1 10.91.0.200 >/dev/null 2>&1
eventually 10 "swz's uplink: its NIC went away, said" vifd_log_has "switch swz uplink xg0@0: its NIC went away"
in_guest 5 ping -c 5 -i 0.1 -W 1 10.91.0.200 >/dev/null 2>&1
g=$(vifctl stats 5 0 | awk '$2 == "switch_xsk_tx_gone" { print $3 }')
check "... what the switch sent it since is counted as tx_gone ($g)" [ "${g:-0}" -gt 0 ]
check "... said once" [ "$(grep -c 'switch swz uplink xg0@0: its NIC went away' "$M.vifd.log")" = 1 ]
check "... and no send error said for the dead socket" sh -c "! grep -q 'switch swz uplink xg0@0: sendto' $M.vifd.log"
check "vif5.0 still connected" be_state_is 5 0 4
# The NIC comes back (a new interface of that name): within vifd's
# once-a-second look, the dead uplink stops, and at the next look a new
# one is bound on it.
ip -n "$HOSTNS" link add xg0 type veth peer name xg1 address "$XG1MAC" netns "$FAR"
ip -n "$HOSTNS" link set xg0 up
ip -n "$FAR" addr add 10.91.0.200/24 dev xg1
ip -n "$FAR" link set xg1 up
ip netns exec "$FAR" ethtool -K xg1 tx off >/dev/null
eventually 10 "swz's old uplink stopped once xg0 was back, with what it lost after its NIC went" vifd_log_has "switch swz uplink xg0@0: stopped: .* [1-9][0-9]* after its NIC went away"
check "... vifd said xg0 is a new NIC" vifd_log_has "switch swz: xg0 is a new NIC or came back (interface index [0-9]*, was [1-9]"
eventually 5 "... and a new uplink follows" vifd_log_has "switch swz: NIC xg0 (interface index [1-9][0-9]*): a new AF_XDP uplink on it"
eventually 10 "... and bound a new AF_XDP socket on it" sh -c "[ \$(grep -c 'switch swz uplink xg0@0: AF_XDP socket bound' $M.vifd.log) = 2 ]"
check "vifd's XDP program is on the new xg0" sh -c "ip -n $HOSTNS -d link show xg0 | grep -q 'prog/xdp'"
eventually 10 "guest 5 pings the far host through the new uplink" in_guest 5 ping -c 1 -W 1 10.91.0.200
check "the far host pings guest 5" far ping -c 3 -i 0.2 -W 1 10.91.0.5
check "vifctl stats: the new uplink's tx_gone starts again at 0" [ "$(vifctl stats 5 0 | awk '$2 == "switch_xsk_tx_gone" { print $3 }')" = 0 ]
# xg0 moved to another namespace and back keeps its interface index, but
# the move unbound the socket: that counts as a new NIC too.
MV="vr$T_ID-mv"
ip netns add "$MV"
NSS+=("$MV")
idx0=$(ip netns exec "$HOSTNS" cat /sys/class/net/xg0/ifindex)
ip -n "$HOSTNS" link set xg0 netns "$MV"
in_guest 5 ping -c 5 -i 0.1 -W 1 10.91.0.200 >/dev/null 2>&1
eventually 10 "xg0 moved away: the uplink says its NIC went away" sh -c "[ \$(grep -c 'switch swz uplink xg0@0: its NIC went away' $M.vifd.log) = 2 ]"
ip -n "$MV" link set xg0 netns "$HOSTNS"
ip -n "$HOSTNS" link set xg0 up
check "... and back, under the same index ($idx0)" [ "$(ip netns exec "$HOSTNS" cat /sys/class/net/xg0/ifindex)" = "$idx0" ]
eventually 10 "... vifd says it came back" vifd_log_has "switch swz: xg0 is a new NIC or came back (interface index $idx0, was $idx0)"
eventually 10 "... and binds a third socket on it" sh -c "[ \$(grep -c 'switch swz uplink xg0@0: AF_XDP socket bound' $M.vifd.log) = 3 ]"
eventually 10 "guest 5 pings the far host through it" in_guest 5 ping -c 1 -W 1 10.91.0.200
check "vifctl detach 5 0" vifctl detach 5 0
eventually 10 "the XDP program left the new xg0 with swz's last port" sh -c "! ip -n $HOSTNS -d link show xg0 | grep -q 'prog/xdp'"

# ---- the end: the socket closes, the program leaves the NIC ------------------------
check "vifctl detach 1 0" vifctl detach 1 0
check "xu0 keeps vifd's program while guest 2 is on swx" xdp_on
check "vifctl detach 2 0" vifctl detach 2 0
eventually 10 "the uplink stopped, with its counters" vifd_log_has "switch swx uplink xu0@0: stopped: [1-9][0-9]* frames in, [1-9][0-9]* out"
diag "$(grep -o 'switch swx uplink xu0@0: stopped.*' "$M.vifd.log" | head -n 1)"
check "... nothing lost for want of a UMEM frame or unfit" vifd_log_has "out, 0 lost for want of a frame, 0 that could not go out"
eventually 10 "the XDP program left xu0" sh -c "! ip -n $HOSTNS -d link show xu0 | grep -q 'prog/xdp'"
check "the far host's link still works (no XDP in the way)" far ip link show xu1
check "vifd is alive" kill -0 "$VIFD_PID"
done_testing
