# tests/xen/dom0-lib.sh - helpers for the real-Xen lab, sourced in dom0 by
# the runner and by every scenario (bash).
#
# Owns: the lab's settings (lab.env, written by check-xen.sh), time scaling,
# results and figures, guests (config, create, the xenstore agent, console),
# the vif's xenstore and netdev views, measurements (ping, iperf3, netdev
# counters), and which backend serves vifs (vifd or Linux xen-netback).
# Nothing here is specific to one scenario.

LAB_DIR=/usr/lib/vifd-lab
LAB_RUN=/run/vifd-lab
mkdir -p "$LAB_RUN"
# shellcheck disable=SC1091
. "$LAB_DIR/lab.env"
LAB_SCALE=$(cat "$LAB_RUN/scale" 2>/dev/null || echo 1)
DOM0_IP=192.0.2.1
BRIDGE=xenbr0
VIFD=/usr/local/sbin/vifd
VIFCTL=/usr/local/sbin/vifctl
VIFD_LOG=/var/log/vifd.log
# vifctl stats keys the scenarios look at (vifd's interface; adjust here)
GSO_TX_KEY=${LAB_GSO_TX_KEY:-tx_gso_frames}	# guest -> host GSO super-frames
GSO_RX_KEY=${LAB_GSO_RX_KEY:-rx_gso_frames}	# host -> guest
# what vifd logs once it watches the backend directory
LAB_VIFD_READY_RE=${LAB_VIFD_READY_RE:-watching}

# ---- time, logging, arithmetic --------------------------------------------
up() { cut -d' ' -f1 /proc/uptime; }
say() { echo "LAB[$(up)] $*"; }
# calc EXPR: evaluates an awk expression, prints it with %.Nf (N=${2:-2}).
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
# since T0: seconds elapsed since uptime T0, one decimal.
since() { calc "$(up) - $1" 1; }
# ratio A B: A / B to two places, or "none" if either is missing or B is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "none"; else printf "%.2f\n", a / b }'; }
# scaled N: N seconds stretched by how slow this machine booted (>= N).
scaled() { awk -v n="$1" -v s="$LAB_SCALE" 'BEGIN { v = n * s; printf "%d", (v == int(v)) ? v : int(v) + 1 }'; }

# wait_for SECS CMD...: runs CMD every 0.2 s until it succeeds (0) or SECS
# pass (1).
wait_for() {
	local secs=$1 end
	shift
	end=$(calc "$(up) + $secs" 2)
	while :; do
		"$@" && return 0
		awk -v e="$end" -v n="$(up)" 'BEGIN { exit !(n >= e) }' && return 1
		sleep 0.2
	done
}

# ---- results --------------------------------------------------------------
# A scenario adds figures with fig (key=value words) and ends with fail,
# skip, or by returning 0 (PASS). The runner prints the SCENARIO line.
fig() { echo "$*" >> "$LAB_RUN/figs"; }
fail() {
	say "FAIL: $*"
	echo FAIL > "$LAB_RUN/status"
	echo "$*" >> "$LAB_RUN/reasons"
	return 1
}
skip() { echo SKIP > "$LAB_RUN/status"; echo "$*" >> "$LAB_RUN/reasons"; return 0; }
# figures kept for later scenarios (the side-by-side comparison)
keep() { echo "$2" > "$LAB_RUN/keep.$1"; }
kept() { cat "$LAB_RUN/keep.$1" 2>/dev/null; }

# ---- xenstore and vif views -----------------------------------------------
# Every xenstore client call is bounded: a wedged xenstored (or a client
# stuck behind one) must fail a scenario with a reason, not eat its budget.
XS_T=10
xs() { timeout -k 2 "$XS_T" "$@"; }
xsr() { xs xenstore-read "$1" 2>/dev/null; }
xs_has() { xs xenstore-exists "$1" 2>/dev/null; }
xs_alive() { xs xenstore-read /local/domain/0/domid > /dev/null 2>&1; }
# BE_DOMID: the backend's domain (0; netdd's domid in the driver domain's
# scenarios)
be_path() { echo "/local/domain/${BE_DOMID:-0}/backend/vif/$1/$2"; }
fe_path() { echo "/local/domain/$1/device/vif/$2"; }
be_state() { xsr "$(be_path "$1" "$2")/state"; }
fe_state() { xsr "$(fe_path "$1" "$2")/state"; }
vif_connected() { [ "$(be_state "$1" "$2")" = 4 ] && [ "$(fe_state "$1" "$2")" = 4 ]; }
# the host-side netdev of vif DOMID DEVID (the backend's vifname, or vifD.N)
vif_netdev() { local n; n=$(xsr "$(be_path "$1" "$2")/vifname"); echo "${n:-vif$1.$2}"; }
netdev_exists() { [ -e "/sys/class/net/$1" ]; }
netdev_on_bridge() { [ "$(basename "$(readlink "/sys/class/net/$1/master" 2>/dev/null)")" = "$BRIDGE" ]; }
# BE_NAME: the domain where the backend's netdevs and vifctl are, when not
# dom0 (the driver domain netdd): reached through its agent
netdev_stat() {
	if [ -n "${BE_NAME:-}" ]; then
		guest_cmd "$BE_NAME" "$(scaled 20)" "cat /sys/class/net/$1/statistics/$2" 2>/dev/null || echo 0
	else
		cat "/sys/class/net/$1/statistics/$2" 2>/dev/null || echo 0
	fi
}
vif_gone() {	# DOMID DEVID NETDEV: backend dir and netdev both gone
	! xs_has "$(be_path "$1" "$2")" && ! netdev_exists "$3"
}

