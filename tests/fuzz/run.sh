#!/bin/bash
# run.sh - runs the libFuzzer targets of tests/fuzz one after the other
# and says per target: executions, coverage (libFuzzer's cov: and ft:),
# PASS or FAIL. A crash, leak, sanitizer report, timeout or broken
# invariant fails its target: the input is kept in
# BUILDDIR/tests/fuzz/artifacts/ and shown (path, size, hex dump), with
# the report's head. make fuzz / make fuzz-ci call it.
#   run.sh [--trs] BUILDDIR SRCDIR SECONDS TARGET...
#   run.sh --trs-fail WHAT BUILDDIR     one failed result, for test.sh,
#                                       when the targets could not be built
# --trs also writes BUILDDIR/tests/fuzz/fuzz_TARGET.{trs,log} in the
# automake test driver's format, so tools/test.sh counts each target as
# one test. Each target works on a corpus of its own in
# BUILDDIR/tests/fuzz/work/TARGET, seeded from SRCDIR/tests/fuzz/corpus/
# TARGET (the tree's seeds are only read). Exit status 1 if any failed.
set -u

trs_write() {	# NAME RESULT
	printf ':test-result: %s\n:global-test-result: %s\n:recheck: no\n:copy-in-global-log: no\n' \
	    "$2" "$2" >"$out/$1.trs"
}

if [ "${1:-}" = --trs-fail ]; then
	# --trs-fail WHAT BUILDDIR
	out=$3/tests/fuzz
	mkdir -p "$out"
	printf 'not ok 1 - fuzz: the targets were not built (%s)\n' "$2" >"$out/fuzz_$2.log"
	trs_write "fuzz_$2" FAIL
	exit 1
fi
trs=no
[ "${1:-}" = --trs ] && { trs=yes; shift; }
B=$1 S=$2 secs=$3
shift 3
out=$B/tests/fuzz
mkdir -p "$out/artifacts"
status=0
for t in "$@"; do
	bin=$out/fuzz_$t work=$out/work/$t log=$out/fuzz_$t.log
	mkdir -p "$work"
	rm -f "$out/artifacts/$t-"*
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb bounds
	# memory; -print_final_stats for the execution count.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
	    "$work" "$S/tests/fuzz/corpus/$t" >"$log.raw" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.raw" | tail -1)
	# No final stats after a crash: the last status line's count.
	[ -n "$execs" ] || execs=$(grep -E '^#[0-9]+' "$log.raw" | tail -1 |
	    sed -E 's/^#([0-9]+).*/\1/')
	cov=$(grep -E '^#[0-9]+.*cov: ' "$log.raw" | tail -1 |
	    sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/cov \1 ft \2/')
	art=$(ls "$out/artifacts/$t-"* 2>/dev/null | head -1)
	if [ $rc -eq 0 ] && [ -z "$art" ]; then
		res=PASS line="ok 1 - fuzz_$t: ${execs:-?} execs in ${secs}s, ${cov:-no coverage line}"
	else
		res=FAIL status=1
		line="not ok 1 - fuzz_$t: exit $rc after ${execs:-?} execs, ${cov:-no coverage line}"
	fi
	{ cat "$log.raw"; echo "1..1"; echo "$line"; } >"$log"
	rm -f "$log.raw"
	printf '%-14s %s %10s execs  %-18s (%ss)\n' "fuzz_$t" "$res" \
	    "${execs:-?}" "${cov:-?}" "$secs"
	if [ $res = FAIL ]; then
		grep -E -m 12 'ERROR: |SUMMARY|invariant broken|runtime error|#[0-9]+ 0x' "$log" | sed 's/^/    /'
		if [ -n "$art" ]; then
			echo "    input kept: $art ($(stat -c %s "$art") bytes); replay: $bin $art"
			od -A x -t x1z -v "$art" | head -16 | sed 's/^/    /'
		fi
	fi
	[ $trs = yes ] && trs_write "fuzz_$t" $res
done
exit $status
