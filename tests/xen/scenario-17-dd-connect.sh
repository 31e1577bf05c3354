# scenario 17: dd-connect - vifd in the driver domain netdd (dd-lib.sh):
# netdd boots Debian with systemd, installs vifd from its package and runs
# it from vifd.service with xl devd beside it; dom0 waits on vifd's ready
# key, then a guest with backend=netdd on netdd's bridge and one routed by
# vif-route reach Connected, and ping works guest <-> netdd and guest <->
# dom0 through the chain (guest -> vifd -> netdd's netfront -> dom0).
# With BACKEND=kernel, netdd runs xen-netback and Xen's scripts instead.
BUDGET=720

# dd_ping_from_netdd DEST COUNT: netdd's iputils ping; "sent recv min avg max"
dd_ping_from_netdd() {
	dd_cmd "$(scaled 60)" "ping -n -q -c $2 -i 0.2 -W 2 $1" | ping_summary
}

# dd_check_pings NAME IDX PREFIX: dom0 <-> guest (measure_rtt) and guest
# <-> netdd, every ping answered
dd_check_pings() {
	local s r mn av mx
	measure_rtt "$1" "$2" "$3" || return 1
	read -r s r mn av mx _ <<< "$(guest_ping "$1" "$DD_IP" 10)"
	fig "${3}ping_g2dd=$r/$s ${3}rtt_g2dd_ms=$mn/$av/$mx"
	[ "$s" -gt 0 ] && [ "$r" = "$s" ] || { fail "$1 -> netdd: $r of $s pings answered"; return 1; }
	read -r s r mn av mx _ <<< "$(dd_ping_from_netdd "$(guest_ip "$2")" 10)"
	fig "${3}ping_dd2g=$r/$s ${3}rtt_dd2g_ms=$mn/$av/$mx"
	[ "$s" -gt 0 ] && [ "$r" = "$s" ] || { fail "netdd -> $1: $r of $s pings answered"; return 1; }
}

scenario_main() {
	. "$LAB_DIR/dd-lib.sh"
	local be nd d r out
	be=$(dd_lab_backend)
	dd_guests_destroy
	netdd_up "$be" 1 || return 1
	nd=$(netdd_domid)
	fig "netdd_boot_s=${NETDD_BOOT_S:-reused} vifd_ready_s=${NETDD_READY_S:-none} netdd_systemd=${NETDD_STARTUP:-none}"
	if [ "$be" = vifd ]; then
		# the package's unit: Type=notify, active; privilege separation
		out=$(dd_cmd 30 'systemctl show -p Type -p ActiveState -p NRestarts vifd; echo devd=$(systemctl is-active xendriverdomain); echo priv=$(pgrep -c -x vifd-priv)')
		fig "unit=$(echo "$out" | tr '\n' ' ' | sed 's/ $//; s/ /,/g')"
		echo "$out" | grep -qx 'ActiveState=active' || { fail "netdd: vifd.service is not active: $out"; return 1; }
		echo "$out" | grep -qx 'Type=notify' || { fail "netdd: vifd.service is not Type=notify: $out"; return 1; }
		echo "$out" | grep -qx 'devd=active' || { fail "netdd: xl devd (xendriverdomain.service) is not active: $out"; return 1; }
		echo "$out" | grep -qx 'priv=1' || { fail "netdd: no vifd-priv process: $out"; return 1; }
	fi

	dd_guest_up dd-a 10 || { netdd_diag; return 1; }
	d=$(guest_domid dd-a)
	fig "create_s=$CREATE_S connected_s=$CONNECTED_S first_ping_s=$PING_S"
	[ "$(xsr "/local/domain/$nd/backend/vif/$d/0/hotplug-status")" = connected ] ||
	    { fail "vif$d.0's hotplug-status is '$(xsr "/local/domain/$nd/backend/vif/$d/0/hotplug-status")', not connected"; return 1; }
	out=$(dd_cmd 30 "basename \$(readlink /sys/class/net/vif$d.0/master)")
	[ "$out" = "$DD_BRIDGE" ] || { fail "netdd: vif$d.0 is not on $DD_BRIDGE ($out)"; return 1; }
	dd_check_pings dd-a 10 "" || return 1
	keep "dd_${be}_connected_s" "$CONNECTED_S"
	keep "dd_${be}_rtt_h2g" "$RTT_H2G"

	dd_guest_up dd-r 11 routed || { netdd_diag; return 1; }
	r=$(guest_domid dd-r)
	fig "routed_connected_s=$CONNECTED_S"
	out=$(dd_cmd 30 "ip -4 route show $(guest_ip 11)")
	echo "$out" | grep -q "dev vif$r.0" || { fail "netdd: no route to $(guest_ip 11) through vif$r.0 ($out)"; return 1; }
	dd_check_pings dd-r 11 routed_ || return 1
}
