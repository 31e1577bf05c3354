#!/bin/bash
# hotplug-vifd.sh - hotplug scripts run by the real vifd (Xen's contract) on
# the simulated Xen: our vif-bridge (port of the named bridge, ip= filter),
# our vif-route (host route, guest reaches the host), detach undoing it all,
# Xen's own /etc/xen/scripts/vif-bridge, and every kind of bad script: a
# hung one killed at the timeout, a failing one, a missing one, one that is
# not executable, one outside the script directory, a missing bridge, one
# that prints megabytes. A bystander vif keeps working through all of it.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
# The "uplink" vif-route uses: gw0 with the host's address.
ip -n "$HOSTNS" link add gw0 type veth peer name gw0p
ip -n "$HOSTNS" addr add 10.88.0.1/24 dev gw0
ip -n "$HOSTNS" link set gw0 up
ip -n "$HOSTNS" link set gw0p up
# Our script directory for this test: ours plus the bad ones.
SD=$M.scripts
mkdir -p "$SD"
cp "$HOTPLUG"/vif-bridge "$HOTPLUG"/vif-route "$HOTPLUG"/vif-nat \
    "$HOTPLUG"/vif-openvswitch "$HOTPLUG"/vifd-hotplug-ovs.sh \
    "$HOTPLUG"/vifd-hotplug-common.sh "$SD"/
printf '#!/bin/sh\nsleep 600\n' >"$SD/hang"
printf '#!/bin/sh\n[ "$1" = online ] || exit 0\nxenstore-write "$XENBUS_PATH/hotplug-error" "refusing on purpose"\nxenstore-write "$XENBUS_PATH/hotplug-status" error\nexit 3\n' >"$SD/fail"
printf '#!/bin/sh\nhead -c 5000000 /dev/zero | tr "\\\\0" "x" | fold -w 100\n[ "$1" = online ] && xenstore-write "$XENBUS_PATH/hotplug-status" connected\nexit 0\n' >"$SD/loud"
printf '#!/bin/sh\nexit 0\n' >"$SD/noexec"
printf '#!/bin/sh\n[ "$1" = online ] && exec xenstore-write "$XENBUS_PATH/hotplug-status" connected\necho "offline refused on purpose" >&2\nexit 1\n' >"$SD/badoff"
chmod +x "$SD"/hang "$SD"/fail "$SD"/loud "$SD"/badoff
chmod -x "$SD/noexec"
vifd_start --script-dir="$SD" --hotplug-timeout=2

# The bystander, on our vif-bridge (relative name: our script dir).
guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$SD/vif-bridge" >/dev/null
guest_tap 1 0 10.77.0.2
eventually 15 "bystander connected" be_state_is 1 0 4
eventually 10 "vif-bridge made the TAP a port of xenbr0" sh -c \
    "ip -n $HOSTNS link show vif1.0 | grep -q 'master xenbr0'"
eventually 10 "the bystander pings the host through the bridge" in_guest 1 ping -c 1 -W 1 10.77.0.1
bystander_ok() { in_guest 1 ping -c 1 -W 2 10.77.0.1 >/dev/null 2>&1; }

# ---- ip= filtering through vifd --------------------------------------------
guest_add 2
attach 2 "mac=00:16:3e:00:02:00,bridge=xenbr0,ip=10.77.0.50,script=$SD/vif-bridge" >/dev/null
guest_tap 2 0 10.77.0.50
eventually 15 "vif2.0 (ip=10.77.0.50) connected" be_state_is 2 0 4
eventually 10 "the listed source passes" in_guest 2 ping -c 1 -W 1 10.77.0.1
ip -n "$(guest_ns 2)" addr add 10.77.0.66/24 dev eth0
check "a spoofed source is dropped" sh -c \
    "! ip netns exec $(guest_ns 2) ping -c 2 -W 1 -I 10.77.0.66 10.77.0.1"
check "vifctl detach vif2.0" vifctl detach 2 0
eventually 5 "detach removed the port and the TAP" no_link_in_host vif2.0
check "detach removed the filter" sh -c \
    "! ip netns exec $HOSTNS nft list tables 2>/dev/null | grep -q 'vif2.0'"

# ---- vif-route through vifd -------------------------------------------------------
guest_add 3
attach 3 "mac=00:16:3e:00:03:00,ip=10.88.0.30,gatewaydev=gw0,script=$SD/vif-route" >/dev/null
guest_tap 3 0 10.88.0.30
ip -n "$(guest_ns 3)" route add default dev eth0 2>/dev/null
eventually 15 "vif3.0 (vif-route) connected" be_state_is 3 0 4
eventually 5 "the host route to the guest exists" sh -c \
    "ip -n $HOSTNS route show 10.88.0.30 | grep -q 'dev vif3.0'"
check "proxy ARP on the routed vif" sh -c \
    "[ \$(ip netns exec $HOSTNS cat /proc/sys/net/ipv4/conf/vif3.0/proxy_arp) = 1 ]"
