#!/bin/bash
# vifd-cli.sh - vifd's command line and start-up against bad input: unknown
# flags, bad values, a --xen that is not one, a directory that is not a
# machine, a machine whose xenstored died. Each gives one clear line naming
# the problem, a non-zero exit and nothing left behind. And the foundation's
# promise: vifd on a simulated machine logs a backend device directory that
# Debian's xenstore-write creates, and its removal.
. "$(dirname "$0")/../lib/rig.sh"
need_root

# fails CODE PATTERN ARGS...: vifd exits with CODE, prints one line
# matching PATTERN on stderr, and nothing on stdout.
fails() {
	local code=$1 pat=$2 out err rc; shift 2
	out=$(timeout 20 "$VIFD" "$@" 2>"$M.err"); rc=$?
	err=$(cat "$M.err")
	[ "$rc" = "$code" ] || { diag "exit $rc, wanted $code: $err"; return 1; }
	[ -z "$out" ] || { diag "stdout: $out"; return 1; }
	[ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] || { diag "stderr: $err"; return 1; }
	grep -q -- "$pat" <<<"$err" || { diag "stderr: $err"; return 1; }
}
mkdir -p "$M"
check "an unknown flag: exit 2, named" fails 2 "unknown option '--bogus'" --bogus
check "a flag without its value: exit 2" fails 2 "needs a value" --xen
check "--domid=abc: exit 2" fails 2 "'abc' is not a domain id" --domid=abc
check "--max-queues=0: exit 2" fails 2 "'0' is not a number of queues" --max-queues=0
check "--hotplug=bogus: exit 2" fails 2 "'bogus' is not auto, vifd or toolstack" --hotplug=bogus
check "--steering=bogus: exit 2" fails 2 "'bogus' is not auto or software" --steering=bogus
check "--hotplug-timeout=0: exit 2" fails 2 "hotplug-timeout" --hotplug-timeout=0
check "--script-dir=relative: exit 2" fails 2 "not an absolute path" --script-dir=hotplug
check "--sysfs=relative: exit 2" fails 2 "--sysfs: 'sys' is not an absolute path" --sysfs=sys
check "--start-timeout=0: exit 2" fails 2 "--start-timeout: '0' is not a number of seconds" --start-timeout=0
check "a stray argument: exit 2" fails 2 "unexpected argument 'x'" x
check "--xen=foo: exit 1, named" fails 1 "unknown --xen value 'foo'" --xen=foo
check "--xen=sim: without a directory" fails 1 "needs a directory" --xen=sim:
check "--xen=real on a machine without Xen" fails 1 "does not run on Xen" --xen=real
check "--xen=sim: a missing directory" fails 1 "$M/nosuch" --xen=sim:"$M/nosuch"
check "--xen=sim: a directory that is not a machine" fails 1 "$M" --xen=sim:"$M"

# A machine whose xenstored is dead.
rm -rf "$M"
"$XENSIM" create "$M" >/dev/null
pkill -9 -f "xenstored.*$M" ; sleep 0.3
check "--xen=sim: a machine whose xenstored died" fails 1 "xenstored" --xen=sim:"$M" -f
check "nothing left behind: no vifd, no control socket" sh -c \
    "! pgrep -f '^$VIFD --xen=sim:$M' >/dev/null && [ ! -e $M/vifd-0.sock ]"
"$XENSIM" destroy "$M" >/dev/null 2>&1

# On a good machine: logs directories made with xenstore-write.
machine_up
vifd_start
check "--version" sh -c "$VIFD --version | grep -q '^vifd '"
xsw /local/domain/0/backend/vif/7/0/frontend-id 7
eventually 5 "vifd logs a backend dir made with xenstore-write" \
    vifd_log_has "vif7.0: backend directory appeared"
"$XENSIM" exec "$M" -- xenstore-rm /local/domain/0/backend/vif/7
eventually 5 "and logs its removal" vifd_log_has "vif7.0: backend directory removed"
check "an unusable directory (no frontend) made nothing" no_link_in_host vif7.0
# A malformed backend `mac` (a toolstack's mistake): a warning, and
# Linux's fallback - the device is served anyway (the backend never uses
# the guest's MAC). Written node by node, state and online last.
guest_add 8
"$VIFCTL" --xen="sim:$M" parse --domid 8 "mac=00:16:3e:00:08:00,script=/bin/true" |
    sed 's|^\(/local/domain/0/backend/vif/8/0/mac\) = ".*"|\1 = "zz:16:3e:00:08:00"|' |
    grep -v '/state = \|/online = ' |
    while read -r path _ value; do xsw "$path" "$(eval echo "$value")"; done
xsw "$(fe_path 8 0)/state" 1
xsw "$(be_path 8 0)/online" 1
xsw "$(be_path 8 0)/state" 1
eventually 5 "a malformed mac is warned about" vifd_log_has "vif8.0: ignoring malformed mac 'zz:16:3e:00:08:00'"
eventually 5 "and the device still reaches InitWait" be_state_is 8 0 2
vifd_stop
check "SIGTERM: exit 0" [ "$VIFD_RC" = 0 ]
check "SIGTERM: the control socket is gone" [ ! -e "$M/vifd-0.sock" ]
done_testing
