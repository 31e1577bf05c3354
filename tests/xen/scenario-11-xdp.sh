# Scenario 11: the guest attaches an XDP program to its netfront (iproute2's
# ip, the program built with clang's BPF target: tests/xen/xdp-icmp-drop.c
# drops echo requests of one size and passes the rest), traffic flows with
# it and the program drops what it is told to, it is removed, attached
# again and removed again, with traffic checked each time; first behind
# vifd, then behind xen-netback for comparison. Attaching or removing makes
# netfront write xdp-headroom, switch to Reconfiguring and wait, without a
# timeout and holding the RTNL lock, for the backend to say Reconfigured:
# every step runs under a timeout, and a guest that does not come back is
# destroyed and reported.
BUDGET=420

XDP_OBJ=/lib/vifd-lab/xdp-icmp-drop.o

# xdp_step WHAT CMD: runs CMD in lab-a within 30 s; a guest that hangs
# (netfront waiting for a backend that never answers) is destroyed.
xdp_step() {
	local what=$1 cmd=$2 out rc
	out=$(guest_cmd lab-a "$(scaled 30)" "$cmd" 2>&1)
	rc=$?
	if [ $rc = 124 ]; then
		timeout -k 2 "$(scaled 60)" xl destroy lab-a 2>/dev/null
		fail "$what: the guest did not answer within $(scaled 30) s (netfront stuck waiting for the backend?); destroyed"
		return 1
	fi
	[ $rc = 0 ] || { fail "$what failed (rc $rc): $(echo "$out" | tail -n 2 | tr '\n' ' ')"; return 1; }
}
# the guest answers N pings of SIZE bytes from dom0 (all, or none)
pings_all() { [ "$(ping -c 3 -i 0.3 -W 1 -s "$1" "$(guest_ip 2)" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p')" = 3 ]; }
pings_none() { [ "$(ping -c 3 -i 0.3 -W 1 -s "$1" "$(guest_ip 2)" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p')" = 0 ]; }

# xdp_attach_round BACKEND N STRICT: attach, check, detach, check. With
# STRICT the program must drop the 1000-byte pings; without (xen-netback)
# whether it did is a figure: Linux netfront switches to Reconfiguring
# before it writes xdp-headroom, and Linux netback reads the key when it
# sees Reconfiguring, so it may read the old value and put the frames
# where netfront's program does not look.
xdp_attach_round() {
	local b=$1 n=$2 strict=$3 d st drops
	d=$(guest_domid lab-a)
	xdp_step "$b: attach $n" "ip-full link set dev eth0 xdp obj $XDP_OBJ sec xdp" || return 1
	st=$(be_state "$d" 0)
	guest_cmd lab-a 10 "ip-full link show dev eth0" | grep -q 'prog/xdp' ||
	    { fail "$b: attach $n: no XDP program on eth0"; return 1; }
	wait_for "$(scaled 10)" pings_all 56 || { fail "$b: attach $n: small pings fail with the program"; return 1; }
	if pings_none 1000; then drops=yes; else drops=no; fi
	[ "$strict" = no ] || [ $drops = yes ] ||
	    { fail "$b: attach $n: the program did not drop the 1000-byte pings"; return 1; }
	xdp_step "$b: detach $n" "ip-full link set dev eth0 xdp off" || return 1
	wait_for "$(scaled 10)" pings_all 1000 || { fail "$b: detach $n: 1000-byte pings fail without the program"; return 1; }
	fig "${b}_attach$n=ok ${b}_drops$n=$drops ${b}_state_attached$n=$st ${b}_state_detached$n=$(be_state "$d" 0)"
}

# xdp_round BACKEND STRICT: the whole check behind one backend
xdp_round() {
	local b=$1 strict=$2 d
	backend_use "$b" || { fail "could not switch to $b"; return 1; }
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	[ "$(xsr "$(be_path "$d" 0)/feature-xdp-headroom")" = 1 ] ||
	    { fail "$b: feature-xdp-headroom is not advertised"; return 1; }
	pings_all 1000 || { fail "$b: 1000-byte pings fail before any XDP program"; return 1; }
	xdp_attach_round "$b" 1 "$strict" || return 1
	xdp_attach_round "$b" 2 "$strict" || return 1
	# The race above, tested: xdp-headroom already written when netfront
	# switches to Reconfiguring, so that the backend cannot read it stale.
	guest_cmd lab-a 10 "xenstore-write device/vif/0/xdp-headroom 256" > /dev/null ||
	    { fail "$b: the guest cannot write its xdp-headroom"; return 1; }
	xdp_attach_round "$b" prewritten "$strict" || return 1
	vif_connected "$d" 0 || fig "${b}_end_states=$(be_state "$d" 0)/$(fe_state "$d" 0)"
}

scenario_main() {
	xdp_round vifd yes || return 1
	xdp_round kernel no || return 1
	backend_use vifd || { fail "could not switch back to vifd"; return 1; }
}
