# tools/bench/benchlib.sh - what the simulated-Xen benchmarks that compare
# two paths in one run share (switch-bench.sh, uplink-bench.sh,
# tcp-bench.sh, scale-bench.sh); sourced (bash) after BUILDDIR is set and
# `die` is defined.
#
# bench_parse "$@": the command line, every option one with a value:
# BENCH_OPTS maps each (--seconds) to the variable it sets (SECS); -h or
# --help prints the lines BENCH_HELP of the script ('2,20p') and exits.
bench_parse() {
	while [ $# -gt 0 ]; do
		case $1 in
		-h|--help) sed -n "$BENCH_HELP" "$0"; exit 0 ;;
		esac
		[ -n "${BENCH_OPTS[$1]:-}" ] || die "unknown argument '$1' (--help)"
		[ $# -ge 2 ] || die "$1: its value is missing"
		printf -v "${BENCH_OPTS[$1]}" '%s' "$2"
		shift 2
	done
}
# bench_int OPTION VALUE MIN MAX: dies unless VALUE is a whole number from
# MIN to MAX (the option's name without its dashes, for the message).
bench_int() {
	[[ $2 =~ ^[0-9]+$ ]] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] ||
	    die "--$1: '$2' ($3 to $4)"
}
# bench_bins: the binaries of BUILDDIR (XENSIM, VIFD, VIFCTL, GUEST,
# VBENCH), each checked to be built.
bench_bins() {
	local b
	BUILDDIR=$(cd "$BUILDDIR" 2>/dev/null && pwd) || die "no build directory"
	XENSIM=$BUILDDIR/tools/xensim/xensim
	VIFD=$BUILDDIR/src/vifd
	VIFCTL=$BUILDDIR/tools/vifctl/vifctl
	GUEST=$BUILDDIR/tools/vif-guest/vif-guest
	VBENCH=$BUILDDIR/tools/bench/vifd-bench
	for b in "$XENSIM" "$VIFD" "$VIFCTL" "$GUEST" "$VBENCH"; do
		[ -x "$b" ] || die "$b is not built"
	done
}
# bench_vifd NS SIMDIR LOG [ARGS...]: vifd in namespace NS serving the
# simulated machine SIMDIR (one queue a vif), logging to LOG; VIFD_PID is
# its pid. Returns once its control socket is there, 1 if it never came.
bench_vifd() {
	local ns=$1 m=$2 log=$3 i
	shift 3
	ip netns exec "$ns" "$VIFD" --xen="sim:$m" -f --max-queues=1 "$@" \
	    >>"$log" 2>&1 &
	VIFD_PID=$!
	for i in $(seq 100); do [ -S "$m/vifd-0.sock" ] && return 0; sleep 0.05; done
	return 1
}
# bench_iperf: iperf3 -J's report on stdin -> "bits/s bytes" received, or
# "- -" if it has none (the run failed).
bench_iperf() {
	python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)["end"]["sum_received"]
    print(s["bits_per_second"], s["bytes"])
except (ValueError, KeyError, TypeError):
    print("- -")'
}
# cputicks PID: utime + stime of the process (all threads), clock ticks
cputicks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# field KEY < "k v k v ..." line: v
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
# median < numbers, one a line
median() { sort -g | awk '{ a[NR] = $1 } END {
	if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2];
	else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
HZ=$(getconf CLK_TCK)
