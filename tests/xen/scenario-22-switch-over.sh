# scenario 22: switch-over - a running host moves a guest's vif from
# Linux's xen-netback to vifd and back, as vifd(8) and the README describe
# (NETBACK): lab-a up behind xen-netback; its vif detached, xen-netback
# unloaded, vifd started, the vif attached again: Connected behind vifd,
# ping and TCP; then detached, vifd stopped, xen-netback loaded, attached
# again: Connected behind netback, ping and TCP. dom0 pings the guest
# every 0.1 s throughout; each outage is the longest gap between replies
# from the detach to the first reply through the new backend.
BUDGET=420
BACKENDS="vifd"

# switch_attach DOMID: xl network-attach of lab-a's vif with the current
# backend's script; waits for Connected and the guest's interface; prints
# the new devid
switch_attach() {
	local devid
	# shellcheck disable=SC2046 # xl takes the spec's items as words
	timeout "$(scaled 60)" xl network-attach lab-a $(vif_spec 2 | tr ',' ' ') > "$LAB_RUN/xl.attach.log" 2>&1 ||
	    { fail "xl network-attach ($(cur_backend)): $(grep -iv '^Parsing' "$LAB_RUN/xl.attach.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
	devid=$(xl network-list lab-a | awk 'NR > 1 { d = $1 } END { print d }')
	wait_for "$(scaled 30)" vif_connected "$1" "$devid" ||
	    { fail "vif$1.$devid not Connected behind $(cur_backend): backend $(be_state "$1" "$devid"), frontend $(fe_state "$1" "$devid")"; return 1; }
	guest_cmd lab-a "$(scaled 30)" lab-netup > /dev/null
	echo "$devid"
}

# switch_detach DOMID DEVID: xl network-detach, and the vif gone
switch_detach() {
	local nd
	nd=$(vif_netdev "$1" "$2")
	timeout "$(scaled 60)" xl network-detach lab-a "$2" > "$LAB_RUN/xl.detach.log" 2>&1 ||
	    { fail "xl network-detach ($(cur_backend)): $(tail -n 2 "$LAB_RUN/xl.detach.log" | tr '\n' ' ')"; return 1; }
	wait_for "$(scaled 30)" vif_gone "$1" "$2" "$nd" || { fail "vif$1.$2 still there after detach"; return 1; }
}

# switch_outage T0 WHO: waits for a reply after the attach; the figure is
# the longest gap between replies since T0 (the ping log from T0 on)
switch_outage() {
	local t1 g
	t1=$(now)
	wait_for "$(scaled 30)" move_replied_after "$t1" || { fail "no reply behind $2"; return 1; }
	g=$(awk -F'[][]' -v t="$1" '/bytes from/ && !/DUP/ { if ($2 > t && p) { if ($2 - p > g) g = $2 - p } p = $2 } END { printf "%.2f\n", g }' "$LAB_RUN/move.ping")
	fig "to_${2}_outage_s=$g"
}

scenario_main() {
	. "$LAB_DIR/move-lib.sh"
	local d devid t0
	backend_use kernel || { fail "could not start xen-netback"; return 1; }
	guest_up lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	move_ping_start 2
	sleep 1

	# netback -> vifd
	t0=$(now)
	switch_detach "$d" 0 || { move_ping_stop; return 1; }
	rmmod xen-netback || { move_ping_stop; fail "rmmod xen-netback failed after the detach"; return 1; }
	echo vifd > "$LAB_RUN/backend"
	vifd_start || { move_ping_stop; fail "vifd did not start"; return 1; }
	devid=$(switch_attach "$d") || { move_ping_stop; return 1; }
	vifctl_stat "$d" "$devid" tx_packets > /dev/null ||
	    { move_ping_stop; fail "vif$d.$devid is not vifd's (vifctl stats has nothing)"; return 1; }
	switch_outage "$t0" vifd || { move_ping_stop; return 1; }
	move_tcp_works "" behind_vifd || { move_ping_stop; return 1; }

	# vifd -> netback
	t0=$(now)
	switch_detach "$d" "$devid" || { move_ping_stop; return 1; }
	vifd_stop
	modprobe xen-netback || { move_ping_stop; fail "modprobe xen-netback failed"; return 1; }
	echo kernel > "$LAB_RUN/backend"
	devid=$(switch_attach "$d") || { move_ping_stop; return 1; }
	[ -e "/sys/bus/xen-backend/drivers/vif/vif-$d-$devid" ] ||
	    { move_ping_stop; fail "vif$d.$devid is not bound to xen-netback"; return 1; }
	switch_outage "$t0" kernel || { move_ping_stop; return 1; }
	move_ping_stop
	move_tcp_works "" behind_kernel
}
