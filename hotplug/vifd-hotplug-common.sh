# vifd-hotplug-common.sh - what vifd's vif-* hotplug scripts share.
#
# Sourced by vif-bridge, vif-route and vif-nat from their own directory
# (never run on its own):
#
#	. "${0%/*}/vifd-hotplug-common.sh"
#	vh_init "$@"
#
# The calling convention is Xen's (see vifd-hotplug(7)): libxl and vifd run
#
#	<script> online|offline type_if=vif	env: vif, XENBUS_PATH, netdev, ...
#	<script> add|remove type_if=tap		env: INTERFACE, XENBUS_PATH, ...
#
# The first argument without '=' is the command; NAME=VALUE arguments set
# type_if, bridge, netdev or ip (backend keys override them; unknown names
# are logged and ignored). Backend keys are read with xenstore-read below
# $XENBUS_PATH (which may be relative to our own domain, as libxl passes
# it); XENSTORED_PATH, when set, is the xenstored socket to use.
#
# Errors: every command is checked (set -e). A failure during "online"
# writes $XENBUS_PATH/hotplug-error (the message) and hotplug-status
# "error", logs the message and exits 1; a successful "online" writes
# hotplug-status "connected", which is what the backend waits for before
# it tells the frontend it is Connected. "offline" and "remove" never write
# to xenstore (the backend directory may already be gone): they log,
# carry on where they can, and exit non-zero only if something failed.
#
# Output: messages go to stderr, one line each, prefixed with the script's
# name; vifd logs them under the vif's name.

set -eu

# Our own PATH first, so that nothing inherited can shadow ip, nft, ...
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
LANG=POSIX
LC_ALL=POSIX
export PATH LANG LC_ALL

