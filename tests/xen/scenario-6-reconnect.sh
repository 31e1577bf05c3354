# Scenario 6: the guest re-initialises netfront (driver unbind and bind: the
# frontend closes and reconnects to the same backend), then the guest
# reboots with xl reboot (a new domain, a new vif). Both times it must
# reconnect and ping both ways; the rebooted domain's old vif must be gone.
BUDGET=300

scenario_main() {
	local d d2 nd t0 ok if0 if1
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	nd=$(vif_netdev "$d" 0)
	if0=$(guest_cmd lab-a "$(scaled 20)" "cat /sys/class/net/eth0/ifindex")
	t0=$(up)
	guest_cmd lab-a "$(scaled 60)" lab-netreload > "$LAB_RUN/s6.reload" ||
	    { fail "netfront reload in the guest failed: $(tail -n 3 "$LAB_RUN/s6.reload" | tr '\n' ' ')"; return 1; }
	wait_for "$(scaled 30)" vif_connected "$d" 0 ||
	    { fail "after netfront reload: backend $(be_state "$d" 0), frontend $(fe_state "$d" 0)"; return 1; }
	wait_for "$(scaled 30)" ping -c 1 -W 1 "$(guest_ip 2)" > /dev/null || { fail "no ping after netfront reload"; return 1; }
	fig "reload_s=$(since "$t0")"
	if1=$(guest_cmd lab-a "$(scaled 20)" "cat /sys/class/net/eth0/ifindex")
	[ "$if0" != "$if1" ] || { fail "eth0 was not re-created (ifindex $if0)"; return 1; }
	measure_rtt lab-a 2 reload_ || return 1
	t0=$(up)
	timeout "$(scaled 30)" xl reboot lab-a > "$LAB_RUN/xl.reboot.log" 2>&1 ||
	    { fail "xl reboot failed: $(tail -n 2 "$LAB_RUN/xl.reboot.log" | tr '\n' ' ')"; return 1; }
	ok=0
	wait_for "$(scaled 60)" sh -c "d2=\$(xl domid lab-a 2>/dev/null) && [ \"\$d2\" != $d ]" && ok=1
	d2=$(guest_domid lab-a)
	[ $ok = 1 ] || { fail "lab-a did not come back as a new domain (domid ${d2:-none})"; return 1; }
	fig "old_domid=$d new_domid=$d2"
	wait_for "$(scaled 120)" guest_ready lab-a || { fail "rebooted guest's agent did not start"; return 1; }
	wait_for "$(scaled 30)" vif_connected "$d2" 0 ||
	    { fail "after reboot: backend $(be_state "$d2" 0), frontend $(fe_state "$d2" 0)"; return 1; }
	wait_for "$(scaled 30)" ping -c 1 -W 1 "$(guest_ip 2)" > /dev/null || { fail "no ping after reboot"; return 1; }
	fig "reboot_s=$(since "$t0")"
	wait_for "$(scaled 20)" vif_gone "$d" 0 "$nd" || { fail "the old domain's vif ($nd, backend dir) is still there"; return 1; }
	measure_rtt lab-a 2 reboot_
}
