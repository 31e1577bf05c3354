# Scenario 5: xl network-detach of a running guest's vif, then
# xl network-attach of a new one: the old vif goes away cleanly (host
# netdev gone, backend directory gone, the guest's eth0 gone) and the new
# one comes up working (Connected, on the bridge, ping both ways).
BUDGET=200

guest_has_no_eth() { [ -z "$(guest_cmd "$1" 10 'ls /sys/class/net | grep eth')" ]; }

scenario_main() {
	local d nd t0 devid
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	nd=$(vif_netdev "$d" 0)
	t0=$(up)
	timeout "$(scaled 60)" xl network-detach lab-a 0 > "$LAB_RUN/xl.detach.log" 2>&1 ||
	    { fail "xl network-detach failed: $(tail -n 2 "$LAB_RUN/xl.detach.log" | tr '\n' ' ')"; return 1; }
	fig "detach_xl_s=$(since "$t0")"
	wait_for "$(scaled 30)" vif_gone "$d" 0 "$nd" ||
	    { fail "after detach: backend dir $(xs_has "$(be_path "$d" 0)" && echo still there || echo gone), $nd $(netdev_exists "$nd" && echo still there || echo gone)"; return 1; }
	fig "detach_s=$(since "$t0")"
	xs_has "$(fe_path "$d" 0)" && { fail "frontend dir $(fe_path "$d" 0) still there"; return 1; }
	wait_for "$(scaled 20)" guest_has_no_eth lab-a ||
	    { fail "the guest still has an eth device"; return 1; }
	t0=$(up)
	# xl network-attach takes KEY=VALUE words: the spec's items apart
	# (one word would be all mac=, the rest of it ignored)
	# shellcheck disable=SC2046
	timeout "$(scaled 60)" xl network-attach lab-a $(vif_spec 2 | tr ',' ' ') > "$LAB_RUN/xl.attach.log" 2>&1 ||
	    { fail "xl network-attach failed: $(grep -i error "$LAB_RUN/xl.attach.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
	devid=$(xl network-list lab-a | awk 'NR > 1 { print $1; exit }')
	fig "attach_xl_s=$(since "$t0") devid=$devid"
	wait_for "$(scaled 30)" vif_connected "$d" "$devid" ||
	    { fail "new vif not Connected: backend $(be_state "$d" "$devid"), frontend $(fe_state "$d" "$devid")"; return 1; }
	nd=$(vif_netdev "$d" "$devid")
	[ "$(xsr "$(be_path "$d" "$devid")/script")" = "$(vif_script)" ] ||
	    { fail "the new vif's script is $(xsr "$(be_path "$d" "$devid")/script"), not $(vif_script)"; return 1; }
	netdev_on_bridge "$nd" || { fail "$nd is not on $BRIDGE"; return 1; }
	guest_cmd lab-a "$(scaled 30)" lab-netup > /dev/null
	wait_for "$(scaled 30)" ping -c 1 -W 1 "$(guest_ip 2)" > /dev/null || { fail "no ping after attach"; return 1; }
	fig "attach_s=$(since "$t0")"
	measure_rtt lab-a 2
}
