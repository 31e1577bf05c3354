# Scenario 2: TCP each way with the guest's netfront offloads on (ethtool -k
# in the guest: scatter-gather, TSO, tx checksumming), GSO crossing the
# backend (vifd: its GSO counters move; kernel netback: frames above the MTU
# on its vif netdev), and a 4 MiB file each way arriving intact (sha256).
# TCP runs three times each way (every run's figures, and the medians,
# which scenario 9 compares with xen-netback's).
BUDGET=200

scenario_main() {
	guest_ensure lab-a 2 1 || return 1
	# three TCP runs each way, their medians kept for scenario 9
	TCP_RUNS=3 data_check lab-a 2
}
