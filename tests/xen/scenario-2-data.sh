# Scenario 2: TCP each way with the guest's netfront offloads on (ethtool -k
# in the guest: scatter-gather, TSO, tx checksumming), GSO crossing the
# backend (vifd: its GSO counters move; kernel netback: frames above the MTU
# on its vif netdev), and a 4 MiB file each way arriving intact (sha256).
BUDGET=200

# xfer_check NAME IDX: sends a random file each way, compares checksums.
xfer_check() {
	local ip sum_g sum_h
	ip=$(guest_ip "$2")
	# dom0 -> guest: the guest's nc writes until dom0 closes
	head -c 4194304 /dev/urandom > /tmp/xfer.h2g
	guest_cmd "$1" "$(scaled 20)" "rm -f /tmp/xfer.rx; $(guest_listen 6001 '> /tmp/xfer.rx 2>/dev/null')" > /dev/null
	timeout "$(scaled 60)" bash -c "cat /tmp/xfer.h2g > /dev/tcp/$ip/6001" ||
	    { fail "sending a file to $1 failed"; return 1; }
	# the last bytes may still be on their way when dom0's side is done
	guest_cmd "$1" "$(scaled 30)" 'i=0; while [ "$(wc -c < /tmp/xfer.rx)" -lt 4194304 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done' > /dev/null
	sum_g=$(guest_sum "$1" /tmp/xfer.rx)
	sum_h=$(sha256sum < /tmp/xfer.h2g | cut -d' ' -f1)
	[ "$sum_g" = "$sum_h" ] || { fig "file_h2g=corrupt"; fail "file dom0 -> $1 corrupted (guest sha256 '$sum_g', sent $sum_h)"; return 1; }
	fig "file_h2g=intact"
	# guest -> dom0: the guest's nc runs cat on the file and closes
	guest_cmd "$1" "$(scaled 30)" "head -c 4194304 /dev/urandom > /tmp/xfer.tx; $(guest_listen 6002 '-e cat /tmp/xfer.tx > /dev/null 2>&1')" > /dev/null
	sum_g=$(guest_sum "$1" /tmp/xfer.tx)
	timeout "$(scaled 60)" bash -c "cat < /dev/tcp/$ip/6002" > /tmp/xfer.g2h ||
	    { fail "receiving a file from $1 failed"; return 1; }
	sum_h=$(sha256sum < /tmp/xfer.g2h | cut -d' ' -f1)
	[ "$sum_g" = "$sum_h" ] || { fig "file_g2h=corrupt($(stat -c %s /tmp/xfer.g2h)B)"; fail "file $1 -> dom0 corrupted (guest sha256 '$sum_g', received $sum_h)"; return 1; }
	fig "file_g2h=intact"
	rm -f /tmp/xfer.h2g /tmp/xfer.g2h
}

scenario_main() {
	local d offl gt0 gr0 gt gr
	guest_ensure lab-a 2 1 || return 1
	d=$(guest_domid lab-a)
	offl=$(guest_offloads lab-a)
	fig "$offl"
	case " $offl " in
	*" sg=on tso=on txcsum=on "*) ;;
	*) fail "guest offloads not all on: $offl"; return 1 ;;
	esac
	if [ "$(cur_backend)" = vifd ]; then
		gt0=$(vifctl_stat "$d" 0 "$GSO_TX_KEY") && gr0=$(vifctl_stat "$d" 0 "$GSO_RX_KEY") ||
		    { fail "vifctl stats $d 0 has no $GSO_TX_KEY/$GSO_RX_KEY"; return 1; }
	fi
	measure_tcp lab-a 2 5 || return 1
	keep guest_tx_mbps "$G2H_MBPS"
	keep guest_rx_mbps "$H2G_MBPS"
	if [ "$(cur_backend)" = vifd ]; then
		gt=$(vifctl_stat "$d" 0 "$GSO_TX_KEY"); gr=$(vifctl_stat "$d" 0 "$GSO_RX_KEY")
		fig "$GSO_TX_KEY=+$((gt - gt0)) $GSO_RX_KEY=+$((gr - gr0))"
		[ $((gt - gt0)) -gt 0 ] || { fail "$GSO_TX_KEY did not move"; return 1; }
	else
		# netback counts no GSO frames: a mean frame above the 1514-byte
		# Ethernet maximum on its vif shows super-frames crossing whole
		[ "$G2H_FRAME" -gt 1514 ] || { fail "guest -> host frames average $G2H_FRAME bytes: no GSO"; return 1; }
	fi
	xfer_check lab-a 2
}
