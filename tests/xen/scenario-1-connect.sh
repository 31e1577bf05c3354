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
	keep rtt_g2h "$RTT_G2H"
	# for scenario 9: the median of three rounds (issue 19)
	measure_rtt_runs lab-a 2 3 || return 1
	keep rtt_h2g "$RTT_H2G"
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

# separated: vifd runs as two parts on real Xen too (vifd(8), PRIVILEGE
# SEPARATION): a vifd-priv child with root's capabilities, and vifd
# itself with CAP_BPF at most, its control thread filtered, in a mount
# namespace of its own without /dev/xen/privcmd.
separated() {
	local p v part st
	v=$(vifd_pid)
	part=$(for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = vifd-priv ] &&
		    [ "$(awk '$1 == "PPid:" { print $2 }' "$p/status")" = "$v" ] &&
		    echo "${p#/proc/}"
	done | head -n 1)
	st=$(cat "/proc/$v/status")
	if [ -n "$part" ] &&
	    echo "$st" | grep -qE '^CapEff:[[:space:]]*(0000008000000000|0000000000000000)$' &&
	    echo "$st" | grep -q '^Seccomp:[[:space:]]*2$' &&
	    [ "$(readlink "/proc/$v/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" ] &&
	    [ -e /dev/xen/privcmd ] && ! nsenter -t "$v" -m test -e /dev/xen/privcmd; then
		fig "privsep=on"
		return 0
	fi
	fig "privsep=off"
	fail "vifd is not split into its two parts (part '${part}', $(echo "$st" | grep -E '^(CapEff|Seccomp):' | tr '\n\t' '  '))"
}
