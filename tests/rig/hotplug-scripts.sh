#!/bin/sh
# hotplug-scripts.sh - vifd's hotplug scripts (hotplug/vif-bridge, vif-route,
# vif-nat) and Debian's own /etc/xen/scripts/vif-bridge, run directly with
# exactly the arguments and environment vifd gives them (src/ctrl/hotplug_cmd.c),
# against a simulated machine's real xenstored, in network namespaces:
#   - vif-bridge: port of the bridge, MTU, MAC, hotplug-status, the
#     frontend's mtu; offline; errors (no bridge, no interface, Open
#     vSwitch's bridge syntax where no Open vSwitch answers, a bad trunk
#     through vif-openvswitch; the OVS cases that work are tests/rig/ovs.sh);
#     vifname;
#     the ip= anti-spoofing filter (nft and ebtables) with real traffic from
#     a guest namespace: a forged source is dropped, the real one passes;
#   - vif-route: address, host routes, proxy ARP, forwarding, real traffic
#     and rp_filter; offline leaves other vifs sharing the address alone;
#   - vif-nat: Xen's 10.x addressing; offline;
#   - Xen's own vif-bridge with the same environment.
# TAP output. Needs root, ip netns, nft, the simulated Xen (tools/xensim).
set -u

. "$(dirname "$0")/../lib/tap.sh"

: "${VIFD_BUILDDIR:?}" "${VIFD_SRCDIR:?}"
XENSIM=${XENSIM:-$VIFD_BUILDDIR/tools/xensim/xensim}
HP=$VIFD_SRCDIR/hotplug
# The PATH vifd gives scripts (HOTPLUG_PATH in src/ctrl/hotplug.h).
HP_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 0
fi
if [ ! -x "$XENSIM" ]; then
	bail "no simulated Xen at $XENSIM"
fi

