# Scenario 8: xl destroy of one guest while a second one is pinged every
# 0.2 s: the destroyed guest's vif is cleaned up (host netdev and backend
# directory gone) and the second guest loses no ping.
BUDGET=300

scenario_main() {
	local da nd pp t0 out s r
	guest_ensure lab-a 2 1 || return 1
	guest_ensure lab-b 3 2 || return 1
	da=$(guest_domid lab-a)
	nd=$(vif_netdev "$da" 0)
	ping -n -q -i 0.2 -c 75 -W 3 "$(guest_ip 3)" > "$LAB_RUN/s8.ping" 2>&1 &
	pp=$!
	sleep 3
	t0=$(up)
	timeout "$(scaled 60)" xl destroy lab-a || { kill $pp; fail "xl destroy failed"; return 1; }
	fig "destroy_xl_s=$(since "$t0")"
	if wait_for "$(scaled 30)" vif_gone "$da" 0 "$nd"; then
		fig "cleanup_s=$(since "$t0")"
	else
		fig "cleanup_s=none"
		fail "after destroy: backend dir $(xs_has "$(be_path "$da" 0)" && echo still there || echo gone), $nd $(netdev_exists "$nd" && echo still there || echo gone)"
	fi
	if [ "$(cur_backend)" = vifd ] && ! vifd_alive; then fail "vifd died"; fi
	wait $pp
	read -r s r <<< "$(awk '/packets transmitted/ { print $1, $4 }' "$LAB_RUN/s8.ping")"
	fig "second_guest_pings=${r:-0}/${s:-0}"
	[ -n "$s" ] && [ "$s" = "$r" ] || { fail "the second guest lost $((${s:-0} - ${r:-0})) of ${s:-0} pings"; return 1; }
	[ ! -e "$LAB_RUN/status" ]
}
