#!/bin/bash
# control-handshake.sh - attach, the XenbusState handshake and detach, through
# the real vifd, vifctl, vif-guest and xenstored on the simulated Xen.
#   attach -> InitWait with features, the TAP created before InitWait ->
#   vif-guest connects -> Connected only after hotplug-status says so ->
#   detach -> Closed, dirs removed, TAP removed, nothing left behind.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
guest_add 1

# A hotplug script that takes its time: Connected must wait for it.
cat >"$M.slow-hotplug" <<'EOF'
#!/bin/sh
[ "$1" = online ] || exit 0
touch "$SLOW_MARK.started"
sleep 2
xenstore-write "$XENBUS_PATH/hotplug-status" connected
EOF
chmod +x "$M.slow-hotplug"
# The runner passes only Xen's environment: tell the script where to mark
# its start through a wrapper.
cat >"$M.slow-wrap" <<EOF
#!/bin/sh
SLOW_MARK=$M exec $M.slow-hotplug "\$@"
EOF
chmod +x "$M.slow-wrap"

BE=$(be_path 1 0)
FE=$(fe_path 1 0)
devid=$(attach 1 "mac=00:16:3e:00:00:11,bridge=xenbr0,script=$M.slow-wrap")
check "vifctl attach returns devid 0" [ "$devid" = 0 ]
check "backend is InitWait after attach returns" be_state_is 1 0 2
check "the TAP exists (created before InitWait)" link_in_host vif1.0
for kv in feature-sg=1 feature-gso-tcpv4=1 feature-gso-tcpv6=1 \
    feature-ipv6-csum-offload=1 feature-rx-copy=1 feature-rx-flip=0 \
    feature-split-event-channels=1; do
	check "advertises ${kv%=*}" [ "$(xsr "$BE/${kv%=*}")" = "${kv#*=}" ]
done
check "advertises multi-queue-max-queues" [ -n "$(xsr "$BE/multi-queue-max-queues")" ]
check "TAP MAC is fe:ff:ff:ff:ff:ff" sh -c \
    "ip -n $HOSTNS link show vif1.0 | grep -q 'link/ether fe:ff:ff:ff:ff:ff'"

guest_start 1 0 --mode sink --seconds 600 --queues 1
eventually 10 "frontend reaches Connected" fe_state_is 1 0 4
eventually 5 "the slow hotplug script started" test -e "$M.started"
check "backend not Connected while hotplug-status is empty" \
    sh -c "[ \"\$($XENSIM exec $M -- xenstore-read $BE/state)\" != 4 ]"
eventually 10 "backend Connected after hotplug-status=connected" be_state_is 1 0 4
check "vifd says the write was deferred" vifd_log_has "Connected deferred until hotplug-status"
check "no error node" sh -c "! $XENSIM exec $M -- xenstore-exists /local/domain/0/error/backend/vif/1/0"
check "vifctl stats shows a connected queue" sh -c \
    "$VIFCTL --xen=sim:$M stats 1 0 | grep -q '^vif1.0 queues 1$'"

# xl network-detach: online=0, state=5, wait for Closed, remove the dirs.
check "vifctl detach succeeds" vifctl detach 1 0
check "backend dir removed" sh -c "! $XENSIM exec $M -- xenstore-exists $BE"
check "frontend dir removed" sh -c "! $XENSIM exec $M -- xenstore-exists $FE"
eventually 5 "TAP removed" no_link_in_host vif1.0
eventually 5 "the frontend saw Closing and closed" sh -c "grep -q 'Clos' $M.guest1.0.log"
check "vifd is still running" kill -0 "$VIFD_PID"
check "vifd logged the offline script" vifd_log_has "hotplug offline"

# A second attach on the same guest reuses devid 0 and works again (a
# new device for netfront: a new vif-guest plays it).
kill "$GUEST_PID"
devid=$(attach 1 "mac=00:16:3e:00:00:12,bridge=xenbr0,script=$HOTPLUG/vif-bridge")
check "re-attach gets devid 0" [ "$devid" = 0 ]
guest_start 1 0 --mode sink --seconds 600 --queues 1
eventually 10 "re-attached vif connects" be_state_is 1 0 4
eventually 5 "our vif-bridge put the TAP on xenbr0" sh -c \
    "ip -n $HOSTNS link show vif1.0 | grep -q 'master xenbr0'"

vifd_stop
check "vifd exits 0 on SIGTERM" [ "$VIFD_RC" = 0 ]
check "SIGTERM leaves the TAP for the next vifd" link_in_host vif1.0
check "SIGTERM leaves the backend Connected" be_state_is 1 0 4
done_testing
