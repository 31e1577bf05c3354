#!/bin/bash
# ovs.sh - vifs on Open vSwitch, through the real vifd on the simulated Xen,
# with Xen's own /etc/xen/scripts/vif-openvswitch (run unchanged) and ours
# (vif-bridge seeing an OVS bridge, vif-openvswitch), on a private OVS with
# the userspace datapath (tests/lib/ovs.sh: this kernel has no openvswitch
# module and no 802.1Q):
#   - untagged: two guests and the host talk through ovsbr0;
#   - ovsbr0.10 / ovsbr0.20: a tagged vif reaches its VLAN and nothing of
#     another (frames counted in the other guests, real pings);
#   - ovsbr0:10:20: a guest on the trunk sends and receives frames tagged
#     10 and 20 (raw 802.1Q ARP, tests/lib/vlan_arp.py), nothing untagged;
#   - what Xen's script does to the TAP (down, fe:ff:ff:ff:ff:ff, port
#     removed and re-added, also by hand while the vif is connected) is
#     never undone by vifd, and after a vifd restart every TAP keeps its
#     port, tag and trunks, and traffic resumes;
#   - bad input: a bridge that does not exist, bad VLAN syntax, ip= on OVS:
#     the vif fails with a message naming the bad part, nothing applied.
. "$(dirname "$0")/../lib/rig.sh"
. "$(dirname "$0")/../lib/ovs.sh"
need_root
machine_up
ovs_up
ovs_bridge ovsbr0 10.90.0.1/24
mkdir -p /var/log/xen	# Xen's scripts log there
vifd_start
XEN=/etc/xen/scripts/vif-openvswitch
OURS=$HOTPLUG/vif-openvswitch
VB=$HOTPLUG/vif-bridge
VLAN_ARP="python3 $VIFD_SRCDIR/tests/lib/vlan_arp.py"
[ -x "$XEN" ] || bail "no $XEN (xen-utils-common)"

