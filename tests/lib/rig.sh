# rig.sh - the simulated machine of the rig tests (sourced, bash).
#
# Each test builds its own simulated machine in a fresh directory, runs the
# real binaries (xensim, vifd, vifctl, vif-guest, our hotplug scripts) in
# network namespaces, prints TAP (tests/lib/tap.sh), and removes everything
# it made on exit, even after a failure. Namespaces and machines are named
# after the test's pid so that nothing clashes with another run.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

: "${VIFD_BUILDDIR:?run through make check (VIFD_BUILDDIR unset)}"
: "${VIFD_SRCDIR:?run through make check (VIFD_SRCDIR unset)}"
XENSIM=$VIFD_BUILDDIR/tools/xensim/xensim
VIFD=$VIFD_BUILDDIR/src/vifd
VIFCTL=$VIFD_BUILDDIR/tools/vifctl/vifctl
GUEST=$VIFD_BUILDDIR/tools/vif-guest/vif-guest
HOTPLUG=$VIFD_SRCDIR/hotplug

T_ID=$$
# Short: unix socket paths under it must fit in 108 bytes.
M=/tmp/vr$T_ID
HOSTNS=vr$T_ID-h
PIDS=()
NSS=()

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root"
		exit 0
	fi
}

xsr()	{ "$XENSIM" exec "$M" -- xenstore-read "$@" 2>/dev/null; }
xsw()	{ "$XENSIM" exec "$M" -- xenstore-write "$@"; }
xsx()	{ "$XENSIM" exec "$M" -- xenstore-exists "$@" 2>/dev/null; }
xsls()	{ "$XENSIM" exec "$M" -- xenstore-ls -f "$@" 2>/dev/null; }
be_path() { echo "/local/domain/${3:-0}/backend/vif/$1/$2"; }
fe_path() { echo "/local/domain/$1/device/vif/$2"; }
be_state() { xsr "$(be_path "$1" "$2")/state"; }
fe_state() { xsr "$(fe_path "$1" "$2")/state"; }
be_state_is() { [ "$(be_state "$1" "$2")" = "$3" ]; }
fe_state_is() { [ "$(fe_state "$1" "$2")" = "$3" ]; }
in_host() { ip netns exec "$HOSTNS" "$@"; }
link_in_host() { ip -n "$HOSTNS" link show "$1" >/dev/null 2>&1; }
no_link_in_host() { ! link_in_host "$1"; }
vifctl() { "$VIFCTL" --xen="sim:$M" "$@"; }

# machine_up: the simulated machine and the host namespace with xenbr0.
machine_up() {
	rm -rf "$M"
	"$XENSIM" create "$M" >/dev/null || { echo "Bail out! xensim create"; exit 1; }
	ip netns add "$HOSTNS"
	NSS+=("$HOSTNS")
	ip -n "$HOSTNS" link set lo up
	ip -n "$HOSTNS" link add xenbr0 type bridge stp_state 0 forward_delay 0
	ip -n "$HOSTNS" addr add 10.77.0.1/24 dev xenbr0
	ip -n "$HOSTNS" link set xenbr0 up
}

# vifd_start [ARGS...]: vifd in the host namespace, log in $M.vifd.log.
# VIFD_WRAP: a command (words) that runs vifd's command line, set by a test
# that needs vifd in some other context (ovs.sh: a mount namespace); it
# must exec, so that VIFD_PID is vifd's.
VIFD_PID=
VIFD_WRAP=()
vifd_start() {
	"${VIFD_WRAP[@]}" ip netns exec "$HOSTNS" "$VIFD" --xen="sim:$M" -f -v \
	    ${VIFD_RIG_SANDBOX:+--sandbox="$VIFD_RIG_SANDBOX"} \
	    --script-dir="$HOTPLUG" "$@" >>"$M.vifd.log" 2>&1 &
	VIFD_PID=$!
	PIDS+=("$VIFD_PID")
	waitfor 10 test -S "$M/vifd-0.sock" || diag "vifd did not start"
}
vifd_stop() {
	[ -n "$VIFD_PID" ] || return 0
	kill "$VIFD_PID" 2>/dev/null
	waitfor 10 sh -c "! kill -0 $VIFD_PID"
	wait "$VIFD_PID" 2>/dev/null
	VIFD_RC=$?
	VIFD_PID=
}
vifd_kill9() {
	kill -9 "$VIFD_PID" 2>/dev/null
	wait "$VIFD_PID" 2>/dev/null
	VIFD_PID=
}
vifd_log_has() { grep -q -- "$1" "$M.vifd.log"; }

