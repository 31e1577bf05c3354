/*
 * frontend.h - strict parsers for the keys a netfront writes in xenstore.
 *
 * The backend state machine reads the frontend directory through a lookup
 * callback, so this module stays pure (no xenstore, no fd, no global state)
 * and is tested with an in-memory key table. Every value comes from the
 * guest and is treated as hostile: a malformed or missing key gives an error
 * message naming the key and quoting the value, which vifd writes to the
 * vif's xenstore `error` node before closing the device.
 *
 * Key reference: xen/include/public/io/netif.h (the xenstore sections) and
 * Linux drivers/net/xen-netback/xenbus.c (connect, connect_data_rings,
 * read_xenbus_vif_flags, connect_ctrl_ring, read_xenbus_frontend_xdp).
 */
#ifndef VIFD_FRONTEND_H
#define VIFD_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/event_channel.h>
#include <xen/grant_table.h>

/*
 * The most queues a vif may have. Linux netback and netfront both default to
 * min(8, online CPUs) (MAX_QUEUES_DEFAULT); vifd runs one worker thread per
 * queue, so more queues than driver-domain vCPUs only costs. 32 leaves room
 * for an admin who raises the advertised maximum on a large driver domain,
 * while struct frontend_info stays well under 1 KiB. What the backend
 * advertises in multi-queue-max-queues must not exceed it.
 */
#define FRONTEND_MAX_QUEUES 32u

/*
 * Returns the malloc'd value of the frontend key `key`, a path relative to
 * the frontend directory ("tx-ring-ref", "queue-1/event-channel-tx"), or
 * NULL. NULL with errno ENOENT (or errno left 0) means the key is absent;
 * NULL with any other errno is a read failure, which frontend_read() reports
 * as that -errno. The caller frees nothing: this module frees every value.
 */
typedef char *(*frontend_get_fn)(void *arg, const char *key);

struct frontend_queue {
	grant_ref_t tx_ring_ref;
	grant_ref_t rx_ring_ref;
	evtchn_port_t evtchn_tx;
	evtchn_port_t evtchn_rx;	/* == evtchn_tx unless split */
	bool split;			/* event-channel-tx + event-channel-rx */
};

struct frontend_info {
	unsigned int num_queues;		/* 1..max_queues */
	bool num_queues_written;		/* multi-queue-num-queues present */
	struct frontend_queue q[FRONTEND_MAX_QUEUES];

	bool rx_copy;		/* request-rx-copy: always true on success */
	bool rx_notify;		/* feature-rx-notify, default off */
	bool sg;		/* feature-sg, default off */
	bool gso_tcpv4;		/* feature-gso-tcpv4, default off */
	bool gso_tcpv6;		/* feature-gso-tcpv6, default off */
	bool gso_tcpv4_prefix;	/* feature-gso-tcpv4-prefix (legacy), default off */
	bool csum_v4;		/* !feature-no-csum-offload: default ON */
	bool csum_v6;		/* feature-ipv6-csum-offload, default off */
	bool mcast_control;	/* request-multicast-control, default off */

	bool has_ctrl_ring;	/* ctrl-ring-ref present */
	grant_ref_t ctrl_ring_ref;
	evtchn_port_t ctrl_evtchn;

	uint16_t xdp_headroom;	/* xdp-headroom, default 0 */
};

/*
 * Reads and validates every frontend key vifd needs at connect:
 *  - multi-queue-num-queues: absent means 1; otherwise 1..max_queues (the
 *    value we advertised in multi-queue-max-queues; clamped to
 *    1..FRONTEND_MAX_QUEUES). 0 or more than max_queues is an error (Linux
 *    rejects only the latter; netif.h requires both).
 *  - per queue, tx-ring-ref, rx-ring-ref and either event-channel-tx +
 *    event-channel-rx (split, tried first as Linux does) or event-channel:
 *    in the frontend directory itself when there is one queue (also when
 *    multi-queue-num-queues = "1" is written, which is what Linux netfront
 *    does whenever the backend advertises multi-queue; keys under queue-0/
 *    are then ignored, as in Linux), under queue-N/ otherwise. One of a
 *    split pair without the other, or a split pair naming one port twice,
 *    is an error.
 *  - request-rx-copy must be on: vifd has only the copying receive path
 *    (NetBSD and QEMU refuse likewise; Linux reads it but connects anyway).
 *  - the feature flags, defaults from netif.h when absent.
 *  - ctrl-ring-ref (absent: no control ring) and then event-channel-ctrl,
 *    which must be present if the ref is (Linux: fatal too).
 *  - xdp-headroom: as frontend_read_xdp_headroom().
 * Numbers are parsed by frontend_parse_uint(), flags by frontend_parse_bool()
 * (so "yes" or "1 " is an error where Linux silently takes the default).
 * Returns 0 with *fi filled, or -EINVAL (a malformed or out-of-range value),
 * -EPROTO (a required key missing or keys inconsistent) or the -errno of a
 * failed read, with a message in `err` naming the key and quoting the value,
 * for example: queue-1/tx-ring-ref "12x": not a decimal number.
 */
