#!/bin/bash
# badinput.sh - hostile frontends (the XSA list, research §1.8 and §5) against
# the real vifd on the simulated Xen. Each attack comes from its own guest
# domain (vif-guest --mode evil); vifd must answer as Linux netback does:
# error responses for a dropped packet, the vif closed with an error node for
# a fatal one, never a crash, a hang or unbounded memory - and a bystander
# guest keeps moving packets through all of it.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$VIFD_PID/status"; }

# The bystander: guest 1, pinging the host all along.
guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 1 0 10.77.0.2
eventually 15 "bystander connected" be_state_is 1 0 4
eventually 10 "bystander pings" in_guest 1 ping -c 1 -W 1 10.77.0.1
# `ip netns exec` execs ping: $! is ping itself, which SIGINT makes print
# its summary.
ip netns exec "$(guest_ns 1)" ping -i 0.1 -W 1 10.77.0.1 >"$M.bystander.ping" 2>&1 &
PING_PID=$!
PIDS+=("$PING_PID")
rss0=$(rss_kb)

D=1
# evil ATTACK [extra vif-guest args]: runs one attack from a new domain;
# its output is in $OUT, its domain in $D.
evil() {
	local a=$1; shift
	D=$((D + 1))
	guest_add "$D"
	attach "$D" "mac=$(printf '00:16:3e:00:%02x:00' "$D"),bridge=xenbr0,script=$VB" >/dev/null
	OUT=$(timeout 60 "$GUEST" --xen="sim:$M" --domid "$D" --mode evil \
	    --attack "$a" --wait 2 --seconds 0.1 "$@" 2>>"$M.evil$D.log")
	echo "$OUT" >"$M.evil$D.out"
}
has() { grep -q -- "$1" <<<"$OUT"; }
errnode() { xsr "/local/domain/0/error/backend/vif/$D/0/error"; }

# Accepted: legal, if unusual.
for a in slots19 zero-len tiny-header; do
	evil "$a"
	check "$a: every slot OKAY" has "result: responses: [0-9]* x OKAY$"
	check "$a: no slot answered ERROR" sh -c "! grep -q 'x ERROR' $M.evil$D.out"
	check "$a: vif stays Connected" has "result: backend state: Connected"
	check "$a: the ring still works (probe OKAY)" has "result: probe: 1 x OKAY"
done

# Dropped: error responses, the vif stays up (Linux: drop, not fatal).
for a in slots20 slots21 runt oversize bad-gref; do
	evil "$a"
	check "$a: answered with ERROR responses" has "x ERROR"
	check "$a: vif stays Connected" has "result: backend state: Connected"
	check "$a: the ring still works (probe OKAY)" has "result: probe: 1 x OKAY"
done
for c in tx_drop_slots tx_drop_runt tx_drop_oversize tx_drop_copy; do
	check "drops counted as $c" sh -c \
	    "$VIFCTL --xen=sim:$M stats | awk '\$2 == \"total\" && \$3 == \"$c\" && \$4 > 0' | grep -q ."
done