# ---- backends ---------------------------------------------------------------
cur_backend() { cat "$LAB_RUN/backend" 2>/dev/null || echo none; }
vifd_pid() { cat "$LAB_RUN/vifd.pid" 2>/dev/null; }
vifd_alive() { local p; p=$(vifd_pid); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
# vifd_rw_calls: read and write system calls vifd made so far, all
# threads (/proc/PID/io syscr + syscw; io_uring_enter is neither).
vifd_rw_calls() { awk '$1 == "syscr:" || $1 == "syscw:" { s += $2 } END { print s + 0 }' "/proc/$(vifd_pid)/io"; }
# vif_frames DOMID: frames dom0's vifd moved on the guest's vif 0, both ways;
# vif_copy_calls DOMID: its grant-copy calls, both ways.
vif_frames() { echo $(( $(vifctl_stat "$1" 0 tx_packets) + $(vifctl_stat "$1" 0 rx_packets) )); }
vif_copy_calls() { echo $(( $(vifctl_stat "$1" 0 tx_copy_calls) + $(vifctl_stat "$1" 0 rx_copy_calls) )); }

# vifd_start: starts vifd in the foreground (logging to $VIFD_LOG) and
# returns once it says it is watching (a log line matching
# $LAB_VIFD_READY_RE since this start), or, if it never says so, once it
# has stayed up for 5 s. vifd must be watching before any xl create: libxl
# gives a backend 10 s to reach InitWait.
vifd_start() {
	local p from
	[ -x "$VIFD" ] || { say "vifd: no binary at $VIFD"; return 1; }
	vifd_alive && return 0
	echo "==== vifd start at $(up) ====" >> "$VIFD_LOG"
	from=$(wc -l < "$VIFD_LOG")
	# shellcheck disable=SC2086
	setsid "$VIFD" --foreground --xen=real $LAB_VIFD_ARGS >> "$VIFD_LOG" 2>&1 < /dev/null &
	p=$!
	echo "$p" > "$LAB_RUN/vifd.pid"
	if ! wait_for "$(scaled 5)" sh -c "tail -n +$((from + 1)) $VIFD_LOG | grep -qE '$LAB_VIFD_READY_RE' || ! kill -0 $p 2>/dev/null"; then
		say "vifd (pid $p) logged nothing matching '$LAB_VIFD_READY_RE' in $(scaled 5) s; going on"
	fi
	if ! kill -0 "$p" 2>/dev/null; then
		wait "$p" 2>/dev/null
		say "vifd exited at once (rc $?): $(tail -n 5 "$VIFD_LOG" | tr '\n' '|')"
		return 1
	fi
	say "vifd running (pid $p)"
}

# vifd_stop [SIGNAL]: SIGTERM (or SIGNAL), waits 10 s, then SIGKILL.
vifd_stop() {
	local p sig=${1:-TERM}
	p=$(vifd_pid)
	[ -n "$p" ] || return 0
	kill -"$sig" "$p" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $p 2>/dev/null" || { say "vifd did not stop on SIG$sig"; kill -KILL "$p" 2>/dev/null; sleep 0.5; }
	rm -f "$LAB_RUN/vifd.pid"
}

# backend_use vifd|kernel: makes WHICH serve every new vif. Switching
# destroys all guests (a vif keeps the backend it was created with).
backend_use() {
	local want=$1
	if [ "$(cur_backend)" = "$want" ]; then
		[ "$want" = vifd ] && { vifd_alive || vifd_start; return; }
		return 0
	fi
	guests_destroy_all
	case $want in
	kernel)
		vifd_stop
		modprobe xen-netback || { say "modprobe xen-netback failed"; return 1; }
		;;
	vifd)
		if grep -q '^xen_netback ' /proc/modules; then
			rmmod xen-netback || { say "rmmod xen-netback failed"; return 1; }
		fi
		echo vifd > "$LAB_RUN/backend"
		vifd_start || return 1
		;;
	esac
	echo "$want" > "$LAB_RUN/backend"
	say "backend: $want (xen-netback $(grep -q '^xen_netback ' /proc/modules && echo loaded || echo 'not loaded'))"
}

# the hotplug script the current backend's vifs use
vif_script() {
	if [ "$(cur_backend)" = vifd ]; then echo "$LAB_VIF_SCRIPT"; else echo vif-bridge; fi
}

# vifctl_stat DOMID DEVID KEY: the vif's KEY over all its queues (fails if
# vifctl fails or has no KEY); vifctl_stat_each: one value per queue, in
# order, comma-separated. A counter is a word KEY followed by a number,
# wherever it stands on its line; the word before it says whose it is:
# "total" (the vif's), "q<N>" (queue N's), or anything else. vifd prints
# "vif1.0 total KEY VALUE" and "vif1.0 q0 KEY VALUE"; plain "KEY VALUE"
# lines (one per queue) work too.
# DOMID DEVID [REGEX]: vifctl stats (the lines matching REGEX), where the
# backend is: here, or in BE_NAME (filtered there: the agent returns 2000
# bytes, less than all the counters)
vifctl_stats() {
	if [ -n "${BE_NAME:-}" ]; then
		guest_cmd "$BE_NAME" "$(scaled 30)" "vifctl stats $1 $2 | grep -E '${3:-.}'"
	else
		"$VIFCTL" stats "$1" "$2" | grep -E "${3:-.}"
	fi
}
vifctl_values() {	# DOMID DEVID KEY: prints "total|qN|- VALUE" lines
	vifctl_stats "$1" "$2" "$3" 2>/dev/null | awk -v k="$3" '{
	    for (i = 1; i < NF; i++)
		if ($i == k && $(i + 1) ~ /^[0-9]+$/) {
			w = (i > 1 && ($(i - 1) == "total" || $(i - 1) ~ /^q[0-9]+$/)) ? $(i - 1) : "-"
			print w, $(i + 1)
		}
	}'
}
# (printf %.0f: mawk prints large numbers as 1.2e+10 otherwise)
vifctl_stat() {
	vifctl_values "$@" | awk '$1 == "total" { t = $2; ht = 1 } $1 != "total" { s += $2 } { n++ }
	    END { if (!n) exit 1; printf "%.0f\n", ht ? t : s }'
}
vifctl_stat_each() {
	vifctl_values "$@" | awk '$1 ~ /^q/ { q = q sep $2; sep = "," } $1 == "-" { p = p psep $2; psep = "," }
	    END { print (q != "" ? q : p) }'
}

