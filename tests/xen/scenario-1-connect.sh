# Scenario 1: a guest with one vif comes up; frontend and backend reach
# Connected, the vif's host netdev is on the bridge, ping works both ways.
# Under vifd, its queue workers serve the real netfront inside their
# seccomp sandbox (vifd(8) SANDBOX): Seccomp 2, no capabilities.
# Figures: timings from the start of xl create, states, RTTs.
BUDGET=240

scenario_main() {
	local d nd
	guest_up lab-a 2 1 || return 1
	fig "create_s=$CREATE_S agent_s=$READY_S connected_s=$CONNECTED_S first_ping_s=$PING_S"
	d=$(guest_domid lab-a)
	nd=$(vif_netdev "$d" 0)
	fig "domid=$d be_state=$(be_state "$d" 0) fe_state=$(fe_state "$d" 0) netdev=$nd"
	netdev_on_bridge "$nd" || { fail "$nd is not on $BRIDGE"; return 1; }
	fig "bridge=$BRIDGE"
	measure_rtt lab-a 2 || return 1
	keep rtt_h2g "$RTT_H2G"
	keep rtt_g2h "$RTT_G2H"
	[ "$(cur_backend)" = vifd ] && { sandboxed "$d" || return 1; }
	return 0
}

# sandboxed DOMID: every queue worker of the guest's vifs is under vifd's
# filter with no capability, and vifd is still alive after the traffic.
sandboxed() {
	local t n=0 ok=0 st
	for t in /proc/"$(vifd_pid)"/task/*; do
		grep -qE "^vif$1\.[0-9]+-q[0-9]+$" "$t/comm" 2>/dev/null || continue
		n=$((n + 1))
		st=$(cat "$t/status")
		echo "$st" | grep -q '^Seccomp:[[:space:]]*2$' &&
		    echo "$st" | grep -q '^CapEff:[[:space:]]*0000000000000000$' &&
		    ok=$((ok + 1))
	done
	fig "sandboxed_workers=$ok/$n"
	[ "$n" -gt 0 ] && [ "$ok" = "$n" ] && vifd_alive ||
	    fail "vifd's queue workers are not all sandboxed ($ok of $n)"
}
