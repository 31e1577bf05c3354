# scenario 23: switch - two guests on a switch inside vifd (bridge=vifd:NAME,
# vifd(8) SWITCHES), then the same two guests behind Linux's xen-netback on
# dom0's bridge. With the real netfront each time: guest -> guest ping RTT,
# TCP each way (iperf3 in the guests), and through the switch a 4 MiB file
# guest -> guest intact (SHA-256), the GSO super-frames crossing whole and
# the switch's counters; the ratios vifd switch / netback and bridge.
# dom0 reaches the switch only through its uplink TAP (lab0, made down),
# so the guests' readiness is their agent and their vif Connected; then
# lab0 is brought up with an address of the guests' subnet as a /32 and a
# route to sw-a, and dom0 pings sw-a through it.
# The switch also has an AF_XDP uplink (--switch-uplink=lab0=xu0, vifd(8)):
# xu0 is one end of a veth pair whose other end is a far host in a
# namespace of dom0's 6.1 kernel; sw-a pings it and runs TCP with it each
# way through the socket, whose counters say so. Then xu0 is deleted and
# made again under sw-a's pings: vifd says the NIC went, stops the old
# uplink, binds a new one on the new xu0, and sw-a reaches the far host.
BUDGET=660
BACKENDS="vifd"
SW_A=11
SW_B=12

# sw_guest_up NAME IDX: the guest with its vif on switch lab0; waits for
# its agent and its vif Connected.
sw_guest_up() {
	local d
	guest_exists "$1" && timeout -k 2 "$(scaled 60)" xl destroy "$1" 2>/dev/null
	GUEST_VIF="mac=$(guest_mac "$2"),bridge=vifd:lab0,script=$(vif_script)" \
	    guest_create "$1" "$2" 1 || { fail "xl create $1 (switch) failed after $CREATE_S s"; return 1; }
	wait_for "$(scaled "${GUEST_BOOT_S:-120}")" guest_ready "$1" ||
	    { fail "guest $1: its agent did not start (console: $(guest_log "$1" | tail -n 3 | tr '\n' '|'))"; return 1; }
	d=$(guest_domid "$1")
	wait_for "$(scaled 30)" vif_connected "$d" 0 ||
	    { fail "vif$d.0 (switch) not Connected: backend state $(be_state "$d" 0), frontend state $(fe_state "$d" 0)"; return 1; }
	say "$1 up on switch lab0: domid $d, xl create ${CREATE_S}s, connected $(since "$CREATE_T0")s"
}

# g2g_tcp FROM TO_IP [-R]: iperf3 in guest FROM against TO's server;
# prints the receiver's Mbit/s, "" on failure.
g2g_tcp() {
	guest_cmd "$1" "$(scaled 60)" "iperf3 -c $2 -t 5 -f m $3" > "$LAB_RUN/g2g.out" 2>&1
	awk '/receiver/ { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1) }
	    END { if (v + 0 > 0) print v }' "$LAB_RUN/g2g.out"
}

# g2g_measure PREFIX: ping sw-a -> sw-b, TCP both ways; figures named
# PREFIX...; sets G2G_RTT, G2G_AB, G2G_BA.
g2g_measure() {
	local p=$1 ip_b s
	ip_b=$(guest_ip $SW_B)
	# the first replies may wait for ARP: one ping first
	guest_cmd sw-a "$(scaled 30)" "ping -c 1 -W 5 $ip_b" > /dev/null
	s=$(guest_ping sw-a "$ip_b" 20)
	# the median of the 20 (the ratio's), and min/avg/max
	G2G_RTT=$(echo "$s" | awk '{ print $6 }')
	fig "${p}g2g_ping=$(echo "$s" | awk '{ print $2 "/" $1 }') ${p}g2g_rtt_ms=$G2G_RTT ${p}g2g_rtt_min_avg_max_ms=$(echo "$s" | awk '{ print $3 "/" $4 "/" $5 }')"
	[ "$(echo "$s" | awk '{ print $2 }')" -gt 0 ] 2>/dev/null ||
	    { fail "$p: no answer to ping sw-a -> sw-b ($ip_b): $(tail -n 3 "$LAB_RUN/guest-ping.out" | tr '\n' ' ')"; return 1; }
	G2G_AB=$(g2g_tcp sw-a "$ip_b")
	G2G_BA=$(g2g_tcp sw-a "$ip_b" -R)
	fig "${p}g2g_tcp_ab_mbps=${G2G_AB:-none} ${p}g2g_tcp_ba_mbps=${G2G_BA:-none}"
	[ -n "$G2G_AB" ] && [ -n "$G2G_BA" ] ||
	    { fail "$p: iperf3 between the guests failed: $(tail -n 3 "$LAB_RUN/g2g.out" | tr '\n' ' ')"; return 1; }
}