# vifctl_nonzero DOMID DEVID REGEX: the vif's totals whose names match REGEX
# and are not 0, as "name=value,..." ("none" if there is none)
vifctl_nonzero() {
	vifctl_stats "$1" "$2" "$3" 2>/dev/null | awk -v re="$3" '
	    NF == 4 && $2 == "total" && $3 ~ re && $4 + 0 > 0 { printf "%s%s=%s", sep, $3, $4; sep = "," }
	    END { print (sep == "" ? "none" : "") }'
}

# ---- guests ---------------------------------------------------------------
guest_ip() { echo "192.0.2.$1"; }
guest_mac() { printf '00:16:3e:00:00:%02x' "$1"; }
# vif_spec IDX [EXTRA]: the xl vif= string for guest IDX
vif_spec() { echo "mac=$(guest_mac "$1"),bridge=$BRIDGE,script=$(vif_script)${2:+,$2}"; }
guest_domid() { timeout -k 2 20 xl domid "$1" 2>/dev/null; }
guest_exists() { [ -n "$(guest_domid "$1")" ]; }
guest_log() { tr -d '\r' < "/var/log/xen/console/guest-$1.log" 2>/dev/null; }

# guest_create NAME IDX VCPUS [VIF_EXTRA]: writes /etc/xen/NAME.cfg and runs
# xl create: a PV guest, or of type GUEST_TYPE (pvh: the same kernel and
# initramfs), with GUEST_CFG's lines added. GUEST_VIF replaces the vif
# spec, GUEST_RAMDISK, GUEST_MEM and GUEST_ARGS (kernel arguments) are
# for the driver domain. Sets CREATE_T0 (uptime at the
# start) and CREATE_S (how long xl create took). Returns xl's status; its
# output is in $LAB_RUN/xl.NAME.log.
guest_create() {
	local name=$1 idx=$2 vcpus=$3 extra=${4:-} rc
	cat > "/etc/xen/$name.cfg" <<EOC
name = "$name"
type = "${GUEST_TYPE:-pv}"
kernel = "${GUEST_KERNEL:-/var/lib/vifd-lab/vmlinux.gz}"
ramdisk = "${GUEST_RAMDISK:-/var/lib/vifd-lab/domu-initrd.cpio}"
extra = "console=hvc0 quiet vifdlab.name=$name${GUEST_ARGS:+ $GUEST_ARGS}"
memory = ${GUEST_MEM:-128}
vcpus = $vcpus
vif = [ '${GUEST_VIF:-$(vif_spec "$idx" "$extra")}' ]
on_crash = "destroy"
${GUEST_CFG:-}
EOC
	rm -f "/var/log/xen/console/guest-$name.log"
	CREATE_T0=$(up)
	timeout -k 5 "$(scaled 90)" xl create "/etc/xen/$name.cfg" > "$LAB_RUN/xl.$name.log" 2>&1
	rc=$?
	CREATE_S=$(since "$CREATE_T0")
	if [ $rc != 0 ]; then
		say "xl create $name failed (rc $rc after $CREATE_S s):"
		grep -v '^Parsing config' "$LAB_RUN/xl.$name.log" | tail -n 8 | sed 's/^/    /'
	fi
	return $rc
}

guest_ready() { local d; d=$(guest_domid "$1") && [ -n "$(xsr "/local/domain/$d/data/vifd-lab/ready")" ]; }

# guest_cmd NAME SECS CMD: runs CMD (sh) in the guest through the xenstore
# agent; prints its output (last 2000 bytes); returns its status, or 124 if
# it did not answer within SECS.
guest_cmd() {
	local name=$1 secs=$2 cmd=$3 d p seq rc
	d=$(guest_domid "$name") || return 125
	p=/local/domain/$d/data/vifd-lab
	seq=$(date +%s%N)
	# -R: no escaping either way (the default turns newlines into \n)
	if ! xs xenstore-write -R "$p/cmd" "$cmd" || ! xs xenstore-write "$p/seq" "$seq"; then
		say "guest_cmd $name: writing to xenstore failed or hung ($XS_T s)"
		return 125
	fi
	wait_for "$secs" sh -c "[ \"\$(timeout -k 2 $XS_T xenstore-read $p/done 2>/dev/null)\" = $seq ]" || return 124
	printf '%s\n' "$(xs xenstore-read -R "$p/out" 2>/dev/null)"
	rc=$(xsr "$p/rc")
	return "${rc:-125}"
}

