# tests/xen/dd-lib.sh - the driver domain netdd, for the scenarios that
# run vifd there (sourced after dom0-lib.sh, bash).
#
# netdd is a PV domU with driver_domain=1 whose root is a Debian system
# with systemd as init (the dom0 tree, see images.sh), where vifd is
# installed from its Debian package at boot and started by vifd.service
# (netdd/init, netdd/setup). Its uplink is its own netfront eth0, served
# by dom0's backend on xenbr0 and bridged in netdd on ddbr0 (192.0.2.6)
# with the guests' vifs: guest -> vifd in netdd -> netdd's netfront ->
# dom0. Guests name it in their vif spec (backend=netdd). dom0 runs
# commands in netdd through its xenstore agent (guest_cmd netdd ...).

NETDD=netdd
NETDD_IDX=6
DD_BRIDGE=ddbr0
DD_IP=192.0.2.6
# vifd's hotplug scripts as the package installs them in netdd
DD_SCRIPT_DIR=${LAB_DD_SCRIPT%/*}

netdd_domid() { guest_domid "$NETDD"; }
# dd_cmd SECS CMD: runs CMD in netdd (guest_cmd)
dd_cmd() { guest_cmd "$NETDD" "$@"; }

# netdd_vifd_ready: netdd's vifd announced readiness in xenstore
# (/local/domain/<netdd>/data/vifd/ready = 1, vifd(8) READINESS) - what a
# toolstack waits on before it starts guests with backend=netdd.
netdd_vifd_ready() {
	local d
	d=$(netdd_domid) && [ "$(xsr "/local/domain/$d/data/vifd/ready")" = 1 ]
}

# netdd_up BACKEND DEVD: makes netdd run with BACKEND (vifd | kernel) and
# xl devd on (1) or off (0): reuses a running netdd booted so, else
# destroys it and boots one. Waits for its agent, its uplink (dom0 ->
# netdd ping) and, with vifd, for vifd's ready key. Sets NETDD_BOOT_S
# (xl create to the agent) and NETDD_READY_S (to vifd's key), or leaves
# them empty when reused.
netdd_up() {
	local be=$1 devd=$2 d
	NETDD_BOOT_S="" NETDD_READY_S=""
	d=$(netdd_domid)
	if [ -n "$d" ] && [ "$(cat "$LAB_RUN/netdd.mode" 2>/dev/null)" = "$be $devd" ] &&
	    dd_cmd 20 true > /dev/null && { [ "$be" != vifd ] || netdd_vifd_ready; }; then
		return 0
	fi
	netdd_down
	say "booting netdd: backend $be, xl devd $([ "$devd" = 1 ] && echo on || echo off)"
	GUEST_RAMDISK=/var/lib/vifd-lab/netdd.cpio GUEST_MEM=512 GUEST_BOOT_S=300 \
	    GUEST_ARGS="rdinit=/init net.ifnames=0 vifdlab.backend=$be vifdlab.devd=$devd${LAB_VIFD_ARGS:+ vifdlab.vifdopts=$(echo $LAB_VIFD_ARGS | tr ' ' ',')}" \
	    GUEST_CFG="driver_domain = 1" BE_DOMID=0 \
	    guest_up "$NETDD" "$NETDD_IDX" 1 || { netdd_diag; return 1; }
	NETDD_BOOT_S=$READY_S
	echo "$be $devd" > "$LAB_RUN/netdd.mode"
	if [ "$be" = vifd ]; then
		wait_for "$(scaled 60)" netdd_vifd_ready ||
		    { fail "netdd: vifd's ready key never appeared: $(dd_cmd 30 'systemctl status vifd --no-pager -n 8' | tr '\n' '|')"; return 1; }
		NETDD_READY_S=$(since "$CREATE_T0")
	fi
	say "netdd up: agent ${NETDD_BOOT_S}s, vifd ready ${NETDD_READY_S:--}s; $(dd_cmd 30 'systemd-analyze time | head -n 1; systemd-analyze blame --no-pager | head -n 12' | tr '\n' '|' | tr -s ' ')"
}

netdd_down() {
	guest_exists "$NETDD" || return 0
	timeout -k 2 "$(scaled 60)" xl destroy "$NETDD" 2>/dev/null || say "xl destroy netdd failed"
	rm -f "$LAB_RUN/netdd.mode"
}

# netdd_diag: netdd's side of a failure, on the console.
netdd_diag() {
	{
		echo "--- netdd console (tail)"; guest_log "$NETDD" | tail -n 40
		if dd_cmd 20 true > /dev/null 2>&1; then
			echo "--- netdd: systemctl --failed"; dd_cmd 30 'systemctl --failed --no-pager --plain'
			echo "--- netdd: vifd journal"; dd_cmd 30 'journalctl -b -u vifd -u xendriverdomain --no-pager -n 30'
			echo "--- netdd: links"; dd_cmd 30 'ip -br link; ip -br addr'
		fi
	} 2>&1 | sed 's/^/DIAG /'
}

# dd_vif_spec IDX [routed] [EXTRA]: a guest's vif= spec with backend=netdd:
# bridged on ddbr0, or routed (vif-route, the guest's address as ip=,
# ddbr0 as the gateway device). vifd's scripts as the package installs
# them; with xen-netback, Xen's own (xl devd runs them).
dd_vif_spec() {
	local idx=$1 how=${2:-bridged} s dir
	if [ "$(netdd_backend)" = vifd ]; then dir=$DD_SCRIPT_DIR/; else dir=""; fi
	s="backend=$NETDD,mac=$(guest_mac "$idx")"
	if [ "$how" = routed ]; then
		s="$s,ip=$(guest_ip "$idx"),gatewaydev=$DD_BRIDGE,script=${dir}vif-route"
	else
		s="$s,bridge=$DD_BRIDGE,script=${dir}vif-bridge"
	fi
	echo "$s${3:+,$3}"
}
netdd_backend() { cut -d' ' -f1 "$LAB_RUN/netdd.mode" 2>/dev/null; }

# dd_guest_up NAME IDX [routed]: a guest whose vif 0 netdd serves; as
# guest_up (timings CREATE_S READY_S CONNECTED_S PING_S; dom0 -> guest
# ping goes through netdd).
dd_guest_up() {
	local nd
	nd=$(netdd_domid) || { fail "netdd is not running"; return 1; }
	GUEST_VIF=$(dd_vif_spec "$2" "${3:-bridged}") BE_DOMID=$nd guest_up "$1" "$2" 1
}

# dd_guests_destroy: every guest but netdd
dd_guests_destroy() {
	local n
	for n in $(guests_running); do
		[ "$n" = "$NETDD" ] && continue
		timeout -k 2 "$(scaled 60)" xl destroy "$n" 2>/dev/null || say "xl destroy $n failed"
	done
}
