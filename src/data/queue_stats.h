/*
 * queue_stats.h - the counters of one netif queue, as `vifctl stats`
 * prints them.
 *
 * A header of its own so that what only reads counters (the control
 * socket, the backend's totals) includes nothing of the rings, packets or
 * workers behind them.
 */
#ifndef VIFD_QUEUE_STATS_H
#define VIFD_QUEUE_STATS_H

#include <stdint.h>

/* Counters, written by the worker only (relaxed atomic stores), read by
 * anyone. Names are what `vifctl stats` prints. */
#define QUEUE_STATS(X) \
	X(tx_packets) X(tx_bytes) X(tx_gso_frames) \
	X(tx_mcast_add) X(tx_mcast_del) X(tx_mcast_err) \
	X(tx_drop_runt) X(tx_drop_slots) X(tx_drop_oversize) X(tx_drop_masked) \
	X(tx_drop_copy) X(tx_drop_hdr) X(tx_drop_tap) X(tx_drop_link) \
	X(tx_switched) X(tx_drop_switch) X(tx_direct) X(tx_placed) \
	X(tx_csum_fixup) X(tx_sweeps) X(tx_copy_calls) X(tx_copy_segs) \
	X(tx_copy_bytes) \
	X(tx_rate_delayed) X(tx_rate_delayed_bytes) X(tx_throttled_ns) \
	X(rx_packets) X(rx_bytes) X(rx_gso_frames) X(rx_xdp_frames) \
	X(rx_drop_hdr) X(rx_drop_copy) X(rx_drop_size) X(rx_drop_drain) \
	X(rx_drop_link) X(rx_drop_mcast) X(rx_drop_steer) \
	X(rx_steered_out) X(rx_steered_in) X(rx_switched_in) X(rx_direct) \
	X(rx_placed) X(rx_place_calls) X(rx_hash_extra) \
	X(rx_csum_fixup) X(rx_stalls) X(rx_copy_calls) X(rx_copy_segs) \
	X(rx_copy_bytes) \
	X(rx_batches) \
	X(rx_rate_delayed) X(rx_rate_delayed_bytes) X(rx_throttled_ns) \
	X(evtchn_events) X(evtchn_spurious) X(notifies)

struct queue_stats {
#define QUEUE_STATS_FIELD(n) uint64_t n;
	QUEUE_STATS(QUEUE_STATS_FIELD)
#undef QUEUE_STATS_FIELD
};

#endif