H=hp-h-$$	# the driver domain's network namespace
G=hp-g-$$	# the guest's, behind a veth "vif"
T=$(mktemp -d /tmp/hp-rig.XXXXXX)
SIM=$T/sim
cleanup() {
	ip netns del "$H" 2>/dev/null
	ip netns del "$G" 2>/dev/null
	"$XENSIM" destroy "$SIM" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# After a failing result: what the last script run said on stderr.
t_on_fail() {
	[ -s "$T/err" ] && diag_file "$T/err"
	return 0
}

if ! "$XENSIM" create "$SIM" >"$T/err" 2>&1; then
	bail "xensim create failed: $(cat "$T/err")"
fi
# shellcheck disable=SC2016 # expanded by the inner shell
XSP=$("$XENSIM" exec "$SIM" -- sh -c 'printf %s "$XENSTORED_PATH"')
xs() {
	XENSTORED_PATH=$XSP "$@"
}
for d in 1 2 3 4 5 6 7 8; do
	"$XENSIM" domain "$SIM" add "$d" >/dev/null 2>&1 ||
	    bail "xensim domain add $d failed"
done

# mkbe DOMID [KEY VALUE]...: a backend directory as libxl writes it (the
# keys the scripts read), plus its frontend directory.
mkbe() {
	_be=/local/domain/0/backend/vif/$1/0
	_fe=/local/domain/$1/device/vif/0
	xs xenstore-rm "$_be" 2>/dev/null
	xs xenstore-write "$_be/frontend" "$_fe" "$_be/frontend-id" "$1" \
	    "$_be/handle" 0 "$_be/online" 1 "$_be/state" 2 \
	    "$_be/hotplug-status" "" "$_fe/backend" "$_be" "$_fe/handle" 0
	shift
	while [ $# -ge 2 ]; do
		xs xenstore-write "$_be/$1" "$2"
		shift 2
	done
}
key() {
	xs xenstore-read "/local/domain/0/backend/vif/$1/0/$2" 2>/dev/null
}

# hp SCRIPT ACTION DOMID VIF [NAME=VALUE...]: runs SCRIPT in the driver
# domain's namespace exactly as vifd does (NAME=VALUE go to the environment:
# netdev=, or the test-only VIFD_HOTPLUG_FILTER=); stderr in $T/err.
hp() {
	_s=$1 _a=$2 _dom=$3 _vif=$4
	shift 4
	ip netns exec "$H" env -i script="$_s" XENBUS_TYPE=vif \
	    XENBUS_PATH="backend/vif/$_dom/0" XENBUS_BASE_PATH=backend \
	    netdev= vif="$_vif" PATH="$HP_PATH" LANG=POSIX \
	    XENSTORED_PATH="$XSP" "$@" "$_s" "$_a" type_if=vif 2>"$T/err"
}

inh() {
	ip netns exec "$H" "$@"
}
ing() {
	ip netns exec "$G" "$@"
}
master_of() {
	inh sh -c "readlink /sys/class/net/$1/master 2>/dev/null" |
	    sed 's|.*/||'
}
sysval() {
	inh cat "/sys/class/net/$1/$2" 2>/dev/null
}
conf() {
	inh cat "/proc/sys/net/ipv4/conf/$1/$2" 2>/dev/null
}
is_up() {
	inh ip -o link show dev "$1" | grep -q '[<,]UP[,>]'
}
exists() {
	inh test -e "/sys/class/net/$1"
}

ip netns add "$H" || bail "ip netns add failed"
ip netns add "$G" || bail "ip netns add failed"
inh ip link set lo up
ing ip link set lo up
# A fixed MAC: otherwise the bridge takes its ports' lowest one, which
# changes as the tests add and remove ports.
inh ip link add br0 address 02:00:00:00:0b:01 type bridge
inh ip link set br0 mtu 1400 up
inh ip addr add 10.9.0.1/24 dev br0

# ---- vif-bridge ------------------------------------------------------------

inh ip tuntap add dev vif1.0 mode tap
mkbe 1 bridge br0 script "$HP/vif-bridge"
check "vif-bridge online: exit 0" hp "$HP/vif-bridge" online 1 vif1.0
check "vif-bridge online: the TAP is a port of br0" \
    test "$(master_of vif1.0)" = br0
check "vif-bridge online: MTU taken from the bridge (1400)" \
    test "$(sysval vif1.0 mtu)" = 1400
t_mac_up() {
	[ "$(sysval vif1.0 address)" = fe:ff:ff:ff:ff:ff ] && is_up vif1.0
}
check "vif-bridge online: MAC fe:ff:ff:ff:ff:ff, interface up" t_mac_up
check "vif-bridge online: hotplug-status connected" \
    test "$(key 1 hotplug-status)" = connected
check "vif-bridge online: the frontend's mtu is 1400" \
    test "$(xs xenstore-read /local/domain/1/device/vif/0/mtu)" = 1400
check "vif-bridge online again: exit 0" hp "$HP/vif-bridge" online 1 vif1.0
check "vif-bridge online again: still a port of br0" \
    test "$(master_of vif1.0)" = br0
check "vif-bridge offline: exit 0" hp "$HP/vif-bridge" offline 1 vif1.0
t_detached() {
	[ -z "$(master_of "$1")" ] && ! is_up "$1"
}
check "vif-bridge offline: no longer a port, down" t_detached vif1.0

# The toolstack may have removed the backend directory already: offline
# needs no key and must not write any (that would recreate the directory).
hp "$HP/vif-bridge" online 1 vif1.0
xs xenstore-rm /local/domain/0/backend/vif/1/0
t_offline_gone() {
	hp "$HP/vif-bridge" offline 1 vif1.0 && t_detached vif1.0 &&
	    ! xs xenstore-exists /local/domain/0/backend/vif/1/0 2>/dev/null
}
check "vif-bridge offline, backend directory gone: detached, none written" \
    t_offline_gone
mkbe 1 bridge br0 mtu 1300
hp "$HP/vif-bridge" online 1 vif1.0
check "vif-bridge: the mtu key (1300) wins over the bridge's MTU" \
    test "$(sysval vif1.0 mtu)" = 1300
hp "$HP/vif-bridge" offline 1 vif1.0

mkbe 1
hp "$HP/vif-bridge" online 1 vif1.0
check "vif-bridge without a bridge key: the first bridge (br0)" \
    test "$(master_of vif1.0)" = br0
hp "$HP/vif-bridge" offline 1 vif1.0

# fails DOMID: the last run failed and said so in xenstore; $rc is its
# exit status.
t_failed() {
	[ "$rc" -ne 0 ] && [ "$(key "$1" hotplug-status)" = error ] &&
	    key "$1" hotplug-error | grep -q "$2"
}
mkbe 1 bridge nosuchbr
if hp "$HP/vif-bridge" online 1 vif1.0; then rc=0; else rc=$?; fi
check "vif-bridge, missing bridge: fails, hotplug-error names the bridge" \
    t_failed 1 "bridge nosuchbr does not exist"
check "vif-bridge, missing bridge: the TAP is on no bridge" \
    test -z "$(master_of vif1.0)"
# Open vSwitch's syntax where no Open vSwitch answers (an empty run
# directory: whatever runs on this host, ovs-vsctl finds no database).
mkdir "$T/noovs"
mkbe 1 bridge ovsbr0.10
if hp "$HP/vif-bridge" online 1 vif1.0 OVS_RUNDIR="$T/noovs"; then rc=0; else rc=$?; fi
check "vif-bridge, bridge=ovsbr0.10 and no Open vSwitch: fails, says why" \
    t_failed 1 "ovsbr0 is not a Linux bridge, and for Open vSwitch: cannot ask"
check "... the TAP untouched: down, on no bridge" t_detached vif1.0
mkbe 1 bridge br0
if hp "$HP/vif-openvswitch" online 1 vif1.0 OVS_RUNDIR="$T/noovs"; then rc=0; else rc=$?; fi
check "vif-openvswitch on a Linux bridge: fails, says why" \
    t_failed 1 "Open vSwitch bridge br0 (for vif1.0): cannot ask Open vSwitch"
check "... the TAP untouched: down, on no bridge" t_detached vif1.0
mkbe 1 bridge ovsbr0.10:x
if hp "$HP/vif-openvswitch" online 1 vif1.0; then rc=0; else rc=$?; fi
check "vif-openvswitch, bridge=ovsbr0.10:x: fails, names the bad part" \
    t_failed 1 "bad trunk VLAN 'x' in bridge 'ovsbr0.10:x'"
mkbe 1 bridge br0
hp "$HP/vif-bridge" online 1 vif1.0
t_cleared() {
	[ "$(key 1 hotplug-status)" = connected ] && [ -z "$(key 1 hotplug-error)" ]
}
check "vif-bridge: a later successful online clears hotplug-error" t_cleared
hp "$HP/vif-bridge" offline 1 vif1.0

mkbe 2 bridge br0
if hp "$HP/vif-bridge" online 2 vif2.0; then rc=0; else rc=$?; fi
check "vif-bridge, no such interface: error, hotplug-error says so" \
    t_failed 2 "vif2.0 does not exist"

# vifname: the kernel netback's way (the script renames vif2.0) and vifd's
# way (the TAP has the name already).
inh ip tuntap add dev vif2.0 mode tap
mkbe 2 bridge br0 vifname web2
check "vif-bridge, vifname: online exit 0" hp "$HP/vif-bridge" online 2 vif2.0
t_renamed() {
	[ "$(master_of web2)" = br0 ] && ! exists vif2.0
}
check "vif-bridge, vifname: vif2.0 renamed to web2, a port of br0" t_renamed
hp "$HP/vif-bridge" offline 2 vif2.0
check "vif-bridge, vifname: offline with vif=vif2.0 detaches web2" \
    t_detached web2
hp "$HP/vif-bridge" online 2 web2
t_vifd_way() {
	[ "$(master_of web2)" = br0 ] &&
	    [ "$(key 2 hotplug-status)" = connected ]
}
check "vif-bridge, vifname: vif= already the vifname (vifd's way)" t_vifd_way
hp "$HP/vif-bridge" offline 2 web2
inh ip tuntap add dev vif2.0 mode tap
if hp "$HP/vif-bridge" online 2 vif2.0; then rc=0; else rc=$?; fi
check "vif-bridge, vifname taken by another interface: error" \
    t_failed 2 "web2 already exists"

# ---- vif-bridge's ip= filter, with traffic from a guest namespace -------

inh ip link add vif4.0 type veth peer name geth0 netns "$G"
ing ip addr add 10.9.0.5/24 dev geth0
ing ip addr add 10.9.0.66/24 dev geth0
ing ip link set geth0 up
# Static neighbours both ways, so that only the IPv4 rule decides (ARP
# filtering would stop a forged source too).
brmac=$(sysval br0 address)
gmac=$(ing cat /sys/class/net/geth0/address)
ing ip neigh replace 10.9.0.1 lladdr "$brmac" dev geth0 nud permanent
inh ip neigh replace 10.9.0.66 lladdr "$gmac" dev br0 nud permanent
inh ip neigh replace 10.9.0.5 lladdr "$gmac" dev br0 nud permanent
from() {
	ing ping -c 1 -W 2 -I "$1" "$2" >/dev/null 2>&1
}
not_from() {
	! from "$@"
}
filter_works() {
	case $1 in
	nft) inh nft list tables >/dev/null 2>&1 ;;
	ebtables) command -v ebtables >/dev/null 2>&1 &&
	    inh ebtables -L >/dev/null 2>&1 ;;
	esac
}
filter_present() {
	case $1 in
	nft) inh nft list table bridge vifd-vif4.0 >/dev/null 2>&1 ;;
	ebtables) inh ebtables -L vifd-vif4.0 >/dev/null 2>&1 ;;
	esac
}
t_filter_online() {
	hp "$HP/vif-bridge" online 4 vif4.0 VIFD_HOTPLUG_FILTER="$1" &&
	    filter_present "$1" && [ "$(master_of vif4.0)" = br0 ]
}
t_filter_gone() {
	# Without the filter the same forged packet does arrive: the filter
	# was what stopped it.
	! filter_present "$1" && inh ip link set vif4.0 master br0 up &&
	    from 10.9.0.66 10.9.0.1
}
mkbe 4 bridge br0 ip "10.9.0.5 10.9.1.0/24"
for f in nft ebtables; do
	if ! filter_works "$f"; then
		for t in "online installs it" "a listed source passes" \
		    "a forged source is dropped" "offline removes it"; do
			skip "vif-bridge ip= ($f): $t" "no working $f"
		done
		continue
	fi
	check "vif-bridge ip= ($f): online installs it" t_filter_online "$f"
	check "vif-bridge ip= ($f): a listed source passes" \
	    from 10.9.0.5 10.9.0.1
	check "vif-bridge ip= ($f): a forged source is dropped" \
	    not_from 10.9.0.66 10.9.0.1
	hp "$HP/vif-bridge" offline 4 vif4.0 VIFD_HOTPLUG_FILTER="$f"
	check "vif-bridge ip= ($f): offline removes it" t_filter_gone "$f"
	inh ip link set vif4.0 nomaster
