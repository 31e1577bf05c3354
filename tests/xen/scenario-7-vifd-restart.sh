# Scenario 7 (vifd only): vifd is killed with SIGKILL while a guest is
# connected and pinged every 0.1 s, then started again. Traffic must resume
# without the guest noticing (its frontend state and rings unchanged, no
# netfront reconnect); cutoff_s is the longest gap between ping replies.
BUDGET=200
BACKENDS="vifd"

# last_reply FILE: epoch time of the last ping reply in FILE (0 if none)
last_reply() { awk -F'[][]' '/bytes from/ { t = $2 } END { print t + 0 }' "$1"; }

scenario_main() {
	local d ip sig0 sig1 ifi0 ifi1 pp t_kill t_start resumed g2h
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	ip=$(guest_ip 2)
	sig0=$(fe_sig "$d")
	ifi0=$(guest_cmd lab-a 20 "cat /sys/class/net/eth0/ifindex")
	ping -D -n -i 0.1 -W 1 "$ip" > "$LAB_RUN/s7.ping" 2>&1 &
	pp=$!
	sleep 2
	t_kill=$(date +%s.%N)
	vifd_stop KILL
	t_start=$(date +%s.%N)
	vifd_start || { kill $pp; fail "vifd did not start again"; return 1; }
	resumed=0
	wait_for "$(scaled 60)" sh -c "[ \"\$(awk -F'[][]' '/bytes from/ { t = \$2 } END { print (t > $t_start) }' $LAB_RUN/s7.ping)\" = 1 ]" && resumed=1
	sleep 2
	kill $pp
	wait $pp 2>/dev/null
	fig "restart_s=$(calc "$t_start - $t_kill" 2)"
	if [ $resumed = 0 ]; then
		fig "cutoff_s=inf"
		fail "no ping reply within $(scaled 60) s of vifd's restart"
		return 1
	fi
	fig "cutoff_s=$(awk -F'[][]' '/bytes from/ { if (p && $2 - p > g) g = $2 - p; p = $2 } END { printf "%.2f", g }' "$LAB_RUN/s7.ping")"
	fig "resumed_after_restart_s=$(awk -F'[][]' -v s="$t_start" '/bytes from/ && $2 > s { printf "%.2f", $2 - s; exit }' "$LAB_RUN/s7.ping")"
	sig1=$(fe_sig "$d")
	ifi1=$(guest_cmd lab-a 20 "cat /sys/class/net/eth0/ifindex")
	[ "$sig0" = "$sig1" ] && [ "$ifi0" = "$ifi1" ] ||
	    { fail "the guest noticed: frontend '$sig0' -> '$sig1', eth0 ifindex $ifi0 -> $ifi1"; return 1; }
	fig "guest_untouched=yes"
	g2h=$(iperf_mbps "$ip" 3 -R)
	fig "guest_tx_mbps_after=${g2h:-none}"
	[ -n "$g2h" ] || { fail "TCP from the guest fails after the restart"; return 1; }
}
