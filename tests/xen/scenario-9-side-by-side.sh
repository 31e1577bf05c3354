# Scenario 9: scenarios 1-2's measurements once more with Linux's
# xen-netback in place of vifd, same dom0, same guest (lab-a). Prints both
# backends' RTT and TCP throughput and the vifd/kernel ratios (rtt_ratio
# above 1: vifd slower; tx/rx_ratio below 1: vifd slower), each the ratio
# of the medians of three runs in this boot (issue 19): three rounds of
# 10 pings, three iperf3 runs each way. The vifd figures are the ones
# scenarios 1 and 2 kept in this boot.
BUDGET=300


scenario_main() {
	local vr vt vx
	vr=$(kept rtt_h2g); vt=$(kept guest_tx_mbps); vx=$(kept guest_rx_mbps)
	[ "$LAB_BACKEND" = vifd ] || { vr=""; vt=""; vx=""; }
	backend_use kernel || { fail "could not switch to xen-netback"; return 1; }
	guest_up lab-a 2 1 || return 1
	measure_rtt lab-a 2 kernel_ || return 1
	measure_rtt_runs lab-a 2 3 kernel_ || return 1
	measure_tcp_runs lab-a 2 5 3 kernel_ || return 1
	guests_destroy_all
	if [ "$LAB_BACKEND" != vifd ]; then
		fig "vifd=n/a(BACKEND=$LAB_BACKEND)"
		return 0
	fi
	fig "vifd_rtt_h2g_ms=${vr:-none} vifd_guest_tx_mbps=${vt:-none} vifd_guest_rx_mbps=${vx:-none}"
	fig "rtt_ratio=$(ratio "$vr" "$RTT_H2G") tx_ratio=$(ratio "$vt" "$G2H_MBPS") rx_ratio=$(ratio "$vx" "$H2G_MBPS")"
	[ -n "$vr" ] && [ -n "$vt" ] && [ -n "$vx" ] || { fail "no vifd figures: scenarios 1 and 2 did not pass with vifd"; return 1; }
}