done
mkbe 4 bridge br0 ip "10.9.0.5; flush ruleset"
if hp "$HP/vif-bridge" online 4 vif4.0; then rc=0; else rc=$?; fi
t_bad_ip() {
	t_failed 4 "not an IP address" && ! filter_present nft
}
check "vif-bridge, a malformed ip key: error, no filter installed" t_bad_ip
# Passes the script's own check, but nft refuses it: a failing command
# (set -e) is reported with what the script was doing.
mkbe 4 bridge br0 ip "10.9.0.999"
if hp "$HP/vif-bridge" online 4 vif4.0; then rc=0; else rc=$?; fi
check "vif-bridge, a command fails (nft refuses 10.9.0.999): reported" \
    t_failed 4 "failed while installing the .* anti-spoofing filter"
hp "$HP/vif-bridge" offline 4 vif4.0
inh ip link del vif4.0

# ---- vif-route -------------------------------------------------------------

inh ip link add gw0 type veth peer name gw0p
inh ip addr add 192.0.2.1/24 dev gw0
inh ip link set gw0 up
inh ip link set gw0p up
inh ip link add vif5.0 type veth peer name r0 netns "$G"
inh ip tuntap add dev vif6.0 mode tap
ing ip addr add 192.0.2.50/32 dev r0
ing ip addr add 192.0.2.99/32 dev r0
ing ip link set r0 up
ing ip route add default dev r0
mkbe 5 ip 192.0.2.50 script "$HP/vif-route"
mkbe 6 ip "192.0.2.51 2001:db8::51" script "$HP/vif-route"
check "vif-route online: exit 0" hp "$HP/vif-route" online 5 vif5.0 netdev=gw0
check "vif-route online: hotplug-status connected" \
    test "$(key 5 hotplug-status)" = connected
