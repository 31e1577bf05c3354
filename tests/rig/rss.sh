#!/bin/bash
# rss.sh - the control ring and receive-side scaling (netif.h "Control
# ring", "Hash types") through the real vifd, the simulated Xen and
# vif-guest's Windows-like profile (--rss): feature-ctrl-ring advertised;
# the guest sets Toeplitz, its own key, all four hash types and a 64-entry
# mapping of its own over 4 queues on the control ring; 16 TCP flows from
# the host (iperf3 -P 16): every frame that reaches the guest carries a
# HASH extra equal to the guest's own Toeplitz of it and arrives on the
# queue the guest's mapping names (the guest's per-queue counters), vifd
# says which steering path is active. Then hostile control-ring requests
# (bad parameters, failing grants, a flood, an impossible producer) are
# answered with netif.h's statuses or disable that vif alone, while the
# first guest keeps working. A masked ctrl-ring is neither advertised nor
# mapped.
#
# Steering: here vifd runs as it does by default, so the kernel steers
# (its BPF program on the TAP): vifctl must say "steering ebpf", and the
# program must agree with vifd's own Toeplitz and mapping on every frame
# of the flows, which shows as no software hand-off at all during them
# (rx_steered_out's growth across the flows is 0: the guest set its
# key and mapping before they started and does not change them, so no
# frame can be caught between two settings; any disagreement on any
# frame, a header parsed otherwise, a bit of the hash, the mapping,
# would be handed over and counted). rss-software.sh runs the same flows
# with --steering=software, where there must be hand-offs (the TAP's own
# spread knows nothing of the guest's mapping until the guest answers on
# a flow): the same counter, so a 0 here is not a counter that never
# moves. With a program attached, tun never consults its flow table, so
# the 0 is the program's doing alone.
. "$(dirname "$0")/../lib/rig.sh"
RSS_STEERING=${RSS_STEERING:-ebpf}
need_root
machine_up
if [ "$RSS_STEERING" = software ]; then
	vifd_start --max-queues=4 --steering=software
else
	vifd_start --max-queues=4
fi
VB=$HOTPLUG/vif-bridge

# gstat DOMID NAME: vif-guest's counter NAME (SIGUSR1 prints them).
gstat() {
	gsnap
	gget "$@"
}
# gsnap: the guest prints its counters once; gget DOMID KEY reads the
# last print, so that several counters come from one moment.
gsnap() { kill -USR1 "$GP"; sleep 0.3; }
gget() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$M.guest$1.0.log"; }
vstat() {	# vstat DOMID KEY [KEY2]: the value of vifd's stats line
	local w=$2
	[ -n "${3:-}" ] && w="$2 $3"
	vifctl stats "$1" 0 | awk -v k="vif$1.0" -v w="$w" \
	    '$1 == k && ((NF == 3 && $2 == w) || (NF == 4 && $2 " " $3 == w)) { print $NF }'
}

guest_add 2
attach 2 "mac=00:16:3e:00:02:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 2 0 10.77.0.3 --queues 4 --rss
GP=$GUEST_PID
eventually 15 "guest 2 connected" be_state_is 2 0 4
check "feature-ctrl-ring advertised" [ "$(xsr "$(be_path 2 0)/feature-ctrl-ring")" = 1 ]
check "the guest gave ctrl-ring-ref and event-channel-ctrl" sh -c \
    "$XENSIM exec $M -- xenstore-read $(fe_path 2 0)/ctrl-ring-ref && $XENSIM exec $M -- xenstore-read $(fe_path 2 0)/event-channel-ctrl"
