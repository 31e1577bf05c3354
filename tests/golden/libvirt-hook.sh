#!/bin/sh
# libvirt-hook.sh - `vifctl libvirt-hook --dry-run` on recorded libvirt
# domain XML (tests/golden/libvirt): the vifctl commands each <interface>
# becomes (NAME.out, exit 0), the warnings (NAME.err beside NAME.out) and
# the refusals (NAME.err alone, exit 1, nothing planned); and the
# operations the hook lets through untouched. Needs no root and no Xen.
set -u

. "$(dirname "$0")/../lib/tap.sh"

VIFCTL=${VIFD_BUILDDIR:-.}/tools/vifctl/vifctl
DIR=${VIFD_SRCDIR:-.}/tests/golden/libvirt
tmp=$(mktemp -d "${TMPDIR:-/tmp}/libvirt-hook.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

[ -x "$VIFCTL" ] || bail "no $VIFCTL"

for f in "$DIR"/*.xml; do
	t=${f%.xml}
	name=$(sed -n 's:.*<name>\([^<]*\)</name>.*:\1:p' "$f" | head -n 1)
	"$VIFCTL" libvirt-hook --dry-run "${name:-bad}" started begin - \
	    <"$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$(basename "$t")
	if [ -f "$t.out" ]; then
		check "$n: exit 0" [ $rc = 0 ]
		check "$n: the commands" cmp -s "$t.out" "$tmp/out"
	else
		check "$n: refused (exit 1)" [ $rc = 1 ]
		check "$n: nothing planned" [ ! -s "$tmp/out" ]
	fi
	if [ -f "$t.err" ]; then
		check "$n: the message" cmp -s "$t.err" "$tmp/err"
	else
		check "$n: no message" [ ! -s "$tmp/err" ]
	fi
	if ! cmp -s "$t.err" "$tmp/err" 2>/dev/null && [ -s "$tmp/err" ]; then
		diag_file "$tmp/err"
	fi
done

quiet() { [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; }

# Operations other than started and reconnect: let through, whatever the
# XML (libvirt writes it to every hook), and nothing done.
for op in prepare start stopped release migrate; do
	"$VIFCTL" libvirt-hook --dry-run bad "$op" begin - \
	    <"$DIR/bad-not-xml.xml" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "operation $op: let through (exit 0)" [ $rc = 0 ]
	check "operation $op: nothing said or planned" quiet
done
"$VIFCTL" libvirt-hook --dry-run web reconnect begin - \
    <"$DIR/two-vifs.xml" >"$tmp/out" 2>"$tmp/err"
check "operation reconnect: the same commands as started" cmp -s "$DIR/two-vifs.out" "$tmp/out"
"$VIFCTL" libvirt-hook --dry-run web started </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
check "two arguments: a usage error" [ $rc = 2 ]
check "... saying what libvirt passes" grep -q "NAME OPERATION SUB-OPERATION" "$tmp/err"

done_testing
