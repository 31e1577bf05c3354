/*
 * gopts.h - vif-guest's command line.
 *
 * gopts_parse() is pure (no getopt, no global state), so the unit test
 * can feed it good and bad command lines.
 */
#ifndef VIFD_GOPTS_H
#define VIFD_GOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gmode { GMODE_TAP, GMODE_GEN, GMODE_SINK, GMODE_EVIL };

/* Queues we ask for at most, as Linux netfront's max_queues default
 * (MAX_QUEUES_DEFAULT 8, further limited to the online CPUs). */
#define GOPTS_MAX_QUEUES	8u
/* Default bound on every wait for the backend (seconds). */
#define GOPTS_DEFAULT_TIMEOUT	30u
/* --xdp-headroom's default: Linux's XDP_PACKET_HEADROOM, what netfront
 * asks for when an XDP program is attached. */
#define GOPTS_XDP_HEADROOM	256u
/* RX buffers a queue keeps posted: the whole ring, as netfront does. */
#define GOPTS_RX_BUFS		256u

struct gopts {
	const char *xen;		/* --xen=, a simulated machine */
	const char *simdir;		/* DIR */
	uint32_t domid;
	uint32_t devid;
	int64_t backend_domid;		/* -1: from the backend-id key */
	unsigned int queues;		/* 0: min(8, online CPUs) */
	bool no_split;
	enum gmode mode;
	unsigned int timeout_s;
	double seconds;			/* 0: until a signal (gen: see count) */
	uint64_t count;			/* gen: frames to send; 0: seconds */
	int frame;			/* enum gframe_kind */
	bool csum_blank;		/* gen: UDP frames partial */
	bool per_queue;			/* print per-queue result lines */
	uint8_t src_ip[4], dst_ip[4];
	uint8_t dst_mac[6];
	const char *tap;		/* tap: device name */
	const char *netns;		/* tap: netns to move it to, or NULL */
	unsigned int mtu;		/* 0: the frontend's mtu key, else 1500 */
	bool no_up;			/* tap: leave the link down */
	/* feature keys left out */
	bool no_sg, no_gso, no_csum, no_ipv6_csum, no_rx_notify;
	const char *attack;		/* evil */
	double wait_s;			/* evil: how long to watch the answer */
	unsigned int rx_bufs;		/* RX buffers kept posted */
	const char *mcast_file;		/* --mcast: multicast control */
	bool rss;			/* --rss: Windows-like control ring */
	bool exit_on_close;		/* backend Closing: exit, no reconnect */
	bool abandon;			/* exit without closing */
	unsigned int xdp_headroom;	/* --xdp-headroom: what an attach asks */
	unsigned int xdp_cycles;	/* attach + detach handshakes; 0: none */
	double xdp_interval;		/* seconds before each step */
	int64_t mem_base, ref_base;	/* -1: by devid */
	int verbosity;
};

/*
 * Parses argv[1..argc). Returns 0 on success, 1 if --help was asked
 * (usage is the caller's to print), -EINVAL with a one-line reason in err
 * otherwise. Checks each value's syntax and range and the combinations
 * (gen needs --frame and --count or --seconds, sink --seconds, evil
 * --attack, --netns only with tap, the --xdp-* ones not in evil).
 */
int gopts_parse(int argc, char *const argv[], struct gopts *o, char *err,
    size_t errlen);

/* The usage text. */
extern const char gopts_usage[];

/* Name of a mode ("tap", ...). */
const char *gopts_mode_str(enum gmode m);

#endif
