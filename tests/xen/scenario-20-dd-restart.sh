# scenario 20: dd-restart - the backend's domain goes away under a running
# guest (dd-a, pinged from dom0 every 0.1 s):
#  1. (vifd) vifd is SIGKILLed in netdd: systemd restarts it
#     (Restart=on-failure), vifd adopts the live vif, replies resume and
#     the guest's frontend (state, ring refs, event channels) is untouched;
#     TCP after.
#  2. netdd is destroyed and booted again: the guest's netfront keeps its
#     dead vif, so dom0 removes it and attaches a new one as a toolstack
#     does (Qubes' does exactly this), the guest brings its new interface
#     up, ping and TCP work again. The outage is from xl destroy to the
#     first reply; netdd's boot is most of it.
# With BACKEND=kernel, netdd runs xen-netback (2 only). Scenario 21 runs 2
# again with xen-netback in netdd.
BUDGET=900

# dd_vifd_restarted PID: netdd's vifd.service is active with a main PID
# other than PID
dd_vifd_restarted() {
	local out
	out=$(dd_cmd 20 'systemctl show -p MainPID -p ActiveState vifd' | tr '\n' ' ')
	case $out in *ActiveState=active*) ;; *) return 1 ;; esac
	! echo "$out" | grep -qE "MainPID=($1|0) "
}

scenario_main() {
	. "$LAB_DIR/dd-lib.sh"
	. "$LAB_DIR/move-lib.sh"
	local d sig0 sig1 pid0 nr t0 g
	dd_guest_ensure dd-a 10 || return 1
	if [ "$(netdd_backend)" = vifd ]; then
		d=$(guest_domid dd-a)
		sig0=$(fe_sig "$d")
		pid0=$(dd_cmd 20 'systemctl show -p MainPID --value vifd')
		move_ping_start 10
		sleep 2
		t0=$(now)
		dd_cmd 20 "kill -KILL $pid0" > /dev/null
		wait_for "$(scaled 30)" dd_vifd_restarted "$pid0" ||
		    { move_ping_stop; fail "netdd: vifd was not restarted after SIGKILL: $(dd_cmd 20 'systemctl status vifd --no-pager -n 5' | tr '\n' '|')"; return 1; }
		fig "vifd_restarted_s=$(calc "$(now) - $t0" 2)"
		wait_for "$(scaled 30)" move_replied_after "$t0" ||
		    { move_ping_stop; fail "no ping reply from dd-a after netdd's vifd restarted"; return 1; }
		fig "replies_after_kill_s=$(move_reply_after "$t0")"
		sleep 2
		move_ping_stop
		read -r g _ <<< "$(move_gaps)"
		nr=$(dd_cmd 20 'systemctl show -p NRestarts --value vifd')
		fig "kill_gap_s=$g nrestarts=$nr"
		sig1=$(fe_sig "$d")
		[ "$sig0" = "$sig1" ] || { fail "the guest's frontend changed across vifd's restart: '$sig0' -> '$sig1'"; netdd_diag; return 1; }
		fig "frontend_untouched=yes"
		BE_NAME=$NETDD move_tcp_works "" after_kill dd-a 10 || return 1
	fi
	dd_recreate "" "$(netdd_backend)" || return 1
	keep "dd_$(netdd_backend)_outage_s" "$DD_OUTAGE"
}
