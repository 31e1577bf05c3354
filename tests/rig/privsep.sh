#!/bin/bash
# privsep.sh - vifd's privilege separation, on the real vifd: it forks a
# privileged part (vifd-priv) that keeps root's capabilities, and itself
# keeps none but CAP_BPF, with no_new_privs, in a mount namespace where
# everything is read-only but its control socket's and the simulated
# machine's directories. TAPs, bridge ports and hotplug scripts still
# work, through the part; what a taken-over vifd asks beyond them (the
# --enable-test-hooks hook) is refused and logged; an unsafe script is
# not run; either part dying ends the other, and a restarted vifd adopts
# the guest.
. "$(dirname "$0")/../lib/rig.sh"
need_root
VB=$HOTPLUG/vif-bridge
BPF=0000008000000000	# CAP_BPF (39) alone

st() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
priv_pid() { pgrep -P "$VIFD_PID" -x vifd-priv; }
pings() { in_guest 1 ping -c 1 -W 1 10.77.0.1; }
has() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
# every thread of vifd proper: CapEff, CapPrm and CapBnd within CAP_BPF
# (queue workers hold none), NoNewPrivs 1.
proper_caps_ok() {
	local t e p b n=0
	for t in /proc/"$VIFD_PID"/task/*; do
		e=$(awk '$1 == "CapEff:" { print $2 }' "$t/status")
		p=$(awk '$1 == "CapPrm:" { print $2 }' "$t/status")
		b=$(awk '$1 == "CapBnd:" { print $2 }' "$t/status")
		case "$e$p" in "$BPF$BPF"|00000000000000000000000000000000) ;;
		*) diag "$(cat "$t/comm"): CapEff $e CapPrm $p"; return 1 ;; esac
		[ "$b" = "$BPF" ] || { diag "$(cat "$t/comm"): CapBnd $b"; return 1; }
		[ "$(awk '$1 == "NoNewPrivs:" { print $2 }' "$t/status")" = 1 ] || return 1
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

# ---- the option -----------------------------------------------------------------
out=$("$VIFD" --privsep=maybe 2>&1); rc=$?
check "--privsep=maybe refused (exit 2)" [ "$rc" = 2 ]
check "... naming the bad value" has "$out" "--privsep: 'maybe' is not on or off"
check "--help documents --privsep" sh -c "'$VIFD' --help | grep -q -- '--privsep=on|off'"

# ---- the two parts ------------------------------------------------------------------
machine_up
guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$VB" >/dev/null
vifd_start
guest_tap 1 0 10.77.0.2
eventually 20 "the guest pings through TAP, bridge port and script of the privileged part" pings
check "vifd says the privileged part is separate" vifd_log_has "privileged part separate"
P=$(priv_pid)
check "one child named vifd-priv" [ -n "$P" ]
check "the privileged part holds root's capabilities" \
    [ "$(st "$P" CapEff)" = "$(st $$ CapEff)" ]
check "vifd proper: CAP_BPF at most, bounding set CAP_BPF, no_new_privs (every thread)" \
    proper_caps_ok
check "vifd proper sees another mount namespace than its part" \
    [ "$(readlink "/proc/$VIFD_PID/ns/mnt")" != "$(readlink "/proc/$P/ns/mnt")" ]
out=$(nsenter -t "$VIFD_PID" -m touch /var/tmp/vifd-ro-probe 2>&1)
check "vifd proper's / is read-only (root's files are not its)" has "$out" "Read-only file system"
check "... but for the simulated machine's directory" \
    nsenter -t "$VIFD_PID" -m sh -c "touch '$M/rw-probe' && rm '$M/rw-probe'"
check "vifd proper's /dev: the nodes it uses alone (no disk, no privcmd)" \
    nsenter -t "$VIFD_PID" -m sh -c '! ls -A /dev /dev/xen 2>/dev/null | grep -v "^/dev\|^\$" | grep -qvxE "null|zero|full|random|urandom|log|xen|gntdev|evtchn|xenbus|xenbus_backend"'
check "... its /run: no other daemon's socket (systemd's, D-Bus', OVS')" \
    nsenter -t "$VIFD_PID" -m sh -c '! ls -A /run | grep -qvx systemd'
check "... its /tmp: the simulated machine alone" \
    [ "$(nsenter -t "$VIFD_PID" -m ls -A /tmp)" = "${M#/tmp/}" ]
check "the TAP is on the bridge (the part's netlink and the script)" \
    sh -c "ip -n '$HOSTNS' -d link show vif1.0 | grep -q 'master xenbr0'"
check "the TAP is ours: persistent, multi-queue, vnet header" \
    sh -c "[ \$(( \$(ip netns exec '$HOSTNS' cat /sys/class/net/vif1.0/tun_flags) & 0x5902 )) = $((0x5902)) ]"

# ---- an unsafe script is not run -------------------------------------------------------
mkdir -p "$M.bad"
printf '#!/bin/sh\ntouch %s.ran\nexec %s "$@"\n' "$M.bad" "$VB" >"$M.bad/vif-open"
chmod 0777 "$M.bad/vif-open"
guest_add 2
attach 2 "mac=00:16:3e:00:02:00,bridge=xenbr0,script=$M.bad/vif-open" >/dev/null
eventually 15 "a world-writable script is refused by the part" \
    vifd_log_has "privileged part: refused spawn: $M.bad/vif-open is writable by others than root"
check "... and never ran" [ ! -e "$M.bad.ran" ]
eventually 10 "... vifd says the script could not run" \
    vifd_log_has "vif2.0: hotplug script online failed: $M.bad/vif-open online: cannot execute: Operation not permitted"
check "the first guest is unharmed" pings

# ---- a taken-over vifd asks for more --------------------------------------------------
vifd_stop
check "vifd stopped cleanly (exit 0)" [ "$VIFD_RC" = 0 ]
eventually 5 "... and its part with it" sh -c "! kill -0 $P 2>/dev/null"
if grep -q '^#define VIFD_TEST_HOOKS 1' "$VIFD_BUILDDIR/config.h"; then
	mtu_lo=$(ip -n "$HOSTNS" -o link show lo | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
	rm -f /tmp/vifd-pwned
	VIFD_TEST_PRIVSEP_ASK=1 vifd_start
	eventually 10 "vifd adopts the guest again" pings
	for what in "mtu of lo" "a queue of lo" "destroying lo" "deleting lo" \
	    "sh from PATH" "/bin/sh -c" "/bin/sh with LD_PRELOAD" \
	    "a script of vifd's own" "an AF_XDP socket on lo" \
	    "binding an AF_XDP socket to lo" "XDP off lo"; do
		check "refused: $what" vifd_log_has "test hook: $what: Operation not permitted"
	done
	check "the part logs why: lo is no TAP of vifd's" \
	    vifd_log_has "privileged part: refused ifreq: lo is not one of vifd's TAPs"
	check "... deleting an interface" vifd_log_has "privileged part: refused netlink: deleting an interface"
	check "... AF_XDP on a NIC not given with --switch-uplink" \
	    vifd_log_has "privileged part: refused xsk-open: lo is not an AF_XDP uplink given with --switch-uplink"
	check "... a program from PATH" vifd_log_has "privileged part: refused spawn: program 'sh' looked up in PATH"
	check "... script arguments" vifd_log_has "privileged part: refused spawn: script arguments other than libxl's"
	check "... the environment" vifd_log_has "privileged part: refused spawn: environment variable LD_PRELOAD"
	check "... a program where vifd can write" vifd_log_has "privileged part: refused spawn: '$M/evil' is in $M, which vifd can write"
	check "lo kept its MTU ($mtu_lo)" \
	    sh -c "ip -n '$HOSTNS' -o link show lo | grep -q ' mtu $mtu_lo '"
	check "nothing ran as root" [ ! -e /tmp/vifd-pwned ]
	check "the guest still pings" pings
else
	skip "a taken-over vifd" "this build has no --enable-test-hooks"
	vifd_start
	eventually 10 "vifd adopts the guest again" pings
fi

# ---- either part dying ends the other ----------------------------------------------------
P=$(priv_pid)
kill -9 "$P"
waitfor 10 sh -c "! kill -0 $VIFD_PID"
wait "$VIFD_PID" 2>/dev/null; rc=$?
VIFD_PID=
check "the part killed: vifd stops with exit 1 ($rc)" [ "$rc" = 1 ]
check "... saying why" vifd_log_has "the privileged part (pid $P) has gone: stopping"
check "... and leaves the guest connected" be_state_is 1 0 4
vifd_start
eventually 15 "vifd started again adopts the guest" pings
P=$(priv_pid)
vifd_kill9
eventually 5 "vifd SIGKILLed: its part ends too" sh -c "! kill -0 $P 2>/dev/null"

# ---- off ------------------------------------------------------------------------------
vifd_start --privsep=off
eventually 15 "--privsep=off: the guest pings" pings
check "--privsep=off: no privileged part" [ -z "$(priv_pid)" ]
check "--privsep=off: vifd keeps root's capabilities" \
    [ "$(st "$VIFD_PID" CapEff)" = "$(st $$ CapEff)" ]
check "--privsep=off: vifd says so" vifd_log_has "no privilege separation"
vifd_stop

done_testing
