#!/bin/bash
# shape.sh - libvirt's average, peak and burst through the real binaries:
# `vifctl rate --outbound/--inbound AVERAGE,PEAK,BURST` (KiB/s, KiB/s, KiB)
# writes our per-vif shape keys, vifd applies them live, and a saturating
# UDP flow is measured each way from vifd's own frame counters, sampled
# every 0.1 s for 8 s, each sample at the time it was really read:
#  - the peak: the slope of the counter during the burst;
#  - the average: the slope after it;
#  - the burst: the bytes above the average line, at the flow's start.
# Each within +-10% of the configured value. Outbound runs with libxl's
# `rate` also set, which the shape takes the place of. Then a malformed
# shape key is ignored with a warning, and none removes the limit.
. "$(dirname "$0")/../lib/rig.sh"
need_root
one_guest_up

# A = 1 MiB/s, P = 4 MiB/s, B = 6 MiB: the burst lasts B / (P - A) = 2 s.
AVG=1024 PEAK=4096 BURST=6144

# shape_run COUNTER FROM-NS TO-IP: samples vifd's COUNTER (tx_bytes or
# rx_bytes, frames as the shape charges them) while iperf3 sends UDP at
# 80 Mbit/s for 8 s from FROM-NS; prints "peak P average A burst B" in
# bytes/s, bytes/s, bytes, or a diag line and nothing.
shape_run() {
	local counter=$1 from=$2 to=$3 srv
	if [ "$from" = "$HOSTNS" ]; then srv=$G; else srv=$HOSTNS; fi
	iperf_server "$srv"
	python3 - "$VIFCTL" "sim:$M" "$counter" "$from" "$to" \
	    "$((AVG * 1024))" "$((PEAK * 1024))" "$((BURST * 1024))" <<'EOF'
import subprocess, sys, time
vifctl, xen, counter, ns, to = sys.argv[1:6]
A, P, B = (int(x) for x in sys.argv[6:9])

def read():
    t0 = time.monotonic()
    out = subprocess.run([vifctl, "--xen=" + xen, "stats", "1", "0"],
                         capture_output=True, text=True).stdout
    t1 = time.monotonic()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[1] == "total" and f[2] == counter:
            return (t0 + t1) / 2, int(f[3])
    return None

def fit(pts):
    n = len(pts)
    mx = sum(t for t, _ in pts) / n
    my = sum(b for _, b in pts) / n
    sxx = sum((t - mx) ** 2 for t, _ in pts)
    slope = sum((t - mx) * (b - my) for t, b in pts) / sxx
    return slope, my - slope * mx

samples = []
start = time.monotonic()
flow = None
while time.monotonic() - start < 9.0:
    if flow is None and time.monotonic() - start >= 0.5:
        flow = subprocess.Popen(["ip", "netns", "exec", ns, "iperf3", "-c", to,
                                 "-u", "-b", "80M", "-l", "1400", "-t", "8"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    s = read()
    if s:
        samples.append(s)
    time.sleep(0.1)
flow.wait(timeout=30)
b0 = samples[0][1]
moving = [s for s in samples if s[1] > b0 + 20000]
if len(moving) < 20:
    print("# the flow did not start: %d samples moved" % len(moving),
          file=sys.stderr)
    sys.exit(0)
tb = B / (P - A)
t1 = moving[0][0]
# The burst's slope, away from its ends; where it crosses b0 the flow began.
burst = [s for s in samples if t1 + 0.3 <= s[0] <= t1 + tb - 0.4]
p, cp = fit(burst)
t0 = (b0 - cp) / p
tail = [s for s in samples if s[0] >= t0 + tb + 0.7]
a, ca = fit(tail)
above = a * t0 + ca - b0
print("peak %.0f average %.0f burst %.0f over %.1f s (%d, %d samples)" %
      (p, a, above, samples[-1][0] - t0, len(burst), len(tail)))
EOF
}

ratio_ok() {	# ratio_ok MEASURED CONFIGURED
	awk -v m="$1" -v c="$2" 'BEGIN { r = m / c; exit !(r >= 0.9 && r <= 1.1) }'
}
# measure_shape DIR COUNTER FROM TO: one direction's three checks.
measure_shape() {
	local dir=$1 out p a b span
	out=$(shape_run "$2" "$3" "$4")
	read -r _ p _ a _ b _ span _ <<<"$out"
	diag "$dir: ${out:-no result}; configured peak $((PEAK * 1024)) average $((AVG * 1024)) burst $((BURST * 1024))"
	diag "$dir ratios: peak $(awk -v m="${p:-0}" -v c=$((PEAK * 1024)) 'BEGIN { printf "%.3f", m / c }')," \
	    "average $(awk -v m="${a:-0}" -v c=$((AVG * 1024)) 'BEGIN { printf "%.3f", m / c }')," \
	    "burst $(awk -v m="${b:-0}" -v c=$((BURST * 1024)) 'BEGIN { printf "%.3f", m / c }')"
	check "$dir: measured over at least 5 s (${span:-?} s)" \
	    awk -v s="${span:-0}" 'BEGIN { exit !(s >= 5) }'
	check "$dir: the peak within 10% (${p:-?} B/s)" ratio_ok "${p:-0}" $((PEAK * 1024))
	check "$dir: the average within 10% (${a:-?} B/s)" ratio_ok "${a:-0}" $((AVG * 1024))
	check "$dir: the burst within 10% (${b:-?} bytes above the average)" \
	    ratio_ok "${b:-0}" $((BURST * 1024))
}

BE=$(be_path 1 0)
# ---- outbound, with libxl's rate= present: the shape takes its place ------------
vifctl rate 1 0 --outbound 1MB/s --inbound none >/dev/null
vifctl rate 1 0 --outbound "$AVG,$PEAK,$BURST" >/dev/null
check "the outbound shape key holds bytes" \
    [ "$(xsr "$BE/vifd-outbound-shape")" = "1048576,4194304,6291456" ]
check "libxl's rate stays" [ "$(xsr "$BE/rate")" = "50000,50000" ]
eventually 5 "vifd applied the outbound shape" vifd_log_has "rate out shape 1048576,4194304,6291456 per vif"
measure_shape outbound tx_bytes "$G" 10.77.0.1

# ---- inbound --------------------------------------------------------------------------
vifctl rate 1 0 --outbound none --inbound "$AVG,$PEAK,$BURST" >/dev/null
check "the inbound shape key holds bytes" \
    [ "$(xsr "$BE/vifd-inbound-shape")" = "1048576,4194304,6291456" ]
eventually 5 "vifd applied the inbound shape" vifd_log_has "in shape 1048576,4194304,6291456 per vif"
measure_shape inbound rx_bytes "$HOSTNS" 10.77.0.2

# ---- bad values ---------------------------------------------------------------------
check "vifctl refuses a peak below the average (exit 2), nothing written" sh -c \
    "$VIFCTL --xen=sim:$M rate 1 0 --inbound 1000,500,64 2>/dev/null; [ \$? = 2 ] &&
     [ \"\$($XENSIM exec $M -- xenstore-read $BE/vifd-inbound-shape)\" = 1048576,4194304,6291456 ]"
check "vifctl refuses a burst of 0 (exit 2)" sh -c \
    "$VIFCTL --xen=sim:$M rate 1 0 --outbound 1000,2000,0 2>/dev/null; [ \$? = 2 ]"
xsw "$BE/vifd-inbound-shape" "1000,500,"
eventually 5 "a hand-written peak below the average: ignored with a warning" \
    vifd_log_has "vifd-inbound-shape \"1000,500,\": peak 500 B/s is below the average 1000 B/s; ignored"
xsw "$BE/vifd-inbound-shape" "12x"
eventually 5 "a garbled shape key: ignored with a warning" \
    vifd_log_has "vifd-inbound-shape \"12x\": average \"12x\" is not a whole decimal number; ignored"
check "vifd alive" kill -0 "$VIFD_PID"
vifctl rate 1 0 --inbound none >/dev/null
check "none removes the shape" sh -c "! $XENSIM exec $M -- xenstore-exists $BE/vifd-inbound-shape"
iperf_measure "$HOSTNS" "$G" 10.77.0.2 3
m=$(awk -v b="${IPERF_BPS:-0}" 'BEGIN { printf "%.0f", b / 1e6 }')
check "unlimited again ($m Mbit/s > 100)" awk -v m="$m" 'BEGIN { exit !(m > 100) }'
done_testing
