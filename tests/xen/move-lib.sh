# tests/xen/move-lib.sh - guests that move, for the real-Xen lab: one round
# each of pause, save and restore, local live migration and checkpoint,
# sourced by scenarios 12-16 after dom0-lib.sh (bash).
#
# Owns: the four rounds, and how an outage is read from a ping log. A
# round works behind whichever backend serves lab-a's vif (vifd or Linux
# xen-netback), so scenarios 12-15 run them behind the lab's backend and
# scenario 16 runs them again behind the other one. Each round takes a
# PREFIX for its figures' names ("" or "kernel_"), adds its figures with
# fig, fails with a reason, and leaves its outage in MOVE_OUTAGE (seconds).

# ---- reading an outage from a ping log ---------------------------------------
# move_ping_start IDX: dom0 pings guest IDX every 0.1 s, with each reply's
# time (ping -D), into $LAB_RUN/move.ping, in the background.
move_ping_start() {
	ping -D -n -i 0.1 -W 1 "$(guest_ip "$1")" > "$LAB_RUN/move.ping" 2>&1 &
	MOVE_PING=$!
}
move_ping_stop() { kill -INT "$MOVE_PING" 2>/dev/null; wait "$MOVE_PING" 2>/dev/null; }

# move_gaps: from the ping log, "GAP IN_GAP LOST REPLIES": the longest time
# between two replies (s), the requests unanswered inside that gap, all
# requests unanswered up to the last reply, and the replies. iputils
# numbers requests from 1.
move_gaps() {
	awk -F'[][]' '/bytes from/ && !/DUP/ && match($0, /icmp_seq=[0-9]+/) {
		s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (n && $2 - pt > g) { g = $2 - pt; gl = s - ps - 1 }
		if (!(s in seen)) { seen[s] = 1; n++ }
		if (s > mx) mx = s
		pt = $2; ps = s
	} END { printf "%.2f %d %d %d\n", g, gl, mx - n, n }' "$LAB_RUN/move.ping"
}

# move_reply_after T: seconds from epoch time T to the first reply after
# it (fails if there is none yet)
move_reply_after() {
	awk -F'[][]' -v t="$1" '/bytes from/ && $2 > t { printf "%.2f\n", $2 - t; f = 1; exit } END { exit !f }' "$LAB_RUN/move.ping"
}
move_replied_after() { move_reply_after "$1" > /dev/null; }

now() { date +%s.%N; }

# vifd's resident set (KiB), or "-" behind xen-netback
move_vifd_rss() {
	if [ "$(cur_backend)" = vifd ] && vifd_alive; then
		awk '/^VmRSS:/ { print $2 }' "/proc/$(vifd_pid)/status"
	else
		echo -
	fi
}

# move_tcp_works PREFIX WHEN [NAME IDX]: 3 s of iperf3 each way with the
# guest (lab-a, 2); with vifd, the vif's drop, stall and event counters.
# Both ends first forget what TCP cached about the other (ip tcp_metrics):
# a connection that lived through the outage leaves an RTT measured across
# it (dom0 kept 465 ms after a save and restore), and new connections
# starting from it ran at 43 / 7.5 Mbit/s where the same vif, the cache
# flushed, gave 153 / 181. That cache is the hosts' TCP, not the backend's:
# its RTT is a figure, the throughput is measured without it.
move_tcp_works() {
	local tx rx n=${3:-lab-a} i=${4:-2} rtt
	rtt=$(ip tcp_metrics show "$(guest_ip "$i")" 2>/dev/null | sed -n 's/.* rtt \([0-9]*\)us.*/\1/p' | head -n 1)
	fig "$1${2}_dom0_cached_rtt_ms=$([ -n "$rtt" ] && calc "$rtt / 1000" 0 || echo none)"
	ip tcp_metrics delete "$(guest_ip "$i")" 2>/dev/null
	guest_cmd "$n" "$(scaled 20)" "ip-full tcp_metrics flush all" > /dev/null
	rx=$(iperf_mbps "$(guest_ip "$i")" 3)
	tx=$(iperf_mbps "$(guest_ip "$i")" 3 -R)
	fig "$1${2}_guest_rx_mbps=${rx:-none} $1${2}_guest_tx_mbps=${tx:-none}"
	[ "$(cur_backend)" = vifd ] &&
	    fig "$1${2}_vifd_counters=$(vifctl_nonzero "$(guest_domid "$n")" 0 'drop|stall|fixup|delayed|spurious|evtchn|notifies|packets')"
	[ -n "$rx" ] && [ -n "$tx" ] || { fail "TCP with $n fails $2: $(iperf_error)"; return 1; }
}

