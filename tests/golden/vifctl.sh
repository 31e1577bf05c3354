#!/bin/sh
# vifctl.sh - `vifctl parse` against the golden files in tests/golden/vifctl,
# plus the command-line checks that need no xenstore. Prints TAP.
#
# Each NAME.spec holds:
#   spec: SPEC          the spec, verbatim after "spec: " (may be empty;
#                       no such line: vifctl parse gets no spec at all)
#   args: OPTIONS       options for vifctl parse (word-split, optional)
#   random-mac: yes     the spec has no mac: mac values are replaced by
#                       RANDOM before comparing (their format is checked)
# and the expected results are NAME.out (stdout; exit status 0) and/or
# NAME.err (stderr; exit status 2 when there is no NAME.out).
# Needs no root and no Xen.
set -u

. "$(dirname "$0")/../lib/tap.sh"

VIFCTL=${VIFD_BUILDDIR:-.}/tools/vifctl/vifctl
DIR=${VIFD_SRCDIR:-.}/tests/golden/vifctl
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vifctl-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$VIFCTL" ]; then
	bail "no $VIFCTL"
fi

# ---- golden files ------------------------------------------------------------
for f in "$DIR"/*.spec; do
	name=$(basename "$f" .spec)
	args=$(sed -n 's/^args: *//p' "$f")
	random=$(sed -n 's/^random-mac: *//p' "$f")
	if grep -q '^spec:' "$f"; then
		spec=$(sed -n 's/^spec: \{0,1\}//p' "$f")
		# shellcheck disable=SC2086 # args are meant to be split
		"$VIFCTL" parse $args "$spec" >"$tmp/out" 2>"$tmp/err"
	else
		# shellcheck disable=SC2086
		"$VIFCTL" parse $args >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
	if [ -f "$DIR/$name.out" ]; then want=0; else want=2; fi
	bad=0
	if [ "$rc" != "$want" ]; then
		echo "# $name: exit status $rc, want $want"
		bad=1
	fi
	if [ "$random" = yes ]; then
		# Both dirs carry the same generated MAC, of libxl's form.
		macs=$(sed -n 's|^.*/mac = "\(.*\)"$|\1|p' "$tmp/out" | sort -u)
		if ! printf '%s\n' "$macs" |
		    grep -qx '00:16:3e:[0-7][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]' ||
		    [ "$(printf '%s\n' "$macs" | wc -l)" != 1 ]; then
			echo "# $name: generated MACs '$macs'"
			bad=1
		fi
		sed 's|^\(.*/mac = "\).*"$|\1RANDOM"|' "$tmp/out" >"$tmp/out2"
		mv "$tmp/out2" "$tmp/out"
	fi
	if [ -f "$DIR/$name.out" ] && ! diff -u "$DIR/$name.out" "$tmp/out" \
	    >"$tmp/diff"; then
		diag_file "$tmp/diff"
		bad=1
	fi
	if [ ! -f "$DIR/$name.out" ] && [ -s "$tmp/out" ]; then
		echo "# $name: unexpected output:"
		diag_file "$tmp/out"
		bad=1
	fi
	if [ -f "$DIR/$name.err" ]; then
		if ! diff -u "$DIR/$name.err" "$tmp/err" >"$tmp/diff"; then
			diag_file "$tmp/diff"
			bad=1
		fi
	elif [ -s "$tmp/err" ]; then
		echo "# $name: unexpected messages:"
		diag_file "$tmp/err"
		bad=1
	fi
	check "golden $name" test "$bad" = 0
done

# ---- generated MACs ----------------------------------------------------------
"$VIFCTL" parse --mac-mode=local '' >"$tmp/a" 2>&1 &&
    "$VIFCTL" parse --mac-mode=local 'bridge=br0' >"$tmp/b" 2>&1
rc=$?
ma=$(sed -n 's|^/local/domain/1/device/vif/0/mac = "\(.*\)"$|\1|p' "$tmp/a")
mb=$(sed -n 's|^/local/domain/1/device/vif/0/mac = "\(.*\)"$|\1|p' "$tmp/b")
bad=0
[ "$rc" = 0 ] || bad=1
# Locally administered, not multicast: the first byte is xxxxxx10.
printf '%s\n' "$ma" "$mb" |
    grep -qvx '[0-9a-f][26ae]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]' &&
    bad=1
