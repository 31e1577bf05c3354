#!/bin/bash
# libvirt-hook.sh - `vifctl libvirt-hook` as libvirtd runs it when a
# domain has started, with a recorded domain XML (tests/golden/libvirt/
# two-vifs.xml: bandwidth, VLAN, isolation, link state and offloads on
# its first vif, a trunk on its second, a passed-through NIC between
# them), through the real vifctl, vifd and xenstored on the simulated
# Xen: the keys are written and vifd applies them. Then a domain whose
# XML names a vif that does not exist: the hook fails (libvirt would
# destroy the domain) and says which.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge
XML=$VIFD_SRCDIR/tests/golden/libvirt/two-vifs.xml

guest_add 1
for n in 0 1 2; do
	attach 1 "mac=00:16:3e:00:07:0$n,bridge=xenbr0,script=$VB" >/dev/null
done
guest_tap 1 0 10.77.0.2 --queues 1
eventually 15 "vif1.0 connected" be_state_is 1 0 4
eventually 10 "guest pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1

BE0=$(be_path 1 0) BE1=$(be_path 1 1) BE2=$(be_path 1 2)
vifctl libvirt-hook web prepare begin - <"$XML" >"$M.out" 2>&1
check "prepare: let through" [ $? = 0 ]
check "... writing nothing" sh -c "! $XENSIM exec $M -- xenstore-exists $BE0/vifd-link"
vifctl libvirt-hook web started begin - <"$XML" >"$M.out" 2>"$M.err"; rc=$?
check "started: the hook succeeds" [ $rc = 0 ]
diag_file "$M.err"
check "vif 0: outbound shape, 500 KiB/s" [ "$(xsr "$BE0/vifd-outbound-shape")" = 512000,, ]
check "vif 0: inbound shape, 1000/2000 KiB/s and 512 KiB" \
    [ "$(xsr "$BE0/vifd-inbound-shape")" = 1024000,2048000,524288 ]
check "vif 0: link down" [ "$(xsr "$BE0/vifd-link")" = down ]
check "vif 0: isolated" [ "$(xsr "$BE0/vifd-isolated")" = 1 ]
check "vif 0: VLAN 10" [ "$(xsr "$BE0/vifd-vlan")" = 10 ]
check "vif 0: tso4 and tso6 off" [ "$(xsr "$BE0/vifd-features-off")" = gso-tcpv4,gso-tcpv6 ]
check "vif 1 (after the hostdev NIC): the trunk" \
    [ "$(xsr "$BE1/vifd-vlan")" = trunk:10,20=native-untagged ]
check "vif 1: link up" [ "$(xsr "$BE1/vifd-link")" = up ]
check "vif 1: no shape" sh -c "! $XENSIM exec $M -- xenstore-exists $BE1/vifd-inbound-shape"
check "vif 2: nothing written" sh -c "! $XENSIM exec $M -- xenstore-exists $BE2/vifd-link &&
    ! $XENSIM exec $M -- xenstore-exists $BE2/vifd-vlan"
eventually 5 "vifd took vif 0's link down: carrier off" sh -c "ip -n $HOSTNS link show vif1.0 | grep -q NO-CARRIER"
eventually 5 "vifd isolated vif 0's bridge port" sh -c "ip -n $HOSTNS -d link show vif1.0 | grep -q 'isolated on'"
check "the guest lost its link" sh -c "! ip netns exec $(guest_ns 1) ping -c 2 -i 0.3 -W 1 10.77.0.1 >/dev/null 2>&1"
check "stats shows vif 0's settings" sh -c "$VIFCTL --xen=sim:$M stats --json 1 0 | python3 -c '
import json, sys
v = json.load(sys.stdin)[\"vifs\"][0]
assert v[\"link\"] == \"down\" and v[\"isolated\"] is True and v[\"vlan\"] == \"10\", v
assert v[\"rate\"][\"inbound\"][\"shape\"] == {\"average\": 1024000, \"peak\": 2048000, \"burst\": 524288}, v[\"rate\"]
assert v[\"rate\"][\"outbound\"][\"shape\"][\"average\"] == 512000, v[\"rate\"]'"
vifctl libvirt-hook web reconnect begin - <"$XML" >/dev/null 2>&1
check "reconnect: the same again succeeds" [ $? = 0 ]

# A domain with more interfaces than vifs: the hook fails, naming the vif.
sed -e "s/id='1'/id='1'/" "$XML" | awk '/<\/devices>/ { print "<interface type=\"bridge\"><link state=\"down\"/></interface>" } { print }' >"$M.more.xml"
vifctl libvirt-hook web started begin - <"$M.more.xml" >/dev/null 2>"$M.err"; rc=$?
check "an interface without a vif: the hook fails" [ $rc = 1 ]
check "... naming the vif" grep -q "vifctl port for vif 1.3 failed" "$M.err"

done_testing
