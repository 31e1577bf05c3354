#!/bin/sh
# test.sh - the whole vifd test suite: what the README's test command and CI
# run. Needs root (network namespaces, TAP devices, the simulated Xen).
#   1. build with -Werror; unit tests (CUnit, TAP output)
#   2. rig tests: the real binaries on the simulated Xen in namespaces
#   3. the unit tests again, built with ASan+UBSan
#   4. cppcheck on src/ and tools/
# Ends with one line "N passed, N failed" over every test case it ran
# (skipped tests count as failed: in CI everything must run).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=$top/_build
A=$top/_build-asan
status=0
extra_fail=0
extra_pass=0

note() { printf '\n==== %s\n' "$*"; }

clean_results() {
	[ -d "$1/tests" ] && find "$1/tests" \( -name '*.trs' -o -name '*.log' \) -delete
	rm -f "$1/test-suite.log"
}

note "build (-Werror)"
if tools/build.sh "$B" --enable-werror; then
	clean_results "$B"
	note "unit tests"
	make -C "$B" -s -j2 check-unit >/dev/null 2>&1
	note "rig tests (root, namespaces, simulated Xen)"
	make -C "$B" -s check-rig >/dev/null 2>&1
else
	echo "build FAILED"; extra_fail=$((extra_fail + 1))
fi

note "unit tests under ASan+UBSan"
if tools/build.sh "$A" --enable-werror --enable-sanitizers=address,undefined; then
	clean_results "$A"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=print_stacktrace=1 \
		make -C "$A" -s -j2 check-unit >/dev/null 2>&1
	note "rig tests of the control plane and hostile frontends under ASan+UBSan"
	# The daemon itself, sanitized, through the lifecycle and the attacks.
	VIFD_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1 \
		make -C "$A" -s check TESTS="tests/rig/control-lifecycle.sh tests/rig/badinput.sh" >/dev/null 2>&1
else
	echo "sanitizer build FAILED"; extra_fail=$((extra_fail + 1))
fi

note "cppcheck"
if cppcheck --enable=warning,portability,performance --error-exitcode=1 \
    --inline-suppr -q --std=c11 -I src -I tools/xensim -I "$B" \
    -D__x86_64__ -D__linux__ '-DSEC(x)=' --suppress=missingIncludeSystem \
    src tools 2>&1; then
	echo "cppcheck: clean"; extra_pass=$((extra_pass + 1))
else
	echo "cppcheck: findings above"; extra_fail=$((extra_fail + 1))
fi

# Count every TAP result of both builds; show what failed.
note "results"
pass=0; fail=0
for trs in $(find "$B/tests" "$A/tests" -name '*.trs' 2>/dev/null | sort); do
	log=${trs%.trs}.log
	p=$(grep -c '^:test-result: PASS' "$trs")
	f=$(grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\|SKIP\)' "$trs")
	pass=$((pass + p)); fail=$((fail + f))
	case $trs in "$A"/*) tag=" (asan)" ;; *) tag= ;; esac
	name=${trs#"$top"/_build*/}
	printf '%-48s %4d passed %3d failed%s\n' "${name%.trs}" "$p" "$f" "$tag"
	if [ "$f" -gt 0 ]; then
		grep -E '^(not ok|ok .*# SKIP|# |Bail out)|ERROR|Sanitizer|runtime error' "$log" | head -40 | sed 's/^/    /'
	fi
done
pass=$((pass + extra_pass)); fail=$((fail + extra_fail))
[ "$fail" -eq 0 ] || status=1
echo "$pass passed, $fail failed"
exit $status