# guest_same_domain NAME DOMID: fails (saying so, with Xen's own words
# about the domain when its log has any) if NAME is no longer domain
# DOMID: it crashed or rebooted while booting and xl restarted it (a PVH
# guest's boot has met an emulation fault, tests/xen/README.md), so its
# vif is another's.
guest_same_domain() {
	local now why
	now=$(guest_domid "$1")
	[ "$now" = "$2" ] && return 0
	why=$(timeout -k 2 20 xl dmesg 2>/dev/null | grep -m 1 "d$2v[0-9]* " | sed 's/^(XEN) //')
	fail "guest $1: domain $2 is gone (now: ${now:-none}); Xen said: ${why:-nothing}"
}

# guest_up NAME IDX VCPUS [VIF_EXTRA]: creates the guest and waits for its
# agent (GUEST_BOOT_S seconds, default 120), for vif 0 to be Connected on
# both ends and for dom0 -> guest ping.
# Sets the timings (seconds since xl create started): CREATE_S, READY_S,
# CONNECTED_S, PING_S. Returns 1 (after saying why) on the first failure.
guest_up() {
	local name=$1 idx=$2 d
	guest_exists "$name" && timeout -k 2 "$(scaled 60)" xl destroy "$name" 2>/dev/null
	guest_create "$@" || { fail "xl create $name failed after $CREATE_S s: $(grep -i 'error' "$LAB_RUN/xl.$name.log" | head -n 2 | sed 's/^libxl: error: //' | tr '\n' ' ')"; return 1; }
	d=$(guest_domid "$name")
	wait_for "$(scaled "${GUEST_BOOT_S:-120}")" guest_ready "$name" ||
	    { fail "guest $name: its agent did not start (console: $(guest_log "$name" | tail -n 3 | tr '\n' '|'))"; return 1; }
	READY_S=$(since "$CREATE_T0")
	guest_same_domain "$name" "$d" || return 1
	wait_for "$(scaled 30)" vif_connected "$d" 0 ||
	    { fail "vif$d.0 not Connected: backend state $(be_state "$d" 0), frontend state $(fe_state "$d" 0)"; return 1; }
	CONNECTED_S=$(since "$CREATE_T0")
	wait_for "$(scaled 30)" ping -c 1 -W 1 "$(guest_ip "$idx")" > /dev/null ||
	    { fail "no answer to ping dom0 -> $name ($(guest_ip "$idx")): $(ping_diag "$name" "$idx" "$d")"; return 1; }
	PING_S=$(since "$CREATE_T0")
	say "$name up: domid $d, xl create ${CREATE_S}s, agent ${READY_S}s, connected ${CONNECTED_S}s, ping ${PING_S}s"
}