# xsk_far_up: the far host's namespace and the veth pair xu0 (dom0) -
# xu1 (far, 192.0.2.200, its transmit checksum offload off: an AF_XDP ring
# carries no offload, as a real wire does not).
XSK_FAR=xskfar
XSK_FAR_IP=192.0.2.200
xsk_far_up() {
	ip netns add $XSK_FAR 2>/dev/null
	ip link add xu0 type veth peer name xu1 address 02:00:00:c0:02:c8 netns $XSK_FAR &&
	    ip link set xu0 up && ip -n $XSK_FAR link set xu1 up &&
	    ip -n $XSK_FAR addr replace $XSK_FAR_IP/24 dev xu1 &&
	    ip netns exec $XSK_FAR ethtool -K xu1 tx off > /dev/null
}
# xsk_stat COUNTER: the AF_XDP uplink's counter on sw-a's vif
xsk_stat() { vifctl_stats "$(guest_domid sw-a)" 0 | awk -v c="switch_xsk_$1" '$2 == c { print $3 }'; }
# xsk_bound: how many times vifd bound lab0's socket on xu0
xsk_bound() { grep -c 'switch lab0 uplink xu0@0: AF_XDP socket bound' "$VIFD_LOG"; }

# xsk_check: sw-a and the far host through the AF_XDP uplink.
xsk_check() {
	local s a b n0
	s=$(guest_ping sw-a $XSK_FAR_IP 10)
	fig "xsk_ping=$(echo "$s" | awk '{ print $2 "/" $1 }') xsk_rtt_ms=$(echo "$s" | awk '{ print $4 }')"
	[ "$(echo "$s" | awk '{ print $2 }')" -gt 0 ] 2>/dev/null ||
	    { fail "sw-a got no answer from the far host $XSK_FAR_IP through the AF_XDP uplink on xu0"; return 1; }
	ip netns exec $XSK_FAR iperf3 -s -D > /dev/null 2>&1
	a=$(g2g_tcp sw-a $XSK_FAR_IP)
	b=$(g2g_tcp sw-a $XSK_FAR_IP -R)
	ip netns exec $XSK_FAR pkill -x iperf3
	fig "xsk_tcp_out_mbps=${a:-none} xsk_tcp_in_mbps=${b:-none} xsk_rx_frames=$(xsk_stat rx_frames) xsk_tx_frames=$(xsk_stat tx_frames) xsk_tx_nobuf=$(xsk_stat tx_nobuf) xsk_tx_unfit=$(xsk_stat tx_unfit)"
	[ -n "$a" ] && [ -n "$b" ] ||
	    { fail "iperf3 between sw-a and the far host through the AF_XDP uplink failed: $(tail -n 3 "$LAB_RUN/g2g.out" | tr '\n' ' ')"; return 1; }
	# the NIC goes away under the uplink and comes back
	n0=$(xsk_bound)
	ip link del xu0
	guest_cmd sw-a "$(scaled 30)" "ping -c 5 -i 0.2 -W 1 $XSK_FAR_IP" > /dev/null
	xsk_far_up || { fail "could not make xu0 again"; return 1; }
	wait_for "$(scaled 10)" sh -c "[ \$(grep -c 'switch lab0 uplink xu0@0: AF_XDP socket bound' $VIFD_LOG) -gt $n0 ]" ||
	    { fail "no new AF_XDP uplink on xu0 once it was made again: $(grep 'lab0' "$VIFD_LOG" | tail -n 3 | tr '\n' '|')"; return 1; }
	grep -q 'switch lab0 uplink xu0@0: its NIC went away' "$VIFD_LOG" &&
	    grep -q 'switch lab0: xu0 is a new NIC' "$VIFD_LOG" ||
	    { fail "vifd did not say xu0 went and came back: $(grep 'lab0' "$VIFD_LOG" | tail -n 4 | tr '\n' '|')"; return 1; }
	s=$(guest_ping sw-a $XSK_FAR_IP 10)
	fig "xsk_again_ping=$(echo "$s" | awk '{ print $2 "/" $1 }') xsk_gone_said=1"
	[ "$(echo "$s" | awk '{ print $2 }')" -gt 0 ] 2>/dev/null ||
	    { fail "sw-a got no answer from the far host through the new AF_XDP uplink"; return 1; }
}