eventually 15 "the guest set RSS up over the control ring" grep -q "rss: ready" "$M.guest2.0.log"
check "vifd runs 4 queues" [ "$(vstat 2 queues)" = 4 ]
check "vifd negotiated ctrl-ring" sh -c "$VIFCTL --xen=sim:$M stats 2 0 | grep -q '^vif2.0 features .*ctrl-ring'"
check "vifctl stats: steering $RSS_STEERING" [ "$(vstat 2 steering)" = "$RSS_STEERING" ]
check "vifctl stats --json: steering $RSS_STEERING" sh -c "$VIFCTL --xen=sim:$M stats --json 2 0 | grep -q '\"steering\":\"$RSS_STEERING\"'"
if [ "$RSS_STEERING" = ebpf ]; then
	check "vifd: the kernel steers vif2.0's TAP" vifd_log_has "vif2.0: the kernel steers the TAP"
else
	check "vifd: software steering forced" vifd_log_has "vif2.0: software steering only: software steering forced"
fi

# 16 TCP flows from the host to the guest.
out0=$(vstat 2 total rx_steered_out)
iperf_measure "$HOSTNS" "$(guest_ns 2)" 10.77.0.3 3 -P 16
diag "16 flows host -> guest: ${IPERF_BPS:-no result} bit/s"
check "16 flows: data arrived" [ -n "$IPERF_BYTES" ]
# The flows' last frames (FIN, ACK) may still be on their way: settle, then
# read every counter from one print.
sleep 1
gsnap
ok=$(gget 2 rx_hash_ok)
diag "guest: hash extras $(gget 2 rx_hash_extra), equal to its own Toeplitz $ok, different $(gget 2 rx_hash_bad), missing $(gget 2 rx_hash_missing)"
check "hash extras: thousands checked" [ "$ok" -gt 1000 ]
check "hash extras: none differs from the guest's own Toeplitz" [ "$(gget 2 rx_hash_bad)" = 0 ]
check "hash extras: no hashable frame came without one" [ "$(gget 2 rx_hash_missing)" = 0 ]
qok=$(gget 2 rx_rss_queue_ok)
diag "guest: frames on the queue its mapping names $qok, elsewhere $(gget 2 rx_rss_queue_bad)"
check "queues: every checked frame on the queue the mapping names" [ "$(gget 2 rx_rss_queue_bad)" = 0 ]
check "queues: as many frames checked as hashes" [ "$qok" = "$ok" ]
used=0
for q in 0 1 2 3; do
	n=$(gstat 2 "q$q.rx_rss_queue_ok")
	diag "queue $q: $n frames, vifd: rx_packets $(vstat 2 q$q rx_packets) steered out $(vstat 2 q$q rx_steered_out) in $(vstat 2 q$q rx_steered_in)"
	[ "$n" -gt 0 ] && used=$((used + 1))
done
check "queues: the flows spread over several queues ($used of 4)" [ "$used" -ge 2 ]
check "vifd counted the hash extras" [ "$(vstat 2 total rx_hash_extra)" -ge "$ok" ]
check "vifd dropped nothing for steering" [ "$(vstat 2 total rx_drop_steer)" = 0 ]
check "vifd: every frame handed over arrived" [ "$(vstat 2 total rx_steered_out)" = "$(vstat 2 total rx_steered_in)" ]
handed=$(($(vstat 2 total rx_steered_out) - out0))
diag "steering $RSS_STEERING: $handed of $(vstat 2 total rx_packets) frames handed to another queue during the flows"
if [ "$RSS_STEERING" = ebpf ]; then
	check "ebpf: the kernel put every frame of the flows on its queue (0 hand-offs)" [ "$handed" = 0 ]
else
	# Not thousands: without a program the TAP picks queues by its
	# flow table (tun's automq), which learns each flow's queue from
	# the queue vifd writes the guest's frames of it to, and the guest
	# answers on the queue its mapping names. So only a flow's first
	# frames, before the guest's first answer, land by the kernel's
	# hash: on another queue for most of the 16 flows.
	check "software: the workers handed frames over (a flow's first frames)" [ "$handed" -gt 0 ]
	done_testing	# the hostile half is rss.sh's
fi