t_route() {	# DEST DEV: route as vif-route adds it
	inh ip -4 route show "$1" |
	    grep -q "dev $2 scope link src 192.0.2.1 metric 2"
}
check "vif-route online: host route to the guest, src the gateway address" \
    t_route 192.0.2.50 vif5.0
t_addr() {	# DEV ADDR
	inh ip -4 -o addr show dev "$1" | grep -q "inet $2 "
}
check "vif-route online: the vif has 192.0.2.1/32" t_addr vif5.0 192.0.2.1/32
check "vif-route online: proxy_arp, forwarding, rp_filter on the vif" \
    test "$(conf vif5.0 proxy_arp)$(conf vif5.0 forwarding)$(conf vif5.0 rp_filter)" = 111
from 192.0.2.50 192.0.2.1 || sleep 1
check "vif-route: the guest reaches the host" from 192.0.2.50 192.0.2.1
# A forged source: count what reaches the host's input hook (rp_filter
# drops before it). Any reply would go out through gw0 anyway, so only the
# counter tells.
inh nft -f - <<'EOT'
table inet hp_rig {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 192.0.2.99 counter
	}
}
EOT
t_rp_filter() {
	from 192.0.2.99 192.0.2.1
	inh nft list table inet hp_rig | grep -q 'counter packets 0 '
}
check "vif-route: a source not routed to the guest is dropped (rp_filter)" \
    t_rp_filter