# guest_add DOMID: a domain and its namespace vr<pid>-g<DOMID>.
guest_ns() { echo "vr$T_ID-g$1"; }
guest_add() {
	"$XENSIM" domain "$M" add "$1" >/dev/null
	ip netns add "$(guest_ns "$1")"
	NSS+=("$(guest_ns "$1")")
	ip -n "$(guest_ns "$1")" link set lo up
}
# attach DOMID SPEC: as libxl would; prints the devid.
attach() { vifctl attach "$1" "$2"; }
# guest_start DOMID DEVID [vif-guest args...]: the simulated netfront.
GUEST_PID=
guest_start() {
	local d=$1 n=$2; shift 2
	"$GUEST" --xen="sim:$M" --domid "$d" --devid "$n" "$@" \
	    >>"$M.guest$d.$n.log" 2>&1 &
	GUEST_PID=$!
	PIDS+=("$GUEST_PID")
}
# attach_by_hand DOMID SPEC SED-SCRIPT: the nodes `vifctl parse` gives for
# SPEC, edited by SED-SCRIPT, written one by one without a transaction,
# `state` and `online` last, as a careless toolstack would; also the way to
# write a value vifctl refuses and xl does not.
attach_by_hand() {
	vifctl parse --domid "$1" "$2" | sed "$3" |
	    grep -v '/state = \|/online = ' |
	    while read -r path _ value; do xsw "$path" "$(eval echo "$value")"; done
	xsw "$(fe_path "$1" 0)/state" 1
	xsw "$(be_path "$1" 0)/online" 1
	xsw "$(be_path "$1" 0)/state" 1
}
# guest_tap DOMID DEVID ADDR [args...]: tap mode with eth<DEVID> at ADDR/24.
guest_tap() {
	local d=$1 n=$2 a=$3 ns; shift 3
	ns=$(guest_ns "$d")
	guest_start "$d" "$n" --mode tap --tap "eth$n" --netns "$ns" "$@"
	if waitfor 20 ip -n "$ns" link show "eth$n"; then
		ip -n "$ns" addr add "$a/24" dev "eth$n"
		ip -n "$ns" link set "eth$n" up
	else
		diag "eth$n did not appear in $ns"
	fi
}
in_guest() { local d=$1; shift; ip netns exec "$(guest_ns "$d")" "$@"; }

# one_guest_up: vifd on a fresh machine and guest 1 with one vif of one
# queue on xenbr0 (vif-bridge), 10.77.0.2 pinging the host; sets G to the
# guest's namespace. Two checks.
one_guest_up() {
	machine_up
	vifd_start
	G=$(guest_ns 1)
	guest_add 1
	attach 1 "mac=00:16:3e:00:01:00,bridge=xenbr0,script=$HOTPLUG/vif-bridge" >/dev/null
	guest_tap 1 0 10.77.0.2 --queues 1
	eventually 15 "vif1.0 connected" be_state_is 1 0 4
	eventually 10 "guest pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1
}

# vifd's fds, less the simulated domains' memory files: the simulated
# seam keeps one open per domain it ever copied to, dead ones too (a
# property of xensim's cache, not of vifd; real Xen has no such file).
nfds() { ls -l "/proc/$VIFD_PID/fd" | grep -v " -> $M/dom/" | grep -c ' -> '; }
# fds_back WHAT N: vifd's fds are N again (some close a moment after a
# detach returns).
fds_back() {
	local n
	if waitfor 5 sh -c "[ \$(ls -l /proc/$VIFD_PID/fd | grep -v ' -> $M/dom/' | grep -c ' -> ') -le $2 ]"; then
		ok "$1: vifd's fds back to $2"
	else
		n=$(nfds)
		nok "$1: vifd's fds back to $2 (now $n)"
		ls -l "/proc/$VIFD_PID/fd" | sed -n 's/^.* \([0-9]* -> .*\)$/# \1/p' | tr '\n' ' '; echo
	fi
}

# ping_tally FILE: SENT and GOT, the summary of the ping whose output is
# FILE (ended with SIGINT); empty if it printed none.
ping_tally() {
	SENT=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' "$1")
	GOT=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' "$1")
}

# listening NS PORT: a TCP socket listens on PORT in NS.
listening() { ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q .; }
not_listening() { ! listening "$@"; }

