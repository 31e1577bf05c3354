#!/bin/bash
# vif-guest.sh - vif-guest's control half against the real C xenstored
# of a simulated Xen machine, with this script playing toolstack and
# backend by hand (xenstore-write): the keys netfront writes (multi-queue,
# split channels, features left out, stale keys removed), the reaction to
# each backend state (Closing -> Closed -> reconnect with fresh rings),
# SIGTERM's close, SIGUSR1's counters, spoiled keys in evil mode, and the
# exit codes. No vifd and no TAP: sink and evil modes only, no root.
# Prints TAP. Needs xensim (tools/xensim) and Debian's xenstore-utils.
set -u

. "$(dirname "$0")/../lib/tap.sh"

B=${VIFD_BUILDDIR:-.}
G=$B/tools/vif-guest/vif-guest
XENSIM=$B/tools/xensim/xensim

if [ ! -x "$G" ] || [ ! -x "$XENSIM" ]; then
	echo "1..0 # SKIP needs $G and $XENSIM"
	exit 0
fi
for t in xenstore-read xenstore-write xenstore-exists xenstore-rm; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP needs $t (Debian: xenstore-utils)"
		exit 0
	fi
done

# Unix socket paths must stay short: /tmp, not a deep build directory.
T=$(mktemp -d /tmp/vg-rig.XXXXXX) || exit 1
M=$T/m
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$XENSIM" destroy "$M" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