int frontend_read(struct frontend_info *fi, unsigned int max_queues,
    frontend_get_fn get, void *arg, char *err, size_t errlen);

/*
 * frontend_read() for a vif whose admin switched features off: `off` is a
 * FEATMASK_* set (src/core/featmask.h; its closure is taken here). A
 * masked feature was not advertised, and the frontend's request for it is
 * ignored even if the frontend writes it anyway:
 *  - sg, gso-tcpv4 (with gso-tcpv4-prefix), gso-tcpv6, ipv6-csum: the
 *    flag reads 0; ipv4-csum: as if feature-no-csum-offload were 1;
 *    multicast-control: request-multicast-control reads 0.
 *  - multi-queue: max_queues is 1 (multi-queue-num-queues "1" is still
 *    taken, more is the usual error).
 *  - split-event-channels: event-channel-tx/-rx are not looked at; a
 *    queue without event-channel is an error saying that they are masked.
 *  - ctrl-ring: ctrl-ring-ref is not read (has_ctrl_ring false);
 *    xdp-headroom: not read (0).
 * Same returns and messages as frontend_read().
 */
int frontend_read_masked(struct frontend_info *fi, unsigned int max_queues,
    uint32_t off, frontend_get_fn get, void *arg, char *err, size_t errlen);

/*
 * Reads one flag (for re-sampling request-multicast-control on its watch):
 * absent gives `dflt`. Returns 0, -EINVAL or a read -errno with `err` set.
 */
int frontend_read_flag(frontend_get_fn get, void *arg, const char *key,
    bool dflt, bool *out, char *err, size_t errlen);

/*
 * Reads xdp-headroom (at connect, and again when the frontend goes
 * Reconfiguring or back to Connected from it): absent means 0. A value
 * that is no decimal number, above XEN_NETIF_MAX_XDP_HEADROOM
 * (src/core/netif_xdp.h), or that leaves no room for data in the first
 * 4096-byte page of a packet (4096 or more) is -EINVAL with `err` naming
 * the key and quoting the value. Linux netback reads garbage as 0 and
 * caps at the maximum, which with a headroom of a page or more corrupts
 * its copies; a frontend that asks for it is broken, and its vif fails.
 */
int frontend_read_xdp_headroom(frontend_get_fn get, void *arg,
    uint16_t *out, char *err, size_t errlen);

/*
 * What a connection negotiated, as vifd uses it, for `vifctl stats`: the
 * names of the features in force, comma-separated, in a fixed order:
 * rx-copy, rx-notify, sg, gso-tcpv4, gso-tcpv6 (each only with sg, as the
 * data path uses them), ipv4-csum, ipv6-csum, split-event-channels,
 * multi-queue (more than one queue). What vifd does not implement is
 * never listed, whatever the frontend asked for; multicast control and
 * the XDP headroom, which the frontend switches while connected, are the
 * backend's to add (ctl.c). Always NUL-terminated; a name that does not fit
 * is left out. Returns the length written.
 */
size_t frontend_features_str(const struct frontend_info *fi, char *buf,
    size_t len);

/*
 * Strict decimal: one or more digits and nothing else (no sign, space, "0x"
 * or trailing text; leading zeros are decimal, not octal). Returns 0,
 * -EINVAL if `s` is not such a number, -ERANGE if it exceeds `max`.
 */
int frontend_parse_uint(const char *s, uint64_t max, uint64_t *out);

/*
 * A flag as Linux reads it (xenbus_read_unsigned "%u", then !!): a decimal
 * number as frontend_parse_uint() with max 2^32-1, 0 is off and anything
 * else on ("2" is on). Non-numbers are -EINVAL (Linux: the default).
 */
int frontend_parse_bool(const char *s, bool *out);

#endif