pings() { in_guest "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
no_ping() { ! in_guest "$1" ping -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }
count_log() { grep -c -- "$1" "$M.vifd.log"; }
guest_mac() { in_guest "$1" cat /sys/class/net/eth0/address; }
tap_attr() { ip netns exec "$HOSTNS" cat "/sys/class/net/$1/$2"; }
tap_up() { ip -n "$HOSTNS" link show "$1" | grep -q '[<,]UP[,>]'; }
tap_down() { ! tap_up "$1"; }
no_error() { ! xsx "/local/domain/0/error/backend/vif/$1/0"; }
# vm DOMID: the /vm nodes libxl writes (Xen's script reads the name and
# uuid for the port's external-ids).
vm() {
	local u
	u=$(printf '00000000-0000-4000-8000-%012d' "$1")
	xsw "/local/domain/$1/vm" "/vm/$u" "/vm/$u/name" "guest$1" \
	    "/vm/$u/uuid" "$u"
}
# ovs_guest DOMID ADDR SCRIPT BRIDGE: a guest on a vif of that script.
ovs_guest() {
	local who=ours
	[ "$3" != "$XEN" ] || who="Xen's"
	guest_add "$1"
	vm "$1"
	attach "$1" "mac=00:16:3e:00:$(printf %02x "$1"):00,bridge=$4,script=$3" >/dev/null
	guest_tap "$1" 0 "$2"
	eventually 15 "vif$1.0 on $4 ($who ${3##*/}) connected" \
	    be_state_is "$1" 0 4
}
# sniff DOMID SECS MAC: frames from MAC seen by the guest, counted in the
# background (sniff_wait; result in $M.sniff<DOMID>).
SNIFFS=()
sniff() {
	in_guest "$1" $VLAN_ARP sniff eth0 "$2" "$3" >"$M.sniff$1" 2>&1 &
	SNIFFS+=("$!")
}
sniff_wait() {
	local p
	for p in "${SNIFFS[@]}"; do wait "$p"; done
	SNIFFS=()
}
sniffed() { sed -n 's/^frames=\([0-9]*\).*/\1/p' "$M.sniff$1"; }

# ---- untagged: Xen's script and our vif-bridge on ovsbr0 --------------------
ovs_guest 1 10.90.0.11 "$XEN" ovsbr0
ovs_guest 2 10.90.0.12 "$VB" ovsbr0
check "Xen's vif-openvswitch made vif1.0 a port of ovsbr0" \
    [ "$(ovs_port_of vif1.0)" = ovsbr0 ]
check "our vif-bridge saw an OVS bridge and made vif2.0 a port of it" \
    [ "$(ovs_port_of vif2.0)" = ovsbr0 ]
check "vif2.0 is no Linux bridge port" sh -c \
    "! ip -n $HOSTNS link show vif2.0 | grep -q master"
ext_id() { ovs_if_get "$1" "external-ids:$2" | tr -d '"'; }
check "Xen's script set external-ids: xen-vm-name $(ext_id vif1.0 xen-vm-name)" \
    [ "$(ext_id vif1.0 xen-vm-name)" = guest1 ]
check "ours set the same: attached-mac $(ext_id vif2.0 attached-mac)" \
    [ "$(ext_id vif2.0 attached-mac)" = 00:16:3e:00:02:00 ]
check "... xen-vm-name $(ext_id vif2.0 xen-vm-name)" \
    [ "$(ext_id vif2.0 xen-vm-name)" = guest2 ]
check "... xen-vm-uuid $(ext_id vif2.0 xen-vm-uuid)" \
    [ "$(ext_id vif2.0 xen-vm-uuid)" = 00000000-0000-4000-8000-000000000002 ]
for v in vif1.0 vif2.0; do
	check "$v: MAC fe:ff:ff:ff:ff:ff, as the script left it" \
	    [ "$(tap_attr "$v" address)" = fe:ff:ff:ff:ff:ff ]
	check "$v: up, as the script left it" tap_up "$v"
done
eventually 10 "guest 1 pings guest 2 through OVS" pings 1 10.90.0.12
check "guest 2 pings guest 1" pings 2 10.90.0.11
eventually 5 "guest 1 pings the host (ovsbr0's own port)" pings 1 10.90.0.1
check "the host pings guest 2" in_host ping -c 2 -i 0.3 -W 1 10.90.0.12
# OVS's own counters: the frames crossed the vifs' ports.
rx_of() {
	ovs-ofctl dump-ports ovsbr0 "$1" | sed -n 's/^ *port .*rx pkts=\([0-9]*\),.*/\1/p'
}
r0=$(rx_of vif1.0)
in_guest 1 ping -c 20 -i 0.05 -W 1 10.90.0.12 >/dev/null 2>&1
r1=$(rx_of vif1.0)
check "OVS counted guest 1's 20 echo requests on vif1.0 ($r0 -> $r1)" \
    [ "$((r1 - r0))" -ge 20 ]

# ---- vifd's port keys on OVS (vifctl port): protected ports, VLANs -----------
check "vifctl port --isolated=yes 1 0" vifctl port --isolated=yes 1 0
check "vifctl port --isolated=yes 2 0" vifctl port --isolated=yes 2 0
eventually 5 "vif1.0 is a protected OVS port" sh -c "[ \"\$(ovs-vsctl --timeout=10 get port vif1.0 protected)\" = true ]"
eventually 5 "vif2.0 is a protected OVS port" sh -c "[ \"\$(ovs-vsctl --timeout=10 get port vif2.0 protected)\" = true ]"
check "two protected guests cannot reach each other" no_ping 1 10.90.0.12
check "a protected guest still reaches the host" pings 1 10.90.0.1
check "vifctl port --isolated=no on both" sh -c "$VIFCTL --xen=sim:$M port --isolated=no 1 0 >/dev/null &&
    $VIFCTL --xen=sim:$M port --isolated=no 2 0 >/dev/null"
eventually 10 "unprotected again: guest 1 pings guest 2" pings 1 10.90.0.12
check "vifctl port --vlan=10 2 0" vifctl port --vlan=10 2 0
eventually 5 "vif2.0's OVS tag is 10, an access port" sh -c \
    "[ \"\$(ovs-vsctl --timeout=10 get port vif2.0 tag)\" = 10 ] &&
     [ \"\$(ovs-vsctl --timeout=10 get port vif2.0 vlan_mode)\" = access ]"
check "untagged guest 1 cannot reach guest 2 in VLAN 10" no_ping 1 10.90.0.12
check "vifctl port --vlan=trunk:10,20=native-untagged 1 0" vifctl port --vlan=trunk:10,20=native-untagged 1 0
eventually 5 "vif1.0: trunks 10 and 20, native 20 untagged" sh -c \
    "[ \"\$(ovs-vsctl --timeout=10 get port vif1.0 trunks)\" = '[10, 20]' ] &&
     [ \"\$(ovs-vsctl --timeout=10 get port vif1.0 tag)\" = 20 ] &&
     [ \"\$(ovs-vsctl --timeout=10 get port vif1.0 vlan_mode)\" = native-untagged ]"
check "guest 1 (untagged: native VLAN 20) still cannot reach VLAN 10" no_ping 1 10.90.0.12
check "vifctl port --vlan=10 1 0" vifctl port --vlan=10 1 0
eventually 10 "both in VLAN 10: guest 1 pings guest 2" pings 1 10.90.0.12
check "vifctl port --vlan=none on both" sh -c "$VIFCTL --xen=sim:$M port --vlan=none 1 0 >/dev/null &&
    $VIFCTL --xen=sim:$M port --vlan=none 2 0 >/dev/null"
eventually 5 "vif1.0's VLAN columns cleared" sh -c \
    "[ \"\$(ovs-vsctl --timeout=10 get port vif1.0 tag)\" = '[]' ] &&
     [ \"\$(ovs-vsctl --timeout=10 get port vif1.0 trunks)\" = '[]' ]"
eventually 10 "untagged again: guest 1 pings guest 2" pings 1 10.90.0.12

# ---- VLANs 10 and 20: access ports -------------------------------------------
ovs_guest 3 10.90.0.13 "$XEN" ovsbr0.10
ovs_guest 4 10.90.0.14 "$VB" ovsbr0.10
ovs_guest 5 10.90.0.15 "$OURS" ovsbr0.20
check "Xen's script: vif3.0 tag 10" [ "$(ovs_port_get vif3.0 tag)" = 10 ]
check "our vif-bridge: vif4.0 tag 10" [ "$(ovs_port_get vif4.0 tag)" = 10 ]
check "our vif-openvswitch: vif5.0 tag 20" [ "$(ovs_port_get vif5.0 tag)" = 20 ]
eventually 10 "guest 3 (VLAN 10, Xen's) pings guest 4 (VLAN 10, ours)" pings 3 10.90.0.14
check "guest 4 pings guest 3" pings 4 10.90.0.13
# Guest 3 pings guest 5's address (VLAN 20) while guests 4 and 5 count its
# frames: its broadcasts reach VLAN 10 only.
sniff 4 3 "$(guest_mac 3)"
sniff 5 3 "$(guest_mac 3)"
sleep 0.3
check "guest 3 (VLAN 10) cannot reach guest 5 (VLAN 20)" no_ping 3 10.90.0.15
sniff_wait
check "guest 4 (VLAN 10) saw guest 3's frames ($(sniffed 4))" [ "$(sniffed 4)" -gt 0 ]
check "guest 5 (VLAN 20) saw none of them ($(sniffed 5))" [ "$(sniffed 5)" = 0 ]
check "guest 5 (VLAN 20) cannot reach guest 4 (VLAN 10)" no_ping 5 10.90.0.14
check "untagged guest 1 cannot reach guest 3 (VLAN 10)" no_ping 1 10.90.0.13

# ---- a trunk of 10 and 20 -----------------------------------------------------
# Guest 6's stack has no VLAN interfaces (no 8021q here): it speaks ARP in
# 802.1Q frames of its own, both ways through vifd and OVS.
ovs_guest 6 10.90.0.16 "$XEN" ovsbr0:10:20
check "Xen's script: vif6.0 trunks [10, 20], no tag" sh -c \
    "[ '$(ovs_port_get vif6.0 trunks)' = '[10, 20]' ] && [ '$(ovs_port_get vif6.0 tag)' = '[]' ]"
trunk_ask() {	# trunk_ask VLAN TARGET-IP -> "reply vlan=V mac=M" or "no reply"
	in_guest 6 $VLAN_ARP ask eth0 "$1" 10.90.0.16 "$2" "${3:-5}" 2>&1
}
a=$(trunk_ask 10 10.90.0.13)
check "trunk: VLAN 10 ARP answered by guest 3, tagged 10 ($a)" \
    [ "$a" = "reply vlan=10 mac=$(guest_mac 3)" ]
a=$(trunk_ask 20 10.90.0.15)
check "trunk: VLAN 20 ARP answered by guest 5, tagged 20 ($a)" \
    [ "$a" = "reply vlan=20 mac=$(guest_mac 5)" ]
a=$(trunk_ask 20 10.90.0.13 1.5)
check "trunk: guest 3 (VLAN 10) does not answer on VLAN 20 ($a)" [ "$a" = "no reply" ]
a=$(trunk_ask 10 10.90.0.15 1.5)
check "trunk: guest 5 (VLAN 20) does not answer on VLAN 10 ($a)" [ "$a" = "no reply" ]
a=$(trunk_ask 0 10.90.0.11 1.5)
check "trunk: untagged frames do not pass (guest 1 unreached: $a)" [ "$a" = "no reply" ]
sniff 6 3 "$(guest_mac 4)"
sleep 0.3
in_guest 4 ping -c 3 -i 0.3 -W 1 10.90.0.99 >/dev/null 2>&1
sniff_wait
check "trunk: guest 4's VLAN 10 broadcasts arrive tagged 10 ($(cat "$M.sniff6"))" \
    grep -q '^frames=[1-9][0-9]* vlans=10$' "$M.sniff6"

# ---- what the script does to the TAP, and vifd -------------------------------
# Xen's script run again by hand on a connected vif (as an admin or a
# toolstack re-running online would): link down, MAC, del-port + add-port.
ofport0=$(ovs_if_get vif3.0 ofport)
# shellcheck disable=SC2016 # expanded by the inner shell
XSP=$("$XENSIM" exec "$M" -- sh -c 'printf %s "$XENSTORED_PATH"')
xen_script_by_hand() {
	ip netns exec "$HOSTNS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    XENSTORED_PATH="$XSP" OVS_RUNDIR="$OVS_DIR" vif=vif3.0 \
	    XENBUS_PATH="$(be_path 3 0)" XENBUS_TYPE=vif \
	    XENBUS_BASE_PATH=backend bash "$XEN" online type_if=vif
}
check "Xen's vif-openvswitch re-run by hand on connected vif3.0" xen_script_by_hand
diag "vif3.0's OpenFlow port: $ofport0 before, $(ovs_if_get vif3.0 ofport) after"
check "vif3.0 is still VLAN 10's" [ "$(ovs_port_get vif3.0 tag)" = 10 ]
check "vif3.0 is up" tap_up vif3.0
eventually 10 "guest 3 pings guest 4 again" pings 3 10.90.0.14
check "vif3.0 stayed Connected" be_state_is 3 0 4
check "vifd failed nothing for it (no error node)" no_error 3
# Link down under a connected vif: traffic stops, vifd waits, up resumes.
ip -n "$HOSTNS" link set vif3.0 down
check "vif3.0 down: guest 3 does not reach guest 4" no_ping 3 10.90.0.14
check "... vifd alive" kill -0 "$VIFD_PID"
check "... vif3.0 still Connected, no error" sh -c \
    "[ '$(be_state 3 0)' = 4 ] && ! $XENSIM exec $M -- xenstore-exists /local/domain/0/error/backend/vif/3/0"
ip -n "$HOSTNS" link set vif3.0 up
eventually 10 "vif3.0 up again: guest 3 pings guest 4" pings 3 10.90.0.14

# ---- vifd restart: every TAP keeps its port -----------------------------------
# vif2.0 is left down by hand before the restart: vifd must not bring it up.
state_of() {	# state_of IF: what must survive the restart
	link_in_host "$1" || return 1
	printf '%s %s %s %s %s %s\n' "$(tap_attr "$1" ifindex)" \
	    "$(tap_attr "$1" address)" "$(ovs_port_of "$1")" \
	    "$(ovs_port_get "$1" tag)" "$(ovs_port_get "$1" trunks)" \
	    "$(ovs_if_get "$1" ofport)"
}
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
ip -n "$HOSTNS" link set vif2.0 down
for d in 1 2 3 4 5 6; do before[d]=$(state_of vif$d.0); done
runs0=$(count_log 'hotplug online: running')
vifd_stop
check "vifd stopped cleanly (status $VIFD_RC)" [ "$VIFD_RC" = 0 ]
vifd_start
for d in 1 2 3 4 5 6; do
	eventually 10 "vifd re-attached vif$d.0" vifd_log_has "re-attached vif$d.0"
done
for d in 1 2 3 4 5 6; do
	after=$(state_of vif$d.0)
	check "vif$d.0: same TAP, MAC, bridge, tag, trunks, OpenFlow port ($after)" \
	    same "$after" "${before[d]}"
done
check "the restarted vifd ran no hotplug script" \
    [ "$(count_log 'hotplug online: running')" = "$runs0" ]
check "vifd did not bring vif2.0 up" tap_down vif2.0
ip -n "$HOSTNS" link set vif2.0 up
eventually 10 "after the restart: guest 1 pings guest 2" pings 1 10.90.0.12
eventually 10 "after the restart: guest 3 pings guest 4 (VLAN 10)" pings 3 10.90.0.14
check "after the restart: guest 5 (VLAN 20) still cannot reach guest 4" no_ping 5 10.90.0.14
a=$(trunk_ask 20 10.90.0.15)
check "after the restart: the trunk carries VLAN 20 ($a)" \
    [ "$a" = "reply vlan=20 mac=$(guest_mac 5)" ]

# ---- detach: the port goes ---------------------------------------------------
check "vifctl detach vif4.0 (our offline)" vifctl detach 4 0
eventually 5 "vif4.0's TAP is gone" no_link_in_host vif4.0
check "... and its OVS port" sh -c "! ovs-vsctl --timeout=10 list-ports ovsbr0 | grep -qx vif4.0"
check "vifctl detach vif6.0 (Xen's offline)" vifctl detach 6 0
eventually 5 "vif6.0's TAP is gone" no_link_in_host vif6.0
check "... and its OVS port" sh -c "! ovs-vsctl --timeout=10 list-ports ovsbr0 | grep -qx vif6.0"

# ---- bad input ------------------------------------------------------------------
# bad DOMID SCRIPT BRIDGE PATTERN [SPEC-EXTRA]: the vif fails, vifd's log
# and hotplug-error say PATTERN, and nothing is applied: no port, not up,
# the bridge's ports as they were.
ports0=$(ovs-vsctl --timeout=10 list-ports ovsbr0 | tr '\n' ' ')
bad() {
	local d=$1 script=$2 br=$3 pat=$4 extra=${5:-}
	guest_add "$d"
	if [ -n "${ATTACH:-}" ]; then
		"$ATTACH" "$d" "$br" "$script"
	else
		attach "$d" "mac=00:16:3e:00:$(printf %02x "$d"):00,bridge=$br,script=$script$extra" >/dev/null
	fi
	eventually 10 "bridge=$br$extra: vif$d.0 fails" sh -c \
	    "$XENSIM exec $M -- xenstore-read /local/domain/0/error/backend/vif/$d/0/error | grep -q hotplug"
	err=$(xsr "$(be_path "$d" 0)/hotplug-error")
	check "... hotplug-error names it: $err" grep -qF -- "$pat" <<<"$err"
	check "... vifd's log says it" grep -qF -- "$pat" "$M.vifd.log"
	check "... no OVS port" sh -c "! ovs-vsctl --timeout=10 port-to-br vif$d.0 >/dev/null 2>&1"
	check "... the TAP not up" tap_down "vif$d.0"
}
bad 11 "$VB" nosuchovs.10 "Open vSwitch bridge nosuchovs does not exist"
bad 12 "$OURS" nosuchovs "Open vSwitch bridge nosuchovs does not exist"
bad 13 "$OURS" ovsbr0.x "bad VLAN 'x' in bridge 'ovsbr0.x'"
bad 14 "$VB" ovsbr0.5000 "bad VLAN '5000'"
# vifctl refuses a bad trunk list, xl does not: the key written by hand.
raw_bridge() {	# raw_bridge DOMID BRIDGE SCRIPT: attach with that bridge key
	attach_by_hand "$1" \
	    "mac=00:16:3e:00:$(printf %02x "$1"):00,bridge=x,script=$3" \
	    "s|/bridge = \".*\"|/bridge = \"$2\"|"
}
check "vifctl refuses bridge=ovsbr0:10: itself" sh -c \
    "! $VIFCTL parse --domid 15 'bridge=ovsbr0:10:' >/dev/null 2>&1"
ATTACH=raw_bridge bad 15 "$OURS" ovsbr0:10: "bad trunk VLAN '' in bridge 'ovsbr0:10:'"
ATTACH=raw_bridge bad 18 "$VB" ovsbr0:10:4095 "bad trunk VLAN '4095'"
bad 16 "$OURS" ovsbr0.10.20 "'.20' is not .VLAN or :TRUNK"
bad 17 "$VB" ovsbr0 "anti-spoofing" ",ip=10.90.0.17"
check "ovsbr0's ports are as they were" \
    [ "$(ovs-vsctl --timeout=10 list-ports ovsbr0 | tr '\n' ' ')" = "$ports0" ]
check "the others still talk: guest 1 pings guest 2" pings 1 10.90.0.12
check "vifd alive" kill -0 "$VIFD_PID"
done_testing
