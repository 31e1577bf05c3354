# Scenario 4: vif rate=1MB/s@20ms. The guest sends as fast as TCP lets it;
# the bytes its vif's host netdev receives over 6 s must come to 1 MB/s
# +-15%. (xl writes the node as "bytes per interval,interval us".)
BUDGET=200
RATE_SPEC="rate=1MB/s@20ms"
RATE_BPS=1000000
RATE_NODE="20000,20000"

scenario_main() {
	local d nd node b0 t0 b1 t1 bps mbps
	guest_up lab-c 4 1 "$RATE_SPEC" || return 1
	d=$(guest_domid lab-c)
	nd=$(vif_netdev "$d" 0)
	node=$(xsr "$(be_path "$d" 0)/rate")
	fig "spec=$RATE_SPEC rate_node=${node:-none}"
	[ "$node" = "$RATE_NODE" ] || { fail "backend rate node '$node', expected '$RATE_NODE'"; return 1; }
	iperf_mbps "$(guest_ip 4)" 10 -R > "$LAB_RUN/s4.mbps" &
	# skip the first 2 s (TCP slow start, the initial credit burst)
	sleep 2
	b0=$(netdev_stat "$nd" rx_bytes); t0=$(up)
	sleep 6
	b1=$(netdev_stat "$nd" rx_bytes); t1=$(up)
	wait
	mbps=$(cat "$LAB_RUN/s4.mbps")
	bps=$(calc "($b1 - $b0) / ($t1 - $t0)" 0)
	fig "measured_Bps=$bps ratio=$(calc "$bps / $RATE_BPS" 3) iperf_mbps=${mbps:-none}"
	if [ "$(cur_backend)" = vifd ]; then
		fig "vifd_tx_rate_delayed=$(vifctl_stat "$d" 0 tx_rate_delayed) vifd_tx_throttled_ms=$(calc "$(vifctl_stat "$d" 0 tx_throttled_ns || echo 0) / 1000000" 0)"
		"$VIFCTL" stats "$d" 0 2>&1 | grep -E 'rate|tx_(packets|bytes)' | sed 's/^/    vifctl: /'
	fi
	xl destroy lab-c
	[ -n "$mbps" ] || { fail "iperf3 failed: $(iperf_error)"; return 1; }
	awk -v r="$bps" -v w="$RATE_BPS" 'BEGIN { exit !(r >= 0.85 * w && r <= 1.15 * w) }' ||
	    { fail "guest sent $bps B/s, not within 15% of $RATE_BPS"; return 1; }
}
