#!/bin/sh
# vifctl.sh - vifctl attach, detach, list and rate against the real C
# xenstored of a simulated Xen machine, with this script playing the
# backend: a background loop that answers a new backend directory
# (state 1) with InitWait (2) and Closing (5) with Closed (6), or stays
# mute, or refuses, as each test needs. No vifd is involved.
# Prints TAP. Needs xensim (tools/xensim) and Debian's xenstore-utils.
set -u

. "$(dirname "$0")/../lib/tap.sh"

B=${VIFD_BUILDDIR:-.}
VIFCTL=$B/tools/vifctl/vifctl
XENSIM=$B/tools/xensim/xensim

if [ ! -x "$VIFCTL" ] || [ ! -x "$XENSIM" ]; then
	echo "1..0 # SKIP needs $VIFCTL and $XENSIM"
	exit 0
fi
for t in xenstore-read xenstore-write xenstore-list xenstore-ls xenstore-rm; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "1..0 # SKIP needs $t (Debian: xenstore-utils)"
		exit 0
	fi
done

# Unix socket paths must stay short: /tmp, not a deep build directory.
T=$(mktemp -d /tmp/vifctl-rig.XXXXXX) || exit 1
M=$T/m
FB_PID=
cleanup() {
	touch "$T/stop"
	if [ -n "$FB_PID" ]; then
		kill "$FB_PID" 2>/dev/null
		wait "$FB_PID" 2>/dev/null
	fi
	"$XENSIM" destroy "$M" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM


xs() { "$XENSIM" exec "$M" -- "$@"; }
V() { "$VIFCTL" --xen="sim:$M" "$@"; }

"$XENSIM" create "$M" >"$T/log" 2>&1 || { diag_file "$T/log"; bail "xensim create"; }
for d in 1 2 3; do
	"$XENSIM" domain "$M" add "$d" >"$T/log" 2>&1 ||
	    { diag_file "$T/log"; bail "xensim domain add $d"; }
done

# ---- the fake backend --------------------------------------------------------
# Mode (file $T/mode): ok (2 on 1, 6 on 5), mute (nothing), refuse (6 on 1).
# It serves the backend dirs of domains 0 and 2, and logs what it sees.
cat >"$T/fakebe.sh" <<'EOF'
#!/bin/sh
T=$1
end=$(($(date +%s) + 300))	# never outlive a broken test by long
while [ ! -e "$T/stop" ] && [ "$(date +%s)" -lt "$end" ]; do
	mode=$(cat "$T/mode" 2>/dev/null)
	echo "$mode" >"$T/mode.ack.new" && mv "$T/mode.ack.new" "$T/mode.ack"
	for b in 0 2; do
		for g in $(xenstore-list /local/domain/$b/backend/vif 2>/dev/null); do
			for d in $(xenstore-list /local/domain/$b/backend/vif/$g 2>/dev/null); do
				p=/local/domain/$b/backend/vif/$g/$d
				s=$(xenstore-read $p/state 2>/dev/null) || continue
				case "$mode:$s" in
				ok:1)
					xenstore-write $p/state 2
					echo "initwait $p" >>"$T/fb.log" ;;
				ok:5)
					o=$(xenstore-read $p/online 2>/dev/null)
					xenstore-write $p/state 6
					echo "closed $p online=$o" >>"$T/fb.log" ;;
				refuse:1)
					xenstore-write $p/state 6 ;;
				esac
			done
		done
	done
	sleep 0.05
