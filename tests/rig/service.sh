#!/bin/bash
# service.sh - vifd as a service: what systemd's unit and dom0's scripts
# rely on, through the real vifd on the simulated Xen.
#  - readiness: READY=1 reaches a notify socket (NOTIFY_SOCKET, as systemd
#    sets it for Type=notify) only after vifd watches xenstore and after it
#    wrote its key /local/domain/<domid>/data/vifd/ready; STOPPING=1 and the
#    key's removal on SIGTERM; a key a killed vifd left is rewritten;
#  - the kernel's xen-netback beside vifd (a faked sysfs, --sysfs): named
#    at start, and a new backend is left to it, plainly logged, until it
#    is unloaded;
#  - no xenstore to talk to: a xenstored socket that never answers (as
#    /dev/xen/xenbus in a dom0 without xenstored) gives one line and exit 1
#    within --start-timeout, nothing left behind.
. "$(dirname "$0")/../lib/rig.sh"
need_root

READY_KEY=/local/domain/0/data/vifd/ready

# notify_listen SOCKET: a datagram socket like systemd's; each message is
# appended to $M.vifd.log (after vifd's own lines, in order) as
# "NOTIFY: <message>"; on READY=1 it also records what the readiness key
# held at that moment ("NOTIFY: key=<value>").
notify_listen() {
	python3 - "$1" "$M.vifd.log" "$XENSIM" "$M" "$READY_KEY" <<'PY' &
import os, socket, subprocess, sys
path, log, xensim, machine, key = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
while True:
    msg = s.recv(4096).decode(errors="replace")
    lines = ["NOTIFY: " + l for l in msg.split("\n") if l]
    if "READY=1" in msg.split("\n"):
        r = subprocess.run([xensim, "exec", machine, "--", "xenstore-read", key],
                           capture_output=True, text=True)
        lines.append("NOTIFY: key=" + (r.stdout.strip() or "absent"))
    with open(log, "a") as f:
        f.write("\n".join(lines) + "\n")
PY
	PIDS+=("$!")
	waitfor 5 test -S "$1" || diag "the notify socket did not appear"
}
# line_of PATTERN: the first line number of PATTERN in vifd's log (or 0).
line_of() { grep -n -m1 -- "$1" "$M.vifd.log" | cut -d: -f1 | grep . || echo 0; }
ready_after_watch() {
	local w r
	w=$(line_of "watching /local/domain/0/backend/vif")
	r=$(line_of "NOTIFY: READY=1")
	[ "$w" -gt 0 ] && [ "$r" -gt "$w" ] || { diag "watching at line $w, READY=1 at $r"; return 1; }
}

# ---- readiness -------------------------------------------------------------
machine_up
# A key an earlier vifd left behind (a crash): replaced once this one is ready.
xsw "$READY_KEY" stale
notify_listen "$M.notify"
NOTIFY_SOCKET=$M.notify vifd_start
eventually 5 "READY=1 reaches the notify socket" vifd_log_has "NOTIFY: READY=1"
check "READY=1 comes after vifd watches its backend directory" ready_after_watch
check "the readiness key was written before READY=1" vifd_log_has "NOTIFY: key=1$"
check "with a STATUS naming the watched directory" \
    vifd_log_has "NOTIFY: STATUS=watching /local/domain/0/backend/vif"
check "the stale key is replaced: $READY_KEY = 1" [ "$(xsr "$READY_KEY")" = 1 ]
# Ready means served: a device written now is adopted (InitWait).
guest_add 1
attach 1 "mac=00:16:3e:00:01:00,script=$(null_script)" >/dev/null
eventually 10 "a vif attached after READY reaches InitWait" be_state_is 1 0 2
vifd_stop
check "SIGTERM: exit 0" [ "$VIFD_RC" = 0 ]
check "SIGTERM: STOPPING=1 reaches the notify socket" vifd_log_has "NOTIFY: STOPPING=1"
check "SIGTERM: the readiness key is gone" sh -c "! $XENSIM exec $M -- xenstore-exists /local/domain/0/data/vifd"
# SIGKILL leaves the key (nothing can remove it); the next vifd rewrites it.
vifd_start
eventually 5 "a second vifd is ready" sh -c "[ \"\$($XENSIM exec $M -- xenstore-read $READY_KEY 2>/dev/null)\" = 1 ]"
vifd_kill9
check "SIGKILL: the key stays (documented in vifd.8)" [ "$(xsr "$READY_KEY")" = 1 ]
check "and vifd without NOTIFY_SOCKET says nothing of sd_notify" sh -c "! grep -q 'sd_notify' $M.vifd.log"