# ping_diag NAME IDX DOMID: why dom0 has no answer from guest NAME. The
# whole picture goes to the serial log as DIAG lines (dom0's vif, bridge,
# neighbour and forwarding entries, the backend's directory, the guest's
# eth0, neighbours and console); one line of it is printed for the failure's
# reason: the vif's master, state and counters, dom0's neighbour entry, the
# guest's eth0 counters.
ping_diag() {
	local name=$1 ip mac v=vif$3.0 vs ns gs
	ip=$(guest_ip "$2"); mac=$(guest_mac "$2")
	{
		echo "--- dom0: links, bridge ports, neighbours, forwarding entries for $mac"
		ip -br link; ip -br addr; bridge link; ip neigh show; bridge fdb show br "$BRIDGE" | grep -i "$mac"
		echo "--- dom0: $v"; ip -s link show "$v"
		echo "--- backend directory"; xs xenstore-ls -f "$(be_path "$3" 0)" 2>&1 | grep -v '/feature-\|/request-' | head -n 30
		echo "--- dmesg (tail)"; dmesg | tail -n 15
		echo "--- $name: addresses, neighbours, eth0"; guest_cmd "$name" 20 'ip addr; ip neigh; ip -s link show eth0; dmesg | tail -n 10'
		echo "--- $name console (tail)"; guest_log "$name" | tail -n 10
	} 2>&1 | sed 's/^/DIAG /'
	vs=none
	if [ -d "/sys/class/net/$v" ]; then
		vs="master=$(basename "$(readlink "/sys/class/net/$v/master" 2>/dev/null || echo none)")"
		vs="$vs oper=$(cat "/sys/class/net/$v/operstate") rx_pkts=$(cat "/sys/class/net/$v/statistics/rx_packets") tx_pkts=$(cat "/sys/class/net/$v/statistics/tx_packets") tx_drop=$(cat "/sys/class/net/$v/statistics/tx_dropped")"
	fi
	ns=$(ip neigh show "$ip" 2>/dev/null | awk '{ print $(NF) (NF >= 5 ? "/" $5 : "") }')
	gs=$(guest_cmd "$name" 20 "cat /proc/net/dev; ip -o -4 addr show dev eth0" 2>/dev/null |
	    awk '$1 == "eth0:" { c = sprintf("rx_pkts=%s tx_pkts=%s", $3, $11) } $3 == "inet" { a = $4 }
	        END { if (c != "") printf "%s addr=%s", c, (a != "" ? a : "none") }')
	echo "$v $vs; dom0 neigh ${ns:-none}; guest eth0 ${gs:-unknown}"
}

# guest_ensure NAME IDX VCPUS: reuses a running, connected, answering
# guest, else brings one up with guest_up.
guest_ensure() {
	local d
	d=$(guest_domid "$1")
	if [ -n "$d" ] && vif_connected "$d" 0 && ping -c 1 -W 2 "$(guest_ip "$2")" > /dev/null 2>&1; then
		return 0
	fi
	guest_up "$@"
}

# guests_running: the names of the domains but dom0, one a line.
guests_running() { timeout -k 2 20 xl list 2>/dev/null | awk 'NR > 2 { print $1 }'; }

# env_faults: the segfaults and general protection faults the kernels
# logged, in dom0 and in every running guest, one "DOMAIN LINE" each. Under
# QEMU TCG this emulated Xen now and then hands a process memory that
# changed under it: seen in dom0's tr (garbage in its fresh libc .bss) and
# xl (glibc "corrupted double-linked list"), and the guest's busybox (a
# GPF in __ctype_init at boot), with either backend. A vifd death in a boot
# that also shows such faults is not evidence against vifd by itself.
env_faults() {
	local n re='segfault at|general protection|traps:'
	dmesg 2>/dev/null | grep -E "$re" | sed 's/^/dom0 /'
	for n in $(guests_running); do
		guest_cmd "$n" "$(scaled 10)" "dmesg | grep -E '$re'" 2>/dev/null | grep . | sed "s/^/$n /"
	done
}

guests_destroy_all() {
	local n
	for n in $(guests_running); do
		timeout -k 2 "$(scaled 60)" xl destroy "$n" 2>/dev/null || say "xl destroy $n failed"
	done
}

# guest_listen PORT REDIR: the guest command that starts a one-shot nc on
# PORT in the background and returns once it listens (state 0A in
# /proc/net/tcp or, dual-stack, tcp6), so that dom0's connect is never
# refused by a listener still starting (seen: 2 in 60 with a fixed sleep).
guest_listen() {
	printf 'nc -l -p %s %s & i=0; while ! grep -qs ":%04X 0*:0000 0A" /proc/net/tcp /proc/net/tcp6 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done' "$1" "$2" "$1"
}

# guest_sum NAME FILE: prints the guest's sha256 of FILE, taken from the
# line that names FILE. Anything else the guest printed is logged: under
# TCG a busybox tool in the domU has been seen to die with "Segmentation
# fault" (4 in ~340 such commands behind vifd, 1 in 130 behind the kernel's
# netback; the data always intact); that message must not pass for part of
# a checksum.
guest_sum() {
	local out
	out=$(guest_cmd "$1" "$(scaled 30)" "sha256sum $2")
	printf '%s\n' "$out" | awk -v f="$2" '$2 != f' | sed "s/^/LAB guest $1 also printed: /" >&2
	printf '%s\n' "$out" | awk -v f="$2" '$2 == f { print $1 }'
}

# fe_sig DOMID: vif 0's connection identity: the frontend's state, ring refs
# and event channels (top level or queue-0's, whichever it wrote). A
# netfront that reconnected has new ones.
fe_sig() {
	local p k s
	p=$(fe_path "$1" 0)
	s=$(xsr "$p/state")
	for k in tx-ring-ref rx-ring-ref event-channel event-channel-tx event-channel-rx; do
		s="$s $k=$(xsr "$p/$k")$(xsr "$p/queue-0/$k")"
	done
	echo "$s"
}

# ---- measurements -----------------------------------------------------------
# ping_summary: from a ping run's output (iputils' "rtt" line or
# busybox's "round-trip"), "sent recv min avg max median" (ms; "-" when
# none). The median is that of the replies' "time=" lines (none with
# -q): under QEMU TCG one reply in twenty can take several times the
# others, which moves the average and not the median.
ping_summary() {
	awk '
	    / packets transmitted/ { s = $1; r = $4 }
	    /^(rtt|round-trip)/ { split($4, v, "/"); mn = v[1]; av = v[2]; mx = v[3] }
	    / time=[0-9.]+ ?ms/ {
		t = $0; sub(/.* time=/, "", t); sub(/ ?ms.*/, "", t)
		t += 0
		# insertion sort: mawk has no asort, and there are tens
		for (i = n++; i > 0 && ts[i - 1] > t; i--) ts[i] = ts[i - 1]
		ts[i] = t
	    }
	    END {
		md = n ? ts[int((n - 1) / 2)] : "-"
		printf "%d %d %s %s %s %s\n", s, r, mn ? mn : "-", av ? av : "-", mx ? mx : "-", md
	    }'
}
# ping_stats DEST COUNT: dom0's iputils ping; prints ping_summary's line.
ping_stats() {
	ping -n -c "$2" -i 0.2 -W 2 "$1" 2>/dev/null | ping_summary
}
# guest_ping NAME DEST COUNT: busybox ping in the guest; same output.
guest_ping() {
	guest_cmd "$1" "$(scaled 60)" "ping -c $3 -i 0.2 -W 2 $2" | tee "$LAB_RUN/guest-ping.out" | ping_summary
}
# iperf_mbps DEST SECS [iperf3 options]: TCP throughput in Mbit/s (the
# receiver's figure; -R makes the guest send). Prints "" on failure, and
# for a transfer that moved nothing; iperf_error says why. iperf3 gets
# SECS + IPERF_GRACE (30) seconds, scaled.
iperf_mbps() {
	local dest=$1 secs=$2
	shift 2
	timeout -k 5 "$(scaled $((secs + ${IPERF_GRACE:-30})))" iperf3 -c "$dest" -t "$secs" -f m "$@" 2> "$LAB_RUN/iperf.err" |
	    tee "$LAB_RUN/iperf.out" | awk '
	    /receiver/ && (/SUM/ || !sum) { for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1); if (/SUM/) sum = 1 }
	    END { if (v + 0 > 0) print v }'
}