xs() { "$XENSIM" exec "$M" -- "$@"; }
r() { xs xenstore-read "$1" 2>/dev/null; }
w() { xs xenstore-write "$@"; }
is() { [ "$(r "$1")" = "$2" ]; }
absent() { ! xs xenstore-exists "$1" 2>/dev/null; }
numeric() { r "$1" | grep -Eq '^[0-9]+$'; }
both_numeric() { numeric "$1" && numeric "$2"; }
both_absent() { absent "$1" && absent "$2"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

FE=/local/domain/1/device/vif/0
BE=/local/domain/0/backend/vif/1/0

"$XENSIM" create "$M" >"$T/log" 2>&1 || { diag_file "$T/log"; bail "xensim create"; }
"$XENSIM" domain "$M" add 1 >"$T/log" 2>&1 || { diag_file "$T/log"; bail "domain add"; }

# What libxl writes for a vif, then what netback's probe writes.
toolstack() {
	w "$BE/frontend" "$FE" "$BE/frontend-id" 1 "$BE/online" 1 \
	    "$BE/state" 1 "$BE/handle" 0 "$BE/mac" 00:16:3e:00:00:01 \
	    "$FE/backend" "$BE" "$FE/backend-id" 0 "$FE/state" 1 \
	    "$FE/handle" 0 "$FE/mac" 00:16:3e:00:00:01 "$FE/mtu" 1500
}
backend_probe() {
	w "$BE/feature-sg" 1 "$BE/feature-gso-tcpv4" 1 \
	    "$BE/feature-gso-tcpv6" 1 "$BE/feature-ipv6-csum-offload" 1 \
	    "$BE/feature-rx-copy" 1 "$BE/feature-rx-flip" 0 \
	    "$BE/feature-split-event-channels" 1 \
	    "$BE/multi-queue-max-queues" 2 "$BE/state" 2
}

# ---- command line and start-up errors ------------------------------------
"$G" --xen="sim:$M" --domid 1 --bogus >/dev/null 2>"$T/err"
rc=$?
check "an unknown option exits 2" [ $rc = 2 ]
check "... with a message" grep -q "unknown option '--bogus'" "$T/err"
"$G" --xen="sim:$M" --domid 9 --mode sink --seconds 1 >/dev/null 2>"$T/err"
rc=$?
check "a missing domain exits 1" [ $rc = 1 ]
check "... saying so" grep -q "no such domain" "$T/err"
"$G" --xen="sim:$M" --domid 1 --timeout 1 --mode sink --seconds 1 \
    >/dev/null 2>"$T/err"
rc=$?
check "no vif within --timeout exits 1" [ $rc = 1 ]
check "... naming the missing key" grep -q "$FE/backend" "$T/err"

# ---- bring-up: the guest starts before the toolstack -----------------------
"$G" --xen="sim:$M" --domid 1 --mode sink --seconds 600 --queues 2 \
    --timeout 10 >"$T/g1.out" 2>"$T/g1.log" &
G1=$!
PIDS+=("$G1")
sleep 0.3
toolstack
check "frontend goes Initialising" waitfor 10 is "$FE/state" 1
backend_probe
check "frontend reaches Connected" waitfor 10 is "$FE/state" 4
check "multi-queue-num-queues = min(2, backend max 2)" is "$FE/multi-queue-num-queues" 2
check "per-queue ring refs" both_numeric "$FE/queue-0/tx-ring-ref" \
    "$FE/queue-1/rx-ring-ref"
check "split event channels per queue" both_numeric \
    "$FE/queue-0/event-channel-tx" "$FE/queue-1/event-channel-rx"
check "no top-level ring keys with 2 queues" absent "$FE/tx-ring-ref"
good=1
for k in request-rx-copy feature-rx-notify feature-sg feature-gso-tcpv4 \
    feature-gso-tcpv6 feature-ipv6-csum-offload; do
	is "$FE/$k" 1 || { good=0; echo "# $k = '$(r "$FE/$k")'"; }
done
check "feature keys as Linux netfront writes them" [ $good = 1 ]
check "no feature-no-csum-offload" absent "$FE/feature-no-csum-offload"
ref1=$(r "$FE/queue-0/tx-ring-ref")

# ---- the backend closes: Closed, then a fresh connection --------------------
w "$BE/state" 5
check "backend Closing: frontend goes straight to Closed" waitfor 10 is "$FE/state" 6
w "$BE/state" 6
check "backend Closed: frontend starts over (Initialising)" waitfor 10 is "$FE/state" 1
w "$BE/state" 2
check "backend InitWait: Connected again" waitfor 10 is "$FE/state" 4
ref2=$(r "$FE/queue-0/tx-ring-ref")
check "with fresh rings (tx-ring-ref $ref1 -> $ref2)" [ -n "$ref2" -a "$ref1" != "$ref2" ]

kill -USR1 "$G1"
check "SIGUSR1 prints counters" waitfor 5 grep -q '^queues 2$' "$T/g1.out"
check "... 256 RX buffers per queue and connection" grep -q '^rx_bufs_posted 1024$' "$T/g1.out"
check "... per queue too" grep -q '^q1.rx_bufs_posted 512$' "$T/g1.out"

# ---- SIGTERM: Closing, wait for the backend, Closed -------------------------
kill -TERM "$G1"
check "SIGTERM: frontend Closing" waitfor 10 is "$FE/state" 5
w "$BE/state" 5
check "backend Closing: frontend Closed" waitfor 10 is "$FE/state" 6
w "$BE/state" 6
wait "$G1"
rc=$?
check "... and exits 0" [ $rc = 0 ]
PIDS=()

# ---- features left out, one queue, stale keys removed -----------------------
w "$BE/state" 2
"$G" --xen="sim:$M" --domid 1 --mode sink --seconds 600 --queues 1 \
    --no-split --no-sg --no-gso --no-csum-offload --exit-on-close \
    --timeout 10 >"$T/g2.out" 2>"$T/g2.log" &
G2=$!
PIDS+=("$G2")
check "one queue: Connected" waitfor 10 is "$FE/state" 4
check "flat keys, one event channel" numeric "$FE/event-channel"
check "the old queue-0 directory is gone" absent "$FE/queue-0"
check "feature-sg and feature-gso-* left out" both_absent "$FE/feature-sg" \
    "$FE/feature-gso-tcpv4"
check "feature-no-csum-offload = 1" is "$FE/feature-no-csum-offload" 1
check "request-rx-copy still 1" is "$FE/request-rx-copy" 1
w "$BE/state" 5
check "--exit-on-close: Closed" waitfor 10 is "$FE/state" 6
w "$BE/state" 6
waitfor 10 gone "$G2"
wait "$G2"
rc=$?
check "... and exits 0" [ $rc = 0 ]
PIDS=()

# ---- evil: spoiled keys -----------------------------------------------------
w "$BE/state" 2
timeout 30 "$G" --xen="sim:$M" --domid 1 --mode evil --attack keys-ref-nan \
    --queues 2 \
    --wait 0.5 --seconds 0.1 --abandon --timeout 5 >"$T/g3.out" 2>"$T/g3.log"
rc=$?
check "evil keys-ref-nan exits 0" [ $rc = 0 ]
check "... wrote tx-ring-ref = nan" is "$FE/queue-0/tx-ring-ref" nan
check "... reported the backend's state" grep -q '^result: backend state: InitWait$' "$T/g3.out"
check "... and ended its report" grep -q '^result: done$' "$T/g3.out"

# ---- a backend without the copying receive path -----------------------------
xs xenstore-rm "$BE/feature-rx-copy"
w "$FE/state" 1 "$BE/state" 2
"$G" --xen="sim:$M" --domid 1 --mode sink --seconds 1 --timeout 5 \
    >/dev/null 2>"$T/err"
rc=$?
check "no feature-rx-copy: exits 1" [ $rc = 1 ]
check "... saying why" grep -q "copying receive path" "$T/err"

if [ "$T_FAIL" -gt 0 ]; then
	for f in "$T"/g*.log; do echo "# --- $f"; diag_file "$f"; done
fi
done_testing