# ---- pause -------------------------------------------------------------------
# move_pause PREFIX: xl pause lab-a for 30 s while dom0 pings it every
# 0.1 s and sends it TCP (iperf3), and pings lab-b every 0.2 s; then xl
# unpause. What the backend queued for the paused guest stays within its
# bound (vifd: its resident set; both: the drops are reported), lab-b
# loses nothing, and lab-a answers again (resume_s: from the unpause to its
# first reply) and the TCP run completes.
move_pause() {
	local p=$1 d nd ip bp tp i r rss0 rssmax drop0 dd0 st0 t_un s rb mbps
	guest_ensure lab-a 2 1 || return 1
	guest_ensure lab-b 3 2 || return 1
	d=$(guest_domid lab-a)
	nd=$(vif_netdev "$d" 0)
	ip=$(guest_ip 2)
	move_ping_start 2
	ping -n -q -i 0.2 -W 3 "$(guest_ip 3)" > "$LAB_RUN/move.pingb" 2>&1 &
	bp=$!
	timeout -k 5 "$(scaled 150)" iperf3 -c "$ip" -t 45 -f m > "$LAB_RUN/move.iperf" 2>&1 &
	tp=$!
	sleep 5
	drop0=$(netdev_stat "$nd" tx_dropped)
	if [ "$(cur_backend)" = vifd ]; then
		dd0=$(vifctl_stat "$d" 0 rx_drop_drain); st0=$(vifctl_stat "$d" 0 rx_stalls)
	fi
	rss0=$(move_vifd_rss); rssmax=$rss0
	timeout -k 2 "$(scaled 30)" xl pause lab-a || { kill $bp $tp; move_ping_stop; fail "xl pause failed"; return 1; }
	for i in 1 2 3 4 5 6; do
		sleep 5
		r=$(move_vifd_rss)
		[ "$r" = - ] || [ "$r" -le "$rssmax" ] || rssmax=$r
	done
	t_un=$(now)
	timeout -k 2 "$(scaled 30)" xl unpause lab-a || { kill $bp $tp; move_ping_stop; fail "xl unpause failed"; return 1; }
	wait_for "$(scaled 30)" move_replied_after "$t_un"
	MOVE_OUTAGE=$(move_reply_after "$t_un")
	sleep 1
	move_ping_stop
	kill -INT $bp 2>/dev/null
	wait $bp
	read -r s rb <<< "$(awk '/packets transmitted/ { print $1, $4 }' "$LAB_RUN/move.pingb")"
	fig "${p}paused_s=30 ${p}resume_s=${MOVE_OUTAGE:-none} ${p}host_tx_dropped=+$(($(netdev_stat "$nd" tx_dropped) - drop0))"
	if [ "$(cur_backend)" = vifd ]; then
		fig "${p}vifd_rx_drop_drain=+$(($(vifctl_stat "$d" 0 rx_drop_drain) - dd0)) ${p}vifd_rx_stalls=+$(($(vifctl_stat "$d" 0 rx_stalls) - st0)) ${p}vifd_rss_kib=$rss0/$rssmax"
	fi
	fig "${p}bystander_pings=${rb:-0}/${s:-0}"
	wait $tp
	mbps=$(awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) } END { if (v + 0 > 0) print v }' "$LAB_RUN/move.iperf")
	fig "${p}tcp_across_pause_mbps=${mbps:-none}"
	# the bystander's drops and stalls, had any of its frames been lost
	# in vifd (one of 212 pings was, once: 2026-12-04)
	[ "$(cur_backend)" = vifd ] &&
	    fig "${p}bystander_vifd_counters=$(vifctl_nonzero "$(guest_domid lab-b)" 0 'drop|stall|err|bad|fixup')"
	timeout -k 2 "$(scaled 60)" xl destroy lab-b 2>/dev/null
	[ -n "$MOVE_OUTAGE" ] || { fail "lab-a did not answer within $(scaled 30) s of xl unpause"; return 1; }
	[ -n "$s" ] && [ "$s" = "$rb" ] || { fail "lab-b lost $((${s:-0} - ${rb:-0})) of ${s:-0} pings while lab-a was paused"; return 1; }
	[ -n "$mbps" ] || { fail "the TCP run across the pause did not complete: $(tail -n 2 "$LAB_RUN/move.iperf" | tr '\n' ' ')"; return 1; }
	# A stalled guest costs vifd the frame at the head of its queue, not
	# more memory: anything above a few MiB would be frames piling up.
	[ "$rss0" = - ] || [ $((rssmax - rss0)) -le 8192 ] ||
	    { fail "vifd grew by $((rssmax - rss0)) KiB while lab-a was paused"; return 1; }
}

