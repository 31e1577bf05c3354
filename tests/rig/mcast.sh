#!/bin/bash
# mcast.sh - multicast control (netif.h "feature-multicast-control") through
# the real vifd, the simulated Xen's xenstored and vif-guest in tap mode:
# the features advertised; filtering off -> every multicast frame reaches the
# guest; on with group A added -> A's frames arrive, B's are dropped and
# counted (vifctl stats rx_drop_mcast), broadcast always passes; DEL A -> A
# dropped; the frontend switches filtering off live (dynamic control) -> all
# pass again; a 65th ADD is answered ERROR (the bound is 64). A second guest
# that asks for control at connect filters on its own list, independently.
# Frames: an experimental ethertype (0x88b5) sent by a packet socket on the
# vif's TAP in the host namespace, counted by a packet socket on the guest's
# eth0.
. "$(dirname "$0")/../lib/rig.sh"
need_root
machine_up
vifd_start
VB=$HOTPLUG/vif-bridge
A=01:00:5e:01:02:03
B=01:00:5e:04:05:06
BC=ff:ff:ff:ff:ff:ff
N=20
PY=$M.mc.py
cat >"$PY" <<'PYEOF'
import socket, struct, sys, time
ETH_P = 0x88b5
def mac(s): return bytes(int(x, 16) for x in s.split(':'))
if sys.argv[1] == 'send':	# send IFNAME N DST...
	s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
	s.bind((sys.argv[2], 0))
	for i in range(int(sys.argv[3])):
		for d in sys.argv[4:]:
			s.send(mac(d) + mac('fe:ff:ff:ff:ff:ff') +
			    struct.pack('!H', ETH_P) + b'vifd mcast test' + bytes(40))
		time.sleep(0.002)
else:				# recv IFNAME SECONDS: "dst count" lines
	s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P))
	s.bind((sys.argv[2], 0))
	s.settimeout(0.1)
	print('ready', flush=True)
	n = {}
	end = time.time() + float(sys.argv[3])
	while time.time() < end:
		try: f = s.recv(2048)
		except socket.timeout: continue
		d = ':'.join('%02x' % b for b in f[:6])
		n[d] = n.get(d, 0) + 1
	for d, c in n.items(): print(d, c)
PYEOF

total() {	# total DOMID COUNTER: vifd's counter of vif<DOMID>.0
	vifctl stats "$1" 0 |
	    awk -v k="vif$1.0" -v c="$2" '$1 == k && $2 == "total" && $3 == c { print $4 }'
}
# round LABEL DOMID: N frames to each of A, B and broadcast from the host
# side of vif<DOMID>.0; what the guest got is in $M.rx.LABEL.
round() {
	local out=$M.rx.$1 p
	in_guest "$2" python3 "$PY" recv eth0 2.5 >"$out" &
	p=$!
	waitfor 5 grep -q ready "$out"
	in_host python3 "$PY" send "vif$2.0" "$N" "$A" "$B" "$BC"
	wait "$p"
}
got() { awk -v d="$2" '$1 == d { c = $2 } END { print c + 0 }' "$M.rx.$1"; }
# gstat DOMID NAME: vif-guest's total counter (SIGUSR1 prints them).
gstat() {
	local pid=${GPID[$1]}
	kill -USR1 "$pid"
	sleep 0.3
	awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' "$M.guest$1.0.log"
}
gstat_is() { [ "$(gstat "$1" "$2")" = "$3" ]; }
mc_log_count() { grep -c "vif$1.0: multicast control $2" "$M.vifd.log"; }
mc_log_is() { [ "$(mc_log_count "$1" "$2")" -ge "$3" ]; }
# mcfile DOMID LINES...: the guest's --mcast file, then SIGUSR2.
mcfile() {
	local d=$1; shift
	printf '%s\n' "$@" >"$M.mc$d"
	kill -USR2 "${GPID[$d]}"
}
declare -A GPID

# Guest 2 starts with filtering off and an empty list.
: >"$M.mc2"
guest_add 2
attach 2 "mac=00:16:3e:00:02:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 2 0 10.77.0.3 --mcast "$M.mc2"
GPID[2]=$GUEST_PID
eventually 15 "guest 2 connected" be_state_is 2 0 4
check "feature-multicast-control advertised" [ "$(xsr "$(be_path 2 0)/feature-multicast-control")" = 1 ]
check "feature-dynamic-multicast-control advertised" [ "$(xsr "$(be_path 2 0)/feature-dynamic-multicast-control")" = 1 ]

round off 2
diag "off: A $(got off $A) B $(got off $B) broadcast $(got off $BC) of $N each"
check "off: every frame to A arrives" [ "$(got off $A)" = $N ]
check "off: every frame to B arrives" [ "$(got off $B)" = $N ]
check "off: every broadcast arrives" [ "$(got off $BC)" = $N ]
check "off: nothing counted as rx_drop_mcast" [ "$(total 2 rx_drop_mcast)" = 0 ]