# ---- hostile control-ring requests ----------------------------------------
D=10
evil() {	# evil ATTACK [MASK]: one attack from a new domain, output in $OUT
	D=$((D + 1))
	guest_add "$D"
	vifctl attach ${2:+--features-off=$2} "$D" "mac=00:16:3e:00:$D:00,bridge=xenbr0,script=$VB" >/dev/null
	OUT=$(timeout 60 "$GUEST" --xen="sim:$M" --domid "$D" --mode evil \
	    --queues 2 --attack "$1" --wait 2 --seconds 0.1 2>>"$M.evil$D.log")
	echo "$OUT" >"$M.evil$D.out"
}
st() { grep -q -- "result: $1: status $2\$" <<<"$OUT"; }
evil ctrl-bad

check "ctrl-bad: unknown type 200: NOT_SUPPORTED (1)" st "type 200" 1
check "ctrl-bad: type 0: NOT_SUPPORTED" st "type 0" 1
check "ctrl-bad: static-grant request: NOT_SUPPORTED" st "add-gref-mapping" 1
check "ctrl-bad: algorithm 9: INVALID_PARAMETER (2)" st "algorithm 9" 2
check "ctrl-bad: flags before an algorithm: INVALID_PARAMETER" st "flags before algorithm" 2
check "ctrl-bad: Toeplitz: SUCCESS" st "algorithm toeplitz" 0
check "ctrl-bad: unknown flag: INVALID_PARAMETER" st "flags 0x10" 2
check "ctrl-bad: 41-byte key: BUFFER_OVERFLOW (3)" st "key 41 bytes" 3
check "ctrl-bad: 4 GiB key: BUFFER_OVERFLOW" st "key 4 GiB" 3
check "ctrl-bad: key from a bad grant: INVALID_PARAMETER" st "key bad gref" 2
check "ctrl-bad: mapping size 129: INVALID_PARAMETER" st "mapping size 129" 2
check "ctrl-bad: mapping size 8: SUCCESS" st "mapping size 8" 0
check "ctrl-bad: an entry naming queue 2 of 2: INVALID_PARAMETER" st "mapping queue nq" 2
check "ctrl-bad: entries past the size: INVALID_PARAMETER" st "mapping past size" 2
check "ctrl-bad: an offset that wraps: INVALID_PARAMETER" st "mapping offset wraps" 2
check "ctrl-bad: 1024 entries: BUFFER_OVERFLOW" st "mapping 1024 entries" 3
check "ctrl-bad: mapping from a bad grant: INVALID_PARAMETER" st "mapping bad gref" 2
check "ctrl-bad: the ring still answers" st "probe get-flags" 0
check "ctrl-bad: the vif stays Connected" grep -q "result: backend state: Connected" <<<"$OUT"
evil ctrl-flood
diag "$(grep 'ctrl-flood:' <<<"$OUT")"
check "ctrl-flood: every request answered" grep -q "requests, 0 unanswered" <<<"$OUT"
check "ctrl-flood: the ring still answers" st "probe get-flags" 1
check "ctrl-flood: the vif stays Connected" grep -q "result: backend state: Connected" <<<"$OUT"
evil ctrl-prod-jump
eventually 10 "ctrl-prod-jump: that vif is disabled (Closing/Closed)" sh -c "s=\$($XENSIM exec $M -- xenstore-read $(be_path $D 0)/state); [ \"\$s\" = 5 ] || [ \"\$s\" = 6 ]"
check "ctrl-prod-jump: vifd says why" vifd_log_has "vif$D.0: control ring: impossible request producer"
evil ctrl-bad ctrl-ring
check "masked: feature-ctrl-ring advertised 0" [ "$(xsr "$(be_path $D 0)/feature-ctrl-ring")" = 0 ]
check "masked: the guest uses no control ring" grep -q "result: no control ring (feature-ctrl-ring 0)" <<<"$OUT"

check "vifd alive" kill -0 "$VIFD_PID"
check "guest 2 still Connected" be_state_is 2 0 4
eventually 10 "guest 2 still reaches the host" in_guest 2 ping -c 1 -W 1 10.77.0.1
done_testing
