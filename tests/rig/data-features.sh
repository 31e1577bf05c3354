#!/bin/bash
# data-features.sh - the data plane with frontends that negotiate less than
# Linux netfront does, through the real binaries on the simulated Xen:
#   no feature-rx-notify (vifd polls for posted RX buffers, as Linux does),
#   a shared event channel per queue (no split) and vifd offering none,
#   feature-no-csum-offload (the TAP gets no TUN_F_CSUM; checksums are
#   complete before they reach the guest), no feature-ipv6-csum-offload
#   (vifd completes IPv6 checksums in software and counts them),
#   no feature-sg / no GSO (MTU held at 1500, one slot per frame);
#   vifd's TAP I/O batched through io_uring (the default) and one system
#   call per frame (--tap-io=plain).
# Each: TCP both ways, and the counters that show the path was taken.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge

total() {	# total DOMID COUNTER
	"$VIFCTL" --xen="sim:$M" stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
tcp_ok() {	# tcp_ok FROM-NS SERVER-NS SERVER-IP: a 2 s transfer moves > 1 MB
	iperf_measure "$1" "$2" "$3" 2 && [ "$IPERF_BYTES" -gt 1000000 ]
}
# guest_with DOMID ADDR VIF-GUEST-ARGS...: a guest with those features.
guest_with() {
	local d=$1 a=$2; shift 2
	guest_add "$d"
	attach "$d" "mac=00:16:3e:00:$d:00,bridge=xenbr0,script=$VB" >/dev/null
	guest_tap "$d" 0 "$a" "$@"
	waitfor 15 be_state_is "$d" 0 4
}
both_ways() {	# both_ways DOMID ADDR LABEL
	local g
	g=$(guest_ns "$1")
	eventually 10 "$3: guest pings the host" in_guest "$1" ping -c 1 -W 1 10.77.0.1
	check "$3: TCP guest -> host" tcp_ok "$g" "$HOSTNS" 10.77.0.1
	check "$3: TCP host -> guest" tcp_ok "$HOSTNS" "$g" "$2"
}

# No feature-rx-notify: the frontend never notifies when it posts RX
# buffers; vifd must poll for them while it waits.
guest_with 2 10.77.0.3 --no-rx-notify
check "no-rx-notify: the frontend did not write feature-rx-notify" sh -c \
    "[ \"\$($XENSIM exec $M -- xenstore-read $(fe_path 2 0)/feature-rx-notify 2>/dev/null)\" != 1 ]"
both_ways 2 10.77.0.3 "no-rx-notify"

# A shared event channel per queue.
guest_with 3 10.77.0.4 --no-split --queues 2
check "no-split: the frontend wrote event-channel, not -tx/-rx" sh -c \
    "$XENSIM exec $M -- xenstore-read $(fe_path 3 0)/queue-0/event-channel"
both_ways 3 10.77.0.4 "shared event channel"

# feature-no-csum-offload: no checksum offload to the guest at all.
guest_with 4 10.77.0.5 --no-csum-offload
check "no-csum-offload: feature-no-csum-offload=1 written" sh -c \
    "[ \"\$($XENSIM exec $M -- xenstore-read $(fe_path 4 0)/feature-no-csum-offload)\" = 1 ]"
both_ways 4 10.77.0.5 "no-csum-offload"
check "no-csum-offload: no GSO frames sent to that guest" [ "$(total 4 rx_gso_frames)" = 0 ]

# No IPv6 checksum offload: IPv4 TSO still, IPv6 checksums completed by
# vifd (TUN_F_CSUM cannot be split per family).
guest_with 5 10.77.0.6 --no-ipv6-csum
ip -n "$HOSTNS" addr add fd77::1/64 dev xenbr0 nodad 2>/dev/null
ip -n "$(guest_ns 5)" addr add fd77::6/64 dev eth0 nodad
eventually 10 "no-ipv6-csum: IPv6 ping" in_guest 5 ping -6 -c 1 -W 1 fd77::1
check "no-ipv6-csum: IPv6 TCP host -> guest" tcp_ok "$HOSTNS" "$(guest_ns 5)" fd77::6
c=$(total 5 rx_csum_fixup)
diag "IPv6 checksums completed by vifd for guest 5: $c"
check "no-ipv6-csum: vifd completed IPv6 checksums in software" [ "${c:-0}" -gt 0 ]
check "no-ipv6-csum: IPv4 TCP host -> guest" tcp_ok "$HOSTNS" "$(guest_ns 5)" 10.77.0.6
check "no-ipv6-csum: ... still with GSO (IPv4 TSO)" [ "$(total 5 rx_gso_frames)" -gt 0 ]

# No scatter-gather, no GSO: one page per frame, MTU held at 1500.
guest_add 6
attach 6 "mac=00:16:3e:00:06:00,bridge=xenbr0,mtu=9000,script=$VB" >/dev/null
guest_tap 6 0 10.77.0.7 --no-sg --no-gso
waitfor 15 be_state_is 6 0 4
check "no-sg: the TAP's MTU is held at 1500 despite mtu=9000" sh -c \
    "ip -n $HOSTNS link show vif6.0 | grep -q 'mtu 1500'"
both_ways 6 10.77.0.7 "no-sg"
check "no-sg: no GSO frames either way" [ "$(total 6 rx_gso_frames)" = 0 ] && [ "$(total 6 tx_gso_frames)" = 0 ]

# vifd's TAP I/O so far: a batch per system call, each queue its own
# io_uring (--tap-io=auto, the default; src/data/tapio.c): as many rings
# as queue workers ("vif2.0-q0", ...).
uring_fds() { ls -l "/proc/$VIFD_PID/fd" 2>/dev/null | grep -c 'anon_inode:\[io_uring\]'; }
workers() { cat /proc/"$VIFD_PID"/task/*/comm 2>/dev/null | grep -cE '^vif[0-9]+\.[0-9]+-q[0-9]+$'; }
n=$(uring_fds); w=$(workers)
diag "io_uring rings in vifd: $n; queue workers: $w"
check "--tap-io=auto: every queue has its io_uring" test "$n" -gt 0 -a "$n" = "$w"
# Reads are batched only where the kernel's TUN takes RWF_NOWAIT (vifd
# says once when it does not: a fact of the kernel, not a failure).
grep -q 'TAP reads one system call each' "$M.vifd.log" &&
    diag "this kernel's TUN refuses RWF_NOWAIT: TAP reads one readv each"
check "--tap-io=auto: no fallback of the writes said" sh -c \
    "! grep -qE 'TAP (writes|I/O) one system call' '$M.vifd.log'"

# vifd offering a single event channel (feature-split-event-channels=0),
# with its TAP I/O one system call per frame (--tap-io=plain).
vifd_stop
vifd_start --no-split-event-channels --tap-io=plain
guest_with 7 10.77.0.8
check "vifd --no-split-event-channels advertises 0" sh -c \
    "[ \"\$($XENSIM exec $M -- xenstore-read $(be_path 7 0)/feature-split-event-channels)\" = 0 ]"
both_ways 7 10.77.0.8 "backend without split channels"
check "--tap-io=plain: no io_uring in vifd" [ "$(uring_fds)" = 0 ]
crossed() { [ "$(total 7 tx_packets)" -gt 1000 ] && [ "$(total 7 rx_packets)" -gt 1000 ]; }
check "--tap-io=plain: guest 7's frames crossed both ways" crossed
check "vifd alive" kill -0 "$VIFD_PID"
done_testing