# ---- the kernel's netback, faked in sysfs ----------------------------------
S=$M.sys
mkdir -p "$S/module/xen_netback" "$S/bus/xen-backend/drivers/vif/vif-5-0"
: >"$M.vifd.log"
vifd_start --sysfs="$S"
eventually 5 "at start: netback named, loaded and bound to vif5.0" vifd_log_has \
    "the kernel's xen-netback is loaded (module xen_netback) and bound to 1 vif (vif5.0): vifd leaves every vif backend to it"
guest_add 2
attach_by_hand 2 "mac=00:16:3e:00:02:00,script=$(null_script)" ""
eventually 5 "a new backend while netback is loaded: left to it, said plainly" vifd_log_has \
    "vif2.0: the kernel's xen-netback is loaded and claims every vif backend; vifd leaves this one to it"
sleep 1
check "and vifd did not touch it (still Initialising)" be_state_is 2 0 1
guest_add 5
attach_by_hand 5 "mac=00:16:3e:00:05:00,script=$(null_script)" ""
eventually 5 "a backend netback is bound to: 'served by the kernel's xen-netback'" \
    vifd_log_has "vif5.0: served by the kernel's xen-netback (bound in sysfs); vifd leaves it alone"
# netback unloaded (modprobe -r xen-netback): vifd serves the next one.
rm -rf "$S/bus" "$S/module/xen_netback"
guest_add 3
attach_by_hand 3 "mac=00:16:3e:00:03:00,script=$(null_script)" ""
eventually 10 "netback gone: the next vif is vifd's (InitWait)" be_state_is 3 0 2
check "the kernel's netback was not named for it" sh -c "! grep -q 'vif3.0: .*xen-netback' $M.vifd.log"
vifd_stop
: >"$M.vifd.log"
vifd_start --sysfs="$S"
eventually 5 "without netback: 'not loaded' at start" vifd_log_has \
    "the kernel's xen-netback is not loaded: vifd serves every vif backend here"
vifd_stop

# ---- no xenstore to talk to ------------------------------------------------
# xenstored stopped (SIGSTOP): its socket still accepts, nothing answers,
# as /dev/xen/xenbus does in a dom0 whose xenstored is not running.
XSD=$(pgrep -f "xenstored.*$M" | head -1)
kill -STOP "$XSD"
t0=$(date +%s%N)
out=$(timeout 20 "$VIFD" --xen="sim:$M" -f --start-timeout=2 2>&1 >/dev/null); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -CONT "$XSD"
check "a xenstored that never answers: exit 1 (got $rc after $ms ms)" [ "$rc" = 1 ]
check "after the 2 s deadline, not hanging ($ms ms)" test "$ms" -ge 1900 -a "$ms" -lt 5000
check "one line naming it" bash -c "[ \"\$(printf '%s\n' \"\$1\" | grep -c .)\" = 1 ] &&
    printf '%s' \"\$1\" | grep -q 'xenstore did not answer within 2 s (xenstored at $M/xs)'" _ "$out"
check "nothing left: no control socket" [ ! -e "$M/vifd-0.sock" ]
diag "$out"
# xenstored answering again: the same command line starts (exit 0 on SIGTERM).
: >"$M.vifd.log"
vifd_start --start-timeout=2
eventually 5 "xenstored answering again: vifd ready" vifd_log_has "ready: $READY_KEY = 1"
vifd_stop
check "and exits 0 on SIGTERM" [ "$VIFD_RC" = 0 ]
done_testing
