#!/bin/sh
# test.sh - the whole vifd test suite: what the README's test command and CI
# run. Needs root (network namespaces, TAP devices, the simulated Xen).
#   1. build with -Werror and the rig's test hooks; unit tests (CUnit, TAP output)
#   2. rig tests: the real binaries on the simulated Xen in namespaces
#      (make check-rig: most two at a time, those that judge time alone);
#      then the soak's CI run: 64 vifs on one vifd for 60 s (make soak-ci)
#   3. the unit tests again, built with ASan+UBSan, and two rig tests
#   4. rig tests of multi-queue traffic and the lifecycle, built with TSan
#   5. the libFuzzer targets of tests/fuzz, a short pass each (make fuzz-ci)
#   6. cppcheck on src/ and tools/
#   7. systemd-analyze verify on the systemd units
#   8. the Debian package from a fresh clone of HEAD (tools/deb.sh), lintian
# Ends with one line "N passed, N failed" over every test case it ran
# (skipped tests count as failed: in CI everything must run).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
B=$top/_build
A=$top/_build-asan
T=$top/_build-tsan
status=0
extra_fail=0
extra_pass=0

# each phase's heading says how long the run has taken so far (the budget
# on CI's 2-core machine is 20 minutes)
t0=$(date +%s)
note() { printf '\n==== %s  [%d s]\n' "$*" $(($(date +%s) - t0)); }

clean_results() {
	[ -d "$1/tests" ] && find "$1/tests" \( -name '*.trs' -o -name '*.log' \) -delete
	rm -f "$1/test-suite.log"
}

note "build (-Werror)"
if tools/build.sh "$B" --enable-werror --enable-test-hooks; then
	clean_results "$B"
	note "unit tests"
	make -C "$B" -s -j2 check-unit >/dev/null 2>&1
	note "rig tests (root, namespaces, simulated Xen)"
	make -C "$B" -s check-rig >/dev/null 2>&1
	note "soak (tests/soak: 64 vifs on one vifd, ${SOAK_CI_SECONDS:-60} s)"
	# Its results are counted below with the rig tests' (soak.trs).
	make -C "$B" -s soak-ci SOAK_CI_SECONDS="${SOAK_CI_SECONDS:-60}" >/dev/null 2>&1
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

note "rig tests of multi-queue traffic and the lifecycle under ThreadSanitizer"
# vifd's workers and control thread meet on live vifs (concurrency.sh: all
# of it at once on a 4-queue vif; control-lifecycle.sh: attach, reboot,
# SIGKILL, two guests, guest death, detach). A race report in any log is
# one failed result (rig.sh's t_before_done); TSan goes on after one, so
# the log shows them all. Only the rig tests: the unit tests are single
# threaded (check_PROGRAMS= skips building them again). About 40 s on
# 2 cores: 23 s to build, 18 s for the two tests.
if tools/build.sh "$T" --enable-werror --enable-sanitizers=thread; then
	clean_results "$T"
	VIFD_SANITIZED=1 TSAN_OPTIONS=second_deadlock_stack=1 \
		make -C "$T" -s check check_PROGRAMS= \
		TESTS="tests/rig/concurrency.sh tests/rig/control-lifecycle.sh" >/dev/null 2>&1
else
	echo "TSan build FAILED"; extra_fail=$((extra_fail + 1))
fi

note "fuzzing (tests/fuzz: each target ${FUZZ_CI_SECONDS:-8} s, clang, ASan+UBSan)"
# One result per target, counted below with the unit tests; a crash or a
# broken invariant fails it and the input is kept (and shown here).
nice -n 19 make -C "$B" -s fuzz-ci FUZZ_CI_SECONDS="${FUZZ_CI_SECONDS:-8}" 2>&1 |
	grep -v '^make'

note "cppcheck"
if cppcheck --enable=warning,portability,performance --error-exitcode=1 \
    --inline-suppr -q --std=c11 -I src -I tools/xensim -I "$B" \
    -D__x86_64__ -D__linux__ '-DSEC(x)=' --suppress=missingIncludeSystem \
    src tools 2>&1; then
	echo "cppcheck: clean"; extra_pass=$((extra_pass + 1))
else
	echo "cppcheck: findings above"; extra_fail=$((extra_fail + 1))
fi

note "systemd units (systemd-analyze verify)"
# vifd.service as built (its ExecStart pointed at this build's vifd: verify
# checks that the command exists) and the package's xendriverdomain.service.
# --man=no: the man pages are not installed here.
u=$(mktemp -d)
sed "s|^ExecStart=[^ ]*/vifd |ExecStart=$B/src/vifd |" "$B/systemd/vifd.service" >"$u/vifd.service" 2>/dev/null
cp debian/vifd.xendriverdomain.service "$u/xendriverdomain.service"
if [ -s "$u/vifd.service" ] && out=$(systemd-analyze verify --man=no "$u/vifd.service" \
    "$u/xendriverdomain.service" 2>&1) && [ -z "$out" ]; then
	echo "systemd-analyze verify: clean"; extra_pass=$((extra_pass + 1))
else
	printf '%s\n' "$out"; echo "systemd-analyze verify: findings above"
	extra_fail=$((extra_fail + 1))
fi
rm -rf "$u"

note "Debian package (tools/deb.sh: fresh clone of HEAD, nocheck, lintian)"
# The package's own unit-test run is skipped (nocheck): the same tests ran
# above. What is checked: it builds, lintian finds no error, and the .deb
# holds what an admin installs and not the simulated Xen.
if DEB_BUILD_OPTIONS="nocheck parallel=2" nice -n 19 tools/deb.sh "$top/_deb" >"$top/_deb.log" 2>&1 &&
    c=$(dpkg-deb -c "$top"/_deb/vifd_*.deb) &&
    for f in ./usr/sbin/vifd ./usr/bin/vifctl ./usr/libexec/vifd/vif-bridge \
        ./lib/systemd/system/vifd.service ./lib/systemd/system/xendriverdomain.service \
        ./etc/default/vifd ./etc/modprobe.d/vifd.conf ./usr/share/man/man8/vifd.8.gz; do
	printf '%s\n' "$c" | grep -q " $f\$" || { echo "the package lacks $f"; false; } || break
    done && ! printf '%s\n' "$c" | grep -q 'xensim\|vif-guest\|vif-rig'; then
	grep '^deb.sh: built' "$top/_deb.log"
	echo "Debian package: built, lintian clean of errors"; extra_pass=$((extra_pass + 1))
else
	tail -20 "$top/_deb.log"; echo "Debian package: FAILED ($top/_deb.log)"
	extra_fail=$((extra_fail + 1))
fi

# Count every TAP result of the three builds; show what failed.
note "results"
pass=0; fail=0
for trs in $(find "$B/tests" "$A/tests" "$T/tests" -name '*.trs' 2>/dev/null | sort); do
	log=${trs%.trs}.log
	p=$(grep -c '^:test-result: PASS' "$trs")
	f=$(grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\|SKIP\)' "$trs")
	pass=$((pass + p)); fail=$((fail + f))
	case $trs in "$A"/*) tag=" (asan)" ;; "$T"/*) tag=" (tsan)" ;; *) tag= ;; esac
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