# Multicast control requests (MCAST_ADD/DEL dummies): each answered on its
# own request slot as Linux netback answers it (extra slots NULL), never
# fatal. Our one difference: a unicast ADD is refused (Linux takes it).
vstat() {	# vstat COUNTER: vif<D>.0's total in vifctl stats
	"$VIFCTL" --xen="sim:$M" stats "$D" 0 |
	    awk -v k="vif$D.0" -v c="$1" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
evil mcast-unicast
check "mcast-unicast: the ADD answered ERROR, its extra NULL" has "result: packet 1: 1 x NULL, 1 x ERROR"
check "mcast-unicast: counted as tx_mcast_err" [ "$(vstat tx_mcast_err)" = 1 ]
evil mcast-overflow
check "mcast-overflow: the 64th ADD answered OKAY" has "result: packet 64: 1 x OKAY, 1 x NULL"
check "mcast-overflow: the 65th ADD answered ERROR" has "result: packet 65: 1 x NULL, 1 x ERROR"
check "mcast-overflow: 64 OKAY, 6 ERROR in all" has "result: responses: 64 x OKAY, 70 x NULL, 6 x ERROR"
check "mcast-overflow: counted (64 tx_mcast_add, 6 tx_mcast_err)" \
    [ "$(vstat tx_mcast_add)" = 64 ] && [ "$(vstat tx_mcast_err)" = 6 ]
evil mcast-del-absent
check "mcast-del-absent: answered OKAY (Linux ignores it)" has "result: packet 1: 1 x OKAY, 1 x NULL"
evil mcast-both
check "mcast-both: ADD+DEL in one chain answered OKAY" has "result: packet 1: 1 x OKAY, 2 x NULL"
check "mcast-both: ... as an ADD (Linux: ADD first), then the DEL" \
    [ "$(vstat tx_mcast_add)" = 1 ] && [ "$(vstat tx_mcast_del)" = 1 ]
for a in mcast-unicast mcast-overflow mcast-del-absent mcast-both; do
	# Outputs by attack: $M.evil<D>.out of each was kept.
	f=$(grep -l "result: attack: $a " "$M".evil*.out)
	check "$a: vif stays Connected" grep -q "result: backend state: Connected" $f
	check "$a: the ring still works (probe OKAY)" grep -q "result: probe: 1 x OKAY" $f
done

# Fatal: the vif is disabled and closed with an error node; nothing else.
for a in slots22 page-cross missing-extra extra-type extra-type-max \
    gso-size0 gso-type partial req-prod-jump; do
	evil "$a"
	check "$a: vif closed (backend Closing)" has "result: backend state: Clos"
	check "$a: error node written" sh -c "[ -n \"\$($XENSIM exec $M -- xenstore-read /local/domain/0/error/backend/vif/$D/0/error 2>/dev/null)\" ]"
	check "$a: vifd alive" kill -0 "$VIFD_PID"
done

# Malformed frontend keys: the vif fails with an error naming the key.
for ak in keys-nq0:multi-queue-num-queues keys-nq-big:multi-queue-num-queues \
    keys-ref-nan:tx-ring-ref keys-no-evtchn:event-channel \
    keys-no-rx-copy:request-rx-copy; do
	a=${ak%%:*}; key=${ak#*:}
	evil "$a"
	check "$a: vif closed" has "result: backend state: Clos"
	e=$(errnode)
	check "$a: error node names $key ($e)" grep -q -- "$key" <<<"$e"
done
# Removing a failed vif removes its error node, and its domain's error
# directory with it once empty: one left per guest that ever failed would
# pile up in a long-lived driver domain's xenstore quota.
check "$a: the failed vif detached" vifctl detach "$D" 0
eventually 10 "$a: its error node went with it (once the TAP did)" sh -c \
    "! $XENSIM exec $M -- xenstore-exists /local/domain/0/error/backend/vif/$D/0"
check "$a: so did domain $D's error directory" sh -c \
    "! $XENSIM exec $M -- xenstore-exists /local/domain/0/error/backend/vif/$D"

# Netfront's XDP handshake (Reconfiguring) at odd moments: answered, and
# the vif goes on; a headroom over the limit, of a page or no number: the
# vif fails with an error node naming it (Linux would cap or take 0).
evil xdp-reconf-early
check "xdp-reconf-early: Reconfiguring before Connected answered Reconfigured" has "result: answer to Reconfiguring: Reconfigured"
check "xdp-reconf-early: Connected once the guest is" has "result: after Connected: Connected"
check "xdp-reconf-early: the ring works (probe OKAY)" has "result: probe: 1 x OKAY"
evil xdp-reconf-twice
check "xdp-reconf-twice: answered Reconfigured" has "result: answer to Reconfiguring: Reconfigured"
check "xdp-reconf-twice: still Reconfigured after the second" has "result: after Reconfiguring again: Reconfigured"
check "xdp-reconf-twice: Connected once the guest is" has "result: after Connected: Connected"
check "xdp-reconf-twice: the ring works (probe OKAY)" has "result: probe: 1 x OKAY"
evil xdp-reconf-close
check "xdp-reconf-close: answered Reconfigured" has "result: answer to Reconfiguring: Reconfigured"
check "xdp-reconf-close: Closing follows the guest's" has "result: after Closing: Clos"
check "xdp-reconf-close: vifd alive" kill -0 "$VIFD_PID"
for av in xdp-headroom-big:32768 xdp-headroom-page:4096 xdp-headroom-nan:256B; do
	a=${av%%:*}; v=${av#*:}
	evil "$a"
	# netfront writes the key after Reconfiguring: vifd may read it
	# before the write and answer, then finds it when the guest is back
	# to Connected (its second read). Closed either way.
	diag "$a: $(grep 'answer to Reconfiguring' <<<"$OUT")"
	check "$a: never back to Connected" sh -c "! grep -q 'result: after Connected: Connected' $M.evil$D.out"
	check "$a: vif closed" has "result: backend state: Clos"
	e=$(errnode)
	check "$a: error node names xdp-headroom \"$v\" ($e)" grep -q -- "xdp-headroom \"$v\"" <<<"$e"
	check "$a: vifd alive" kill -0 "$VIFD_PID"
done

# RX side: bad RX grefs give per-slot errors; a guest that posts no (or
# one) buffer while the host floods it must not grow vifd (XSA-392).
evil rx-bad-gref
check "rx-bad-gref: errors in RX responses" sh -c "grep -q 'rx: frames [0-9]* errors [1-9]' $M.evil$D.out"
check "rx-bad-gref: vif stays Connected" has "result: backend state: Connected"
flood() {	# flood DOMID SECONDS: UDP at the guest's MAC from the host
	local mac
	mac=$(printf '00:16:3e:00:%02x:00' "$1")
	in_host ip neigh replace "10.77.0.$(($1 + 1))" lladdr "$mac" dev xenbr0
	in_host timeout "$2" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + float(sys.argv[2])
buf = b"x" * 1400
while time.time() < end:
    try: s.sendto(buf, (sys.argv[1], 9))
    except OSError: pass
' "10.77.0.$(($1 + 1))" "$2" >/dev/null 2>&1 || true
}
for a in rx-starve rx-starve1; do
	D1=$((D + 1))
	( sleep 1; flood "$D1" 3 ) &
	evil "$a" --wait 5
	check "$a: vif stays Connected" has "result: backend state: Connected"
	check "$a: vifd alive" kill -0 "$VIFD_PID"
done

# Floods of events: watch events (XSA-349) and event channels (XSA-332).
evil state-flood
check "state-flood: the frontend's watch was capped" vifd_log_has "frontend state changes too fast"
check "state-flood: vif still works (probe OKAY)" has "result: probe: 1 x OKAY"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$VIFD_PID/stat"; }
c0=$(cpu_ticks)
evil evtchn-storm
c1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
diag "vifd CPU during the 2 s event-channel storm: $(( (c1 - c0) * 1000 / hz )) ms"
check "evtchn-storm: vif still works (probe OKAY)" has "result: probe: 1 x OKAY"
check "evtchn-storm: vifd's CPU stays bounded (< 0.6 s of 2 s: spurious events throttled)" \
    [ $(( (c1 - c0) * 1000 / hz )) -lt 600 ]

rss1=$(rss_kb)
diag "vifd RSS: ${rss0} kB before the attacks, ${rss1} kB after"
check "vifd memory bounded through the attacks (< +64 MiB)" [ $((rss1 - rss0)) -lt 65536 ]
check "vifd alive after every attack" kill -0 "$VIFD_PID"
kill -INT "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null
ping_tally "$M.bystander.ping"
diag "bystander: $GOT of $SENT pings answered during the attacks"
check "bystander kept moving packets (>= 95% of pings)" \
    [ -n "$SENT" ] && [ "$SENT" -gt 50 ] && [ $((GOT * 100)) -ge $((SENT * 95)) ]
check "bystander still Connected" be_state_is 1 0 4
# A new, well-behaved guest still gets served after all that.
guest_add 99
attach 99 "mac=00:16:3e:00:99:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 99 0 10.77.0.100
eventually 15 "a new guest connects after the attacks" be_state_is 99 0 4
eventually 10 "and pings" in_guest 99 ping -c 1 -W 1 10.77.0.1
done_testing
