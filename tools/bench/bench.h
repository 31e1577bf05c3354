/*
 * bench.h - vifd-bench, the syscall-bound baselines of vifd's benchmark
 * (tools/bench/bench.sh): the same frames vif-guest's generator sends,
 * written to or read from a TAP of vifd's kind in a plain loop, and an
 * AF_PACKET injector that feeds a TAP (vifd's or our own) from the host
 * side.
 */
#ifndef VIFD_BENCH_H
#define VIFD_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>
#include <net/if.h>

/* ---- bframe.c: the frames and their virtio-net headers ------------------ */

/* Which way a frame goes, which decides its addresses. */
enum bframe_dir {
	BFRAME_TO_HOST,		/* as vif-guest gen sends: guest -> TAP,
				 * to BFRAME_OTHER_MAC */
	BFRAME_TO_GUEST,	/* injected towards the guest */
};

/* The guest's MAC in bench.sh's vif spec, vifd's TAP MAC (TAP_MAC) and
 * the address pair vif-guest gen uses by default (gopts.c). Frames to the
 * host go to a foreign unicast MAC (bench.sh gives vif-guest gen the same
 * --dst-mac), so that the host stack drops them at once as OTHERHOST, the
 * cheapest thing it can do with a frame: the "syscall bound" of the
 * performance notes (Part B, path A). Both sides of a comparison carry
 * byte-identical frames. */
#define BFRAME_GUEST_MAC	{ 0x00, 0x16, 0x3e, 0x00, 0x01, 0x00 }
#define BFRAME_HOST_MAC		{ 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff }
#define BFRAME_OTHER_MAC	{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 }
#define BFRAME_OTHER_MAC_STR	"02:00:00:00:00:01"
#define BFRAME_GUEST_IP		{ 10, 0, 0, 2 }
#define BFRAME_HOST_IP		{ 10, 0, 0, 1 }
/* vif-guest gen's flow: UDP/TCP port 9000 + queue to port 9. */
#define BFRAME_SPORT		9000u
#define BFRAME_DPORT		9u
/* Flows an injector may spread its frames over (distinct source ports;
 * at most one batch of super-frames, see binject.c). */
#define BFRAME_MAX_FLOWS	16u

struct bframe {
	uint8_t *buf;			/* the frame, malloc'd */
	size_t len;			/* frame bytes (no virtio-net header) */
	struct virtio_net_hdr vh;	/* what vifd writes in front of it */
	bool offload;			/* vh carries NEEDS_CSUM or GSO */
};

/* Parses "udp64", "f1514" or "gso64k" (vif-guest's names): the kind, or
 * -EINVAL. */
int bframe_kind(const char *s);

/*
 * Builds frame `kind` for direction `dir` and flow `flow` (< BFRAME_MAX_
 * FLOWS; flow 0 is vif-guest gen's queue 0 flow, flow n uses source port
 * 9000 + n), with the virtio-net header vifd computes for it
 * (vnet_hdr_nettx2vhdr): none for the UDP frames (complete checksum), and
 * NEEDS_CSUM + GSO_TCPV4 for gso64k. Returns 0 (f->buf to be freed with
 * bframe_free), -EINVAL (bad kind, flow or direction), -ENOMEM.
 */
int bframe_make(int kind, enum bframe_dir dir, unsigned int flow,
    struct bframe *f);

void bframe_free(struct bframe *f);

/* The features vif-guest offers by default, and the TUNSETOFFLOAD bits
 * vifd sets for them (those of our own TAP too). */
struct vnet_features;
extern const struct vnet_features bframe_features;
unsigned int bframe_tun_offload(void);

/* ---- btap.c: our own TAP and the two baseline loops --------------------- */

struct btap_opts {
	int kind;		/* frame kind */
	double seconds;		/* length of the measurement */
	unsigned int txqlen;	/* the TAP's txqueuelen */
	const char *name;	/* TAP name or pattern ("vbench%d") */
	unsigned int backoff_us;	/* the injector's (tapread) */
	int inject_cpu;		/* tapread: pin the injector there; -1 no */
};

/* vifd's TAP queue length (src/data/tap_linux.c, TAP_TXQUEUELEN). */
#define BTAP_DEF_TXQLEN	500u

/*
 * Creates a TAP like vifd's (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR|
 * IFF_MULTI_QUEUE, 10-byte header, vifd's MAC and offloads, txqueuelen),
 * non-persistent, non-blocking, and brings it up. The actual name goes to
 * name (IFNAMSIZ). Returns the fd or -errno.
 */
int btap_create(const char *pattern, unsigned int txqlen, char *name);

/* tapwrite: writev({hdr, frame}) for o->seconds; prints the CPU time
 * the loop used (cpu_s) and the result line. Returns 0, or -errno if the
 * TAP could not be set up. */
int btap_write_run(const struct btap_opts *o);

/* tapread: a forked injector feeds the TAP, readv until EAGAIN then
 * poll, for o->seconds from the first frame; prints the injector's line,
 * the reader's CPU time (cpu_s) and the result line. Returns 0,
 * -ETIMEDOUT if no frame came, -ECHILD if the injector failed, -errno. */
int btap_read_run(const struct btap_opts *o);

/* ---- binject.c: AF_PACKET injector ------------------------------------- */

struct binject_opts {
	int kind;
	double seconds;		/* <= 0: until *stop */
	unsigned int flows;	/* 1..BFRAME_MAX_FLOWS */
	unsigned int backoff_us;	/* nap when the TAP's queue is full */
};

struct binject_result {
	uint64_t frames;	/* accepted by the device */
	uint64_t bytes;
	uint64_t refused;	/* ENOBUFS: the TAP's queue was full */
	double seconds;
};

/*
 * Pushes frames of o->kind out of interface `ifname` (for a TAP: towards
 * its reader) with sendmmsg on an AF_PACKET socket with
 * PACKET_QDISC_BYPASS (and PACKET_VNET_HDR for frames with offloads, so a
 * GSO frame reaches the reader unsegmented), until o->seconds are over or
 * *stop is set. Returns 0 and fills *r, or -errno on a setup or send
 * error (*r still holds what was sent).
 */
int binject_run(const char *ifname, const struct binject_opts *o,
    volatile sig_atomic_t *stop, struct binject_result *r);

/* ---- main.c ------------------------------------------------------------- */

/* Monotonic time in nanoseconds. */
uint64_t main_now_ns(void);

/* Pins the calling process (all its threads) to CPU `cpu`. Returns 0 or
 * -errno (-EINVAL: no such CPU, or not one we may use). */
int main_pin(int cpu);

/* CPU time (user + system) this process has used so far, in seconds; not
 * its children's (tapread's injector is not counted). */
double main_cpu_s(void);

/* Prints vif-guest's result line ("frames N bytes N seconds S
 * frames_per_s X gbit_per_s Y") and flushes stdout. */
void main_print_result(uint64_t frames, uint64_t bytes, double seconds);

#endif