inh nft delete table inet hp_rig
check "vif-route online, a second vif sharing the gateway address" \
    hp "$HP/vif-route" online 6 vif6.0 netdev=gw0
t_v6() {
	t_route 192.0.2.51 vif6.0 &&
	    inh ip -6 route show 2001:db8::51 | grep -q "dev vif6.0"
}
check "vif-route: IPv4 and IPv6 routes for the second vif" t_v6
check "vif-route offline: exit 0" hp "$HP/vif-route" offline 5 vif5.0
t_route_gone() {
	[ -z "$(inh ip -4 route show 192.0.2.50)" ] &&
	    [ -z "$(inh ip -4 -o addr show dev vif5.0)" ] &&
	    [ "$(conf vif5.0 proxy_arp)" = 0 ]
}
check "vif-route offline: route, address, proxy_arp gone from vif5.0" \
    t_route_gone
t_others_kept() {
	t_route 192.0.2.51 vif6.0 && t_addr vif6.0 192.0.2.1/32 &&
	    t_addr gw0 192.0.2.1/24 && [ "$(conf vif6.0 proxy_arp)" = 1 ]
}
check "vif-route offline: the other vif and the gateway keep theirs" \
    t_others_kept
hp "$HP/vif-route" offline 6 vif6.0
mkbe 5 ip 192.0.2.50
if hp "$HP/vif-route" online 5 vif5.0 netdev=gw0p; then rc=0; else rc=$?; fi
check "vif-route, gateway device without an address: error" \
    t_failed 5 "gw0p has no IPv4 address"
inh ip link del vif5.0

# ---- vif-nat ---------------------------------------------------------------

