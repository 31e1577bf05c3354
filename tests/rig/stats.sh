#!/bin/bash
# stats.sh - what an admin graphs and watches, through the real vifd and
# vifctl on the simulated Xen: `vifctl stats --json` read by a JSON parser
# and checked against vifd's own text counters, `vifctl stats --prometheus`
# checked by Prometheus' promtool and against the same counters, `vifctl
# list --json`, `vifctl top` measuring a known packet rate, and the bad
# cases (no such vif, a vif removed while it is read, an unwritable
# --output, exclusive options, no vifd).
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge

guest_add 1
attach 1 "mac=00:16:3e:00:07:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 1 0 10.77.0.2 --queues 2
eventually 15 "vif1.0 connected with 2 queues" sh -c \
    "$VIFCTL --xen=sim:$M stats 1 0 | grep -q '^vif1.0 queues 2$'"
# A second vif that never connects: a document holds it too.
guest_add 2
attach 2 "mac=00:16:3e:00:07:01,bridge=xenbr0,script=$VB" >/dev/null
eventually 10 "vif2.0 waits in InitWait" be_state_is 2 0 2
eventually 10 "guest pings the host" in_guest 1 ping -c 1 -W 1 10.77.0.1
check "traffic both ways" in_host ping -c 20 -i 0.05 -W 1 10.77.0.2

# vifd's text answer as a dict, for the checks below: (vif, key) -> value,
# (vif, total|qN, counter) -> number.
cat >"$M.text.py" <<'PY'
import sys

def text(path):
    d = {}
    for line in open(path):
        f = line.split()
        if len(f) == 4 and (f[1] == "total" or f[1][0] == "q"):
            d[(f[0], f[1], f[2])] = int(f[3])
        elif len(f) == 3:
            d[(f[0], f[1])] = f[2]
    return d
PY

# ---- --json ---------------------------------------------------------------
# The counters keep moving (the guest's own IPv6 and ARP chatter): every
# counter of the JSON must lie between a text read before and one after.
vifctl stats >"$M.t1"
vifctl stats --json >"$M.json"; rc=$?
vifctl stats >"$M.t2"
check "stats --json exits 0" [ $rc = 0 ]
check "stats --json: JSON within the text counters before and after" \
    python3 - "$M.t1" "$M.json" "$M.t2" "$M.text.py" <<'PY'
import json, sys
exec(open(sys.argv[4]).read())

t1, t2 = text(sys.argv[1]), text(sys.argv[3])
doc = json.load(open(sys.argv[2]))
vifs = {v["name"]: v for v in doc["vifs"]}
assert sorted(vifs) == ["vif1.0", "vif2.0"], sorted(vifs)
n = 0
for name, v in vifs.items():
    assert v["domid"] == int(t1[(name, "domid")]), name
    assert v["devid"] == int(t1[(name, "devid")]), name
    assert v["ifname"] == t1[(name, "ifname")], name
    assert v["state"] == t1[(name, "state")], name
    assert v["num_queues"] == int(t1[(name, "queues")]) == len(v["queues"]), name
    rows = [("total", v["counters"])]
    rows += [("q%d" % q["queue"], q["counters"]) for q in v["queues"]]
    for where, counters in rows:
        for c, val in counters.items():
            lo, hi = t1[(name, where, c)], t2[(name, where, c)]
            assert lo <= val <= hi, (name, where, c, lo, val, hi)
            n += 1
v1 = vifs["vif1.0"]
assert v1["state"] == "Connected" and v1["frontend_state"] == "Connected"
assert v1["failed"] is False
assert {"rx-copy", "sg", "gso-tcpv4", "multi-queue"} <= set(v1["features"]), v1["features"]
assert v1["counters"]["rx_packets"] >= 20 and v1["counters"]["tx_packets"] >= 20
assert sum(q["counters"]["rx_packets"] for q in v1["queues"]) == v1["counters"]["rx_packets"]
# Grant copies: at least one call each way, each carrying one segment or
# more. (Not bounded by _packets: a frame the TAP refused was copied.)
for d in ("tx", "rx"):
    c = v1["counters"]
    assert 0 < c[d + "_copy_calls"] <= c[d + "_copy_segs"], (d, c)