# ---- save and restore ----------------------------------------------------------
# move_save PREFIX: xl save lab-a to a file in dom0 while dom0 sends it an
# 8 MiB file over TCP, paced so that the transfer spans the save, and pings
# it every 0.1 s; the old domain's vif goes away; xl restore: the new
# domain's netfront connects, the transfer completes intact, TCP works.
# save_s and restore_s are xl's times; outage_s is the longest gap in the
# replies.
move_save() {
	local p=$1 d d2 nd ip sp t0 want=8388608 sum_g sum_h gap
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	nd=$(vif_netdev "$d" 0)
	ip=$(guest_ip 2)
	head -c $want /dev/urandom > /tmp/move.h2g
	guest_cmd lab-a "$(scaled 20)" "rm -f /tmp/move.rx; $(guest_listen 6003 '> /tmp/move.rx 2>/dev/null')" > /dev/null
	# 32 pieces of 256 KiB, 0.3 s apart: about 10 s, the save comes 2 s in
	timeout -k 5 "$(scaled 300)" bash -c "for i in \$(seq 0 31); do dd if=/tmp/move.h2g bs=256K skip=\$i count=1 2>/dev/null; sleep 0.3; done > /dev/tcp/$ip/6003" &
	sp=$!
	move_ping_start 2
	sleep 2
	t0=$(up)
	timeout -k 5 "$(scaled 120)" xl save lab-a /tmp/move.save > "$LAB_RUN/xl.save.log" 2>&1 ||
	    { kill $sp; move_ping_stop; fail "xl save failed: $(tail -n 2 "$LAB_RUN/xl.save.log" | tr '\n' ' ')"; return 1; }
	fig "${p}save_s=$(since "$t0") ${p}save_mib=$(($(stat -c %s /tmp/move.save) >> 20))"
	wait_for "$(scaled 30)" vif_gone "$d" 0 "$nd" ||
	    { kill $sp; move_ping_stop; fail "after xl save the old domain's vif $nd (or its backend dir) is still there"; return 1; }
	t0=$(up)
	timeout -k 5 "$(scaled 120)" xl restore /tmp/move.save > "$LAB_RUN/xl.restore.log" 2>&1 ||
	    { kill $sp; move_ping_stop; fail "xl restore failed: $(tail -n 2 "$LAB_RUN/xl.restore.log" | tr '\n' ' ')"; return 1; }
	fig "${p}restore_s=$(since "$t0")"
	rm -f /tmp/move.save
	d2=$(guest_domid lab-a)
	wait_for "$(scaled 30)" vif_connected "$d2" 0 ||
	    { kill $sp; move_ping_stop; fail "restored domain $d2: backend $(be_state "$d2" 0), frontend $(fe_state "$d2" 0)"; return 1; }
	fig "${p}old_domid=$d ${p}new_domid=$d2"
	wait $sp || { move_ping_stop; fail "the transfer across the save failed (rc $?)"; return 1; }
	# what was still in dom0's socket buffer is on its way
	guest_cmd lab-a "$(scaled 90)" "i=0; while [ \"\$(wc -c < /tmp/move.rx)\" -lt $want ] && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i + 1)); done" > /dev/null
	sum_g=$(guest_sum lab-a /tmp/move.rx)
	sum_h=$(sha256sum < /tmp/move.h2g | cut -d' ' -f1)
	move_ping_stop
	read -r gap _ <<< "$(move_gaps)"
	MOVE_OUTAGE=$gap
	fig "${p}outage_s=$gap"
	[ "$sum_g" = "$sum_h" ] || { fig "${p}file_across=corrupt"; fail "the file sent across the save arrived corrupt or short (guest sha256 '$sum_g', sent $sum_h)"; return 1; }
	fig "${p}file_across=intact"
	rm -f /tmp/move.h2g
	move_tcp_works "$p" after_restore
}

