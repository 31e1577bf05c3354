# scenario 19: dd-lifecycle - from dom0, xl network-attach and
# network-detach of a second vif of dd-a served by netdd, then xl destroy
# of dd-a: every command returns without libxl's timeout, and the backend
# directory, the vif's netdev in netdd and its bridge port are gone
# afterwards. Twice: with xl devd running in netdd (it runs the hotplug
# scripts and removes the backend entries), then with it stopped (vifd
# does both, --hotplug=auto).
BUDGET=900

# dd_vif_gone DOMID DEVID: backend dir, netdev and bridge port all gone
dd_vif_gone() {
	! xs_has "/local/domain/$(netdd_domid)/backend/vif/$1/$2" &&
	    [ "$(dd_cmd 20 "ls /sys/class/net/vif$1.$2 /sys/class/net/$DD_BRIDGE/brif/vif$1.$2 2>/dev/null | wc -l")" = 0 ]
}
dd_hotplug_connected() { [ "$(xsr "/local/domain/$(netdd_domid)/backend/vif/$1/$2/hotplug-status")" = connected ]; }
# dd_xl_ok STATUS LOG: xl's status was 0 and it did not report a timeout
dd_xl_ok() {
	[ "$1" = 0 ] && ! grep -qi 'timed out\|timeout' "$2"
}

# dd_lifecycle PREFIX: one round on dd-a (brought up if needed)
dd_lifecycle() {
	local p=$1 nd d devid t0 rc out
	dd_guest_ensure dd-a 10 || return 1
	nd=$(netdd_domid)
	d=$(guest_domid dd-a)
	t0=$(up)
	# shellcheck disable=SC2046 # xl takes the spec's items as words
	timeout "$(scaled 60)" xl network-attach dd-a $(dd_vif_spec 12 | tr ',' ' ') > "$LAB_RUN/xl.attach.log" 2>&1
	rc=$?
	fig "${p}attach_xl_s=$(since "$t0")"
	dd_xl_ok $rc "$LAB_RUN/xl.attach.log" ||
	    { fail "${p}xl network-attach: rc $rc: $(grep -iv '^Parsing' "$LAB_RUN/xl.attach.log" | tail -n 2 | tr '\n' ' ')"; return 1; }
	devid=$(xl network-list dd-a | awk 'NR > 1 { d = $1 } END { print d }')
	wait_for "$(scaled 30)" dd_vif_connected "$d" "$devid" ||
	    { fail "${p}vif$d.$devid not Connected: backend $(BE_DOMID=$nd be_state "$d" "$devid"), frontend $(fe_state "$d" "$devid")"; return 1; }
	fig "${p}attach_s=$(since "$t0")"
	wait_for "$(scaled 20)" dd_hotplug_connected "$d" "$devid" ||
	    { fail "${p}vif$d.$devid: hotplug-status '$(xsr "/local/domain/$nd/backend/vif/$d/$devid/hotplug-status")'"; return 1; }
	out=$(dd_cmd 30 "basename \$(readlink /sys/class/net/vif$d.$devid/master)")
	[ "$out" = "$DD_BRIDGE" ] || { fail "${p}vif$d.$devid is not on $DD_BRIDGE in netdd ($out)"; return 1; }

	t0=$(up)
	timeout "$(scaled 60)" xl network-detach dd-a "$devid" > "$LAB_RUN/xl.detach.log" 2>&1
	rc=$?
	fig "${p}detach_xl_s=$(since "$t0")"
	dd_xl_ok $rc "$LAB_RUN/xl.detach.log" ||
	    { fail "${p}xl network-detach: rc $rc: $(tail -n 2 "$LAB_RUN/xl.detach.log" | tr '\n' ' ')"; return 1; }
	wait_for "$(scaled 30)" dd_vif_gone "$d" "$devid" ||
	    { fail "${p}after detach, vif$d.$devid is still there (backend dir, netdev or bridge port)"; return 1; }
	fig "${p}detach_s=$(since "$t0")"

	t0=$(up)
	timeout "$(scaled 60)" xl destroy dd-a > "$LAB_RUN/xl.destroy.log" 2>&1
	rc=$?
	fig "${p}destroy_xl_s=$(since "$t0")"
	dd_xl_ok $rc "$LAB_RUN/xl.destroy.log" ||
	    { fail "${p}xl destroy: rc $rc: $(tail -n 2 "$LAB_RUN/xl.destroy.log" | tr '\n' ' ')"; return 1; }
	wait_for "$(scaled 30)" dd_vif_gone "$d" 0 ||
	    { fail "${p}after xl destroy, vif$d.0 is still there (backend dir, netdev or bridge port)"; return 1; }
	xs_has "/local/domain/$nd/backend/vif/$d" && { fail "${p}after xl destroy, /local/domain/$nd/backend/vif/$d is still there"; return 1; }
	fig "${p}cleanup_s=$(since "$t0")"
}