assert v1["rate"]["outbound"] == {"limited": False, "bytes": 0, "usec": 0}, v1["rate"]
v2 = vifs["vif2.0"]
assert v2["state"] == "InitWait" and v2["num_queues"] == 0 and v2["features"] == []
print("# %d counters checked" % n)
PY

# A rate shows in the document as set.
vifctl rate --outbound=10Mb/s --inbound=20Mb/s 1 0 >/dev/null
eventually 5 "rates in --json" sh -c "$VIFCTL --xen=sim:$M stats --json 1 0 |
    python3 -c '
import json, sys
r = json.load(sys.stdin)[\"vifs\"][0][\"rate\"]
assert r[\"outbound\"][\"limited\"] and r[\"inbound\"][\"limited\"], r
assert round(r[\"outbound\"][\"bytes_per_second\"]) == 1250000, r
assert round(r[\"inbound\"][\"bytes_per_second\"]) == 2500000, r'"

# ---- --prometheus -----------------------------------------------------------
vifctl stats >"$M.t1"
vifctl stats --prometheus --output "$M.prom"; rc=$?
vifctl stats >"$M.t2"
check "stats --prometheus --output exits 0" [ $rc = 0 ]
check "no temporary file left beside --output" \
    sh -c "! ls $M.prom.tmp.* >/dev/null 2>&1"
check "promtool check metrics: no problem" sh -c \
    "promtool check metrics <$M.prom >$M.promtool 2>&1"
diag_file "$M.promtool"
check "Prometheus counters within the text counters before and after" \
    python3 - "$M.t1" "$M.prom" "$M.t2" "$M.text.py" <<'PY'
import re, sys
exec(open(sys.argv[4]).read())

t1, t2 = text(sys.argv[1]), text(sys.argv[3])
sample = re.compile(r'^(vifd_[a-z_]+)\{([^}]*)\} (\S+)$')
n = 0
queues = set()
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    m = sample.match(line.strip())
    assert m, line
    name, labels, value = m.group(1), dict(
        kv.split("=", 1) for kv in m.group(2).split(",")), m.group(3)
    labels = {k: v.strip('"') for k, v in labels.items()}
    if not name.endswith("_total"):
        continue
    vif = "vif%s.%s" % (labels["domid"], labels["devid"])
    if name.startswith("vifd_queue_"):
        where, c = "q" + labels["queue"], name[len("vifd_queue_"):-6]
        queues.add((vif, labels["queue"]))
    else:
        where, c = "total", name[len("vifd_"):-6]
    if c.endswith("_seconds"):
        c, val = c[:-8] + "_ns", round(float(value) * 1e9)
    else:
        val = int(value)
    lo, hi = t1[(vif, where, c)], t2[(vif, where, c)]
    assert lo <= val <= hi, (vif, where, c, lo, val, hi)
    n += 1
assert queues == {("vif1.0", "0"), ("vif1.0", "1")}, queues
assert n > 100, n
print("# %d samples checked" % n)
PY
check "vifd_vif_up says vif1.0 up, vif2.0 not" sh -c \
    "grep -qx 'vifd_vif_up{domid=\"1\",devid=\"0\"} 1' $M.prom &&
     grep -qx 'vifd_vif_up{domid=\"2\",devid=\"0\"} 0' $M.prom"
check "the rate limit as a gauge" grep -qx \
    'vifd_vif_rate_limit_bytes_per_second{domid="1",devid="0",direction="outbound"} 1250000' "$M.prom"
vifctl rate --outbound=none --inbound=none 1 0 >/dev/null

# ---- list --json ------------------------------------------------------------
check "list --json" sh -c "$VIFCTL --xen=sim:$M list --json | python3 -c '
import json, sys
v = {(x[\"domid\"], x[\"devid\"]): x for x in json.load(sys.stdin)[\"vifs\"]}
assert sorted(v) == [(1, 0), (2, 0)], sorted(v)
assert v[(1, 0)][\"backend_state\"] == {\"state\": 4, \"name\": \"Connected\"}
assert v[(1, 0)][\"frontend_state\"][\"name\"] == \"Connected\"
assert v[(2, 0)][\"backend_state\"][\"state\"] == 2
assert v[(2, 0)][\"frontend_state\"] == {\"state\": 1, \"name\": \"Initialising\"}
assert v[(1, 0)][\"mac\"] == \"00:16:3e:00:07:00\" and v[(1, 0)][\"tap\"] == \"vif1.0\"'"

# ---- top --------------------------------------------------------------------
# Echo requests every 10 ms for 5 s around three 1 s tables: the guest
# receives as many packets a second as ping sends, and answers each. Ping
# says how many it sent in how long; on a loaded machine that is fewer
# than 100 a second, so it is the reference, not 100.
in_host ping -q -i 0.01 -w 5 -W 1 10.77.0.2 >"$M.ping" 2>&1 &
pingpid=$!
PIDS+=("$pingpid")
sleep 0.5
vifctl top --interval 1 --count 3 1 0 >"$M.top"; rc=$?
wait "$pingpid"
check "top exits 0 after --count tables" [ $rc = 0 ]
check "top printed 3 tables" [ "$(grep -c '^VIF ' "$M.top")" = 3 ]
diag_file "$M.top"
pps=$(sed -n 's/^\([0-9]*\) packets transmitted.* time \([0-9]*\)ms$/\1 \2/p' "$M.ping" |
    awk '$2 > 0 { printf "%.1f", $1 * 1000 / $2 }')
diag "ping sent ${pps:-?} packets/s"
# The second table's vif1.0 row: TX-PKT/S is field 5, RX-PKT/S field 7.
row=$(grep '^vif1.0 ' "$M.top" | sed -n 2p)
within() {	# within FIELD: the row's FIELD is within 25% of ping's rate
	awk -v r="$row" -v p="${pps:-0}" -v i="$1" \
	    'BEGIN { split(r, f); exit !(p > 10 && f[i] >= 0.75 * p && f[i] <= 1.25 * p) }'
}
check "top: packets/s to the guest as ping sent them" within 7
check "top: packets/s from the guest as ping sent them" within 5

# ---- bad cases --------------------------------------------------------------
vifctl stats --json 9 9 >"$M.out" 2>"$M.err"; rc=$?
check "stats --json of no such vif exits 1" [ $rc = 1 ]
check "... says so" grep -q "no vif9.9" "$M.err"
check "... and prints nothing" [ ! -s "$M.out" ]
vifctl stats --json --prometheus >/dev/null 2>"$M.err"; rc=$?
check "--json with --prometheus is a usage error" [ $rc = 2 ]
check "... naming both" grep -q -- "--json and --prometheus" "$M.err"
vifctl stats --prometheus --output "$M.nodir/x.prom" 2>"$M.err"; rc=$?
check "an --output in a missing directory exits 1" [ $rc = 1 ]
check "... naming the file" grep -q "$M.nodir/x.prom" "$M.err"
vifctl top --interval 0 >/dev/null 2>"$M.err"; rc=$?
check "top --interval 0 is a usage error" [ $rc = 2 ]
check "... naming it" grep -q -- "--interval '0'" "$M.err"
"$VIFCTL" stats --json --ctl-socket "$M.nosock" 2>"$M.err"; rc=$?
check "no vifd at the socket exits 1" [ $rc = 1 ]
check "... saying it cannot reach vifd" grep -q "cannot reach vifd" "$M.err"

# A vif removed while it is being read: every answer is whole JSON, with or
# without it (vifd builds an answer in one go on its control thread).
(
	for i in $(seq 1 40); do
		"$VIFCTL" --xen="sim:$M" stats --json >"$M.race.$i" 2>/dev/null
	done
) &
racepid=$!
vifctl detach 2 0 >/dev/null
wait "$racepid"
check "40 reads during a detach: all whole JSON" python3 - "$M".race.* <<'PY'
import json, sys
seen = set()
for p in sys.argv[1:]:
    doc = json.load(open(p))
    seen.add(len(doc["vifs"]))
assert seen <= {1, 2}, seen
PY
check "vif2.0 gone from --json" sh -c "$VIFCTL --xen=sim:$M stats --json |
    python3 -c 'import json, sys; assert [v[\"name\"] for v in json.load(sys.stdin)[\"vifs\"]] == [\"vif1.0\"]'"

done_testing