vh_name=${0##*/}
vh_command=
vh_reported=
vh_step=starting

##
# vh_log MESSAGE...
# One line on stderr.
vh_log() {
	printf '%s: %s\n' "$vh_name" "$*" >&2
}

##
# vh_report_error MESSAGE
# Writes hotplug-error and hotplug-status=error for "online"; nothing for
# the other commands.
vh_report_error() {
	[ "$vh_command" = online ] || return 0
	[ -n "${XENBUS_PATH:-}" ] || return 0
	xenstore-write "$XENBUS_PATH/hotplug-error" "$1" \
	    "$XENBUS_PATH/hotplug-status" error ||
	    vh_log "cannot write hotplug-error to $XENBUS_PATH"
}

##
# vh_fatal MESSAGE...
# Reports MESSAGE (see vh_report_error), logs it and exits 1.
vh_fatal() {
	vh_reported=1
	vh_log "error: $*"
	vh_report_error "$*"
	exit 1
}

# A command that failed under set -e ends the script here: report what we
# were doing.
vh_on_exit() {
	_st=$1
	if [ "$_st" -ne 0 ] && [ -z "$vh_reported" ]; then
		vh_reported=1
		vh_log "error: $vh_command failed while $vh_step (status $_st)"
		vh_report_error "$vh_name $vh_command failed while $vh_step"
	fi
	return 0
}
trap 'vh_on_exit $?' EXIT

##
# vh_step WHAT
# Names what the script does next, for the error message if it fails.
vh_step() {
	vh_step=$1
}

##
# vh_key NAME KEY [DEFAULT]
# Sets the variable NAME to the backend key KEY ($XENBUS_PATH/KEY). If the
# key does not exist: DEFAULT if given, otherwise fatal.
vh_key() {
	_vh_name=$1
	_vh_key=$2
	if _vh_val=$(xenstore-read "$XENBUS_PATH/$_vh_key" 2>/dev/null); then
		:
	elif [ $# -ge 3 ]; then
		_vh_val=$3
	else
		vh_fatal "cannot read $XENBUS_PATH/$_vh_key"
	fi
	eval "$_vh_name=\$_vh_val"
}

##
# vh_write PATH VALUE
# Writes one xenstore node (fatal if that fails).
vh_write() {
	xenstore-write "$1" "$2" || vh_fatal "cannot write $1"
}

##
# vh_success
# Tells the backend the device is ready: hotplug-status=connected (and
# drops a hotplug-error left by an earlier failed run). Only "online" of a
# vif does this (as Xen's scripts).
vh_success() {
	if [ "$vh_command" = online ] && [ "$type_if" = vif ]; then
		xenstore-rm "$XENBUS_PATH/hotplug-error" 2>/dev/null || true
		vh_write "$XENBUS_PATH/hotplug-status" connected
	fi
}

##
# vh_link_exists DEV
vh_link_exists() {
	[ -n "$1" ] && [ -e "/sys/class/net/$1" ]
}

##
# vh_is_uint VALUE
vh_is_uint() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ ${#1} -le 9 ]
}

##
# vh_conf DEV KEY VALUE
# Sets net.ipv4.conf.DEV.KEY (DEV may contain dots, so /proc/sys directly).
vh_conf() {
	printf '%s\n' "$3" >"/proc/sys/net/ipv4/conf/$1/$2"
}

##
# vh_conf_default DEV KEY
# Puts net.ipv4.conf.DEV.KEY back to the value new interfaces get.
vh_conf_default() {
	if [ -w "/proc/sys/net/ipv4/conf/$1/$2" ]; then
		cat "/proc/sys/net/ipv4/conf/default/$2" \
		    >"/proc/sys/net/ipv4/conf/$1/$2" || true
	fi
}

##
# vh_ipv4_of DEV
# Prints DEV's first primary IPv4 address (without prefix length).
vh_ipv4_of() {
	ip -4 -o addr show primary dev "$1" 2>/dev/null |
	    awk '$3 == "inet" { split($4, a, "/"); print a[1]; exit }'
}

##
# vh_split_ips
# Splits $ip (space or comma separated, as xl writes it) into vh_ip4 and
# vh_ip6 (space separated), fatal on anything that is not an address or a
# prefix: the values end up in packet filter rules.
vh_split_ips() {
	vh_ip4=
	vh_ip6=
	set -f		# split the key, but expand no '*' in it
	for _a in $(printf '%s' "${ip:-}" | tr ',' ' '); do
		case $_a in
		*[!0-9a-fA-F:./]* | */*/* | /* | */)
			vh_fatal "'$_a' in the ip key is not an IP address"
			;;
		*:*)
			vh_ip6="$vh_ip6 $_a"
			;;
		*[!0-9./]* | *.*.*.*.* )
			vh_fatal "'$_a' in the ip key is not an IP address"
			;;
		*.*.*.*)
			vh_ip4="$vh_ip4 $_a"
			;;
		*)
			vh_fatal "'$_a' in the ip key is not an IP address"
			;;
		esac
	done
	set +f
	vh_ip4=${vh_ip4# }
	vh_ip6=${vh_ip6# }
}

##
# vh_init "$@"
# Parses the arguments, checks the environment and sets:
#   vh_command  online, offline, add or remove
#   type_if     vif or tap
#   dev         the interface to work on
# Exits 0 for the combinations Xen's scripts ignore (online/offline of a
# tap, add/remove of a vif), 2 for a bad command line.
vh_init() {
	type_if=${type_if:-}
	bridge=${bridge:-}
	netdev=${netdev:-}
	ip=${ip:-}
	for _arg in "$@"; do
		case $_arg in
		type_if=*) type_if=${_arg#*=} ;;
		bridge=*) bridge=${_arg#*=} ;;
		netdev=*) netdev=${_arg#*=} ;;
		ip=*) ip=${_arg#*=} ;;
		*=*) vh_log "ignoring the unknown argument '$_arg'" ;;
		*) [ -n "$vh_command" ] || vh_command=$_arg ;;
		esac
	done
	case $vh_command in
	online | offline | add | remove) ;;
	*)
		vh_reported=1
		vh_log "usage: $vh_name online|offline|add|remove" \
		    "[type_if=vif|tap] [NAME=VALUE...]"
		exit 2
		;;
	esac
	: "${type_if:=vif}"
	case $type_if/$vh_command in
	vif/online | vif/offline) dev=${vif:-} ;;
	tap/add | tap/remove) dev=${INTERFACE:-} ;;
	vif/* | tap/*) exit 0 ;;
	*)
		vh_fatal "unknown interface type '$type_if'"
		;;
	esac
	[ -n "${XENBUS_PATH:-}" ] ||
	    vh_fatal "XENBUS_PATH is not set (run by libxl or vifd?)"
	[ -n "$dev" ] ||
	    vh_fatal "no interface: vif (or INTERFACE for type_if=tap) is unset"
	if [ "$type_if" = vif ]; then
		vh_vifname
	fi
}

##
# vh_vifname
# The backend key vifname names the vif's interface. Xen's kernel netback
# creates vif<domid>.<devid> and Xen's vif-common.sh renames it on
# "online"; vifd may instead have created the TAP under that name already.
# Either works: rename if only the old name exists, use the new name if it
# exists, and refuse if both exist (another interface has the name).
vh_vifname() {
	vh_key _vh_vifname vifname ""
	[ -n "$_vh_vifname" ] && [ "$_vh_vifname" != "$dev" ] || return 0
	if [ "$vh_command" = online ] && vh_link_exists "$dev"; then
		vh_link_exists "$_vh_vifname" &&
		    vh_fatal "cannot rename $dev to $_vh_vifname: an" \
		    "interface named $_vh_vifname already exists"
		vh_step "renaming $dev to $_vh_vifname"
		ip link set dev "$dev" down
		ip link set dev "$dev" name "$_vh_vifname"
	fi
	dev=$_vh_vifname
}

##
# vh_check_dev
# Fatal unless $dev exists (online/add: vifd or the kernel creates it
# before the script runs).
vh_check_dev() {
	vh_link_exists "$dev" || vh_fatal "interface $dev does not exist"
}

# ---- anti-spoofing filters (vif-bridge with the ip key) ------------------
#
# One nftables table per vif, family bridge, named vifd-<interface>: a
# prerouting chain sends everything entering the bridge from the vif
# through a check that accepts
#   - IPv4 from the listed addresses / prefixes,
#   - IPv6 from the listed ones, plus link-local and :: (neighbour
#     discovery, DAD) when any IPv6 address is listed,
#   - ARP whose sender address is listed, or 0.0.0.0 (ARP probes),
#   - DHCP client messages (udp 68 -> 67) from 0.0.0.0,
# and drops everything else, other ethertypes (VLAN tags) included. Without
# nft, an ebtables chain of the same name does the same from FORWARD and
# INPUT. VIFD_HOTPLUG_FILTER=nft|ebtables forces one (for testing).

##
# vh_filter_backend
# Prints nft, ebtables or none: what this host can filter bridged frames
# with.
vh_filter_backend() {
	case ${VIFD_HOTPLUG_FILTER:-} in
	nft | ebtables | none)
		echo "$VIFD_HOTPLUG_FILTER"
		return
		;;
	esac
	if command -v nft >/dev/null 2>&1 &&
	    nft list tables >/dev/null 2>&1; then
		echo nft
	elif command -v ebtables >/dev/null 2>&1 &&
	    ebtables -L >/dev/null 2>&1; then
		echo ebtables
	else
		echo none
	fi
}

##
# vh_filter_name DEV
# The table / chain name for DEV: vifd-DEV when DEV is a plain name, else
# vifdx-<DEV in hex> (nft identifiers allow letters, digits and _ . -).
vh_filter_name() {
	case $1 in
	[A-Za-z]*[!A-Za-z0-9_.-]*)
		printf 'vifdx-%s\n' "$(printf '%s' "$1" | od -An -tx1 |
		    tr -d ' \n')"
		;;
	[A-Za-z]*)
		printf 'vifd-%s\n' "$1"
		;;
	*)
		printf 'vifdx-%s\n' "$(printf '%s' "$1" | od -An -tx1 |
		    tr -d ' \n')"
		;;
	esac
}

# ebtables rewrites whole tables in its legacy flavour: one at a time.
vh_ebtables() {
	_lock=/run/lock
	[ -d "$_lock" ] || _lock=/tmp
	if command -v flock >/dev/null 2>&1; then
		flock "$_lock/vifd-hotplug-ebtables.lock" ebtables "$@"
	else
		ebtables "$@"
	fi
}

##
# vh_filter_add DEV
# Installs the filter for DEV from $ip (replacing any previous one).
vh_filter_add() {
	_dev=$1
	vh_split_ips
	case $_dev in
	*[\"\\]*) vh_fatal "cannot filter $_dev: quote in the interface name" ;;
	esac
	_name=$(vh_filter_name "$_dev")
	_backend=$(vh_filter_backend)
	vh_step "installing the $_backend anti-spoofing filter on $_dev"
	case $_backend in
	nft) vh_filter_add_nft "$_dev" "$_name" ;;
	ebtables)
		vh_filter_del_ebtables "$_dev" "$_name"
		vh_filter_add_ebtables "$_dev" "$_name"
		;;
	*)
		vh_fatal "the ip key asks for anti-spoofing on $_dev, but" \
		    "neither nft nor ebtables works on this host"
		;;
	esac
}

vh_filter_add_nft() {
	_set4=
	_set6=
	_rules6=
	if [ -n "$vh_ip4" ]; then
		_set4="elements = { $(echo "$vh_ip4" | sed 's/ /, /g') }"
	fi
	if [ -n "$vh_ip6" ]; then
		_set6="elements = { $(echo "$vh_ip6" | sed 's/ /, /g') }"
		_rules6="ether type ip6 ip6 saddr { ::, fe80::/10 } accept"
	fi
	# The first two lines make the delete succeed whether or not the
	# table exists; the whole batch is one transaction.
	nft -f - <<EOF
table bridge $2
delete table bridge $2
table bridge $2 {
	set allow4 {
		type ipv4_addr; flags interval; auto-merge; $_set4
	}
	set allow6 {
		type ipv6_addr; flags interval; auto-merge; $_set6
	}
	chain prerouting {
		type filter hook prerouting priority -200; policy accept;
		iifname "$1" jump from_guest
	}
	chain from_guest {
		ether type arp arp saddr ip 0.0.0.0 accept
		ether type arp arp saddr ip @allow4 accept
		ether type ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept
		ether type ip ip saddr @allow4 accept
		ether type ip6 ip6 saddr @allow6 accept
		$_rules6
		counter drop
	}
}
EOF
}

vh_filter_add_ebtables() {
	vh_ebtables -N "$2" -P DROP
	vh_ebtables -A "$2" -p ARP --arp-ip-src 0.0.0.0 -j ACCEPT
	vh_ebtables -A "$2" -p IPv4 --ip-src 0.0.0.0 --ip-proto udp \
	    --ip-sport 68 --ip-dport 67 -j ACCEPT
	for _a in $vh_ip4; do
		vh_ebtables -A "$2" -p ARP --arp-ip-src "$_a" -j ACCEPT
		vh_ebtables -A "$2" -p IPv4 --ip-src "$_a" -j ACCEPT
	done
	if [ -n "$vh_ip6" ]; then
		for _a in :: fe80::/10 $vh_ip6; do
			vh_ebtables -A "$2" -p IPv6 --ip6-src "$_a" -j ACCEPT
		done
	fi
	vh_ebtables -I FORWARD -i "$1" -j "$2"
	vh_ebtables -I INPUT -i "$1" -j "$2"
}

vh_filter_del_ebtables() {
	# At most a few stale jumps (bounded: never loop forever).
	for _i in 1 2 3 4; do
		vh_ebtables -D FORWARD -i "$1" -j "$2" 2>/dev/null || break
	done
	for _i in 1 2 3 4; do
		vh_ebtables -D INPUT -i "$1" -j "$2" 2>/dev/null || break
	done
	if vh_ebtables -L "$2" >/dev/null 2>&1; then
		vh_ebtables -F "$2" 2>/dev/null || true
		vh_ebtables -X "$2" 2>/dev/null ||
		    vh_log "cannot delete the ebtables chain $2"
	fi
}

##
# vh_filter_del DEV
# Removes DEV's filter if there is one (never fails).
vh_filter_del() {
	_name=$(vh_filter_name "$1")
	case $(vh_filter_backend) in
	nft)
		if nft list table bridge "$_name" >/dev/null 2>&1; then
			nft delete table bridge "$_name" ||
			    vh_log "cannot delete nft table bridge $_name"
		fi
		;;
	ebtables)
		vh_filter_del_ebtables "$1" "$_name"
		;;
	esac
	return 0
}

# ---- routed interfaces (vif-route, vif-nat) -----------------------------

##
# vh_routed_down DEV
# Undoes what vif-route / vif-nat set up on DEV, and only on DEV: its
# routes, its addresses (another vif or the gateway device holding the same
# address keeps it), proxy ARP, forwarding and rp_filter.
vh_routed_down() {
	vh_link_exists "$1" || return 0
	_vh_fail=0
	ip -4 route flush dev "$1" 2>/dev/null || _vh_fail=1
	ip -6 route flush dev "$1" 2>/dev/null || true
	ip addr flush dev "$1" 2>/dev/null || _vh_fail=1
	for _k in proxy_arp forwarding rp_filter; do
		vh_conf_default "$1" "$_k"
	done
	ip link set dev "$1" down 2>/dev/null || true
	return "$_vh_fail"
}
