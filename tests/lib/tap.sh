# tap.sh - the TAP words of every shell test (sourced; POSIX sh plus
# `local`, which bash and dash both have).
#
# The rig tests, the hotplug script tests, vifctl's golden files and the
# vifctl and vif-guest tests all print their results through these, so
# that each word means one thing everywhere:
#
#   ok DESC               a passing result
#   nok DESC              a failing result
#   check DESC CMD...     one result: passes if CMD exits 0
#   eventually SECS DESC CMD...
#                         one result: CMD retried until it exits 0, or
#                         fails after SECS seconds
#   skip DESC WHY         a result not run (TAP "# SKIP": tools/test.sh
#                         counts it as failed, as CI must run everything)
#   waitfor SECS CMD...   no result: CMD retried until it exits 0; returns
#                         0, or 1 after SECS seconds (wall clock)
#   diag TEXT...          TEXT as diagnostic lines ("# ...")
#   diag_file FILE        FILE's lines as diagnostics
#   bail WHY              "Bail out!" (the harness stops reading) and exit 1
#   done_testing          the plan "1..N", then exits: 0 if every result
#                         passed, 1 if any failed
#
# Counters: T_N results so far, T_FAIL of them failed. A test may define
# t_on_fail (called after each failing result, for diagnostics of its
# own) and t_before_done (called by done_testing before the plan, e.g. to
# add results of its own).

T_N=0
T_FAIL=0

ok() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $*"
}

nok() {
	T_N=$((T_N + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - $*"
	if command -v t_on_fail >/dev/null 2>&1; then
		t_on_fail
	fi
	return 0
}

check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else nok "$desc"; fi
}

skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

waitfor() {
	local end
	end=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

eventually() {
	local secs=$1 desc=$2
	shift 2
	if waitfor "$secs" "$@"; then
		ok "$desc"
		return 0
	fi
	nok "$desc (not within ${secs}s)"
	return 1
}

diag() {
	echo "$*" | sed 's/^/# /'
}

diag_file() {
	sed 's/^/# /' "$1"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	if command -v t_before_done >/dev/null 2>&1; then
		t_before_done
	fi
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ] || exit 1
	exit 0
}