iperf_error() { tail -n 3 "$LAB_RUN/iperf.err" "$LAB_RUN/iperf.out" 2>/dev/null | grep -v '^==>\|^$' | tr '\n' ' '; }

# guest_offloads NAME: "sg=on tso=on txcsum=on" from ethtool -k in the guest
guest_offloads() {
	guest_cmd "$1" "$(scaled 30)" "ethtool -k eth0" | awk -F': ' '
	    $1 == "scatter-gather" { sg = $2 }
	    $1 == "tcp-segmentation-offload" { tso = $2 }
	    $1 == "tx-checksumming" { cs = $2 }
	    END { printf "sg=%s tso=%s txcsum=%s\n", sg, tso, cs }' | sed 's/ \[fixed\]//g'
}

# The measurements scenarios 1, 2 and 9 share, so that both backends are
# measured the same way.
#
# measure_rtt NAME IDX [PREFIX]: 20 pings dom0 -> guest and 10 guest ->
# dom0; all must be answered. Sets RTT_H2G and RTT_G2H (average ms). PREFIX
# goes in front of the figures' names.
measure_rtt() {
	local ip s r mn mx p=${3:-}
	ip=$(guest_ip "$2")
	read -r s r mn RTT_H2G mx _ <<< "$(ping_stats "$ip" 20)"
	fig "${p}ping_h2g=$r/$s ${p}rtt_h2g_ms=$mn/$RTT_H2G/$mx"
	[ "$s" -gt 0 ] && [ "$r" = "$s" ] || { fail "dom0 -> $1: $r of $s pings answered"; return 1; }
	read -r s r mn RTT_G2H mx _ <<< "$(guest_ping "$1" "$DOM0_IP" 10)"
	fig "${p}ping_g2h=$r/$s ${p}rtt_g2h_ms=$mn/$RTT_G2H/$mx"
	[ "$s" -gt 0 ] && [ "$r" = "$s" ] || { fail "$1 -> dom0: $r of $s pings answered ($(tr '\n' '|' < "$LAB_RUN/guest-ping.out"))"; return 1; }
}