eventually 10 "the routed guest reaches the host" in_guest 3 ping -c 1 -W 1 10.88.0.1
check "vifctl detach vif3.0" vifctl detach 3 0
eventually 5 "detach removed the host route" sh -c \
    "! ip -n $HOSTNS route show 10.88.0.30 | grep -q ."
check "gw0 keeps its address" sh -c "ip -n $HOSTNS addr show gw0 | grep -q 10.88.0.1/24"

# ---- Xen's own vif-bridge (Debian xen-utils-common) ------------------------------
mkdir -p /var/log/xen
guest_add 4
attach 4 "mac=00:16:3e:00:04:00,bridge=xenbr0,script=/etc/xen/scripts/vif-bridge" >/dev/null
guest_tap 4 0 10.77.0.5
eventually 15 "vif4.0 with Xen's vif-bridge connected" be_state_is 4 0 4
eventually 10 "Xen's vif-bridge made it a port of xenbr0" sh -c \
    "ip -n $HOSTNS link show vif4.0 | grep -q 'master xenbr0'"
eventually 10 "the guest pings through it" in_guest 4 ping -c 1 -W 1 10.77.0.1
check "vifctl detach vif4.0 (Xen's offline)" vifctl detach 4 0
eventually 5 "the TAP is gone" no_link_in_host vif4.0

# ---- bad scripts ----------------------------------------------------------------
# bad NAME SPEC-SCRIPT: attach a vif whose script is bad; it must fail with
# the reason in vifd's log and an error node, and nothing else.
D=4
bad() {
	local what=$1 script=$2 pat=$3
	D=$((D + 1))
	guest_add "$D"
	attach "$D" "mac=$(printf '00:16:3e:00:%02x:00' "$D"),bridge=${BRIDGE:-xenbr0},script=$script" >/dev/null
	eventually 8 "$what: the vif fails (error node)" sh -c \
	    "$XENSIM exec $M -- xenstore-read /local/domain/0/error/backend/vif/$D/0/error | grep -q 'hotplug'"
	check "$what: vifd logs why" vifd_log_has "$pat"
	check "$what: the bystander still pings" bystander_ok
}
t0=$(date +%s)
bad "a hung script" "$SD/hang" "killed"
t1=$(date +%s)
check "the hung script was killed at the timeout (2 s), not later ($((t1 - t0)) s)" [ $((t1 - t0)) -le 8 ]
check "no hung script left running" sh -c "! pgrep -f '^/bin/sh $SD/hang' >/dev/null"
bad "a failing script" "$SD/fail" "refusing on purpose"
bad "a missing script" "$SD/nosuch" "nosuch"
bad "a script that is not executable" "$SD/noexec" "noexec"
BRIDGE=nosuchbr bad "a bridge that does not exist" "$SD/vif-bridge" "nosuchbr"
check "a failed vif stays failed when its frontend retries" sh -c \
    "sleep 1; [ \"\$($XENSIM exec $M -- xenstore-read $(be_path 5 0)/state)\" != 4 ]"

# A relative `script` (libxl writes absolute ones; another toolstack may
# not) must stay inside vifd's script directory. Written node by node
# without a transaction, `state` and `online` last, as a careless
# toolstack would.
D=$((D + 1))
guest_add "$D"
attach_by_hand "$D" "mac=00:16:3e:00:$D:00,bridge=xenbr0,script=x" \
    's|/script = ".*"|/script = "../../../bin/true"|'
eventually 8 "a relative script leaving the script dir: the vif fails" sh -c \
    "$XENSIM exec $M -- xenstore-read /local/domain/0/error/backend/vif/$D/0/error | grep -q 'hotplug'"
check "... and vifd says why" vifd_log_has "\.\./\.\./\.\./bin/true"
check "the bystander still pings" bystander_ok

# A failing `offline`: logged, and the removal goes on.
guest_add 21
attach 21 "mac=00:16:3e:00:21:00,bridge=xenbr0,script=$SD/badoff" >/dev/null
guest_start 21 0 --mode sink --seconds 600
eventually 15 "vif21.0 connected" be_state_is 21 0 4
check "vifctl detach vif21.0" vifctl detach 21 0
eventually 5 "a failed offline: the TAP is removed anyway" no_link_in_host vif21.0
check "... and the failure is logged with the script's words" vifd_log_has "offline refused on purpose"
check "... and vifd says it went on" vifd_log_has "hotplug offline failed"

# A script that prints megabytes: logged within a cap, the vif works.
guest_add 20
attach 20 "mac=00:16:3e:00:20:00,bridge=xenbr0,script=$SD/loud" >/dev/null
guest_start 20 0 --mode sink --seconds 600
eventually 20 "a script printing 5 MB still lets its vif connect" be_state_is 20 0 4
lines=$(grep -c 'hotplug online: xxxx' "$M.vifd.log")
check "its output was logged, capped ($lines lines of 50000)" [ "$lines" -gt 10 ] && [ "$lines" -le 1000 ]
check "the bystander still pings" bystander_ok
check "vifd alive" kill -0 "$VIFD_PID"
done_testing