# dd_novifd_diag DOMID DEVID: the device libxl left, seen from everywhere
dd_novifd_diag() {
	local nd
	nd=$(netdd_domid)
	{
		echo "--- xl network-attach said"; grep -v '^Parsing' "$LAB_RUN/xl.attach.log"
		echo "--- frontend, backend and libxl's record"
		xs xenstore-ls -fp "/local/domain/$1/device/vif/$2" 2>&1
		xs xenstore-ls -fp "/local/domain/$nd/backend/vif/$1/$2" 2>&1
		xs xenstore-ls -f "/libxl/$1/device/vif/$2" 2>&1
		echo "--- netdd: vifd and xl devd on vif$1.$2"; dd_cmd 30 "journalctl -b --no-pager -o cat -u vifd -u xendriverdomain | grep -E 'vif$1.$2|backend/vif/$1/$2' | cut -c1-160 | tail -n 15"
		echo "--- dd-a: dmesg"; guest_cmd dd-a 20 'dmesg | grep -iE "xen|vif|eth" | tail -n 12; ip -br link'
	} 2>&1 | sed 's/^/DIAG /'
}

# dd_novifd: netdd's vifd stopped; a vif attached to dd-a meanwhile.
dd_novifd() {
	local nd d t0 rc devid left msg st
	dd_guest_ensure dd-a 10 || return 1
	nd=$(netdd_domid)
	d=$(guest_domid dd-a)
	dd_cmd 60 'systemctl stop vifd' > /dev/null
	netdd_vifd_ready && { fail "novifd_: vifd's ready key is still there after systemctl stop vifd"; return 1; }
	t0=$(up)
	# shellcheck disable=SC2046 # xl takes the spec's items as words
	timeout "$(scaled 90)" xl network-attach dd-a $(dd_vif_spec 13 | tr ',' ' ') > "$LAB_RUN/xl.attach.log" 2>&1
	rc=$?
	fig "novifd_attach_xl_s=$(since "$t0") novifd_attach_rc=$rc"
	msg=$(grep -i 'error' "$LAB_RUN/xl.attach.log" | head -n 1 | sed 's/^libxl: error: //; s/ /_/g' | cut -c1-100)
	[ $rc != 0 ] || { fail "novifd_: xl network-attach succeeded with no backend running"; return 1; }
	fig "novifd_libxl_said=${msg:-nothing}"
	devid=$(xl network-list dd-a | awk 'NR > 1 && $1 != 0 { d = $1 } END { print d }')
	st=$(xsr "/local/domain/$nd/backend/vif/$d/${devid:-1}/state")
	left=none
	[ -n "$devid" ] && left="devid_${devid}_state_${st:-gone}"
	fig "novifd_left_by_libxl=$left"
	[ -n "$devid" ] || { fail "novifd_: libxl left no record of the failed vif (xl network-list)"; return 1; }
	t0=$(up)
	dd_cmd 60 "systemctl start vifd" > /dev/null
	wait_for "$(scaled 60)" netdd_vifd_ready || { fail "novifd_: vifd's ready key never came back"; return 1; }
	fig "novifd_vifd_ready_s=$(since "$t0")"
	# xl devd gave the device up at libxl's 10 s: no script will run, the
	# vif waits in InitWait and vifd says so once libxl's window is past
	# (50 s after InitWait)
	msg=""
	for _ in $(seq 18); do
		msg=$(dd_cmd 30 "journalctl -b --no-pager -o cat -u vifd | grep -m1 'vif$d.$devid: no hotplug-status'")
		[ -n "$msg" ] && break
		sleep 5
	done
	[ -n "$msg" ] || { fail "novifd_: vifd said nothing of vif$d.$devid's missing hotplug-status"; dd_novifd_diag "$d" "$devid"; return 1; }
	fig "novifd_vifd_said_after_s=$(since "$t0") novifd_backend_state=$(xsr "/local/domain/$nd/backend/vif/$d/$devid/state") novifd_frontend_state=$(xsr "/local/domain/$d/device/vif/$devid/state")"
	say "netdd's vifd: ${msg#*: }"
	t0=$(up)
	timeout "$(scaled 60)" xl network-detach dd-a "$devid" > "$LAB_RUN/xl.detach.log" 2>&1 ||
	    { fail "novifd_: xl network-detach of what libxl left: $(tail -n 2 "$LAB_RUN/xl.detach.log" | tr '\n' ' ')"; return 1; }
	wait_for "$(scaled 30)" dd_vif_gone "$d" "$devid" ||
	    { fail "novifd_: after detach, vif$d.$devid is still there (backend dir, netdev or bridge port)"; dd_novifd_diag "$d" "$devid"; return 1; }
	fig "novifd_detach_s=$(since "$t0")"
	ping -c 1 -W 2 "$(guest_ip 10)" > /dev/null || { fail "novifd_: dd-a's first vif no longer answers"; return 1; }
}

scenario_main() {
	. "$LAB_DIR/dd-lib.sh"
	dd_lifecycle devd_ || return 1
	[ "$(netdd_backend)" = vifd ] || { fig "nodevd=n/a(xen-netback needs xl devd for its scripts)"; return 0; }
	dd_cmd 60 'systemctl stop xendriverdomain' > /dev/null
	dd_lifecycle nodevd_
	local rc=$?
	dd_cmd 60 'systemctl start xendriverdomain' > /dev/null
	[ $rc = 0 ] || return 1
	dd_novifd
}
