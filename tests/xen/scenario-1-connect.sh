# Scenario 1: a guest with one vif comes up; frontend and backend reach
# Connected, the vif's host netdev is on the bridge, ping works both ways.
# Under vifd, its queue workers serve the real netfront inside their
# seccomp sandbox (vifd(8) SANDBOX): Seccomp 2, no capabilities; and its
# TAP writes go in batches, through an io_uring per queue (--tap-io=auto).
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
	[ "$(cur_backend)" = vifd ] && { separated || return 1; }
	[ "$(cur_backend)" = vifd ] && { tap_io || return 1; }
	return 0
}

# tap_io: vifd's TAP writes go in batches here (tapio.c): an io_uring per
# queue, and no word of falling back to a system call per frame. Reads
# are batched only where the kernel's TUN takes RWF_NOWAIT, which the
# lab's (Debian 12's Linux 6.1) does not: vifd says so once, and reads
# one readv per frame; a figure, not a failure.
tap_io() {
	local n said reads=batched
	n=$(ls -l "/proc/$(vifd_pid)/fd" 2>/dev/null | grep -c 'anon_inode:\[io_uring\]')
	said=$(grep -cE 'TAP (writes|I/O) one system call' "$VIFD_LOG")
	grep -q 'TAP reads one system call each' "$VIFD_LOG" && reads=plain
	fig "tap_io_rings=$n tap_io_write_fallback_said=$said tap_io_reads=$reads"
	[ "$n" -gt 0 ] && [ "$said" = 0 ] ||
	    fail "vifd's TAP writes are not batched ($n io_uring rings; $(grep -m1 -E 'TAP (writes|I/O) one system call' "$VIFD_LOG"))"
}
