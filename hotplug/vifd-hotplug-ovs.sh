# vifd-hotplug-ovs.sh - Open vSwitch ports for vifd's vif-bridge and
# vif-openvswitch (sourced after vifd-hotplug-common.sh, never run on its
# own).
#
# The bridge key names an Open vSwitch bridge with Xen's vif-openvswitch
# syntax, so that a vif configured for Xen's script means the same here:
#
#	BRIDGE[.VLAN][:TRUNK[:TRUNK]...]
#
#	ovsbr0		a port of ovsbr0 (OVS: untagged, and a trunk of
#			every VLAN, as any port without tag or trunks)
#	ovsbr0.10	an access port of VLAN 10 (OVS tag=10)
#	ovsbr0:10:20	a trunk of VLANs 10 and 20 (OVS trunks=10,20)
#	ovsbr0.10:20	tag=10 and trunks=20, passed on as Xen does (OVS
#			then makes it an access port of VLAN 10)
#
# VLANs are 1 to 4094. Everything is checked before the interface is
# touched: a bad spec or a bridge that does not exist fails the vif with
# the interface and Open vSwitch as they were. The port is added in one
# ovs-vsctl transaction (any old port of the same name is replaced), with
# the external-ids Xen's script sets (attached-mac, xen-vm-name,
# xen-vm-uuid), which OVS-based tooling reads. ovs-vsctl talks to the
# local ovsdb-server at its default socket.

# Time limit of every ovs-vsctl call: vifd kills a script at 40 s.
VH_OVS_TIMEOUT=30

##
# vh_ovs_vlan WHAT VALUE SPEC
# Fatal unless VALUE is a VLAN id, 1 to 4094; WHAT and SPEC name it in the
# message.
vh_ovs_vlan() {
	if ! vh_is_uint "$2" || [ "$2" -lt 1 ] || [ "$2" -gt 4094 ]; then
		vh_fatal "bad $1 '$2' in bridge '$3' (for $dev): a VLAN is" \
		    "1 to 4094; the syntax is BRIDGE[.VLAN][:TRUNK[:TRUNK]...]"
	fi
}

##
# vh_ovs_parse SPEC
# Splits SPEC (BRIDGE[.VLAN][:TRUNK...]) into vh_ovs_br, vh_ovs_tag and
# vh_ovs_trunks (comma separated, as ovs-vsctl takes them); fatal, naming
# the bad part, if SPEC is not in that syntax.
vh_ovs_parse() {
	_spec=$1
	vh_ovs_br=${_spec%%[.:]*}
	_rest=${_spec#"$vh_ovs_br"}
	vh_ovs_tag=
	vh_ovs_trunks=
	case $vh_ovs_br in
	'' | *[!A-Za-z0-9_-]*)
		vh_fatal "bad bridge name '$vh_ovs_br' in '$_spec' (for $dev)"
		;;
	esac
	case $_rest in
	.*)
		_rest=${_rest#.}
		vh_ovs_tag=${_rest%%[.:]*}
		_rest=${_rest#"$vh_ovs_tag"}
		vh_ovs_vlan VLAN "$vh_ovs_tag" "$_spec"
		;;
	esac
	case $_rest in
	'') ;;
	:*)
		_rest=${_rest#:}:
		while [ -n "$_rest" ]; do
			_t=${_rest%%:*}
			_rest=${_rest#*:}
			vh_ovs_vlan "trunk VLAN" "$_t" "$_spec"
			vh_ovs_trunks=${vh_ovs_trunks:+$vh_ovs_trunks,}$_t
		done
		;;
	*)
		vh_fatal "bad bridge '$_spec' (for $dev): '$_rest' is not" \
		    ".VLAN or :TRUNK; the syntax is BRIDGE[.VLAN][:TRUNK...]"
		;;
	esac
}

