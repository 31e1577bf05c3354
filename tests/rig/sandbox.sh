#!/bin/bash
# sandbox.sh - vifd's seccomp filters, on the real vifd: every queue and
# control-ring worker runs under the data plane's (their Seccomp: and
# NoNewPrivs: lines in /proc), the control thread under its own wider
# list (its privileged part starts the hotplug scripts; with
# --privsep=off it does, unfiltered); traffic and hotplug work under
# them; a worker or the control thread making a call outside its list
# (the --enable-test-hooks hook: open, or mount) stops vifd with a line
# naming the thread and the call, and the guest carries on once vifd is
# started again (restart adoption); in the log mode the same call is
# logged by the kernel and vifd goes on.
. "$(dirname "$0")/../lib/rig.sh"
need_root
VB=$HOTPLUG/vif-bridge

# status_of TID FIELD: a line of /proc/$VIFD_PID/task/TID/status.
status_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$VIFD_PID/task/$1/status"; }
# threads_named PATTERN: the tids of vifd's threads whose comm matches.
threads_named() {
	local t
	for t in /proc/"$VIFD_PID"/task/*; do
		grep -qE "$1" "$t/comm" 2>/dev/null && echo "${t##*/}"
	done
}
# all_workers_filtered: every worker thread of vifd is in seccomp mode 2
# (filter) with no_new_privs, and there are WANT of them.
all_workers_filtered() {
	local t n=0
	for t in $(threads_named '^vif[0-9]+\.[0-9]+-(q[0-9]+|ctrl)$'); do
		[ "$(status_of "$t" Seccomp)" = 2 ] || return 1
		[ "$(status_of "$t" NoNewPrivs)" = 1 ] || return 1
		n=$((n + 1))
	done
	[ "$n" -eq "$WANT" ]
}
# caps_are PATTERN WANT: the WANT threads whose comm matches PATTERN have
# no capability but those of the mask CAPS (effective and permitted).
caps_are() {
	local t n=0
	for t in $(threads_named "$1"); do
		if [ "$(status_of "$t" CapEff)" != "$CAPS" ] ||
		    [ "$(status_of "$t" CapPrm)" != "$CAPS" ]; then
			diag "$(cat "/proc/$VIFD_PID/task/$t/comm"): CapEff $(status_of "$t" CapEff), CapPrm $(status_of "$t" CapPrm), want $CAPS"
			return 1
		fi
		n=$((n + 1))
	done
	[ "$n" -eq "$2" ]
}
pings() { in_guest 1 ping -c 1 -W 1 10.77.0.1; }

# ---- the option ---------------------------------------------------------------
out=$("$VIFD" --sandbox=bogus 2>&1); rc=$?
check "--sandbox=bogus refused (exit 2)" [ "$rc" = 2 ]
has() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
check "... naming the bad value" has "$out" "--sandbox: 'bogus' is not kill, log or off"
check "--help documents --sandbox" sh -c "'$VIFD' --help | grep -q -- '--sandbox=kill|log|off'"

# ---- the filter is on, traffic and scripts work -----------------------------------
machine_up
vifd_start
check "vifd says its data plane is sandboxed (kill)" vifd_log_has "data plane sandbox kill"
guest_add 1
attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 1 0 10.77.0.2 --queues 2 --rss
eventually 15 "vif1.0 connected (2 queues, control ring)" be_state_is 1 0 4
eventually 15 "the guest set RSS up over the control ring" grep -q "rss: ready" "$M.guest1.0.log"
eventually 10 "guest pings the host through the filtered workers" pings
check "the hotplug script ran (vif1.0 on xenbr0)" sh -c \
    "ip -n $HOSTNS link show vif1.0 | grep -q 'master xenbr0'"
WANT=3
check "2 queue workers and the control-ring worker: Seccomp 2, NoNewPrivs 1" all_workers_filtered
check "the control thread has its own filter (its part starts the scripts)" \
    [ "$(status_of "$VIFD_PID" Seccomp)" = 2 ]
CAPS=0000000000000000
check "the queue workers hold no capability" caps_are '^vif1\.0-q[0-9]+$' 2
CAPS=0000008000000000
check "the control-ring worker holds CAP_BPF alone" caps_are '^vif1\.0-ctrl$' 1
check "the control thread keeps CAP_BPF alone (privsep.sh: its part the rest)" \
    [ "$(status_of "$VIFD_PID" CapEff)" = 0000008000000000 ]
