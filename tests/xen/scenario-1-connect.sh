# Scenario 1: a guest with one vif comes up; frontend and backend reach
# Connected, the vif's host netdev is on the bridge, ping works both ways.
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
}