# median V...: the middle of the values given, the lower of the two
# middles for an even count; "" for none.
median() {
	printf '%s\n' "$@" | awk 'NF' | sort -g |
	    awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# measure_rtt_runs NAME IDX RUNS [PREFIX]: RUNS rounds of 10 pings dom0 ->
# guest, all answered; RTT_H2G becomes the median of their averages
# (figures: each round's, the median).
measure_rtt_runs() {
	local ip i s r mn a mx all= p=${4:-}
	ip=$(guest_ip "$2")
	for i in $(seq "$3"); do
		read -r s r mn a mx _ <<< "$(ping_stats "$ip" 10)"
		[ "${s:-0}" -gt 0 ] && [ "$r" = "$s" ] || { fail "dom0 -> $1: $r of $s pings answered (round $i)"; return 1; }
		all="$all $a"
	done
	RTT_H2G=$(median $all)
	all=${all# }
	fig "${p}rtt_h2g_runs_ms=${all// /,} ${p}rtt_h2g_median_ms=$RTT_H2G"
}

# measure_tcp_runs NAME IDX SECS RUNS [PREFIX]: measure_tcp RUNS times (each
# run's figures named PREFIXrunN_); G2H_MBPS and H2G_MBPS become the
# medians (figures: PREFIXguest_tx/rx_median_mbps).
measure_tcp_runs() {
	local i t= r= p=${5:-}
	for i in $(seq "$4"); do
		measure_tcp "$1" "$2" "$3" "${p}run${i}_" || return 1
		t="$t $G2H_MBPS"; r="$r $H2G_MBPS"
	done
	G2H_MBPS=$(median $t); H2G_MBPS=$(median $r)
	fig "${p}guest_tx_median_mbps=$G2H_MBPS ${p}guest_rx_median_mbps=$H2G_MBPS"
}

# measure_tcp NAME IDX SECS [PREFIX]: iperf3 each way (the guest runs the server).
# Sets G2H_MBPS and H2G_MBPS (guest -> host, host -> guest) and G2H_FRAME,
# H2G_FRAME: the average frame size on the vif's host netdev while each
# ran. Frames above the MTU mean GSO super-frames crossed the backend whole.
measure_tcp() {
	local ip d nd b0 p0 secs=${3:-5} p=${4:-}
	ip=$(guest_ip "$2")
	d=$(guest_domid "$1")
	nd=$(vif_netdev "$d" 0)
	b0=$(netdev_stat "$nd" rx_bytes); p0=$(netdev_stat "$nd" rx_packets)
	G2H_MBPS=$(iperf_mbps "$ip" "$secs" -R)
	G2H_FRAME=$(calc "($(netdev_stat "$nd" rx_bytes) - $b0) / ($(netdev_stat "$nd" rx_packets) - $p0 + 1e-9)" 0)
	b0=$(netdev_stat "$nd" tx_bytes); p0=$(netdev_stat "$nd" tx_packets)
	H2G_MBPS=$(iperf_mbps "$ip" "$secs")
	H2G_FRAME=$(calc "($(netdev_stat "$nd" tx_bytes) - $b0) / ($(netdev_stat "$nd" tx_packets) - $p0 + 1e-9)" 0)
	fig "${p}guest_tx_mbps=${G2H_MBPS:-none} ${p}guest_rx_mbps=${H2G_MBPS:-none} ${p}guest_tx_avg_frame=$G2H_FRAME ${p}guest_rx_avg_frame=$H2G_FRAME"
	[ -n "$G2H_MBPS" ] || { fail "iperf3 guest -> dom0 failed: $(iperf_error)"; return 1; }
	[ -n "$H2G_MBPS" ] || { fail "iperf3 dom0 -> guest failed: $(iperf_error)"; return 1; }
}

# ---- data integrity -----------------------------------------------------------
# xfer_check NAME IDX: sends a random file each way, compares checksums.
xfer_check() {
	local ip sum_g sum_h
	ip=$(guest_ip "$2")
	# dom0 -> guest: the guest's nc writes until dom0 closes
	head -c 4194304 /dev/urandom > /tmp/xfer.h2g
	guest_cmd "$1" "$(scaled 20)" "rm -f /tmp/xfer.rx; $(guest_listen 6001 '> /tmp/xfer.rx 2>/dev/null')" > /dev/null
	timeout "$(scaled 60)" bash -c "cat /tmp/xfer.h2g > /dev/tcp/$ip/6001" ||
	    { fail "sending a file to $1 failed"; return 1; }
	# the last bytes may still be on their way when dom0's side is done
	guest_cmd "$1" "$(scaled 30)" 'i=0; while [ "$(wc -c < /tmp/xfer.rx)" -lt 4194304 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done' > /dev/null
	sum_g=$(guest_sum "$1" /tmp/xfer.rx)
	sum_h=$(sha256sum < /tmp/xfer.h2g | cut -d' ' -f1)
	[ "$sum_g" = "$sum_h" ] || { fig "file_h2g=corrupt"; fail "file dom0 -> $1 corrupted (guest sha256 '$sum_g', sent $sum_h)"; return 1; }
	fig "file_h2g=intact"
	# guest -> dom0: the guest's nc runs cat on the file and closes
	guest_cmd "$1" "$(scaled 30)" "head -c 4194304 /dev/urandom > /tmp/xfer.tx; $(guest_listen 6002 '-e cat /tmp/xfer.tx > /dev/null 2>&1')" > /dev/null
	sum_g=$(guest_sum "$1" /tmp/xfer.tx)
	timeout "$(scaled 60)" bash -c "cat < /dev/tcp/$ip/6002" > /tmp/xfer.g2h ||
	    { fail "receiving a file from $1 failed"; return 1; }
	sum_h=$(sha256sum < /tmp/xfer.g2h | cut -d' ' -f1)
	[ "$sum_g" = "$sum_h" ] || { fig "file_g2h=corrupt($(stat -c %s /tmp/xfer.g2h)B)"; fail "file $1 -> dom0 corrupted (guest sha256 '$sum_g', received $sum_h)"; return 1; }
	fig "file_g2h=intact"
	rm -f /tmp/xfer.h2g /tmp/xfer.g2h
}

# data_check NAME IDX: scenario 2's checks on guest NAME's vif 0, wherever
# its backend is (BE_DOMID, BE_NAME; BE_KIND: vifd or kernel, default the
# current backend): offloads on, TCP each way (figures; kept, named with
# KEEP_AS in front, for the side-by-side scenarios; TCP_RUNS runs, the
# medians kept, default 1), GSO across, a file each way intact.
data_check() {
	local d offl gt0 gr0 gt gr sc0= pk0 pk nt0 gc0 kind=${BE_KIND:-$(cur_backend)}
	d=$(guest_domid "$1")
	offl=$(guest_offloads "$1")
	fig "$offl"
	case " $offl " in
	*" sg=on tso=on txcsum=on "*) ;;
	*) fail "guest offloads not all on: $offl"; return 1 ;;
	esac
	if [ "$kind" = vifd ]; then
		gt0=$(vifctl_stat "$d" 0 "$GSO_TX_KEY") && gr0=$(vifctl_stat "$d" 0 "$GSO_RX_KEY") ||
		    { fail "vifctl stats $d 0 has no $GSO_TX_KEY/$GSO_RX_KEY"; return 1; }
		[ -z "${BE_DOMID:-}" ] && sc0=$(vifd_rw_calls) && pk0=$(vif_frames "$d") &&
		    nt0=$(vifctl_stat "$d" 0 notifies) && gc0=$(vif_copy_calls "$d")
	fi
	if [ "${TCP_RUNS:-1}" -gt 1 ]; then
		measure_tcp_runs "$1" "$2" 5 "$TCP_RUNS" || return 1
	else
		measure_tcp "$1" "$2" 5 || return 1
	fi
	if [ -n "$sc0" ]; then
		# What the TCP runs cost vifd per frame it moved either way:
		# read and write system calls (all its threads: the TAP's,
		# eventfds', sockets'; an io_uring batch is neither), event-
		# channel notifications to the guest, grant-copy ioctls.
		pk=$(( $(vif_frames "$d") - pk0 ))
		fig "vifd_rw_syscalls_per_frame=$(calc "($(vifd_rw_calls) - $sc0) / ($pk + 1e-9)" 3)" \
		    "vifd_notifies_per_frame=$(calc "($(vifctl_stat "$d" 0 notifies) - $nt0) / ($pk + 1e-9)" 3)" \
		    "vifd_gntcopy_calls_per_frame=$(calc "($(vif_copy_calls "$d") - $gc0) / ($pk + 1e-9)" 3)"
	fi
	keep "${KEEP_AS:-}guest_tx_mbps" "$G2H_MBPS"
	keep "${KEEP_AS:-}guest_rx_mbps" "$H2G_MBPS"
	if [ "$kind" = vifd ]; then
		gt=$(vifctl_stat "$d" 0 "$GSO_TX_KEY"); gr=$(vifctl_stat "$d" 0 "$GSO_RX_KEY")
		fig "$GSO_TX_KEY=+$((gt - gt0)) $GSO_RX_KEY=+$((gr - gr0))"
		[ $((gt - gt0)) -gt 0 ] || { fail "$GSO_TX_KEY did not move"; return 1; }
	else
		# netback counts no GSO frames: a mean frame above the 1514-byte
		# Ethernet maximum on its vif shows super-frames crossing whole
		[ "$G2H_FRAME" -gt 1514 ] || { fail "guest -> host frames average $G2H_FRAME bytes: no GSO"; return 1; }
	fi
	xfer_check "$1" "$2"
}

