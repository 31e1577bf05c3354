# tools/bench/benchlib.sh - what the simulated-Xen benchmarks that compare
# two paths in one run share (switch-bench.sh, uplink-bench.sh,
# tcp-bench.sh, scale-bench.sh); sourced (bash) after BUILDDIR is set and
# `die` is defined.
#
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
# cputicks PID: utime + stime of the process (all threads), clock ticks
cputicks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# field KEY < "k v k v ..." line: v
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'; }
# median < numbers, one a line
median() { sort -g | awk '{ a[NR] = $1 } END {
	if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2];
	else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
HZ=$(getconf CLK_TCK)
