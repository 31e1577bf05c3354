# Scenario 3: a 2-vCPU guest negotiates 2 queues and both carry traffic
# (the guest's per-queue event channel interrupts move under 8 parallel
# TCP streams each way).
BUDGET=240

# queue_irqs NAME: "q0 q1 ..." interrupt totals of the guest's netfront
# queues (its event channel irqs are named <dev>-q<N>[-tx|-rx], e.g.
# vif0-q1-rx with split event channels)
queue_irqs() {
	guest_cmd "$1" "$(scaled 20)" "grep -- -q /proc/interrupts" | awk '
	    match($NF, /-q[0-9]+(-tx|-rx)?$/) {
		q = substr($NF, RSTART + 2) + 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) c[q] += $i
		if (q + 1 > n) n = q + 1
	    }
	    END { for (q = 0; q < n; q++) printf "%s%d", (q ? " " : ""), c[q] }'
}

scenario_main() {
	local d nq mq ip i tx rx
	local -a before after
	guest_ensure lab-b 3 2 || return 1
	d=$(guest_domid lab-b)
	ip=$(guest_ip 3)
	nq=$(xsr "$(fe_path "$d" 0)/multi-queue-num-queues")
	mq=$(xsr "$(be_path "$d" 0)/multi-queue-max-queues")
	fig "guest_vcpus=2 backend_max_queues=${mq:-none} queues=${nq:-1}"
	[ "${nq:-1}" = 2 ] || { fail "the frontend negotiated ${nq:-1} queue(s), not 2"; return 1; }
	read -ra before <<< "$(queue_irqs lab-b)"
	[ ${#before[@]} = 2 ] || { fail "guest shows ${#before[@]} eth0 queue interrupts, not 2"; return 1; }
	G2H_MBPS=$(iperf_mbps "$ip" 4 -R -P 8)
	H2G_MBPS=$(iperf_mbps "$ip" 4 -P 8)
	read -ra after <<< "$(queue_irqs lab-b)"
	fig "guest_tx_mbps=${G2H_MBPS:-none} guest_rx_mbps=${H2G_MBPS:-none}"
	fig "q0_irqs=+$((after[0] - before[0])) q1_irqs=+$((after[1] - before[1]))"
	if [ "$(cur_backend)" = vifd ]; then
		tx=$(vifctl_stat_each "$d" 0 tx_packets)
		rx=$(vifctl_stat_each "$d" 0 rx_packets)
		fig "vifd_tx_packets=$tx vifd_rx_packets=$rx"
		[ -n "$tx" ] && [ -n "$rx" ] || { fail "vifctl stats gave no per-queue counters (is vifd alive?)"; return 1; }
	fi
	[ -n "$G2H_MBPS" ] && [ -n "$H2G_MBPS" ] || { fail "iperf3 -P 8 failed: $(iperf_error)"; return 1; }
	for i in 0 1; do
		[ $((after[i] - before[i])) -gt 20 ] || { fail "queue $i carried no traffic"; return 1; }
	done
}