# On, A added: the guest writes request-multicast-control=1 (vifd watches
# it) and sends MCAST_ADD A.
mcfile 2 "control on" "$A"
eventually 10 "on: the ADD of A answered OKAY" gstat_is 2 tx_mcast_okay 1
eventually 10 "on: vifd saw request-multicast-control=1" mc_log_is 2 on 1
check "on: the frontend key says 1" [ "$(xsr "$(fe_path 2 0)/request-multicast-control")" = 1 ]
check "on: vifd counted one ADD" [ "$(total 2 tx_mcast_add)" = 1 ]
round on 2
diag "on: A $(got on $A) B $(got on $B) broadcast $(got on $BC) of $N each"
check "on: every frame to A (listed) arrives" [ "$(got on $A)" = $N ]
check "on: no frame to B (not listed) arrives" [ "$(got on $B)" = 0 ]
check "on: every broadcast arrives" [ "$(got on $BC)" = $N ]
check "on: B's frames counted as rx_drop_mcast" [ "$(total 2 rx_drop_mcast)" -ge $N ]

# DEL A: A is filtered too.
mcfile 2 "control on"
eventually 10 "del: the DEL of A answered OKAY" gstat_is 2 tx_mcast_okay 2
check "del: vifd counted one DEL" [ "$(total 2 tx_mcast_del)" = 1 ]
round del 2
diag "del: A $(got del $A) B $(got del $B) broadcast $(got del $BC) of $N each"
check "del: no frame to A arrives" [ "$(got del $A)" = 0 ]
check "del: no frame to B arrives" [ "$(got del $B)" = 0 ]
check "del: every broadcast arrives" [ "$(got del $BC)" = $N ]
check "del: A's and B's frames counted" [ "$(total 2 rx_drop_mcast)" -ge $((3 * N)) ]

# The frontend switches filtering off while connected.
mcfile 2 "control off"
eventually 10 "dynamic off: vifd saw request-multicast-control=0" mc_log_is 2 off 1
round dyn 2
diag "dynamic off: A $(got dyn $A) B $(got dyn $B) broadcast $(got dyn $BC)"
check "dynamic off: every frame to A arrives again" [ "$(got dyn $A)" = $N ]
check "dynamic off: every frame to B arrives again" [ "$(got dyn $B)" = $N ]
check "dynamic off: every broadcast arrives" [ "$(got dyn $BC)" = $N ]
check "dynamic off: vif still Connected" be_state_is 2 0 4

# 65 ADDs: 64 taken, the 65th answered ERROR; the vif carries on.
lines=("control on")
for i in $(seq 0 64); do lines+=("$(printf '01:00:5e:10:00:%02x' "$i")"); done
mcfile 2 "${lines[@]}"
eventually 10 "65 ADDs: 64 answered OKAY" gstat_is 2 tx_mcast_okay 66
eventually 5 "65 ADDs: the 65th answered ERROR" gstat_is 2 tx_mcast_error 1
check "65 ADDs: vifd counted the refusal (tx_mcast_err)" [ "$(total 2 tx_mcast_err)" = 1 ]
A=01:00:5e:10:00:00 B=01:00:5e:10:00:40
round full 2
diag "full list: #1 $(got full $A) #65 $(got full $B) broadcast $(got full $BC)"
check "full list: the first address's frames arrive" [ "$(got full $A)" = $N ]
check "full list: the refused 65th address's frames do not" [ "$(got full $B)" = 0 ]
check "full list: vif still Connected" be_state_is 2 0 4

# Guest 3 asks for control at connect with its own list (B only): vifd
# samples the key at connect; guest 2's list is not guest 3's.
A=01:00:5e:01:02:03 B=01:00:5e:04:05:06
printf 'control on\n%s\n' "$B" >"$M.mc3"
guest_add 3
attach 3 "mac=00:16:3e:00:03:00,bridge=xenbr0,script=$VB" >/dev/null
guest_tap 3 0 10.77.0.4 --mcast "$M.mc3"
GPID[3]=$GUEST_PID
eventually 15 "guest 3 connected" be_state_is 3 0 4
eventually 10 "guest 3: its ADD answered OKAY" gstat_is 3 tx_mcast_okay 1
check "guest 3: vifd filters from the connect on" vifd_log_has "vif3.0: connected.*multicast control on"
round g3 3
diag "guest 3: A $(got g3 $A) B $(got g3 $B) broadcast $(got g3 $BC)"
check "guest 3: A (not on its list) is dropped" [ "$(got g3 $A)" = 0 ]
check "guest 3: B (on its list) arrives" [ "$(got g3 $B)" = $N ]
check "guest 3: broadcast arrives" [ "$(got g3 $BC)" = $N ]
eventually 10 "both guests still ping the host" sh -c \
    "ip netns exec $(guest_ns 2) ping -c 1 -W 1 10.77.0.1 >/dev/null && ip netns exec $(guest_ns 3) ping -c 1 -W 1 10.77.0.1 >/dev/null"
check "vifd alive" kill -0 "$VIFD_PID"
done_testing