# 46 random bits: two runs differ.
[ -n "$ma" ] && [ "$ma" != "$mb" ] || bad=1
grep -q "^/local/domain/0/backend/vif/1/0/mac = \"$ma\"$" "$tmp/a" || bad=1
[ "$bad" = 0 ] || echo "# local MACs '$ma' '$mb' (rc $rc)"
check "generated locally administered MACs" test "$bad" = 0

# ---- the command line --------------------------------------------------------
# Unknown commands and options: exit 2 and one line naming them.
one_line() { # WANT_IN_MESSAGE ARGS...
	want=$1
	shift
	"$VIFCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] &&
	    grep -q -- "$want" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		return 0
	fi
	echo "# vifctl $*: exit $rc"
	diag_file "$tmp/err"
	return 1
}
check "unknown command" one_line "unknown command 'frob'" frob
check "unknown global option" one_line "unknown option '--frob'" --frob parse ''
check "unknown parse option" one_line "unknown option '--frob'" parse --frob ''
check "unknown short option" one_line "unknown option '-q'" list -q
check "no command" one_line "no command given"
check "option without its value" one_line "needs a value" parse '' --domid
check "bad DOMID" one_line "DOMID 'x'" detach x 0
check "bad DEVID" one_line "DEVID '-1'" detach 1 -- -1
check "zero timeout" one_line "--timeout '0'" detach --timeout 0 1 0
check "bad backend domid" one_line "--backend-domid '32752'" --backend-domid=32752 list
one_line "--xen 'sim:': expected real or sim:DIR" --xen=sim: list
check "empty --xen=sim:" test $? = 0
one_line "--xen 'kvm': expected real or sim:DIR" list --xen=kvm
check "bad --xen after the command" test $? = 0
check "attach without spec" one_line "expected DOMID and a vif spec" attach 1
check "rate without a limit" one_line "nothing to do" rate 1 0

# Bad input is found before any xenstore is looked for: exit 2 even though
# the simulated machine does not exist.
nox="--xen=sim:$tmp/no-such-machine"
one_line "bad vif spec: mac='nope': not a MAC" "$nox" attach 1 'mac=nope'
check "attach: bad spec is exit 2, before xenstore" test $? = 0
one_line "rate: --outbound '10ZB/s': invalid rate" "$nox" rate 1 0 \
    --outbound=10ZB/s --inbound=none
check "rate: bad RATE is exit 2, nothing written" test $? = 0
one_line "rate: --inbound '1MB/s@0ms': replenishment interval" "$nox" \
    rate --inbound 1MB/s@0ms 1 0
check "rate: bad inbound RATE" test $? = 0
# libvirt's AVERAGE[,PEAK[,BURST]] (KiB/s, KiB/s, KiB): each bad part named.
one_line "rate: --outbound \"1000,500\": peak 500 KiB/s is below the average 1000 KiB/s" \
    "$nox" rate 1 0 --outbound=1000,500 --inbound=none
check "rate: peak below average is exit 2, before xenstore" test $? = 0
one_line "rate: --inbound \"1000,2000,0\": burst 0 KiB" "$nox" rate 1 0 \
    --inbound=1000,2000,0
check "rate: a burst of 0 is exit 2" test $? = 0
one_line "\"0,2000\": average 0" "$nox" rate 1 0 --outbound=0,2000
check "rate: a zero average with a peak is exit 2" test $? = 0
one_line "peak \"2k00\" is not a whole decimal number" "$nox" rate 1 0 \
    --outbound=1000,2k00,64
check "rate: a garbled peak is named" test $? = 0
one_line "more than three fields" "$nox" rate 1 0 --inbound=1,2,3,4
check "rate: a fourth field is exit 2" test $? = 0
one_line "average \"18014398509481984\" is too large" "$nox" rate 1 0 \
    --inbound=18014398509481984
check "rate: an average beyond 2^64-1 bytes is exit 2" test $? = 0
one_line "rate: --outbound '10ZB/s'" "$nox" rate 1 0 --outbound=10ZB/s \
    --inbound=1000,2000,64
check "rate: a bad xl RATE beside a good shape: exit 2" test $? = 0
# ...and a missing machine is a runtime failure, exit 1.
"$VIFCTL" "$nox" list >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && [ -s "$tmp/err" ]
check "a missing simulated machine is exit 1" test $? = 0

"$VIFCTL" --help >"$tmp/out" 2>&1 && grep -q 'attach' "$tmp/out" &&
    grep -q 'rate' "$tmp/out"
check "--help lists the commands" test $? = 0
"$VIFCTL" attach --help >"$tmp/out" 2>&1 && grep -q -- '--timeout' "$tmp/out"
check "attach --help lists its options" test $? = 0

done_testing