scenario_main() {
	local da db s0 g0 r0 sum_b sum_a vr va vb p0 t0
	local LAB_VIFD_ARGS="$LAB_VIFD_ARGS --switch-uplink=lab0=xu0"
	guests_destroy_all
	ip netns del $XSK_FAR 2>/dev/null
	xsk_far_up || { fail "could not make the veth pair xu0 - xu1 in $XSK_FAR"; return 1; }
	# vifd again, with lab0's AF_XDP uplink
	vifd_stop
	vifd_start || { fail "vifd did not start with --switch-uplink=lab0=xu0"; return 1; }
	sw_guest_up sw-a $SW_A || return 1
	sw_guest_up sw-b $SW_B || return 1
	da=$(guest_domid sw-a); db=$(guest_domid sw-b)
	[ "$(vifctl_stats "$da" 0 | awk '$2 == "switch" { print $3 }')" = lab0 ] ||
	    { fail "vifctl stats $da 0 does not say switch lab0"; return 1; }
	g0=$(vifctl_stat "$da" 0 tx_gso_frames); r0=$(vifctl_stat "$db" 0 rx_gso_frames)
	g2g_measure vifd_ || return 1
	vr=$G2G_RTT; va=$G2G_AB; vb=$G2G_BA
	s0=$(vifctl_stats "$da" 0 | awk '$2 == "switch_unicast" { print $3 }')
	# what the switch dropped for a full inbox (the receiving guest
	# slower than the sender): the cost of never holding a sender
	fig "switch_drop_full_a=$(vifctl_stats "$da" 0 | awk '$2 == "switch_drop_full" { print $3 }') switch_drop_full_b=$(vifctl_stats "$db" 0 | awk '$2 == "switch_drop_full" { print $3 }')"
	fig "switch_unicast_a=${s0:-none} gso_a_tx=+$(( $(vifctl_stat "$da" 0 tx_gso_frames) - g0 )) gso_b_rx=+$(( $(vifctl_stat "$db" 0 rx_gso_frames) - r0 ))"
	# one grant copy guest to guest: TCP's super-frames each way
	fig "direct_a_tx=$(vifctl_stat "$da" 0 tx_direct) direct_b_rx=$(vifctl_stat "$db" 0 rx_direct) direct_b_tx=$(vifctl_stat "$db" 0 tx_direct) direct_a_rx=$(vifctl_stat "$da" 0 rx_direct)"
	# frames placed in sw-b's ring by another thread, and the grant
	# copies that placed them (a sender's run shares one)
	fig "placed_b=$(vifctl_stat "$db" 0 rx_placed) place_calls_b=$(vifctl_stat "$db" 0 rx_place_calls) placed_a=$(vifctl_stat "$da" 0 rx_placed) place_calls_a=$(vifctl_stat "$da" 0 rx_place_calls)"
	[ "${s0:-0}" -gt 0 ] || { fail "the switch sent nothing unicast from sw-a"; return 1; }
	[ "$(vifctl_stat "$db" 0 rx_direct)" -gt 0 ] 2>/dev/null ||
	    { fail "no frame went from sw-a to sw-b in one grant copy (rx_direct)"; return 1; }
	[ $(( $(vifctl_stat "$da" 0 tx_gso_frames) - g0 )) -gt 0 ] &&
	    [ $(( $(vifctl_stat "$db" 0 rx_gso_frames) - r0 )) -gt 0 ] ||
	    { fail "no GSO super-frames crossed the switch whole"; return 1; }
	# a file sw-b -> sw-a: sw-b serves it once, sw-a fetches it
	guest_cmd sw-b "$(scaled 30)" "head -c 4194304 /dev/urandom > /tmp/xfer.tx; $(guest_listen 6002 '-e cat /tmp/xfer.tx > /dev/null 2>&1')" > /dev/null
	sum_b=$(guest_sum sw-b /tmp/xfer.tx)
	guest_cmd sw-a "$(scaled 60)" "nc $(guest_ip $SW_B) 6002 > /tmp/xfer.rx" > /dev/null
	sum_a=$(guest_sum sw-a /tmp/xfer.rx)
	[ -n "$sum_b" ] && [ "$sum_a" = "$sum_b" ] ||
	    { fig "g2g_file=corrupt"; fail "file sw-b -> sw-a through the switch: sent '$sum_b', got '$sum_a'"; return 1; }
	fig "g2g_file=intact"
	# dom0 through the uplink: the guests' subnet is on dom0's bridge,
	# so lab0 gets a /32 and a host route to sw-a only
	[ -e /sys/class/net/lab0 ] || { fail "vifd made no uplink TAP lab0"; return 1; }
	ip addr replace 192.0.2.254/32 dev lab0 && ip link set lab0 up &&
	    ip route replace "$(guest_ip $SW_A)/32" dev lab0 ||
	    { fail "could not set up lab0"; return 1; }
	p0=$(vifctl_stat "$da" 0 rx_placed); t0=$(vifctl_stat "$da" 0 tx_placed)
	s=$(ping_stats "$(guest_ip $SW_A)" 10)
	ip route del "$(guest_ip $SW_A)/32" dev lab0 2>/dev/null
	ip link set lab0 down
	# at this light load no frame waits for another thread: dom0's
	# pings placed in sw-a's ring by the uplink's thread, the replies
	# written to lab0 by sw-a's worker (vifd(8) SWITCHES)
	fig "uplink_ping=$(echo "$s" | awk '{ print $2 "/" $1 }') uplink_rtt_ms=$(echo "$s" | awk '{ print $4 }') uplink_rx_placed=+$(( $(vifctl_stat "$da" 0 rx_placed) - p0 )) uplink_tx_placed=+$(( $(vifctl_stat "$da" 0 tx_placed) - t0 ))"
	[ "$(echo "$s" | awk '{ print $2 }')" -gt 0 ] 2>/dev/null ||
	    { fail "dom0 got no answer from sw-a through the uplink lab0"; return 1; }
	xsk_check || return 1
	fig "xsk_mode=$(grep -o 'switch lab0 uplink xu0@0: AF_XDP socket bound ([a-z-]*' "$VIFD_LOG" | tail -n 1 | sed 's/.*(//')"
	# the same two guests behind xen-netback, on dom0's bridge
	backend_use kernel || { fail "could not switch to xen-netback"; return 1; }
	ip netns del $XSK_FAR
	guest_up sw-a $SW_A 1 || return 1
	guest_up sw-b $SW_B 1 || return 1
	g2g_measure kernel_ || return 1
	guests_destroy_all
	fig "rtt_ratio=$(ratio "$vr" "$G2G_RTT") tcp_ab_ratio=$(ratio "$va" "$G2G_AB") tcp_ba_ratio=$(ratio "$vb" "$G2G_BA")"
}