iperf_measure "$(guest_ns 1)" "$HOSTNS" 10.77.0.1 2
check "TCP guest -> host under the filter" [ -n "$IPERF_BPS" ]
iperf_measure "$HOSTNS" "$(guest_ns 1)" 10.77.0.2 2
check "TCP host -> guest under the filter" [ -n "$IPERF_BPS" ]
vifd_stop
check "vifd stopped cleanly (exit 0)" [ "$VIFD_RC" = 0 ]

# ---- a worker breaks out: vifd stops, the guest survives a restart -----------------
if grep -q '^#define VIFD_TEST_HOOKS 1' "$VIFD_BUILDDIR/config.h"; then
	: >"$M.vifd.log.1"
	VIFD_TEST_SANDBOX_VIOLATE="vif1.0 q" vifd_start
	waitfor 15 sh -c "! kill -0 $VIFD_PID"
	wait "$VIFD_PID" 2>/dev/null; rc=$?
	VIFD_PID=
	check "a worker's open(2) killed vifd by SIGSYS (exit $rc)" [ "$rc" = $((128 + 31)) ]
	case $(uname -m) in x86_64) nr=257 ;; aarch64) nr=56 ;; *) nr=unknown ;; esac
	check "the line names the thread and the call (openat, $nr)" \
	    grep -q "vifd: sandbox: vif1\.0 q[01] made system call $nr, outside its allowlist" "$M.vifd.log"
	check "the guest's vif was left connected" be_state_is 1 0 4
	vifd_start
	eventually 15 "vifd started again adopts vif1.0: the guest pings" pings
	vifd_stop

	# The control thread's wider list: mount(2) is not in it.
	case $(uname -m) in x86_64) mnr=165 ;; aarch64) mnr=40 ;; *) mnr=unknown ;; esac
	VIFD_TEST_SANDBOX_VIOLATE=control vifd_start
	waitfor 15 sh -c "! kill -0 $VIFD_PID"
	wait "$VIFD_PID" 2>/dev/null; rc=$?
	VIFD_PID=
	check "the control thread's mount(2) killed vifd by SIGSYS (exit $rc)" [ "$rc" = $((128 + 31)) ]
	check "the line names the control thread and the call (mount, $mnr)" \
	    grep -q "vifd: sandbox: the control thread made system call $mnr, outside its allowlist" "$M.vifd.log"
	vifd_start
	eventually 15 "vifd started again adopts vif1.0 once more" pings
	vifd_stop

	# The log mode (sanitizer builds): the call is allowed and logged.
	if dmesg >/dev/null 2>&1; then
		# logged_opens: how many of the workers' openat the kernel logged.
		logged_opens() { dmesg | grep -c "type=1326.*comm=\"vif1\.0-q.*syscall=$nr "; }
		before=$(logged_opens)
		VIFD_TEST_SANDBOX_VIOLATE="vif1.0 q" vifd_start --sandbox=log
		check "log mode: vifd says so" vifd_log_has "data plane sandbox log"
		more_opens() { [ "$(logged_opens)" -gt "$before" ]; }
		eventually 15 "log mode: the kernel logged the workers' openat" more_opens
		eventually 10 "log mode: vifd carries on, the guest pings" pings
		check "log mode: vifd still runs" kill -0 "$VIFD_PID"
		WANT=3
		check "log mode: the workers are filtered all the same" all_workers_filtered
		vifd_stop
	else
		skip "log mode" "dmesg unreadable here"
	fi
else
	skip "a worker breaking out" "this build has no --enable-test-hooks"
fi

# ---- off ------------------------------------------------------------------------
vifd_start --sandbox=off
eventually 15 "--sandbox=off: the guest pings" pings
check "--sandbox=off: no worker filtered" sh -c \
    "! grep -l '^Seccomp:.*2' /proc/$VIFD_PID/task/*/status"
vifd_stop
vifd_start --privsep=off
eventually 15 "--privsep=off: the guest pings" pings
check "--privsep=off: the control thread is not filtered (it starts the scripts)" \
    [ "$(status_of "$VIFD_PID" Seccomp)" = 0 ]
WANT=3
check "--privsep=off: the workers are filtered all the same" all_workers_filtered
vifd_stop

done_testing
