# Scenario 10: a vif on a Linux bridge that filters by VLAN, with its VLAN
# set by vifd (`vifctl port --vlan`, the key vifd-vlan, applied over
# rtnetlink): the guest reaches only the host of its VLAN, follows a live
# change to the other VLAN, and reaches neither once the key is removed
# (the port is back in the bridge's default VLAN). Two namespaces on veth
# access ports in VLANs 10 and 20 play the hosts. vifd only: xen-netback
# has no such key.
BUDGET=240

VL_BR=labvl0
VL_NET=198.51.100

vl_cleanup() {
	local v
	for v in 10 20; do ip netns del "vl$v" 2>/dev/null; ip link del "vlh$v" 2>/dev/null; done
	ip link del "$VL_BR" 2>/dev/null
	return 0
}

# vl_reach IP: the guest's eth1 gets an answer from IP within 2 pings
vl_reach() { guest_cmd lab-a 10 "ping -c 2 -W 1 $1" > /dev/null; }
vl_unreach() { ! vl_reach "$1"; }
# vl_vlans NETDEV: its VLANs as bridge vlan show says, one word
# ("10_PVID_Egress_Untagged"), for the figures
vl_vlans() { bridge vlan show dev "$1" | sed -e 1d -e "s/^$1//" | xargs | tr ' ' _; }

scenario_main() {
	local d nd v ip devid
	backend_use vifd || { fail "could not switch to vifd"; return 1; }
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	vl_cleanup
	ip link add "$VL_BR" type bridge vlan_filtering 1 stp_state 0 forward_delay 0 ||
	    { fail "cannot create a VLAN-filtering bridge"; return 1; }
	ip link set "$VL_BR" up
	for v in 10 20; do
		ip=$VL_NET.$((v / 10 * 2 - 1))	# VLAN 10: .1, VLAN 20: .3
		ip netns add "vl$v" && ip link add "vlh$v" type veth peer name "vlp$v" &&
		    ip link set "vlp$v" netns "vl$v" && ip link set "vlh$v" master "$VL_BR" &&
		    bridge vlan del dev "vlh$v" vid 1 &&
		    bridge vlan add dev "vlh$v" vid "$v" pvid untagged &&
		    ip link set "vlh$v" up && ip -n "vl$v" link set lo up &&
		    ip -n "vl$v" addr add "$ip/24" dev "vlp$v" && ip -n "vl$v" link set "vlp$v" up ||
		    { fail "cannot set up the VLAN $v host"; vl_cleanup; return 1; }
	done
	# xl network-attach takes KEY=VALUE words, not a vif= spec
	timeout "$(scaled 60)" xl network-attach lab-a mac=00:16:3e:00:0a:02 "bridge=$VL_BR" "script=$(vif_script)" \
	    > "$LAB_RUN/xl.attach.log" 2>&1 ||
	    { fail "xl network-attach failed: $(tail -n 2 "$LAB_RUN/xl.attach.log" | tr '\n' ' ')"; vl_cleanup; return 1; }
	devid=$(xl network-list lab-a | awk 'NR > 1 && $1 != 0 { print $1; exit }')
	wait_for "$(scaled 30)" vif_connected "$d" "$devid" ||
	    { fail "vif$d.$devid not Connected"; vl_cleanup; return 1; }
	nd=$(vif_netdev "$d" "$devid")
	[ "$(xsr "$(be_path "$d" "$devid")/bridge")" = "$VL_BR" ] ||
	    { fail "vif$d.$devid is not for $VL_BR"; vl_cleanup; return 1; }
	"$VIFCTL" port --vlan=10 "$d" "$devid" > /dev/null ||
	    { fail "vifctl port --vlan=10 failed"; vl_cleanup; return 1; }
	guest_cmd lab-a "$(scaled 30)" "ip addr replace $VL_NET.2/24 dev eth$devid && ip link set eth$devid up" > /dev/null ||
	    { fail "cannot configure eth$devid in the guest"; vl_cleanup; return 1; }
	wait_for "$(scaled 20)" sh -c "bridge vlan show dev $nd | grep -q '10 PVID'" ||
	    { fail "$nd not in VLAN 10: $(vl_vlans "$nd")"; vl_cleanup; return 1; }
	fig "vlan10_port=$(vl_vlans "$nd")"
	wait_for "$(scaled 20)" vl_reach "$VL_NET.1" || { fail "VLAN 10: the guest does not reach its VLAN's host"; vl_cleanup; return 1; }
	vl_unreach "$VL_NET.3" || { fail "VLAN 10: the guest reaches VLAN 20's host"; vl_cleanup; return 1; }
	fig "vlan10=own_only"

	"$VIFCTL" port --vlan=20 "$d" "$devid" > /dev/null || { fail "vifctl port --vlan=20 failed"; vl_cleanup; return 1; }
	wait_for "$(scaled 20)" vl_reach "$VL_NET.3" || { fail "VLAN 20 (live change): the guest does not reach its VLAN's host ($(vl_vlans "$nd"))"; vl_cleanup; return 1; }
	vl_unreach "$VL_NET.1" || { fail "VLAN 20: the guest still reaches VLAN 10's host"; vl_cleanup; return 1; }
	fig "vlan20=own_only vlan20_port=$(vl_vlans "$nd")"

	"$VIFCTL" port --vlan=none "$d" "$devid" > /dev/null || { fail "vifctl port --vlan=none failed"; vl_cleanup; return 1; }
	wait_for "$(scaled 20)" sh -c "bridge vlan show dev $nd | grep -q '1 PVID'" ||
	    { fail "key removed: $nd not back in the default VLAN: $(vl_vlans "$nd")"; vl_cleanup; return 1; }
	vl_unreach "$VL_NET.1" && vl_unreach "$VL_NET.3" || { fail "no VLAN: the guest still reaches a VLAN host"; vl_cleanup; return 1; }
	fig "none=neither none_port=$(vl_vlans "$nd")"

	timeout "$(scaled 60)" xl network-detach lab-a "$devid" > /dev/null 2>&1
	vl_cleanup
}
