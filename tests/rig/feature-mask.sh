#!/bin/bash
# feature-mask.sh - the per-vif feature mask (backend key vifd-features-off)
# through the real vifd, vifctl and vif-guest on the simulated Xen: for each
# feature vifd offers today, a guest whose vif masks it (written by vifctl
# attach --features-off, with the device) must not see it advertised, must
# not have it in what it negotiated, and traffic must still flow, with the
# counters showing the feature unused. A guest with nothing masked is the
# control that shows each check can fail. Then: frontends that use a masked
# feature anyway get error responses and keep their vif; a mask changed
# with vifctl features takes effect at the next connect; a bad mask is
# refused by vifctl before writing and, written by hand, fails the vif with
# an error node naming the bad part.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge
KEY=vifd-features-off

total() {	# total DOMID COUNTER: vifd's counter for vif DOMID.0
	"$VIFCTL" --xen="sim:$M" stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
tcp_ok() {	# tcp_ok FROM-NS SERVER-NS SERVER-IP: a 2 s transfer moves > 1 MB
	iperf_measure "$1" "$2" "$3" 2 && [ "$IPERF_BYTES" -gt 1000000 ]
}
adv() { xsr "$(be_path "$1" 0)/$2"; }		# adv DOMID KEY
adv_is() { [ "$(adv "$1" "$2")" = "$3" ]; }
# neg DOMID NAME: NAME's value in the guest's last "negotiated:" line.
neg() {
	grep 'negotiated:' "$M.guest$1.0.log" | tail -1 |
	    awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'
}
neg_is() { [ "$(neg "$1" "$2")" = "$3" ]; }
# gstat DOMID COUNTER: the guest's total, printed when it exits.
gstat() { awk -v k="$2" '$1 == k { v = $2 } END { print v }' "$M.guest$1.0.log"; }
guest_stop() {	# guest_stop DOMID PID: stop it; its counters are logged
	kill "$2" 2>/dev/null
	waitfor 10 sh -c "! kill -0 $2"
	waitfor 5 grep -q '^rx_csum_bad ' "$M.guest$1.0.log"
}
mac() { printf '00:16:3e:00:%02x:00' "$1"; }
# guest_masked DOMID ADDR MASK [vif-guest args]: a vif with that mask,
# written with the device, and its guest connected; GP its pid.
guest_masked() {
	local d=$1 a=$2 m=$3; shift 3
	guest_add "$d"
	vifctl attach --features-off="$m" "$d" "mac=$(mac "$d"),bridge=xenbr0,script=$VB" >/dev/null
	guest_tap "$d" 0 "$a" --queues 2 "$@"
	GP=$GUEST_PID
	waitfor 15 be_state_is "$d" 0 4
	eventually 10 "$m: guest $d pings the host" in_guest "$d" ping -c 1 -W 1 10.77.0.1
}
both_ways() {	# both_ways DOMID ADDR LABEL
	local g
	g=$(guest_ns "$1")
	check "$3: TCP guest -> host" tcp_ok "$g" "$HOSTNS" 10.77.0.1
	check "$3: TCP host -> guest" tcp_ok "$HOSTNS" "$g" "$2"
}
v6_up() {	# v6_up DOMID N: fd77::N in the guest, and the host's fd77::1
	ip -n "$HOSTNS" addr add fd77::1/64 dev xenbr0 nodad 2>/dev/null
	ip -n "$(guest_ns "$1")" addr add "fd77::$2/64" dev eth0 nodad
	eventually 10 "guest $1: IPv6 ping" in_guest "$1" ping -6 -c 1 -W 1 fd77::1
}

# ---- the control: nothing masked -------------------------------------------
guest_masked 2 10.77.0.3 ""
check "control: no $KEY written for an empty mask" sh -c "! $XENSIM exec $M -- xenstore-read $(be_path 2 0)/$KEY"
for k in feature-sg feature-gso-tcpv4 feature-gso-tcpv6 feature-ipv6-csum-offload feature-split-event-channels feature-xdp-headroom; do
	check "control: $k advertised" adv_is 2 $k 1
done
check "control: multi-queue-max-queues advertised" sh -c "[ -n \"\$($XENSIM exec $M -- xenstore-read $(be_path 2 0)/multi-queue-max-queues)\" ]"
for n in sg gso-tcpv4 gso-tcpv6 ipv4-csum ipv6-csum multi-queue split-event-channels; do
	check "control: guest negotiated $n" neg_is 2 $n 1
done
check "control: guest has 2 queues" neg_is 2 queues 2
v6_up 2 3
both_ways 2 10.77.0.3 "control"
check "control: IPv6 TCP host -> guest" tcp_ok "$HOSTNS" "$(guest_ns 2)" fd77::3
check "control: GSO towards the guest" [ "$(total 2 rx_gso_frames)" -gt 0 ]
guest_stop 2 "$GP"
check "control: partial checksums towards the guest" [ "$(gstat 2 rx_csum_blank)" -gt 0 ]
check "control: multi-slot frames towards the guest" [ "$(gstat 2 rx_multi_slot)" -gt 0 ]
check "control: no bad checksum at the guest" [ "$(gstat 2 rx_csum_bad)" = 0 ]

# ---- sg: and with it both GSO features -------------------------------------
guest_masked 3 10.77.0.4 sg
check "sg: $KEY holds the canonical mask" sh -c "[ \"\$($XENSIM exec $M -- xenstore-read $(be_path 3 0)/$KEY)\" = sg ]"
for k in feature-sg feature-gso-tcpv4 feature-gso-tcpv6; do
	check "sg: $k advertised 0" adv_is 3 $k 0
done
check "sg: the frontend asked for feature-sg anyway" sh -c "[ \"\$($XENSIM exec $M -- xenstore-read $(fe_path 3 0)/feature-sg)\" = 1 ]"
for n in sg gso-tcpv4 gso-tcpv6; do check "sg: guest did not negotiate $n" neg_is 3 $n 0; done
check "sg: vif3.0's MTU held at 1500" sh -c "ip -n $HOSTNS link show vif3.0 | grep -q 'mtu 1500'"
both_ways 3 10.77.0.4 "sg masked"
# A large datagram from the host arrives, fragmented to one page a frame.
check "sg: an 8000-byte ping from the host is answered" in_host ping -c 2 -W 2 -s 8000 10.77.0.4
check "sg: no GSO either way" [ "$(total 3 rx_gso_frames)" = 0 ] && [ "$(total 3 tx_gso_frames)" = 0 ]
check "sg: vifd logged the mask" vifd_log_has "vif3.0: features off: sg (implied: gso-tcpv4,gso-tcpv6)"
guest_stop 3 "$GP"
check "sg: no multi-slot frame reached the guest" [ "$(gstat 3 rx_multi_slot)" = 0 ]
check "sg: ... and frames did reach it" [ "$(gstat 3 rx_frames)" -gt 1000 ]
check "sg: no GSO frame reached the guest" [ "$(gstat 3 rx_gso_frames)" = 0 ]

# ---- gso-tcpv4 --------------------------------------------------------------
guest_masked 4 10.77.0.5 gso-tcpv4
check "gso-tcpv4: advertised 0" adv_is 4 feature-gso-tcpv4 0
check "gso-tcpv4: sg still advertised" adv_is 4 feature-sg 1
check "gso-tcpv4: gso-tcpv6 still advertised" adv_is 4 feature-gso-tcpv6 1
check "gso-tcpv4: guest did not negotiate it" neg_is 4 gso-tcpv4 0
check "gso-tcpv4: guest negotiated sg" neg_is 4 sg 1
both_ways 4 10.77.0.5 "gso-tcpv4 masked"
check "gso-tcpv4: no IPv4 GSO towards the guest (its feature-gso-tcpv4 ignored)" [ "$(total 4 rx_gso_frames)" = 0 ]
check "gso-tcpv4: none from it" [ "$(total 4 tx_gso_frames)" = 0 ]
guest_stop 4 "$GP"
check "gso-tcpv4: the guest saw no GSO frame" [ "$(gstat 4 rx_gso_frames)" = 0 ]

# ---- gso-tcpv6 --------------------------------------------------------------
guest_masked 5 10.77.0.6 gso-tcpv6
check "gso-tcpv6: advertised 0" adv_is 5 feature-gso-tcpv6 0
check "gso-tcpv6: gso-tcpv4 still advertised" adv_is 5 feature-gso-tcpv4 1
check "gso-tcpv6: guest did not negotiate it" neg_is 5 gso-tcpv6 0
v6_up 5 6
check "gso-tcpv6: IPv6 TCP host -> guest" tcp_ok "$HOSTNS" "$(guest_ns 5)" fd77::6
check "gso-tcpv6: IPv6 TCP guest -> host" tcp_ok "$(guest_ns 5)" "$HOSTNS" fd77::1
check "gso-tcpv6: no GSO with IPv6 either way" [ "$(total 5 rx_gso_frames)" = 0 ] && [ "$(total 5 tx_gso_frames)" = 0 ]
check "gso-tcpv6: IPv4 TCP host -> guest" tcp_ok "$HOSTNS" "$(guest_ns 5)" 10.77.0.6
check "gso-tcpv6: ... still with IPv4 GSO" [ "$(total 5 rx_gso_frames)" -gt 0 ]
guest_stop 5 "$GP"

# ---- ipv4-csum: no backend key; what vifd does shows it --------------------
guest_masked 6 10.77.0.7 ipv4-csum
check "ipv4-csum: implied gso-tcpv4 advertised 0" adv_is 6 feature-gso-tcpv4 0
check "ipv4-csum: ipv6 checksum offload still advertised" adv_is 6 feature-ipv6-csum-offload 1
check "ipv4-csum: guest did not negotiate gso-tcpv4" neg_is 6 gso-tcpv4 0
both_ways 6 10.77.0.7 "ipv4-csum masked"
c=$(total 6 tx_csum_fixup)
diag "guest 6: IPv4 partial checksums from the guest completed by vifd: $c"
check "ipv4-csum: vifd completed the guest's partial checksums" [ "${c:-0}" -gt 0 ]
check "ipv4-csum: no GSO towards the guest" [ "$(total 6 rx_gso_frames)" = 0 ]
guest_stop 6 "$GP"
check "ipv4-csum: no partial checksum reached the guest" [ "$(gstat 6 rx_csum_blank)" = 0 ]
c=$(gstat 6 rx_csum_checked)
diag "guest 6: complete checksums checked: $c, bad: $(gstat 6 rx_csum_bad)"
check "ipv4-csum: the guest checked complete checksums" [ "${c:-0}" -gt 1000 ]
check "ipv4-csum: ... and every one was right" [ "$(gstat 6 rx_csum_bad)" = 0 ]

# ---- ipv6-csum ----------------------------------------------------------------
guest_masked 7 10.77.0.8 ipv6-csum
check "ipv6-csum: advertised 0" adv_is 7 feature-ipv6-csum-offload 0
check "ipv6-csum: implied gso-tcpv6 advertised 0" adv_is 7 feature-gso-tcpv6 0
check "ipv6-csum: guest did not negotiate it" neg_is 7 ipv6-csum 0
v6_up 7 8
check "ipv6-csum: IPv6 TCP host -> guest" tcp_ok "$HOSTNS" "$(guest_ns 7)" fd77::8
check "ipv6-csum: IPv6 TCP guest -> host" tcp_ok "$(guest_ns 7)" "$HOSTNS" fd77::1
c=$(total 7 rx_csum_fixup)
diag "guest 7: IPv6 checksums completed by vifd towards the guest: $c"
check "ipv6-csum: vifd completed IPv6 checksums for the guest (its request ignored)" [ "${c:-0}" -gt 0 ]
guest_stop 7 "$GP"
check "ipv6-csum: the guest's IPv6 checksums were all right" [ "$(gstat 7 rx_csum_bad)" = 0 ]

# ---- multi-queue and split event channels ---------------------------------
guest_masked 8 10.77.0.9 multi-queue,split-event-channels
check "multi-queue: multi-queue-max-queues not advertised" sh -c "! $XENSIM exec $M -- xenstore-read $(be_path 8 0)/multi-queue-max-queues"
check "split-event-channels: advertised 0" adv_is 8 feature-split-event-channels 0
check "multi-queue: guest did not negotiate it" neg_is 8 multi-queue 0
check "multi-queue: guest has 1 queue (asked for 2)" neg_is 8 queues 1
check "split-event-channels: guest did not negotiate it" neg_is 8 split-event-channels 0
check "split: the frontend wrote event-channel" sh -c "$XENSIM exec $M -- xenstore-read $(fe_path 8 0)/event-channel"
both_ways 8 10.77.0.9 "multi-queue + split masked"
check "multi-queue: vifd runs one queue" sh -c "$VIFCTL --xen=sim:$M stats 8 0 | grep -q '^vif8.0 q0 ' && ! $VIFCTL --xen=sim:$M stats 8 0 | grep -q '^vif8.0 q1 '"
guest_stop 8 "$GP"

# ---- ctrl-ring, multicast-control and xdp-headroom masked: each offered
# feature withdrawn (xdp.sh shows a masked frontend's headroom ignored) ------
guest_masked 9 10.77.0.10 ctrl-ring,multicast-control,xdp-headroom --rss
check "ctrl-ring: advertised 0" adv_is 9 feature-ctrl-ring 0
check "ctrl-ring: the guest gave no control ring" grep -q "rss: the backend offers no control ring" "$M.guest9.0.log"
check "ctrl-ring: vifd negotiated none" sh -c "! $VIFCTL --xen=sim:$M stats 9 0 | grep -q '^vif9.0 features .*ctrl-ring'"
check "multicast-control masked: advertised 0" adv_is 9 feature-multicast-control 0
check "multicast-control masked: dynamic advertised 0" adv_is 9 feature-dynamic-multicast-control 0
check "xdp-headroom masked: advertised 0" adv_is 9 feature-xdp-headroom 0
check "masked, sg still advertised" adv_is 9 feature-sg 1
check "vifctl features shows the three off" sh -c "$VIFCTL --xen=sim:$M features 9 0 | grep -q '^off: ctrl-ring,multicast-control,xdp-headroom'"
guest_stop 9 "$GP"

# ---- frontends that use a masked feature anyway ----------------------------
D=20
evil() {	# evil MASK ATTACK: one attack from a new domain, output in $OUT
	local m=$1 a=$2
	D=$((D + 1))
	guest_add "$D"
	vifctl attach --features-off="$m" "$D" "mac=$(mac "$D"),bridge=xenbr0,script=$VB" >/dev/null
	OUT=$(timeout 60 "$GUEST" --xen="sim:$M" --domid "$D" --mode evil \
	    --attack "$a" --wait 2 --seconds 0.1 2>>"$M.evil$D.log")
	echo "$OUT" >"$M.evil$D.out"
}
has() { grep -q -- "$1" <<<"$OUT"; }
evil none gso-tcpv4
check "control: a TCPv4 GSO frame is answered OKAY" has "result: responses: 1 x OKAY"
check "control: ... not ERROR" sh -c "! grep -q 'x ERROR' $M.evil$D.out"
for ma in sg:slots19 gso-tcpv4:gso-tcpv4 sg:gso-tcpv4; do
	evil "${ma%%:*}" "${ma#*:}"
	check "${ma%%:*} masked, ${ma#*:} sent anyway: answered ERROR" has "x ERROR"
	check "${ma%%:*} masked, ${ma#*:}: the vif stays Connected" has "result: backend state: Connected"
	check "${ma%%:*} masked, ${ma#*:}: the ring still works (probe OKAY)" has "result: probe: 1 x OKAY"
	check "${ma%%:*} masked, ${ma#*:}: counted as tx_drop_masked" [ "$(total "$D" tx_drop_masked)" -gt 0 ]
done

# ---- vifctl features: a changed mask takes effect at the next connect ------
guest_masked 10 10.77.0.11 ""
check "vifctl features: nothing off" sh -c "$VIFCTL --xen=sim:$M features 10 0 | grep -qx 'off: none'"
out=$(vifctl features --off=ipv6-csum,sg 10 0)
check "vifctl features --off: canonical and implied reported" sh -c "printf '%s\n' \"$out\" | grep -qx 'off: sg,ipv6-csum' && printf '%s\n' \"$out\" | grep -qx 'implied: gso-tcpv4,gso-tcpv6'"
check "vifctl features --off: written" sh -c "[ \"\$($XENSIM exec $M -- xenstore-read $(be_path 10 0)/$KEY)\" = sg,ipv6-csum ]"
check "... not before the next connect: sg still advertised" adv_is 10 feature-sg 1
kill -HUP "$GP"		# the guest reconnects, as a driver reload would
eventually 15 "the guest reconnected" sh -c "[ \$(grep -c 'negotiated:' $M.guest10.0.log) = 2 ]"
waitfor 15 be_state_is 10 0 4
check "next connect: feature-sg advertised 0" adv_is 10 feature-sg 0
check "next connect: feature-ipv6-csum-offload advertised 0" adv_is 10 feature-ipv6-csum-offload 0
check "next connect: guest negotiated no sg" neg_is 10 sg 0
eventually 10 "next connect: traffic flows" in_guest 10 ping -c 1 -W 1 10.77.0.1
check "vifctl features --off=none removes the key" vifctl features --off=none 10 0
check "... gone" sh -c "! $XENSIM exec $M -- xenstore-read $(be_path 10 0)/$KEY"
kill -HUP "$GP"
eventually 15 "the guest reconnected again" sh -c "[ \$(grep -c 'negotiated:' $M.guest10.0.log) = 3 ]"
waitfor 15 be_state_is 10 0 4
check "after none: feature-sg advertised again" adv_is 10 feature-sg 1
check "after none: guest negotiated sg" neg_is 10 sg 1

# ---- bad masks ------------------------------------------------------------------
for bad in 'sg,foo' 'sg,,gso-tcpv4' 'sg,sg' 'sg,'; do
	err=$(vifctl features --off="$bad" 10 0 2>&1 >/dev/null); rc=$?
	check "vifctl refuses --off='$bad' (exit 2: $err)" [ "$rc" = 2 ]
done
err=$(vifctl features --off=sg,foo 10 0 2>&1)
check "vifctl names the bad part" grep -q 'unknown feature "foo"' <<<"$err"
check "vifctl wrote nothing" sh -c "! $XENSIM exec $M -- xenstore-read $(be_path 10 0)/$KEY"
err=$(vifctl attach --features-off=tso4 11 "mac=$(mac 11),bridge=xenbr0,script=$VB" 2>&1); rc=$?
check "vifctl attach refuses a bad --features-off (exit 2)" [ "$rc" = 2 ]
check "... naming it" grep -q 'unknown feature "tso4"' <<<"$err"
check "... and attached nothing" sh -c "! $XENSIM exec $M -- xenstore-exists $(be_path 11 0)"

# Written by hand: the vif fails at its next advertisement, with an error
# node naming the bad part; vifd and the other vifs carry on.
xsw "$(be_path 10 0)/$KEY" "sg,gso-tcp4"
check "vifctl features shows a bad hand-written mask as an error" sh -c "! $VIFCTL --xen=sim:$M features 10 0 >/dev/null 2>&1"
kill -HUP "$GP"
errnode() { xsr "/local/domain/0/error/backend/vif/$1/0/error"; }
eventually 15 "hand-written bad mask: the error node names the bad part" sh -c \
    "$XENSIM exec $M -- xenstore-read /local/domain/0/error/backend/vif/10/0/error 2>/dev/null | grep -q 'vifd-features-off: unknown feature \"gso-tcp4\"'"
check "hand-written bad mask: the vif is not connected" sh -c "! $VIFCTL --xen=sim:$M stats 10 0 | grep -q '^vif10.0 q0 '"
diag "error node: $(errnode 10)"
check "hand-written bad mask: vifd logged the value" vifd_log_has 'vif10.0: vifd-features-off is "sg,gso-tcp4"'
# vifd and other vifs carry on: a new guest with a good mask connects.
guest_masked 12 10.77.0.13 gso-tcpv6
check "after the bad mask: another vif connects with its own mask" adv_is 12 feature-gso-tcpv6 0
check "vifd alive" kill -0 "$VIFD_PID"
done_testing
