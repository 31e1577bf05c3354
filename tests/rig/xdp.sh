#!/bin/bash
# xdp.sh - netfront's XDP headroom handshake through the real vifd on the
# simulated Xen: a tap-mode guest attaches and removes an XDP program
# (headroom 256, then 0) several times, as Linux netfront does
# (Reconfiguring, xdp-headroom, wait for Reconfigured, Connected), while
# the host pings it and sends it TCP files (GSO frames of many slots).
# Every handshake must be answered (Reconfigured kept until the guest is
# Connected again, then Connected), frames must carry the XDP extra with
# their data at the headroom while attached and not otherwise, and the
# traffic must stay intact. A vif whose mask removes the feature
# advertises 0 and ignores a frontend's headroom.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge
CYCLES=4

sumstat() {	# sumstat DOMID COUNTER -> vifd's sum over the vif's queues
	vifctl stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $3 == c { s += $4 } END { print s + 0 }'
}
features() { vifctl stats "$1" 0 | awk -v k="vif$1.0" '$1 == k && $2 == "features" { print $3 }'; }
gstat() { awk -v k="$2" '$1 == k { v = $2 } END { print v }' "$M.guest$1.0.log"; }
glog_count() { grep -c -- "$2" "$M.guest$1.0.log"; }

guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$VB" >/dev/null
# The first attach 3 s after connecting, then one step every 1.5 s.
guest_tap 1 0 10.77.0.2 --queues 1 --xdp-cycles "$CYCLES" \
    --xdp-interval 1.5 --xdp-headroom 256 --timeout 10
GP=$GUEST_PID
eventually 15 "vif1.0 connected" be_state_is 1 0 4
check "feature-xdp-headroom advertised" [ "$(xsr "$(be_path 1 0)/feature-xdp-headroom")" = 1 ]
eventually 10 "guest pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1

# Traffic through all the cycles: pings from the host every 50 ms, and
# 16 MiB files host -> guest by TCP (TSO: GSO frames of up to 17 slots,
# the first shortened by the headroom), checked by SHA-256.
in_host ping -i 0.05 -W 1 -w 14 10.77.0.2 >"$M.ping" 2>&1 &
PING_PID=$!
PIDS+=("$PING_PID")
# What `vifctl stats` lists, sampled until the cycles are done.
( while ! grep -q 'xdp: done' "$M.guest1.0.log"; do
	features 1; sleep 0.1
done ) >"$M.features" 2>/dev/null &
PIDS+=($!)
head -c 16777216 /dev/urandom >"$M.file"
want="$(sha256sum <"$M.file" | cut -d' ' -f1) 16777216"
intact=0 sent_files=0
for port in 7100 7101 7102 7103 7104 7105; do
	recv_sum "$(guest_ns 1)" 10.77.0.2 "$port" >"$M.sum" &
	waitfor 10 listening "$(guest_ns 1)" "$port"
	in_host timeout 60 bash -c "cat $M.file > /dev/tcp/10.77.0.2/$port"
	wait $!
	sent_files=$((sent_files + 1))
	[ "$(cat "$M.sum")" = "$want" ] && intact=$((intact + 1))
	sleep 0.7