# recv_sum NS ADDR PORT: listens on ADDR:PORT in NS for one TCP stream,
# prints "sha256 bytes" of what it got (for integrity checks).
recv_sum() {
	ip netns exec "$1" timeout 60 python3 -c '
import hashlib, socket, sys
s = socket.socket(socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    h.update(b); n += len(b)
print(h.hexdigest(), n)' "$2" "$3"
}

# intact_file: a random 32 MiB $M.file, and `want`, its "sha256 bytes".
intact_file() {
	head -c 33554432 /dev/urandom >"$M.file"
	want="$(sha256sum <"$M.file" | cut -d' ' -f1) 33554432"
}
# send_intact FROM_NS TO_NS TO_ADDR PORT LABEL: $M.file across, checked.
send_intact() {
	recv_sum "$2" "$3" "$4" >"$M.sum" &
	waitfor 10 listening "$2" "$4"
	ip netns exec "$1" timeout 60 bash -c "cat $M.file > /dev/tcp/$3/$4"
	wait $!
	check "32 MiB $5 arrive intact (SHA-256)" [ "$(cat "$M.sum")" = "$want" ]
}

# ---- iperf3 ---------------------------------------------------------------------
# iperf_server NS: a one-shot iperf3 server in NS, listening when this
# returns. A one-shot server exits only after its client has read the
# results, so the previous one may still hold the port (a new one would then
# fail to bind, and the client would meet the old one's exit): wait for it
# to let go first. `-D` returns before the server listens: wait for that too.
iperf_server() {
	waitfor 10 not_listening "$1" 5201
	ip netns exec "$1" iperf3 -s -D -1 >/dev/null 2>&1
	waitfor 10 listening "$1" 5201
}
# iperf_measure FROM-NS SERVER-NS SERVER-IP SECS [iperf3 client options...]
# Runs a one-shot server and a client against it and sets IPERF_BPS to the
# receiver's bits per second and IPERF_BYTES to its byte count, both empty
# when iperf3 gave no result. A run without a result (iperf3's error, a
# connection that failed, a timeout) is said in a diag line and tried once
# more: it is no measurement of ours; a result, whatever it is, is kept.
iperf_measure() {
	local from=$1 srv=$2 ip=$3 secs=$4 try out why; shift 4
	for try in 1 2; do
		iperf_server "$srv"
		out=$(ip netns exec "$from" timeout $((secs + 30)) \
		    iperf3 -c "$ip" -t "$secs" -J "$@" 2>&1)
		# "BPS BYTES", or "- - WHY".
		read -r IPERF_BPS IPERF_BYTES why < <(printf '%s' "$out" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit("- - not JSON")
s = d.get("end", {}).get("sum_received")
print(s["bits_per_second"], s["bytes"]) if s else print("- -", d.get("error", "?"))' 2>&1)
		case $IPERF_BPS in [0-9]*) return 0 ;; esac
		[ "$IPERF_BPS" = - ] && [ "$why" != "not JSON" ] ||
		    why=$(printf '%s' "$out" | tail -3)
		diag "iperf3 -c $ip $* gave no result (try $try): $why"
	done
	IPERF_BPS='' IPERF_BYTES=''
	return 1
}

# hotplug script that only says "connected" (no bridge work).
null_script() {
	cat >"$M.null-hotplug" <<'EOF'
#!/bin/sh
[ "$1" = online ] && exec xenstore-write "$XENBUS_PATH/hotplug-status" connected
exit 0
EOF
	chmod +x "$M.null-hotplug"
	echo "$M.null-hotplug"
}

cleanup() {
	local p ns
	# vifd first, and patiently: under ASan it reports leaks at exit.
	vifd_stop
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -d "$M" ] && "$XENSIM" destroy "$M" >/dev/null 2>&1
	# A test's own things (ovs.sh: what it made outside $M).
	if declare -F rig_cleanup_hook >/dev/null; then rig_cleanup_hook; fi
	for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	if [ "$T_FAIL" -gt 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
		for f in "$M".*.log; do
			[ -f "$f" ] && { echo "# --- $f (last 40 lines)"; tail -40 "$f" | sed 's/^/# /'; }
		done
	fi
	if [ -n "${KEEP_LOGS:-}" ]; then
		mkdir -p /tmp/rig-logs
		cp "$M".*.log /tmp/rig-logs/ 2>/dev/null
	fi
	rm -rf "$M" "$M".*
}

# With sanitized binaries (tools/test.sh runs some rig tests on the
# ASan+UBSan build and some on the TSan one), any report in a log is a
# failure: one more result, before done_testing's plan. TSan's reports are
# WARNINGs (a race, a lock-order inversion...) or, when it cannot run at
# all, a FATAL; it goes on after a warning, so a log holds every one.
SAN_REPORT='ERROR: (Address|Leak)Sanitizer|runtime error:|(WARNING|FATAL): ThreadSanitizer'
t_before_done() {
	[ -n "${VIFD_SANITIZED:-}" ] || return 0
	vifd_stop
	if grep -lE "$SAN_REPORT" "$M".*.log >"$M.san" 2>/dev/null; then
		nok "no sanitizer reports ($(tr '\n' ' ' <"$M.san"))"
		grep -hE -A12 "$SAN_REPORT" "$M".*.log | head -60 | sed 's/^/# /'
	else
		ok "no sanitizer reports in vifd, vif-guest or xensim"
	fi
}

trap cleanup EXIT
# A timeout (make check runs every test under one) must still clean up.
trap 'exit 143' TERM INT