##
# vh_ovs_vsctl ARGS...
# ovs-vsctl with our time limit.
vh_ovs_vsctl() {
	ovs-vsctl --timeout="$VH_OVS_TIMEOUT" "$@"
}

##
# vh_ovs_bridge_state NAME
# Prints "yes" if NAME is an Open vSwitch bridge, "no" if Open vSwitch
# runs and has no such bridge, or why it cannot tell (no ovs-vsctl, no
# database).
vh_ovs_bridge_state() {
	if ! command -v ovs-vsctl >/dev/null 2>&1; then
		echo "Open vSwitch is not installed (no ovs-vsctl)"
		return 0
	fi
	# br-exists: 0 yes, 2 no, anything else: no answer.
	_st=0
	_out=$(vh_ovs_vsctl br-exists "$1" 2>&1) || _st=$?
	case $_st in
	0) echo yes ;;
	2) echo no ;;
	*) echo "cannot ask Open vSwitch: $(printf '%s' "$_out" | head -1)" ;;
	esac
}

##
# vh_ovs_id_arg KEY VALUE
# Prints one ovs-vsctl word setting the interface's external-ids:KEY, or
# nothing if VALUE is empty or could break out of the OVSDB string.
vh_ovs_id_arg() {
	case $2 in
	'' | *[\"\\]*) return 0 ;;
	esac
	printf 'external-ids:%s="%s"\n' "$1" "$2"
}

##
# vh_ovs_add_port DEV
# Makes DEV a port of $vh_ovs_br with $vh_ovs_tag / $vh_ovs_trunks, in one
# transaction replacing any port of that name (fatal if it fails).
vh_ovs_add_port() {
	_d=$1
	vh_key _mac mac ""
	vh_key _feid frontend-id ""
	_vm=
	if [ -n "$_feid" ]; then
		_vm=$(xenstore-read "/local/domain/$_feid/vm" 2>/dev/null) || _vm=
	fi
	_vmname= _vmuuid=
	if [ -n "$_vm" ]; then
		_vmname=$(xenstore-read "$_vm/name" 2>/dev/null) || _vmname=
		_vmuuid=$(xenstore-read "$_vm/uuid" 2>/dev/null) || _vmuuid=
	fi
	# One word per line, so that values with spaces stay one word.
	_ids=$(vh_ovs_id_arg attached-mac "$_mac"
	    vh_ovs_id_arg xen-vm-name "$_vmname"
	    vh_ovs_id_arg xen-vm-uuid "$_vmuuid")
	vh_step "adding $_d to Open vSwitch bridge $vh_ovs_br"
	_old_ifs=$IFS
	IFS='
'
	set -f
	# shellcheck disable=SC2086 # one argument per line of $_ids
	set -- ${vh_ovs_tag:+tag=$vh_ovs_tag} \
	    ${vh_ovs_trunks:+trunks=$vh_ovs_trunks}
	_port_args="$*"
	if [ -n "$_ids" ]; then
		set -- -- set interface "$_d" $_ids
	else
		set --
	fi
	IFS=$_old_ifs
	set +f
	_out=$(vh_ovs_vsctl -- --if-exists del-port "$_d" \
	    -- add-port "$vh_ovs_br" "$_d" $_port_args "$@" 2>&1) ||
	    vh_fatal "cannot add $_d to Open vSwitch bridge $vh_ovs_br:" \
	    "$(printf '%s' "$_out" | head -1)"
}

##
# vh_ovs_del_port DEV
# Removes DEV's Open vSwitch port if it has one (never fails: offline).
vh_ovs_del_port() {
	command -v ovs-vsctl >/dev/null 2>&1 || return 0
	_br=$(vh_ovs_vsctl port-to-br "$1" 2>/dev/null) || return 0
	vh_step "removing $1 from Open vSwitch bridge $_br"
	vh_ovs_vsctl --if-exists del-port "$_br" "$1" ||
	    vh_log "cannot remove $1 from Open vSwitch bridge $_br"
	return 0
}