done
EOF
echo ok >"$T/mode"
: >"$T/fb.log"
xs sh "$T/fakebe.sh" "$T" &
FB_PID=$!
# Switches the mode and waits until the loop has seen it (a full pass).
mode() {
	echo "$1" >"$T/mode"
	rm -f "$T/mode.ack"
	i=0
	while [ "$(cat "$T/mode.ack" 2>/dev/null)" != "$1" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	rm -f "$T/mode.ack"
	while [ ! -e "$T/mode.ack" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# Values of a node, or "<none>".
get() { xs xenstore-read "$1" 2>/dev/null || echo "<none>"; }
# xenstore-ls -fp of a vif's two directories, as `vifctl parse --perms`
# prints them: the nodes only (not the directories), sorted.
dump() { # BACKEND DOMID DEVID
	{
		xs xenstore-ls -fp "/local/domain/$1/backend/vif/$2/$3"
		xs xenstore-ls -fp "/local/domain/$2/device/vif/$3"
	} | sed 's/"   *(/"  (/' | LC_ALL=C sort
}

# ---- attach ------------------------------------------------------------------
SPEC='mac=00:16:3e:12:34:56,bridge=br1,rate=1MB/s@20ms,mtu=9000,vifname=web0'
V attach 1 "$SPEC" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && [ "$(cat "$T/out")" = 0 ] && [ ! -s "$T/err" ]
r=$?
[ "$r" = 0 ] || { echo "# rc $rc, out: $(cat "$T/out")"; diag_file "$T/err"; }
check "attach prints devid 0 once the backend is in InitWait" test "$r" = 0

# What attach wrote is exactly what parse prints, permissions included
# (the backend has moved state to 2 since).
V parse --perms --domid 1 "$SPEC" |
    sed 's|^\(/local/domain/0/backend/vif/1/0/state = \)"1"|\1"2"|' |
    LC_ALL=C sort >"$T/want"
dump 0 1 0 >"$T/got"
diff -u "$T/want" "$T/got" >"$T/diff"
r=$?
[ "$r" = 0 ] || diag_file "$T/diff"
check "attach writes parse's nodes with libxl's permissions" test "$r" = 0

# The directories' own permissions.
xs xenstore-ls -p /local/domain/0/backend/vif/1 | grep -q '^0 = "" .*(n0,r1)$' &&
    xs xenstore-ls -p /local/domain/1/device/vif | grep -q '^0 = "" .*(n1,r0)$'
check "backend dir owned by the backend, frontend dir by the guest" test $? = 0

V attach 1 'mac=00:16:3e:00:00:02' >"$T/out" 2>&1 && [ "$(cat "$T/out")" = 1 ]
check "the next attach gets the next free devid" test $? = 0

V attach 1 'devid=1,mac=00:16:3e:00:00:03' >"$T/out" 2>"$T/err"
[ $? = 1 ] && grep -q "already exists" "$T/err" &&
    [ "$(get /local/domain/1/device/vif/1/mac)" = 00:16:3e:00:00:02 ]
check "attach to a devid in use fails and changes nothing" test $? = 0

V attach --devid 5 1 'mac=00:16:3e:00:00:05' >"$T/out" 2>&1 &&
    [ "$(cat "$T/out")" = 5 ] &&
    [ "$(get /local/domain/0/backend/vif/1/5/handle)" = 5 ]
check "attach --devid" test $? = 0

# Several attaches at once: transactions conflict (EAGAIN) and are retried;
# every attach gets its own devid.
pids=
for i in 1 2 3 4; do
	V attach 3 "mac=00:16:3e:00:03:0$i" >"$T/par$i" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
sort "$T/par1" "$T/par2" "$T/par3" "$T/par4" >"$T/out"
printf '0\n1\n2\n3\n' | diff - "$T/out" >/dev/null
r=$?
[ "$r" = 0 ] || diag_file "$T/out"
check "four concurrent attaches get devids 0..3" test "$r" = 0

# A backend named by domain name: a driver domain.
V attach 1 'backend=xensim-2,mac=00:16:3e:00:00:22' >"$T/out" 2>"$T/err"
r=$?
[ "$r" = 0 ] && [ "$(cat "$T/out")" = 6 ] &&
    [ "$(get /local/domain/1/device/vif/6/backend-id)" = 2 ] &&
    [ "$(get /local/domain/2/backend/vif/1/6/state)" = 2 ] &&
    xs xenstore-ls -p /local/domain/2/backend/vif/1 | grep -q '^6 = "" .*(n2,r1)$'
r=$?
[ "$r" = 0 ] || diag_file "$T/err"
check "backend=NAME resolves the driver domain" test "$r" = 0

# ---- list --------------------------------------------------------------------
V list >"$T/list" 2>&1
grep -q '^0  *1  *0  *2 InitWait  *1 Initialising  *00:16:3e:12:34:56 web0$' "$T/list" &&
    grep -q '^0  *1  *1  *2 InitWait  *1 Initialising  *00:16:3e:00:00:02 vif1.1$' "$T/list" &&
    grep -q '^2  *1  *6  *2 InitWait ' "$T/list" &&
    [ "$(grep -c '^0  *3 ' "$T/list")" = 4 ] &&
    [ "$(wc -l <"$T/list")" = 9 ]
r=$?
[ "$r" = 0 ] || diag_file "$T/list"
check "list shows every vif with both states, MAC and TAP name" test "$r" = 0

V --backend-domid 2 list >"$T/list" 2>&1 && [ "$(wc -l <"$T/list")" = 2 ] &&
    grep -q '^2  *1  *6 ' "$T/list"
check "list --backend-domid" test $? = 0

# ---- rate --------------------------------------------------------------------
BE=/local/domain/0/backend/vif/1/0
V rate 1 0 --outbound 10Mb/s --inbound 1MB/s@20ms >"$T/out" 2>&1 &&
    [ "$(get $BE/rate)" = 62500,50000 ] &&
    [ "$(get $BE/vifd-inbound-rate)" = 20000,20000 ] &&
    xs xenstore-ls -p $BE | grep -q '^vifd-inbound-rate = "20000,20000" .*(n0,r1)$'
check "rate writes rate and vifd-inbound-rate as bytes,usec" test $? = 0

V rate 1 0 --outbound=2GB/s@1s >/dev/null 2>&1 &&
    [ "$(get $BE/rate)" = 2000000000,1000000 ] &&
    [ "$(get $BE/vifd-inbound-rate)" = 20000,20000 ]
check "rate changes one direction, leaves the other" test $? = 0

V rate 1 0 --outbound 1MB/s --inbound bogus >"$T/out" 2>"$T/err"
[ $? = 2 ] && grep -q "inbound 'bogus'" "$T/err" &&
    [ "$(get $BE/rate)" = 2000000000,1000000 ]
check "a bad RATE is exit 2 and nothing is written" test $? = 0

V rate 1 0 --outbound none --inbound unlimited >/dev/null 2>&1 &&
    [ "$(get $BE/rate)" = "<none>" ] &&
    [ "$(get $BE/vifd-inbound-rate)" = "<none>" ]
check "rate none / unlimited removes the keys" test $? = 0

# libvirt's form: the per-vif shape keys, in bytes; rate (libxl's) stays.
V rate 1 0 --outbound 10Mb/s >/dev/null 2>&1 &&
V rate 1 0 --outbound 1000,4000,2048 --inbound 500 >"$T/out" 2>&1 &&
    [ "$(get $BE/vifd-outbound-shape)" = 1024000,4096000,2097152 ] &&
    [ "$(get $BE/vifd-inbound-shape)" = 512000,, ] &&
    [ "$(get $BE/rate)" = 62500,50000 ] &&
    xs xenstore-ls -p $BE | grep -q '^vifd-outbound-shape = "1024000,4096000,2097152" .*(n0,r1)$' &&
    grep -q 'per vif' "$T/out"
check "rate AVERAGE,PEAK,BURST writes the shape keys in bytes" test $? = 0

V rate 1 0 --outbound 1000,4000,2048 --inbound 2000,1000 >"$T/out" 2>"$T/err"
[ $? = 2 ] && grep -q 'inbound "2000,1000": peak 1000 KiB/s is below' "$T/err" &&
    [ "$(get $BE/vifd-inbound-shape)" = 512000,, ]
check "peak below average: exit 2, nothing written" test $? = 0

V rate 1 0 --outbound 1000,,64 >/dev/null 2>&1 &&
    [ "$(get $BE/vifd-outbound-shape)" = 1024000,,65536 ]
check "an empty PEAK is no peak" test $? = 0

V rate 1 0 --outbound 20Mb/s >/dev/null 2>&1 &&
    [ "$(get $BE/vifd-outbound-shape)" = "<none>" ] &&
    [ "$(get $BE/rate)" = 125000,50000 ] &&
    [ "$(get $BE/vifd-inbound-shape)" = 512000,, ]
check "an xl RATE replaces the direction's shape" test $? = 0

V rate 1 0 --inbound none >/dev/null 2>&1 &&
    [ "$(get $BE/vifd-inbound-shape)" = "<none>" ] &&
    [ "$(get $BE/vifd-inbound-rate)" = "<none>" ] &&
V rate 1 0 --outbound none >/dev/null 2>&1 && [ "$(get $BE/rate)" = "<none>" ]
check "none removes the rate and the shape" test $? = 0

V rate 1 9 --outbound 1MB/s >/dev/null 2>"$T/err"
[ $? = 1 ] && [ "$(get /local/domain/0/backend/vif/1/9)" = "<none>" ]
check "rate on a missing vif fails and creates nothing" test $? = 0

# ---- detach ------------------------------------------------------------------
V detach 1 1 >"$T/out" 2>"$T/err"
r=$?
[ "$r" = 0 ] &&
    grep -q "closed /local/domain/0/backend/vif/1/1 online=0" "$T/fb.log" &&
    [ "$(get /local/domain/0/backend/vif/1/1)" = "<none>" ] &&
    [ "$(get /local/domain/1/device/vif/1)" = "<none>" ] &&
    [ "$(get /local/domain/0/backend/vif/1/0/state)" = 2 ]
r=$?
[ "$r" = 0 ] || { diag_file "$T/err"; diag_file "$T/fb.log"; }
check "detach: online=0, Closing, Closed, both dirs removed" test "$r" = 0

V detach 1 6 >/dev/null 2>"$T/err" &&
    grep -q "closed /local/domain/2/backend/vif/1/6 online=0" "$T/fb.log" &&
    [ "$(get /local/domain/2/backend/vif/1/6)" = "<none>" ] &&
    [ "$(get /local/domain/1/device/vif/6)" = "<none>" ]
check "detach finds a driver domain's vif through backend-id" test $? = 0

V detach 1 1 >/dev/null 2>"$T/err"
[ $? = 1 ] && grep -q "no vif 1/1" "$T/err"
check "detach of a missing vif fails" test $? = 0

# ---- timeouts and unusual backends -------------------------------------------
mode mute
V attach --timeout 0.5 --devid 1 1 'mac=00:16:3e:00:00:07' >"$T/out" 2>"$T/err"
[ $? = 1 ] && [ ! -s "$T/out" ] && grep -q "did not reach InitWait" "$T/err" &&
    [ "$(get /local/domain/0/backend/vif/1/1/state)" = 1 ] &&
    [ "$(get /local/domain/1/device/vif/1/state)" = 1 ]
r=$?
[ "$r" = 0 ] || diag_file "$T/err"
check "attach timeout: exit 1, the nodes stay (as libxl)" test "$r" = 0

V detach --timeout 0.3 1 1 >/dev/null 2>"$T/err"
[ $? = 1 ] && grep -q "did not reach Closed" "$T/err" &&
    [ "$(get /local/domain/0/backend/vif/1/1)" = "<none>" ] &&
    [ "$(get /local/domain/1/device/vif/1)" = "<none>" ]
r=$?
[ "$r" = 0 ] || diag_file "$T/err"
check "detach timeout: exit 1, the nodes removed anyway (as libxl)" test "$r" = 0

mode refuse
V attach --timeout 5 1 'devid=1,mac=00:16:3e:00:00:08' >/dev/null 2>"$T/err"
[ $? = 1 ] && grep -q "went to state 6 (Closed)" "$T/err"
check "attach fails at once when the backend refuses" test $? = 0
mode ok
V detach 1 1 >/dev/null 2>&1 && [ "$(get /local/domain/1/device/vif/1)" = "<none>" ]
check "detach of an already Closed backend" test $? = 0

# The backend domain vanished: its directory is gone, the frontend stays.
V attach 1 'mac=00:16:3e:00:00:09' >"$T/out" 2>&1
d=$(cat "$T/out")
xs xenstore-rm "/local/domain/0/backend/vif/1/$d"
V detach 1 "$d" >/dev/null 2>"$T/err" &&
    [ "$(get "/local/domain/1/device/vif/$d")" = "<none>" ]
r=$?
[ "$r" = 0 ] || diag_file "$T/err"
check "detach with the backend gone cleans the frontend" test "$r" = 0

# ---- clean-up of the whole tree ----------------------------------------------
for d in 0 5; do V detach 1 $d >/dev/null 2>&1; done
for d in 0 1 2 3; do V detach 3 $d >/dev/null 2>&1; done
V list >"$T/list" 2>&1 && [ "$(wc -l <"$T/list")" = 1 ] &&
    [ "$(get /local/domain/1/device/vif)" = "<none>" ] &&
    [ "$(get /local/domain/0/backend/vif)" = "<none>" ] &&
    [ "$(get /local/domain/1/name)" = xensim-1 ]
r=$?
[ "$r" = 0 ] || { diag_file "$T/list"; xs xenstore-ls -f /local/domain | sed 's/^/# /'; }
check "after the last detach, the empty vif directories are gone too" test "$r" = 0

done_testing