inh ip tuntap add dev vif8.0 mode tap
mkbe 8 script "$HP/vif-nat"
check "vif-nat online: exit 0" hp "$HP/vif-nat" online 8 vif8.0
check "vif-nat online: router address 10.0.8.128/32 on the vif" \
    t_addr vif8.0 10.0.8.128/32
t_nat_route() {
	inh ip -4 route show 10.0.8.1 |
	    grep -q "dev vif8.0 scope link src 10.0.8.128" &&
	    [ "$(key 8 hotplug-status)" = connected ]
}
check "vif-nat online: route to the guest's 10.0.8.1, hotplug-status" \
    t_nat_route
t_nat_off() {
	hp "$HP/vif-nat" offline 8 vif8.0 &&
	    [ -z "$(inh ip -4 route show 10.0.8.1)" ] &&
	    [ -z "$(inh ip -4 -o addr show dev vif8.0)" ]
}
check "vif-nat offline: exit 0, address and route gone" t_nat_off
mkbe 8 handle 254
if hp "$HP/vif-nat" online 8 vif8.0; then rc=0; else rc=$?; fi
check "vif-nat, a handle with no 10.x address: error" t_failed 8 "too large"

# ---- the calling convention ------------------------------------------------

mkbe 1 bridge br0
t_ignored() {
	inh env -i XENBUS_PATH=backend/vif/1/0 vif=vif1.0 \
	    XENSTORED_PATH="$XSP" "$HP/vif-bridge" online type_if=tap &&
	    inh env -i XENBUS_PATH=backend/vif/1/0 vif=vif1.0 \
	    XENSTORED_PATH="$XSP" "$HP/vif-bridge" add type_if=vif &&
	    [ -z "$(master_of vif1.0)" ] && [ -z "$(key 1 hotplug-status)" ]
}
check "online with type_if=tap, add with type_if=vif: ignored, exit 0" \
    t_ignored
inh ip tuntap add dev vif1.0-emu mode tap
t_tap_add() {
	inh env -i XENBUS_PATH=backend/vif/1/0 vif=vif1.0 \
	    INTERFACE=vif1.0-emu XENSTORED_PATH="$XSP" "$HP/vif-bridge" add \
	    type_if=tap && [ "$(master_of vif1.0-emu)" = br0 ] &&
	    [ -z "$(master_of vif1.0)" ] && [ -z "$(key 1 hotplug-status)" ]
}
check "add type_if=tap bridges INTERFACE, writes no hotplug-status" t_tap_add
if inh env -i XENBUS_PATH=backend/vif/1/0 vif=vif1.0 \
    "$HP/vif-bridge" bogus >/dev/null 2>&1; then rc=0; else rc=$?; fi
check "an unknown command: usage, exit 2" test "$rc" -eq 2

# ---- Xen's own vif-bridge with the same environment -----------------------

XV=/etc/xen/scripts/vif-bridge
if [ -x "$XV" ]; then
	# Its xen-hotplug-common.sh sends stderr to xen-hotplug.log there.
	mkdir -p /var/log/xen
	inh ip link set vif1.0 down
	mkbe 1 bridge br0
	check "Xen's vif-bridge online: exit 0" hp "$XV" online 1 vif1.0
	t_xen_on() {
		[ "$(master_of vif1.0)" = br0 ] &&
		    [ "$(sysval vif1.0 mtu)" = 1400 ] && is_up vif1.0 &&
		    [ "$(key 1 hotplug-status)" = connected ] &&
		    [ "$(xs xenstore-read /local/domain/1/device/vif/0/mtu)" = 1400 ]
	}
	check "Xen's vif-bridge online: port, up, MTU, status, frontend mtu" \
	    t_xen_on
	check "Xen's vif-bridge offline: exit 0" hp "$XV" offline 1 vif1.0
	check "Xen's vif-bridge offline: no longer a port" t_detached vif1.0
else
	for t in "online: exit 0" "online: port of br0" "offline: exit 0" \
	    "offline: no longer a port"; do
		skip "Xen's vif-bridge $t" "no $XV (xen-utils-common)"
	done
fi

done_testing
