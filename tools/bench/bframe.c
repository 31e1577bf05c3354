/*
 * bframe.c - the benchmark's frames: vif-guest's own frame builder
 * (gframe.c) with vif-guest gen's addresses, and the virtio-net header
 * vifd's own code (vnet_hdr.c) puts in front of each, so that a baseline
 * loop carries exactly the bytes vifd carries. Owns only the frame
 * buffers it allocates; no fd, no clock.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "gframe.h"
#include "data/tap.h"
#include "core/vnet_hdr.h"

int
bframe_kind(const char *s)
{
	return gframe_parse_kind(s);
}

int
bframe_make(int kind, enum bframe_dir dir, unsigned int flow,
    struct bframe *f)
{
	static const uint8_t guest_mac[6] = BFRAME_GUEST_MAC;
	static const uint8_t host_mac[6] = BFRAME_HOST_MAC;
	static const uint8_t other_mac[6] = BFRAME_OTHER_MAC;
	static const uint8_t guest_ip[4] = BFRAME_GUEST_IP;
	static const uint8_t host_ip[4] = BFRAME_HOST_IP;
	struct gframe_addr a;
	struct gframe gf;
	struct vnet_stats st;
	int r;

	memset(f, 0, sizeof(*f));
	if (kind < 0 || kind >= GFRAME_MAX || flow >= BFRAME_MAX_FLOWS ||
	    (dir != BFRAME_TO_HOST && dir != BFRAME_TO_GUEST))
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (dir == BFRAME_TO_HOST) {
		/* vif-guest gen --dst-mac BFRAME_OTHER_MAC_STR */
		memcpy(a.src_mac, guest_mac, 6);
		memcpy(a.dst_mac, other_mac, 6);
		memcpy(a.saddr, guest_ip, 4);
		memcpy(a.daddr, host_ip, 4);
	} else {
		memcpy(a.src_mac, host_mac, 6);
		memcpy(a.dst_mac, guest_mac, 6);
		memcpy(a.saddr, host_ip, 4);
		memcpy(a.daddr, guest_ip, 4);
	}
	a.sport = (uint16_t)(BFRAME_SPORT + flow);
	a.dport = BFRAME_DPORT;

	f->buf = malloc(GFRAME_MAX_LEN);
	if (f->buf == NULL)
		return -ENOMEM;
	/* No --csum-blank: vif-guest gen's default (complete UDP sums). */
	r = gframe_build(kind, &a, false, f->buf, GFRAME_MAX_LEN, &gf);
	if (r != 0)
		goto fail;
	memset(&st, 0, sizeof(st));
	r = vnet_hdr_nettx2vhdr(gf.txflags, gf.has_gso ? &gf.gso : NULL,
	    f->buf, gf.len, &f->vh, &st);
	if (r != 0)
		goto fail;
	f->len = gf.len;
	f->offload = f->vh.flags != 0 || f->vh.gso_type != 0;
	return 0;
fail:
	bframe_free(f);
	return r;
}

void
bframe_free(struct bframe *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = 0;
}

/* vif-guest writes every feature key as 1 unless told not to. */
const struct vnet_features bframe_features = {
	.csum_ipv4 = true, .csum_ipv6 = true,
	.gso_tcpv4 = true, .gso_tcpv6 = true, .sg = true,
};

unsigned int
bframe_tun_offload(void)
{
	return tap_offload_flags(&bframe_features);
}
