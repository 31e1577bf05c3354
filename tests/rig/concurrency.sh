#!/bin/bash
# concurrency.sh - the control thread at work on vifs whose queues carry
# traffic, all at once: while 32 TCP flows each way cross a 4-queue vif,
# its stats are read over and over (text and JSON), its rates changed
# live, its link taken down and up, and a second vif attaches, carries
# traffic and is detached. Each is a place where the control thread and
# the queue workers meet (queue.h's "control thread -> worker" fields,
# vif.c's upcalls and locks, the counters); the other rig tests do them
# one at a time, mostly on a quiet vif. tools/test.sh runs this test on
# the ThreadSanitizer build too, where a race at any of them fails it
# (rig.sh's t_before_done); its own checks hold on any build.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start --max-queues=4
VB=$HOTPLUG/vif-bridge
# 20 s of flows: the control loop below runs for SECS - 3. A round costs
# 2.4-4 s on the 2-core machine under the flows in the TSan build (three
# python3 and three TSan vifctl start-ups; the control socket answers
# within milliseconds), which gave 2 rounds in 7 s with SECS=10, at this
# stop's HEAD and at the previous one alike: now 4 TSan, 6 plain.
SECS=20

qstat() {	# qstat DOMID DEVID QUEUE COUNTER -> value
	"$VIFCTL" --xen="sim:$M" stats "$1" "$2" |
	    awk -v k="vif$1.$2" -v q="q$3" -v c="$4" '$1 == k && $2 == q && $3 == c { print $4 }'
}

both_over_100() { [ "${1:-0}" -gt 100 ] && [ "${2:-0}" -gt 100 ]; }

guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 1 0 10.77.0.2 --queues 4
eventually 15 "vif1.0 connected" be_state_is 1 0 4
eventually 10 "guest 1 pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1
check "vif1.0 has 4 queues" sh -c "$VIFCTL --xen=sim:$M stats 1 0 | grep -q '^vif1.0 queues 4$'"

# ---- traffic both ways for the whole of what follows -------------------------
# 32 flows each way. Which queue a flow takes is the hash of its
# connection (the host's tun picks the TAP queue by a hash of it, and
# the guest's tun sends a flow's replies back on the queue it came in on),
# so a queue gets no flow with probability (3/4)^flows: with the 16 flows
# of -P 8 that is 1 % a queue, and one TSan run in 9 on 2026-12-04 left
# queue 0 without traffic (2 TX, 5 RX packets; 17-20 thousand on each
# other queue). With 64 flows it is below 1e-7 a run.
iperf_server "$(guest_ns 1)"
in_host timeout $((SECS + 30)) iperf3 -c 10.77.0.2 --bidir -P 32 -t "$SECS" -J \
    >"$M.iperf" 2>&1 &
IPERF=$!
sleep 1

# ---- the control thread's side, in a loop while the flows run ----------------
# Each round: the text stats, the JSON stats (parsed), one of three rate
# settings (both limits, one, none), so that every worker keeps taking new
# limits while it moves frames, and the log's verbosity (the control
# socket's "verbose", which the workers read in each log call) down and
# back up. Counts go to $M.loop.
verbose() {	# verbose N: vifd's answer to "verbose N" on its socket
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(("verbose %s\n" % sys.argv[2]).encode())
s.shutdown(socket.SHUT_WR)
print(s.makefile().read(), end="")' "$M/vifd-0.sock" "$1" 2>/dev/null
}
(
	n=0 text=0 json=0 rate=0 verb=0
	end=$(($(date +%s) + SECS - 3))
	while [ "$(date +%s)" -lt "$end" ]; do
		n=$((n + 1))
		vifctl stats 1 0 | grep -q '^vif1.0 queues 4$' && text=$((text + 1))
		vifctl stats --json 1 0 | python3 -c '
import json, sys
v = json.load(sys.stdin)["vifs"][0]
assert v["num_queues"] == 4 == len(v["queues"])' 2>/dev/null && json=$((json + 1))
		case $((n % 3)) in
		0) set -- --outbound 200Mb/s --inbound 200Mb/s ;;
		1) set -- --outbound 500Mb/s --inbound none ;;
		*) set -- --outbound none --inbound none ;;
		esac
		vifctl rate 1 0 "$@" >/dev/null && rate=$((rate + 1))
		[ "$(verbose 1)" = "verbose 1" ] && [ "$(verbose 2)" = "verbose 2" ] &&
		    verb=$((verb + 1))
	done
	echo "$n $text $json $rate $verb" >"$M.loop"
) &
LOOP=$!

# ---- meanwhile, a second vif's life and vif1.0's link -----------------------
guest_add 2
attach 2 "mac=00:16:3e:00:02:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 2 0 10.77.0.3 --queues 2
eventually 15 "vif2.0 attached and connected during the flows" be_state_is 2 0 4
eventually 10 "guest 2 pings the host" in_guest 2 ping -c 1 -W 1 10.77.0.1
in_guest 2 ping -q -i 0.01 -w 3 10.77.0.1 >/dev/null 2>&1 &
PING=$!
check "vifctl port --link=down 1 0 during the flows" vifctl port --link=down 1 0
sleep 0.5
check "vifctl port --link=up 1 0" vifctl port --link=up 1 0
sleep 1
check "vifctl detach 2 0 while it carries traffic" vifctl detach 2 0
eventually 5 "vif2.0's TAP removed" no_link_in_host vif2.0
wait "$PING" 2>/dev/null

wait "$LOOP"
read -r n text json rate verb <"$M.loop" 2>/dev/null
diag "control rounds during the flows: ${n:-0} (text stats $text, JSON $json, rate changes $rate, verbosity changes $verb)"
check "several control rounds ran during the flows (${n:-0})" [ "${n:-0}" -ge 3 ]
check "every text stats read answered whole" [ "${text:-x}" = "${n:-y}" ]
check "every JSON stats read parsed" [ "${json:-x}" = "${n:-y}" ]
check "every rate change was taken" [ "${rate:-x}" = "${n:-y}" ]
check "every verbosity change was answered" [ "${verb:-x}" = "${n:-y}" ]

wait "$IPERF"
check "both directions carried data" python3 - "$M.iperf" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["end"]
assert d["sum_received"]["bytes"] > 1e6, d["sum_received"]
assert d["sum_received_bidir_reverse"]["bytes"] > 1e6, d["sum_received_bidir_reverse"]
PY
for q in 0 1 2 3; do
	tx=$(qstat 1 0 "$q" tx_packets); rx=$(qstat 1 0 "$q" rx_packets)
	diag "vif1.0 q$q: tx_packets $tx rx_packets $rx"
	check "queue $q carried traffic each way" both_over_100 "$tx" "$rx"
done
eventually 10 "guest 1 still pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1
check "vifd still running" kill -0 "$VIFD_PID"
done_testing