# ---- diagnostics ------------------------------------------------------------
# lab_diag: what a failed scenario leaves behind, on the console.
lab_diag() {
	local n
	{
		echo "--- xl list"; timeout -k 2 20 xl list 2>&1
		xs_alive || echo "--- xenstored does not answer within $XS_T s"
		echo "--- backend vif tree"; xs xenstore-ls -f /local/domain/0/backend/vif 2>&1 | head -n 60; echo "(xenstore-ls rc ${PIPESTATUS[0]})"
		echo "--- processes (state, kernel wait)"
		ps -eo pid,stat,wchan:24,etime,args 2>&1 | grep -E 'xenstore|vifd|xl |ping|iperf|vif-|hotplug|STAT' | grep -v grep
		echo "--- host links"; ip -br link 2>&1 | grep -v '^lo'
		for n in $(guests_running); do
			echo "--- console of $n (tail)"; guest_log "$n" | tail -n 15
			echo "--- xl create $n (tail)"; tail -n 8 "$LAB_RUN/xl.$n.log" 2>/dev/null
		done
		if [ -s "$VIFD_LOG" ]; then echo "--- vifd log (tail)"; tail -n 30 "$VIFD_LOG"; fi
		echo "--- dmesg (tail)"; dmesg | tail -n 15
	} | sed 's/^/DIAG /'
}

# ---- the emulation's memory faults ------------------------------------------
# lab_stress SECS: counts how often this machine hands a process memory that
# is not what it should be (tests/xen/memstress.c), in dom0 and in a
# 2-vCPU guest at once, for SECS seconds: LAB_STRESS_DRIVERS drivers in
# each (default 3: one more than the vCPUs, so that processes also switch
# on a vCPU, and the guest's vCPUs compete with dom0's for the two
# pCPUs); dom0's alternate a static and a dynamic probe, the guest has only
# the static one. With LAB_STRESS_TRAFFIC=1, iperf3 runs both ways through
# the vif meanwhile. Every driver writes its own file (no pipe whose
# process could fault in between); the guest's come back through the agent.
# Leaves in $LAB_RUN/stress.out, and prints: one line per driver,
#   MEMSTRESS <dom0.N|guest.N> rounds=N ... faults=N per_1000=X
# its first MEMSTRESS-FAULT lines, and "KERNEL-FAULT <domain> <line>" for
# each segfault or GPF the kernels logged. Returns 1 if the guest did not
# come up. Waits use bash's SECONDS, not external programs.
lab_stress() {
	local secs=$1 i dpids="" tpid="" end n=${LAB_STRESS_DRIVERS:-3} dir=$LAB_RUN/stress
	rm -rf "$dir"
	mkdir -p "$dir"
	: > "$LAB_RUN/stress.out"
	guest_up lab-s 9 2 || return 1
	guest_cmd lab-s "$(scaled 30)" "rm -f /tmp/ms.*; for i in $(seq -s " " "$n"); do memstress -l guest.\$i -s $secs -r 30 /bin/memstress > /tmp/ms.\$i 2>&1 & done; echo started" > /dev/null ||
	    say "stress: the guest's drivers did not start"
	if [ "${LAB_STRESS_TRAFFIC:-0}" = 1 ]; then
		( end=$((SECONDS + secs))
		  while [ "$SECONDS" -lt "$end" ]; do
			timeout 20 iperf3 -c "$(guest_ip 9)" -t 10 -P 2 > /dev/null 2>&1
			timeout 20 iperf3 -c "$(guest_ip 9)" -t 10 -P 2 -R > /dev/null 2>&1
		  done ) &
		tpid=$!
	fi
	for i in $(seq "$n"); do
		"$LAB_DIR/memstress" -l "dom0.$i" -s "$secs" -r 30 "$LAB_DIR/memstress" "$LAB_DIR/memstress-dyn" > "$dir/dom0.$i" 2>&1 &
		dpids="$dpids $!"
	done
	# not a bare wait: vifd is a child of this shell too
	# shellcheck disable=SC2086
	wait $dpids $tpid
	# the guest's drivers end at about the same time; give them 60 s more
	end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(guest_cmd lab-s 20 "cat /tmp/ms.* | grep -c '^MEMSTRESS '")" = "$n" ] && break
		sleep 2
	done
	guest_cmd lab-s 30 "grep -h '^MEMSTRESS' /tmp/ms.* | grep -v PROGRESS | head -n $((n + 10))" > "$dir/guest"
	{
		cat "$dir"/dom0.* "$dir/guest" | grep '^MEMSTRESS ' 
		cat "$dir"/dom0.* "$dir/guest" | grep '^MEMSTRESS-FAULT' | head -n 10
		env_faults | sed 's/^/KERNEL-FAULT /'
	} | tee "$LAB_RUN/stress.out"
	timeout -k 2 "$(scaled 60)" xl destroy lab-s 2>/dev/null
	return 0
}
