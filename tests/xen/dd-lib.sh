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
	    guest_up "$NETDD" "$NETDD_IDX" 2 || { netdd_diag; return 1; }
	NETDD_BOOT_S=$READY_S
	echo "$be $devd" > "$LAB_RUN/netdd.mode"
	if [ "$be" = vifd ]; then
		wait_for "$(scaled 60)" netdd_vifd_ready ||
		    { fail "netdd: vifd's ready key never appeared: $(dd_cmd 30 'systemctl status vifd --no-pager -n 8' | tr '\n' '|')"; return 1; }
		NETDD_READY_S=$(since "$CREATE_T0")
	fi
	NETDD_STARTUP=$(dd_cmd 30 'systemd-analyze time' | sed -n 's/^Startup finished in //p' | head -n 1 | tr -d ' ')
	say "netdd up: agent ${NETDD_BOOT_S}s, vifd ready ${NETDD_READY_S:--}s; systemd: $NETDD_STARTUP"
}

netdd_down() {
	guest_exists "$NETDD" || return 0
	timeout -k 2 "$(scaled 60)" xl destroy "$NETDD" 2>/dev/null || say "xl destroy netdd failed"
	rm -f "$LAB_RUN/netdd.mode"
}

# netdd_diag: netdd's side of a failure, on the console.
netdd_diag() {
	local d
	d=$(netdd_domid)
	{
		echo "--- netdd console (tail)"; guest_log "$NETDD" | tail -n 40
		[ -n "$d" ] && { echo "--- netdd's backend and libxl trees"; xs xenstore-ls -f "/local/domain/$d/backend" 2>&1 | grep -v '/feature-\|/multi-queue\|/request-\|/rx-copy' | head -n 60; xs xenstore-ls -f "/local/domain/$d/libxl" 2>&1; }
		if dd_cmd 20 true > /dev/null 2>&1; then
			echo "--- netdd: systemctl --failed"; dd_cmd 30 'systemctl --failed --no-pager --plain'
			echo "--- netdd: systemd-analyze"; dd_cmd 60 'systemd-analyze time; systemd-analyze blame --no-pager | head -n 15'
			echo "--- netdd: journal (vifd, xl devd)"; dd_cmd 30 "journalctl -b --no-pager -o cat -u vifd -u xendriverdomain | cut -c1-140 | tail -n 28 | head -n 14"; dd_cmd 30 "journalctl -b --no-pager -o cat -u vifd -u xendriverdomain | cut -c1-140 | tail -n 14"
			echo "--- netdd: processes"; dd_cmd 30 'ps -eo pid,stat,etime,args | grep -E "vifd|xl |vif-|hotplug" | grep -v grep'
			echo "--- netdd: links"; dd_cmd 30 'ip -br link; ip -br addr; bridge link; bridge fdb show br ddbr0 | grep -v permanent'
			echo "--- netdd: vif counters"; dd_cmd 30 'for v in /sys/class/net/vif*; do echo "${v##*/} rx=$(cat $v/statistics/rx_packets) tx=$(cat $v/statistics/tx_packets) txdrop=$(cat $v/statistics/tx_dropped)"; done; vifctl stats 2>&1 | grep -E "total (tx|rx)_(packets|drop|err)|total .*(stall|fixup|bad)" | head -n 20'
		fi
		for n in $(guests_running); do
			[ "$n" = "$NETDD" ] && continue
			echo "--- $n: addresses, neighbours, counters"; guest_cmd "$n" 20 'ip addr; ip neigh; cat /proc/net/dev | grep eth'
		done
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
# the backend netdd runs by default: the lab's (vifd, or kernel)
dd_lab_backend() { if [ "$LAB_BACKEND" = kernel ]; then echo kernel; else echo vifd; fi; }

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

# dd_guest_ensure NAME IDX [routed]: netdd up (DD_BE, default the lab's
# backend; xl devd on) and guest NAME's vif 0 connected through it: reused
# if both run and the guest answers, else brought up.
dd_guest_ensure() {
	local d nd be=${DD_BE:-$(dd_lab_backend)}
	netdd_up "$be" 1 || return 1
	nd=$(netdd_domid)
	d=$(guest_domid "$1")
	if [ -n "$d" ] && BE_DOMID=$nd vif_connected "$d" 0 && ping -c 1 -W 2 "$(guest_ip "$2")" > /dev/null 2>&1; then
		return 0
	fi
	dd_guest_up "$@"
}

# dd_vif_connected DOMID DEVID: both ends Connected, the backend in netdd
dd_vif_connected() { BE_DOMID=$(netdd_domid) vif_connected "$1" "$2"; }

# dd_recreate PREFIX BACKEND: netdd (BACKEND, xl devd on) is destroyed and
# booted again under dd-a, pinged every 0.1 s from dom0 (move-lib.sh). The
# guest's netfront keeps its dead vif: dom0 detaches it and attaches a new
# one with backend=netdd, as a toolstack does, and the guest configures
# its new interface. Figures: how long each step took, the outage (the
# longest gap between replies; also in DD_OUTAGE) and TCP after.
dd_recreate() {
	local p=$1 be=$2 d t0 t1 rc devid
	DD_BE=$be dd_guest_ensure dd-a 10 || return 1
	d=$(guest_domid dd-a)
	move_ping_start 10
	sleep 1
	t0=$(now)
	netdd_down
	netdd_up "$be" 1 || { move_ping_stop; return 1; }
	fig "${p}recreate_boot_s=$(calc "$(now) - $t0" 1)"
	timeout "$(scaled 60)" xl network-detach dd-a 0 > "$LAB_RUN/xl.detach.log" 2>&1
	rc=$?
	fig "${p}dead_detach_s=$(calc "$(now) - $t0" 1) ${p}dead_detach_rc=$rc"
	[ $rc = 0 ] || { move_ping_stop; fail "${p}xl network-detach of the dead vif: rc $rc: $(tail -n 2 "$LAB_RUN/xl.detach.log" | tr '\n' ' ')"; return 1; }
	# shellcheck disable=SC2046 # xl takes the spec's items as words
	timeout "$(scaled 60)" xl network-attach dd-a $(dd_vif_spec 10 | tr ',' ' ') > "$LAB_RUN/xl.attach.log" 2>&1 ||
	    { move_ping_stop; fail "${p}xl network-attach after netdd came back: $(grep -iv '^Parsing' "$LAB_RUN/xl.attach.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
	devid=$(xl network-list dd-a | awk 'NR > 1 { d = $1 } END { print d }')
	wait_for "$(scaled 30)" dd_vif_connected "$d" "$devid" ||
	    { move_ping_stop; fail "${p}the new vif$d.$devid is not Connected: backend $(BE_DOMID=$(netdd_domid) be_state "$d" "$devid"), frontend $(fe_state "$d" "$devid")"; return 1; }
	guest_cmd dd-a "$(scaled 30)" lab-netup > /dev/null
	t1=$(now)
	wait_for "$(scaled 30)" move_replied_after "$t1" ||
	    { move_ping_stop; fail "${p}no ping reply from dd-a after netdd came back"; return 1; }
	sleep 1
	move_ping_stop
	read -r DD_OUTAGE _ <<< "$(move_gaps)"
	fig "${p}outage_s=$DD_OUTAGE ${p}new_devid=$devid"
	if [ "$be" = kernel ]; then
		# TCP behind xen-netback in netdd fails (scenario 21)
		fig "${p}after_recreate_tcp=not_measured"
		return 0
	fi
	BE_NAME=$NETDD BE_DOMID=$(netdd_domid) move_tcp_works "$p" after_recreate dd-a 10
}
