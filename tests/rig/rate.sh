#!/bin/bash
# rate.sh - xl's rate= through the real binaries: the guest-outbound limit
# (netback's credit scheduler, backend key `rate`) and our guest-inbound one
# (`vifd-inbound-rate`), each measured over 6 s with iperf3 TCP and UDP and
# required within +-10% of the limit; a live change from 10 to 50 Mb/s shows
# in the next second; removing the key removes the limit. Prints what it
# measured. One queue: the limit is per queue, as in Linux.
. "$(dirname "$0")/../lib/rig.sh"
need_root
one_guest_up

# measure FROM-NS TO-IP tcp|udp: MBIT = Mbit/s received (goodput) over 6 s,
# empty without a result (said in a diag line).
measure() {
	local from=$1 to=$2 proto=$3 srv args=()
	if [ "$from" = "$HOSTNS" ]; then srv=$G; else srv=$HOSTNS; fi
	[ "$proto" = udp ] && args=(-u -b 200M -l 1400)
	MBIT=
	iperf_measure "$from" "$srv" "$to" 6 "${args[@]}" &&
	    MBIT=$(awk -v b="$IPERF_BPS" 'BEGIN { printf "%.2f", b / 1e6 }')
}
# The limiter counts Ethernet frames; iperf3 counts payload. Expected
# goodput: the limit times payload/frame (TCP with TSO: headers amortised
# over 64 KiB; UDP: 1400 of 1442 bytes).
within() {	# within MEASURED LIMIT_MBIT FRACTION
	awk -v m="$1" -v l="$2" -v f="$3" 'BEGIN { e = l * f; exit !(m >= 0.9 * e && m <= 1.1 * e) }'
}

run_case() {	# run_case DIRECTION RATE MBIT
	local dir=$1 rate=$2 mbit=$3 from to m
	if [ "$dir" = out ]; then
		vifctl rate 1 0 --outbound "$rate" --inbound none >/dev/null
		from=$G; to=10.77.0.1
	else
		vifctl rate 1 0 --outbound none --inbound "$rate" >/dev/null
		from=$HOSTNS; to=10.77.0.2
	fi
	sleep 0.5
	for proto in tcp udp; do
		measure "$from" "$to" "$proto"; m=$MBIT
		local f=0.999
		[ "$proto" = udp ] && f=$(awk 'BEGIN { print 1400 / 1442 }')
		diag "$dir $rate $proto: ${m:-?} Mbit/s (limit $mbit Mbit/s of frames)"
		check "$dir $rate $proto within 10% of the limit (${m:-?} Mbit/s)" within "${m:-0}" "$mbit" "$f"
	done
}

run_case out 10Mb/s 10
run_case out 1MB/s@20ms 8
check "the xenstore node is what libxl writes for 1MB/s@20ms" \
    [ "$(xsr "$(be_path 1 0)/rate")" = "20000,20000" ]
run_case in 10Mb/s 10
run_case in 1MB/s@20ms 8
check "the inbound node for 1MB/s@20ms is 20000,20000" \
    [ "$(xsr "$(be_path 1 0)/vifd-inbound-rate")" = "20000,20000" ]

# ---- a live change from 10 to 50 Mb/s, while traffic flows --------------------
vifctl rate 1 0 --outbound 10Mb/s --inbound none >/dev/null
check "the outbound node for 10Mb/s is 62500,50000" \
    [ "$(xsr "$(be_path 1 0)/rate")" = "62500,50000" ]
txbytes() {
	"$VIFCTL" --xen="sim:$M" stats 1 0 | awk '$2 == "total" && $3 == "tx_bytes" { print $4 }'
}
iperf_server "$HOSTNS"
ip netns exec "$G" timeout 20 iperf3 -c 10.77.0.1 -u -b 200M -l 1400 -t 7 >/dev/null 2>&1 &
IPERF=$!
sleep 2
# Each sample divides by the time that really passed between two reads of
# the counter: under load a "second" of sleep plus two vifctl runs is
# longer than one second (12.5 "Mb/s" was once read for 10 that way).
rates=()
prev=$(txbytes); tprev=$(date +%s.%N)
for s in 1 2 3 4 5; do
	[ "$s" = 3 ] && vifctl rate 1 0 --outbound 50Mb/s >/dev/null
	sleep 1
	now=$(txbytes); tnow=$(date +%s.%N)
	rates+=("$(awk -v a="$prev" -v b="$now" -v t0="$tprev" -v t1="$tnow" 'BEGIN { printf "%.1f", (b - a) * 8 / 1e6 / (t1 - t0) }')")
	prev=$now; tprev=$tnow
done
wait "$IPERF" 2>/dev/null
diag "guest->host Mbit/s each second, limit 10 Mb/s then 50 Mb/s from second 3: ${rates[*]}"
check "before the change: about 10 Mb/s (${rates[1]})" \
    awk -v r="${rates[1]}" 'BEGIN { exit !(r >= 8 && r <= 12) }'
check "the very next second: about 50 Mb/s (${rates[2]})" \
    awk -v r="${rates[2]}" 'BEGIN { exit !(r >= 40 && r <= 60) }'
check "and it stays there (${rates[3]}, ${rates[4]})" \
    awk -v r="${rates[3]}" -v s="${rates[4]}" 'BEGIN { exit !(r >= 45 && r <= 55 && s >= 45 && s <= 55) }'

# ---- removing the key removes the limit ------------------------------------------
vifctl rate 1 0 --outbound none >/dev/null
check "the rate node is gone" sh -c "! $XENSIM exec $M -- xenstore-exists $(be_path 1 0)/rate"
measure "$G" 10.77.0.1 tcp; m=$MBIT
diag "no limit: ${m:-?} Mbit/s"
check "no limit after removal (${m:-?} Mbit/s > 200)" awk -v m="${m:-0}" 'BEGIN { exit !(m > 200) }'
check "throttling was counted" sh -c \
    "$VIFCTL --xen=sim:$M stats 1 0 | awk '\$2 == \"total\" && \$3 == \"tx_rate_delayed\" && \$4 > 0' | grep -q ."

# ---- bad values -----------------------------------------------------------------
check "vifctl rate rejects a bad RATE (exit 2)" sh -c \
    "$VIFCTL --xen=sim:$M rate 1 0 --outbound 10ZB/s 2>/dev/null; [ \$? = 2 ]"
xsw "$(be_path 1 0)/rate" "12x,50000"
eventually 5 "a malformed rate node: unlimited plus a warning" vifd_log_has "rate '12x,50000'"
xsw "$(be_path 1 0)/rate" "1000,0"
eventually 5 "a zero interval: unlimited plus a warning" vifd_log_has "rate '1000,0'"
check "vifd alive" kill -0 "$VIFD_PID"
measure "$G" 10.77.0.1 tcp; m=$MBIT
check "traffic still flows, unlimited (${m:-?} Mbit/s)" awk -v m="${m:-0}" 'BEGIN { exit !(m > 200) }'
done_testing