# ---- local live migration --------------------------------------------------------
# Debian's Xen 4.17 is built without shadow paging, which log-dirty mode
# needs for PV guests: xl migrate of a PV guest fails at once ("Failed to
# enable logdirty: 95"). A PVH guest's log-dirty uses HAP, which Xen has
# under QEMU's emulated SVM, so the migrating guest is PVH: the same kernel,
# initramfs and netfront. QEMU's SVM reports an RDTSCP intercept as RDTSC
# without the next RIP; Xen then fails to emulate it and the guest dies
# (tests/xen/README.md), so the guest neither sees RDTSCP nor has its TSC
# intercepted.
MOVE_PVH_CFG='cpuid = "host,rdtscp=0"
tsc_mode = "native"'

# move_pvh_kernel: makes MOVE_PVH_KERNEL, the PVH guest's kernel, on first
# use: the lab's guest kernel with one pointer changed, so that it does not
# calibrate its CPU clock on the PIT. Why: QEMU TCG's emulated SVM now and
# then resumes a nested guest with Xen's own state. Three whole-lab runs
# (each boots two PVH guests) lost a PVH guest to it ("d12v0 Triple
# fault", cs e008, RIP Xen's instruction right after its vmrun, cr2 the
# same: tests/xen/README.md), each 7-12 s into the boot, where the kernel reads the PIT's port 0x42 in
# a loop: a PVH domain has no PIT, every read is a nested I/O exit and
# returns 0xff, so the loop makes its whole 100 000 reads. A PV guest's
# reads trap to Xen without a VMRUN, so the PV guests keep the kernel as
# it is. The kernel has no parameter to skip that calibration: its
# x86_platform.calibrate_cpu hook points at native_calibrate_cpu_early,
# which goes to the PIT when the CPU is not Intel. The copy points it at
# native_calibrate_tsc instead (the hook after it in the same initializer,
# which returns 0 on a CPU that is not Intel): the kernel then takes the
# CPU clock from the TSC frequency Xen gives it. Addresses come from dom0's
# /proc/kallsyms (dom0 runs the same kernel build, as a PV domain: no
# address randomization). The pair of pointers must occur exactly once in
# the image, else nothing is changed and the round fails.
MOVE_PVH_KERNEL=/run/vifd-lab-vmlinux-pvh
# The same emulation fault came once more, with the PIT loop gone, at a
# PCI configuration read (in from port 0xcfc, tests/xen/README.md): early
# in the boot the kernel reads the configuration of every slot of bus 0
# through ports 0xcf8/0xcfc, each read two nested I/O exits in a PVH
# domain, which has no PCI to find. pci=off leaves those ports alone;
# netfront is a xenbus device and needs no PCI.
MOVE_PVH_ARGS="pci=off"
move_pvh_kernel() {
	local k=$MOVE_PVH_KERNEL out
	[ -s "$k" ] && return 0
	zcat /var/lib/vifd-lab/vmlinux.gz > "$k.tmp" || return 1
	# (perl: dom0's python3 has no standard library)
	if ! out=$(perl -e '
		my (%a, $img);
		open(my $s, "<", "/proc/kallsyms") or die "kallsyms: $!\n";
		while (<$s>) {
			my ($addr, undef, $name) = split;
			$a{$name} //= hex($addr) if $name =~ /^native_calibrate_(cpu_early|tsc)$/;
		}
		my ($cpu, $tsc) = ($a{native_calibrate_cpu_early}, $a{native_calibrate_tsc});
		die "no addresses in /proc/kallsyms\n" unless $cpu && $tsc;
		open(my $f, "+<:raw", $ARGV[0]) or die "$ARGV[0]: $!\n";
		{ local $/; $img = <$f>; }
		my $pair = pack("Q<Q<", $cpu, $tsc);
		my @at;
		for (my $i = index($img, $pair); $i >= 0; $i = index($img, $pair, $i + 1)) { push @at, $i; }
		die sprintf("the hooks pair (%x, %x) occurs %d times in the guest kernel, not once\n", $cpu, $tsc, scalar @at) if @at != 1;
		seek($f, $at[0], 0) or die "seek: $!\n";
		print $f pack("Q<", $tsc);
		close($f) or die "write: $!\n";
		printf "calibrate_cpu at file offset %d now %x (was %x)\n", $at[0], $tsc, $cpu;
	' "$k.tmp" 2>&1); then
		say "move_pvh_kernel: $out"
		rm -f "$k.tmp"
		return 1
	fi
	mv "$k.tmp" "$k"
	say "PVH kernel: $out"
}

# move_migrate PREFIX: xl migrate a PVH guest lab-m to this host (xl
# migrate-receive run locally, no ssh) while dom0 pings it every 0.1 s:
# for a while both the outgoing and the incoming domain have their vif
# (backend dir and host netdev), then only the new one (the old netdev
# gone, so its bridge port too). gap_s is the longest gap in the replies;
# no request may go unanswered outside it.
move_migrate() {
	local p=$1 d d2 nd mp t0 before x both=no in_gap lost gap
	# (a PVH guest boots 3-4 times slower than a PV one under TCG)
	move_pvh_kernel || { fail "could not make the PVH guest's kernel (move_pvh_kernel)"; return 1; }
	GUEST_TYPE=pvh GUEST_KERNEL=$MOVE_PVH_KERNEL GUEST_CFG=$MOVE_PVH_CFG GUEST_ARGS=$MOVE_PVH_ARGS \
	    GUEST_BOOT_S=300 guest_ensure lab-m 5 1 || return 1
	d=$(guest_domid lab-m)
	# the kernel says "Fast TSC calibration ..." only when it went to the PIT
	x=$(guest_cmd lab-m "$(scaled 20)" 'dmesg | grep -c "TSC calibration"')
	fig "${p}pvh_pit_calibrations=${x:-unknown}"
	[ "$x" = 0 ] || { fail "the PVH guest calibrated on the PIT anyway (${x:-no answer})"; return 1; }
	# ... and booted with pci=off (MOVE_PVH_ARGS). The early scan of bus
	# 0 logs nothing, so the command line is what is checked (with
	# pci=off this kernel says "PCI: Fatal: No config space access
	# function found" and "PCI: System does not support PCI": lab run of
	# 2026-12-05)
	x=$(guest_cmd lab-m "$(scaled 20)" 'cat /proc/cmdline')
	case " $x " in
	*" $MOVE_PVH_ARGS "*) fig "${p}pvh_pci=off" ;;
	*) fail "the PVH guest's kernel did not get $MOVE_PVH_ARGS (its command line: ${x:-no answer})"; return 1 ;;
	esac
	nd=$(vif_netdev "$d" 0)
	before=" $(xs xenstore-list /local/domain/0/backend/vif 2>/dev/null | tr '\n' ' ') "
	move_ping_start 5
	sleep 2
	t0=$(up)
	timeout -k 5 "$(scaled 300)" xl migrate -s '' lab-m 'xl migrate-receive' > "$LAB_RUN/xl.migrate.log" 2>&1 &
	mp=$!
	while kill -0 $mp 2>/dev/null; do
		if [ $both = no ]; then
			for x in $(xs xenstore-list /local/domain/0/backend/vif 2>/dev/null); do
				case $before in *" $x "*) continue ;; esac
				netdev_exists "$(vif_netdev "$x" 0)" && netdev_exists "$nd" && xs_has "$(be_path "$d" 0)" && both=yes
			done
		fi
		sleep 0.3
	done
	if ! wait $mp; then
		move_ping_stop
		grep -v 'progress' "$LAB_RUN/xl.migrate.log" | tail -n 40 | sed 's/^/LAB xl migrate: /'
		fail "xl migrate failed: $(grep -v '^migration target' "$LAB_RUN/xl.migrate.log" | tail -n 3 | tr '\n' ' ')"
		return 1
	fi
	fig "${p}migrate_s=$(since "$t0") ${p}both_vifs_seen=$both"
	d2=$(guest_domid lab-m)
	[ -n "$d2" ] && [ "$d2" != "$d" ] || { move_ping_stop; fail "after xl migrate lab-m is domain '${d2:-none}' (was $d)"; return 1; }
	wait_for "$(scaled 30)" vif_connected "$d2" 0 ||
	    { move_ping_stop; fail "migrated domain $d2: backend $(be_state "$d2" 0), frontend $(fe_state "$d2" 0)"; return 1; }
	wait_for "$(scaled 30)" vif_gone "$d" 0 "$nd" ||
	    { move_ping_stop; fail "after the migration the old vif $nd (or its backend dir) is still there"; return 1; }
	t0=$(now)
	wait_for "$(scaled 30)" move_replied_after "$t0"
	sleep 2
	move_ping_stop
	read -r gap in_gap lost _ <<< "$(move_gaps)"
	MOVE_OUTAGE=$gap
	fig "${p}gap_s=$gap ${p}lost_in_gap=$in_gap ${p}lost_elsewhere=$((lost - in_gap)) ${p}old_domid=$d ${p}new_domid=$d2"
	[ $both = yes ] || { fail "never saw the outgoing and the incoming vif at once"; return 1; }
	move_replied_after "$t0" || { fail "lab-m does not answer pings after the migration"; return 1; }
	[ $((lost - in_gap)) = 0 ] || { fail "$((lost - in_gap)) pings unanswered outside the migration's gap"; return 1; }
	move_tcp_works "$p" after_migrate lab-m 5
	timeout -k 2 "$(scaled 60)" xl destroy lab-m 2>/dev/null
}