done
check "$intact of $sent_files 16 MiB files host -> guest intact (SHA-256) through the handshakes" [ "$intact" = "$sent_files" ]
eventually 30 "the guest did its $CYCLES cycles" grep -q "xdp: done: $CYCLES cycles" "$M.guest1.0.log"
check "vifctl stats listed xdp-headroom while attached" grep -q 'xdp-headroom' "$M.features"
check "... and not while removed" grep -qv 'xdp-headroom' "$M.features"
check "every attach answered (Reconfigured, then Connected)" [ "$(glog_count 1 'xdp: cycle [0-9]* attach headroom 256: Reconfigured after .* Connected after')" = "$CYCLES" ]
check "every remove answered (Reconfigured, then Connected)" [ "$(glog_count 1 'xdp: cycle [0-9]* remove headroom 0: Reconfigured after .* Connected after')" = "$CYCLES" ]
check "no handshake went unanswered" [ "$(glog_count 1 'did not')" = 0 ]
check "vifd took headroom 256 at each attach" [ "$(grep -c 'vif1.0: XDP headroom 256' "$M.vifd.log")" = "$CYCLES" ]
check "... and 0 at each remove" [ "$(grep -c 'vif1.0: XDP headroom 0' "$M.vifd.log")" = "$CYCLES" ]
check "backend back to Connected" be_state_is 1 0 4
check "frontend back to Connected" fe_state_is 1 0 4
check "xdp-headroom no longer listed once removed" [ "$(features 1 | grep -c xdp-headroom)" = 0 ]
x=$(sumstat 1 rx_xdp_frames); p=$(sumstat 1 rx_packets)
diag "vifd: $x of $p frames to the guest carried an XDP extra"
check "vifd sent frames with the XDP extra" [ "$x" -gt 100 ]
check "... and frames without it" [ "$p" -gt "$x" ]
check "vifd dropped nothing towards the guest" [ "$(( $(sumstat 1 rx_drop_size) + $(sumstat 1 rx_drop_copy) + $(sumstat 1 rx_drop_hdr) ))" = 0 ]
wait "$PING_PID" 2>/dev/null
sent=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$M.ping")
got=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$M.ping")
diag "host pings: $got of $sent answered through the handshakes"
check "pings answered through the handshakes (>= 98%)" \
    [ "${sent:-0}" -gt 100 -a "$(( ${got:-0} * 100 ))" -ge "$(( ${sent:-0} * 98 ))" ]

# The guest's view, printed when it exits.
kill "$GP" 2>/dev/null
waitfor 10 sh -c "! kill -0 $GP"
waitfor 5 grep -q '^rx_bad_offset ' "$M.guest1.0.log"
diag "guest: $(gstat 1 rx_xdp_frames) frames with the XDP extra, $(gstat 1 rx_no_xdp_frames) without, $(gstat 1 rx_multi_slot) of many slots"
check "guest received frames with the XDP extra" [ "$(gstat 1 rx_xdp_frames)" -gt 100 ]
check "guest received frames without it" [ "$(gstat 1 rx_no_xdp_frames)" -gt 0 ]
check "every frame's data where its extra (or 0) said" [ "$(gstat 1 rx_bad_offset)" = 0 ]
check "guest checksums all right" [ "$(gstat 1 rx_csum_bad)" = 0 ]
check "no frame refused by netfront's checks" [ "$(( $(gstat 1 rx_err_bounds) + $(gstat 1 rx_err_extra) + $(gstat 1 rx_err_too_many) + $(gstat 1 rx_err_more_slots) + $(gstat 1 rx_err_status) ))" = 0 ]
check "multi-slot frames came (GSO with the headroom)" [ "$(gstat 1 rx_multi_slot)" -gt 0 ]

# ---- masked: advertised 0, the frontend's headroom ignored ----------------
guest_add 2
vifctl attach --features-off=xdp-headroom 2 "mac=00:16:3e:00:02:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 2 0 10.77.0.3 --queues 1 --xdp-cycles 1 --xdp-interval 0.5
eventually 15 "vif2.0 connected" be_state_is 2 0 4
check "masked: feature-xdp-headroom advertised 0" [ "$(xsr "$(be_path 2 0)/feature-xdp-headroom")" = 0 ]
eventually 10 "masked: the guest skips the handshake, as netfront" grep -q "does not offer feature-xdp-headroom" "$M.guest2.0.log"
# A frontend that asks anyway: answered, but its headroom not taken.
xsw "$(fe_path 2 0)/state" 7
xsw "$(fe_path 2 0)/xdp-headroom" 256
eventually 10 "masked: Reconfiguring still answered" be_state_is 2 0 8
xsw "$(fe_path 2 0)/state" 4
eventually 10 "masked: back to Connected" be_state_is 2 0 4
check "masked: pings" in_host ping -c 5 -i 0.1 -W 1 10.77.0.3
check "masked: no frame with the XDP extra" [ "$(sumstat 2 rx_xdp_frames)" = 0 ]
check "masked: not listed in features" [ "$(features 2 | grep -c xdp-headroom)" = 0 ]
rm -f "$M.file" "$M.sum"
done_testing
