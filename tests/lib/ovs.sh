# ovs.sh - a private Open vSwitch for a rig test (sourced after rig.sh).
#
# The machines that run the rig have no openvswitch kernel module, so the
# switch is OVS's userspace datapath (datapath_type=netdev): ovs-vswitchd
# itself reads and writes the ports (a TAP port through AF_PACKET) and
# does the VLAN work. ovs_up starts an ovsdb-server and an ovs-vswitchd of
# the test's own, never the system's:
#   - database, sockets, pid and log files in $OVS_DIR ($M.ovs), through
#     OVS_RUNDIR / OVS_DBDIR / OVS_LOGDIR / OVS_SYSCONFDIR (exported, so
#     that the test's own ovs-vsctl / ovs-ofctl / ovs-appctl find them);
#   - ovs-vswitchd in the host namespace, where its bridges' own ports and
#     the vifs' TAPs are;
#   - vifd in a mount namespace of its own in which $OVS_DIR is mounted on
#     /run/openvswitch (VIFD_WRAP): the hotplug scripts it runs get only
#     Xen's fixed environment, so their ovs-vsctl uses the default socket,
#     /var/run/openvswitch/db.sock, exactly as on a real host. Nobody else
#     sees that mount; it goes with vifd.
# rig.sh's cleanup stops the daemons (they are in PIDS) and removes
# $OVS_DIR with $M.*; the hook removes /run/openvswitch if we made it.

OVS_DIR=$M.ovs
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
OVS_MADE_RUNDIR=

rig_cleanup_hook() {
	# Only our empty mount point; rmdir leaves anything in use alone.
	[ -n "$OVS_MADE_RUNDIR" ] && rmdir /run/openvswitch 2>/dev/null
	return 0
}

ovs_need() {
	local t
	for t in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl \
	    ovs-appctl unshare; do
		command -v "$t" >/dev/null ||
		    bail "no $t (tools/deps.sh installs openvswitch-switch)"
	done
	[ -r "$OVS_SCHEMA" ] || bail "no $OVS_SCHEMA"
}

# ovs_up: the daemons, and VIFD_WRAP for vifd_start.
ovs_up() {
	ovs_need
	mkdir -p "$OVS_DIR"
	export OVS_RUNDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR \
	    OVS_SYSCONFDIR=$OVS_DIR
	ovsdb-tool create "$OVS_DIR/conf.db" "$OVS_SCHEMA" ||
	    bail "ovsdb-tool create failed"
	ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" \
	    --pidfile="$OVS_DIR/ovsdb-server.pid" \
	    --unixctl="$OVS_DIR/ovsdb-server.ctl" \
	    --log-file="$M.ovsdb-server.log" -vconsole:off --no-chdir \
	    >>"$M.ovsdb-server.log" 2>&1 &
	PIDS+=("$!")
	waitfor 10 test -S "$OVS_DIR/db.sock" || bail "ovsdb-server did not start"
	ovs-vsctl --timeout=10 --no-wait init || bail "ovs-vsctl init failed"
	# --disable-system: no kernel datapath to look for.
	ip netns exec "$HOSTNS" ovs-vswitchd "unix:$OVS_DIR/db.sock" \
	    --disable-system --pidfile="$OVS_DIR/ovs-vswitchd.pid" \
	    --log-file="$M.ovs-vswitchd.log" -vconsole:off --no-chdir \
	    >>"$M.ovs-vswitchd.log" 2>&1 &
	PIDS+=("$!")
	waitfor 10 test -f "$OVS_DIR/ovs-vswitchd.pid" ||
	    bail "ovs-vswitchd did not start"
	if [ ! -d /run/openvswitch ]; then
		mkdir /run/openvswitch || bail "cannot make /run/openvswitch"
		OVS_MADE_RUNDIR=1
	fi
	# shellcheck disable=SC2016 # for the inner shell
	VIFD_WRAP=(unshare -m --propagation private sh -c \
	    'mount --bind "$0" /run/openvswitch && exec "$@"' "$OVS_DIR")
}

# ovs_bridge NAME [ADDR/LEN]: a userspace-datapath bridge in the host
# namespace, its own port up (with ADDR).
ovs_bridge() {
	ovs-vsctl --timeout=10 add-br "$1" -- \
	    set bridge "$1" datapath_type=netdev || bail "add-br $1 failed"
	waitfor 10 link_in_host "$1" || bail "bridge port $1 did not appear"
	[ $# -lt 2 ] || ip -n "$HOSTNS" addr add "$2" dev "$1"
	ip -n "$HOSTNS" link set "$1" up
}

# ovs_port_get PORT COLUMN: a column of the port's row ([] when empty).
ovs_port_get() { ovs-vsctl --timeout=10 get port "$1" "$2" 2>/dev/null; }
# ovs_if_get IF COLUMN[:KEY]
ovs_if_get() { ovs-vsctl --timeout=10 get interface "$1" "$2" 2>/dev/null; }
# ovs_port_of IF: the bridge IF is a port of (fails if none).
ovs_port_of() { ovs-vsctl --timeout=10 port-to-br "$1" 2>/dev/null; }