# ---- checkpoint -------------------------------------------------------------------
# move_checkpoint PREFIX: xl save -c (the guest is suspended, saved and
# resumed in place with a fast resume, as a backup tool does it) while dom0
# pings it every 0.1 s: netfront must not reconnect (its state, ring refs,
# event channels and eth0 unchanged) and the replies go on (gap_s).
move_checkpoint() {
	local p=$1 d sig0 sig1 ifi0 ifi1 t0 gap
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	sig0=$(fe_sig "$d")
	ifi0=$(guest_cmd lab-a "$(scaled 20)" "cat /sys/class/net/eth0/ifindex")
	move_ping_start 2
	sleep 2
	t0=$(up)
	timeout -k 5 "$(scaled 120)" xl save -c lab-a /tmp/move.ckpt > "$LAB_RUN/xl.ckpt.log" 2>&1 ||
	    { move_ping_stop; fail "xl save -c failed: $(tail -n 2 "$LAB_RUN/xl.ckpt.log" | tr '\n' ' ')"; return 1; }
	fig "${p}checkpoint_s=$(since "$t0")"
	rm -f /tmp/move.ckpt
	t0=$(now)
	wait_for "$(scaled 30)" move_replied_after "$t0"
	sleep 2
	move_ping_stop
	read -r gap _ <<< "$(move_gaps)"
	MOVE_OUTAGE=$gap
	fig "${p}gap_s=$gap"
	[ "$(guest_domid lab-a)" = "$d" ] || { fail "lab-a is no longer domain $d after the checkpoint"; return 1; }
	move_replied_after "$t0" || { fail "lab-a does not answer pings after the checkpoint"; return 1; }
	sig1=$(fe_sig "$d")
	ifi1=$(guest_cmd lab-a "$(scaled 20)" "cat /sys/class/net/eth0/ifindex")
	[ "$sig0" = "$sig1" ] && [ "$ifi0" = "$ifi1" ] ||
	    { fail "netfront reconnected: frontend '$sig0' -> '$sig1', eth0 ifindex $ifi0 -> $ifi1"; return 1; }
	fig "${p}frontend_untouched=yes"
	move_tcp_works "$p" after_checkpoint
}
