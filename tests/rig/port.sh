#!/bin/bash
# port.sh - a vif's link state and bridge port isolation (libvirt's
# <link state> and <port isolated>), through the real vifd, vifctl and
# vif-guest on the simulated Xen with Linux bridge ports: set live, set
# before the guest connects, kept across a vifd restart, and refused or
# ignored when malformed.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge

counter() {	# counter DOMID COUNTER -> the vif's total
	"$VIFCTL" --xen="sim:$M" stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
isolated_flag() {	# isolated_flag IFNAME -> on / off
	ip -n "$HOSTNS" -d link show "$1" | grep -o 'isolated [a-z]*' | awk '{ print $2 }'
}
no_carrier() { ip -n "$HOSTNS" link show "$1" | grep -q NO-CARRIER; }
carrier() { ! no_carrier "$1"; }
pings() { in_guest "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
no_ping() { ! in_guest "$1" ping -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }

for d in 1 2; do
	guest_add $d
	attach $d "mac=00:16:3e:00:08:0$d,bridge=xenbr0,script=$VB" >/dev/null
	guest_tap $d 0 10.77.0.$((d + 1)) --queues 1
done
eventually 15 "vif1.0 connected" be_state_is 1 0 4
eventually 15 "vif2.0 connected" be_state_is 2 0 4
eventually 10 "guest 1 pings guest 2" pings 1 10.77.0.3
check "no isolation asked: the port is left as it was" [ "$(isolated_flag vif1.0)" = off ]

# ---- isolation --------------------------------------------------------------
check "vifctl port --isolated=yes 1 0" vifctl port --isolated=yes 1 0
check "vifctl port --isolated=on 2 0" vifctl port --isolated=on 2 0
eventually 5 "vif1.0's bridge port is isolated" sh -c "ip -n $HOSTNS -d link show vif1.0 | grep -q 'isolated on'"
eventually 5 "vif2.0's bridge port is isolated" sh -c "ip -n $HOSTNS -d link show vif2.0 | grep -q 'isolated on'"
check "two isolated guests cannot reach each other" no_ping 1 10.77.0.3
check "guest 1 still reaches the host" pings 1 10.77.0.1
check "guest 2 still reaches the host" pings 2 10.77.0.1
check "stats --json says isolated" sh -c "$VIFCTL --xen=sim:$M stats --json 1 0 |
    python3 -c 'import json, sys; assert json.load(sys.stdin)[\"vifs\"][0][\"isolated\"] is True'"
check "vifctl port --isolated=no 2 0" vifctl port --isolated=no 2 0
eventually 5 "vif2.0's port is not isolated any more" sh -c "ip -n $HOSTNS -d link show vif2.0 | grep -q 'isolated off'"
eventually 5 "an isolated guest reaches one that is not" pings 1 10.77.0.3

# ---- link state -------------------------------------------------------------
drops0=$(counter 1 tx_drop_link)
check "vifctl port --link=down 1 0" vifctl port --link=down 1 0
eventually 5 "vif1.0's carrier is off" no_carrier vif1.0
check "the host cannot reach guest 1" sh -c "! ip netns exec $HOSTNS ping -c 2 -i 0.3 -W 1 10.77.0.2 >/dev/null 2>&1"
check "guest 1 cannot reach guest 2" no_ping 1 10.77.0.3
check "what guest 1 sent was dropped and counted" \
    [ "$(counter 1 tx_drop_link)" -gt "${drops0:-0}" ]
check "guest 2 is not affected" pings 2 10.77.0.1
check "stats says link down" sh -c "$VIFCTL --xen=sim:$M stats 1 0 | grep -qx 'vif1.0 link down'"
check "vifctl port --link=up 1 0" vifctl port --link=up 1 0
eventually 5 "vif1.0's carrier is back" carrier vif1.0
eventually 10 "guest 1 reaches the host again" pings 1 10.77.0.1

# ---- set before the guest connects ------------------------------------------
guest_add 3
BE3=$(be_path 3 0)
attach 3 "mac=00:16:3e:00:08:03,bridge=xenbr0,script=$VB" >/dev/null
check "vifctl port before the guest connects" vifctl port --link=down --isolated=yes 3 0
guest_tap 3 0 10.77.0.4 --queues 1
eventually 15 "vif3.0 connected" be_state_is 3 0 4
eventually 5 "vif3.0 isolated once its script put it on the bridge" \
    sh -c "ip -n $HOSTNS -d link show vif3.0 | grep -q 'isolated on'"
check "vif3.0 connected with its carrier off" no_carrier vif3.0
check "guest 3 cannot reach the host" no_ping 3 10.77.0.1

# ---- a vifd restart keeps both ----------------------------------------------
vifd_stop
vifd_start
eventually 15 "vif3.0 connected again after the restart" sh -c \
    "$VIFCTL --xen=sim:$M stats 3 0 | grep -qx 'vif3.0 state Connected'"
check "after the restart vif3.0's link is still down" no_carrier vif3.0
check "... and guest 3 still cannot reach the host" no_ping 3 10.77.0.1
check "... and its port still isolated" [ "$(isolated_flag vif3.0)" = on ]
check "vifctl port --link=up 3 0" vifctl port --link=up 3 0
eventually 10 "guest 3 reaches the host" pings 3 10.77.0.1
check "isolated guest 3 cannot reach isolated guest 1" no_ping 3 10.77.0.2

# ---- VLANs ------------------------------------------------------------------
# This kernel's bridges have no VLAN filtering (the lab's dom0 has it and
# checks the VLANs themselves): the setting is kept and shown, and vifd
# says why it is not applied.
check "vifctl port --vlan=10 1 0" vifctl port --vlan=10 1 0
eventually 5 "stats shows the VLAN" sh -c "$VIFCTL --xen=sim:$M stats 1 0 | grep -qx 'vif1.0 vlan 10'"
eventually 5 "vifd says why it is not applied here" \
    vifd_log_has "vif1.0 is not on a Linux bridge (or the kernel has no VLAN filtering) nor on Open vSwitch; vifd-vlan not applied"
check "... and the vif still works" pings 1 10.77.0.1
check "--vlan=trunk:10,20=native-untagged" vifctl port --vlan=trunk:10,20=native-untagged 1 0
eventually 5 "stats --json shows the trunk" sh -c "$VIFCTL --xen=sim:$M stats --json 1 0 |
    python3 -c 'import json, sys; assert json.load(sys.stdin)[\"vifs\"][0][\"vlan\"] == \"trunk:10,20=native-untagged\"'"
vifctl port --vlan=trunk:10,10 1 0 2>"$M.err"; rc=$?
check "--vlan=trunk:10,10 is a usage error" [ $rc = 2 ]
check "... naming the VLAN given twice" grep -q "VLAN 10 twice" "$M.err"
vifctl port --vlan=4095 1 0 2>"$M.err"; rc=$?
check "--vlan=4095 is a usage error" [ $rc = 2 ]
check "... naming it" grep -q "VLAN '4095' is not in 1..4094" "$M.err"
xsw "$(be_path 1 0)/vifd-vlan" "trunk:"
eventually 5 "a hand-written bad vifd-vlan is logged" vifd_log_has 'ignoring vifd-vlan "trunk:": an empty VLAN id'
check "... and the VLANs in force stay" sh -c "$VIFCTL --xen=sim:$M stats 1 0 | grep -qx 'vif1.0 vlan trunk:10,20=native-untagged'"
check "--vlan=none" vifctl port --vlan=none 1 0
check "... removes the key" sh -c "! $XENSIM exec $M -- xenstore-exists $(be_path 1 0)/vifd-vlan"
eventually 5 "... and stats shows none" sh -c "$VIFCTL --xen=sim:$M stats 1 0 | grep -qx 'vif1.0 vlan -'"

# ---- bad values ---------------------------------------------------------------
vifctl port --link=sideways 1 0 2>"$M.err"; rc=$?
check "--link=sideways is a usage error" [ $rc = 2 ]
check "... naming it" grep -q "sideways" "$M.err"
vifctl port --isolated=maybe 1 0 2>"$M.err"; rc=$?
check "--isolated=maybe is a usage error" [ $rc = 2 ]
vifctl port --link=down --isolated=perhaps 1 0 2>/dev/null
check "nothing half-applied: vif1.0's link is up" carrier vif1.0
vifctl port --link=down 9 0 2>"$M.err"; rc=$?
check "no such vif exits 1" [ $rc = 1 ]
check "... saying so" grep -q "no vif 9/0" "$M.err"
vifctl port 1 0 2>/dev/null; rc=$?
check "nothing to do is a usage error" [ $rc = 2 ]
xsw "$(be_path 1 0)/vifd-link" sideways
eventually 5 "a hand-written bad vifd-link is logged" vifd_log_has 'ignoring vifd-link "sideways"'
check "... and changes nothing" pings 1 10.77.0.1
xsw "$(be_path 1 0)/vifd-isolated" 2
eventually 5 "a hand-written bad vifd-isolated is logged" vifd_log_has 'ignoring vifd-isolated "2"'
check "... and changes nothing" [ "$(isolated_flag vif1.0)" = on ]

done_testing
