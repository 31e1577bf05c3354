/*
 * test_vnet_hdr.c - netif flags/GSO <-> virtio_net_hdr in all four
 * directions: a table over IPv4/IPv6 x TCP/UDP x VLAN x GSO x flags x
 * features checked against an independent oracle, the GSO checksum
 * fix-up, refused GSO and checksum cases, software completion when the
 * receiver lacks an offload (verified with csum_verify_l4 and the naive
 * reference checksum), TUNSETOFFLOAD bits, round trips, and seeded fuzz
 * loops over the backend TX and RX directions.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/csum.h"
#include "cu_tap.h"
#include "core/featmask.h"
#include "frames.h"
#include "core/hdr.h"
#include "core/vnet_hdr.h"

#define BUFSZ 70000

static uint8_t *buf, *orig;

static const struct vnet_features feat_all = {
	.csum_ipv4 = true, .csum_ipv6 = true, .gso_tcpv4 = true,
	.gso_tcpv6 = true, .sg = true,
};
/* A frontend that writes nothing: IPv4 checksum offload only. */
static const struct vnet_features feat_default = { .csum_ipv4 = true };
static const struct vnet_features feat_none = { 0 };

static int
suite_init(void)
{
	buf = malloc(BUFSZ);
	orig = malloc(BUFSZ);
	return buf == NULL || orig == NULL;
}

static int
suite_clean(void)
{
	free(buf);
	free(orig);
	return 0;
}

static struct netif_extra_info
gso_extra(uint8_t type, uint16_t size)
{
	struct netif_extra_info e;

	memset(&e, 0, sizeof(e));
	e.type = XEN_NETIF_EXTRA_TYPE_GSO;
	e.u.gso.type = type;
	e.u.gso.size = size;
	return e;
}

/* Builds the frame into buf (and a copy into orig). */
static struct frame_layout
build(const struct frame_spec *s)
{
	struct frame_layout lo = frame_build(buf, BUFSZ, s);

	CU_ASSERT_FATAL(lo.len > 0);
	memcpy(orig, buf, lo.len);
	return lo;
}

/* Puts the partial checksum (pseudo-header sum) into buf, as a stack
 * using checksum offload hands it over, and refreshes orig. */
static void
make_partial(const struct frame_layout *lo)
{
	struct hdr_info hi;

	CU_ASSERT_FATAL(hdr_parse(buf, lo->len, &hi) == 0);
	CU_ASSERT_FATAL(csum_set_partial(buf, &hi) == 0);
	memcpy(orig, buf, lo->len);
}

static bool
l4_valid(const struct frame_layout *lo)
{
	struct hdr_info hi;

	if (hdr_parse(buf, lo->len, &hi) != 0)
		return false;
	return csum_verify_l4(buf, &hi);
}

/* Completes a copy of buf's partial checksum at the header's place and
 * checks the result against the naive reference. */
static bool
partial_completes(const struct frame_layout *lo, int ip, uint8_t l4,
    const struct virtio_net_hdr *vh)
{
	uint8_t *copy = malloc(lo->len);
	bool ok;

	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, buf, lo->len);
	ok = csum_complete_partial(copy, lo->len, vh->csum_start,
	    vh->csum_offset) == 0 && ref_l4_check(copy, lo, ip, l4) == 0;
	free(copy);
	return ok;
}

static uint64_t
drops(const struct vnet_stats *st)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < VNET_DROP_MAX; i++)
		n += st->drops[i];
	return n;
}

/* ---- netif -> virtio (backend TX, netfront RX) --------------------- */

/*
 * One combination through nettx2vhdr (rx == false) or netrx2vhdr, with
 * the expected result worked out here from the frame spec.
 */
static void
check_netif2vhdr(const struct frame_spec *s, bool rx, bool blank,
    bool valid, int gso)
{
	struct frame_layout lo = build(s);
	struct netif_extra_info ex;
	struct virtio_net_hdr vh;
	struct vnet_stats st = { 0 };
	uint16_t flags = 0;
	bool want_partial, tcp = s->l4 == IPPROTO_TCP;
	int r, want_r;

	/* gso: 0 none, 1 the frame's family, 2 the other family */
	if (gso)
		ex = gso_extra((s->ip == 4) == (gso == 1) ?
		    XEN_NETIF_GSO_TYPE_TCPV4 : XEN_NETIF_GSO_TYPE_TCPV6, 1448);
	if (blank) {
		make_partial(&lo);
		flags |= rx ? NETRXF_csum_blank : NETTXF_csum_blank;
	}
	if (valid)
		flags |= rx ? NETRXF_data_validated : NETTXF_data_validated;
	memset(&vh, 0xa5, sizeof(vh));
	r = rx ? vnet_hdr_netrx2vhdr(flags, gso ? &ex : NULL, buf, lo.len,
	    &vh, &st) : vnet_hdr_nettx2vhdr(flags, gso ? &ex : NULL, buf,
	    lo.len, &vh, &st);

	want_r = gso && (!tcp || gso == 2) ? -EPROTO : 0;
	CU_ASSERT_EQUAL(r, want_r);
	if (want_r != 0) {
		CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_PARSE], 1);
		CU_ASSERT_EQUAL(vh.flags, 0);
		CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
		return;
	}
	CU_ASSERT_EQUAL(drops(&st), 0);
	CU_ASSERT_EQUAL(st.csum_fixup, 0);
	want_partial = blank || gso;
	if (!want_partial) {
		CU_ASSERT_EQUAL(vh.flags, valid ?
		    VIRTIO_NET_HDR_F_DATA_VALID : 0);
		CU_ASSERT_EQUAL(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		CU_ASSERT_EQUAL(vh.csum_start, 0);
		CU_ASSERT_EQUAL(vh.hdr_len, 0);
		CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
		return;
	}
	CU_ASSERT_EQUAL(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CU_ASSERT_EQUAL(vh.csum_start, lo.l4_off);
	CU_ASSERT_EQUAL(vh.csum_offset, tcp ? 16 : 6);
	CU_ASSERT_EQUAL(vh.hdr_len, lo.l4_off + lo.l4_hdr_len);
	/* What tun's virtio_net_hdr_to_skb demands. */
	CU_ASSERT(vh.csum_start + vh.csum_offset + 2u <= vh.hdr_len);
	CU_ASSERT(vh.hdr_len <= lo.len);
	if (gso) {
		CU_ASSERT_EQUAL(vh.gso_type, s->ip == 4 ?
		    VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6);
		CU_ASSERT_EQUAL(vh.gso_size, 1448);
	} else {
		CU_ASSERT_EQUAL(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		CU_ASSERT_EQUAL(vh.gso_size, 0);
	}
	/* GSO without csum_blank: the partial checksum was forced. */
	CU_ASSERT_EQUAL(st.gso_fixup, gso && !blank ? 1u : 0u);
	CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len) != 0, gso && !blank);
	/* Either way the field now holds a partial checksum that
	 * completes to the right one. */
	CU_ASSERT_TRUE(partial_completes(&lo, s->ip, s->l4, &vh));
}

static void
netif2vhdr_table(bool rx)
{
	static const int ips[] = { 4, 6 };
	static const uint8_t l4s[] = { IPPROTO_TCP, IPPROTO_UDP };
	struct frame_spec s;
	int a, b, v, g, f;

	for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
			for (v = 0; v <= 2; v++)
				for (g = 0; g <= 2; g++)
					for (f = 0; f < 4; f++) {
						memset(&s, 0, sizeof(s));
						s.ip = ips[a];
						s.l4 = l4s[b];
						s.nvlan = (unsigned int)v;
						s.payload = g ? 30000 : 700;
						s.v6_ext = v == 2;
						s.tcp_opt = v == 1 ? 12 : 0;
						check_netif2vhdr(&s, rx, f & 1,
						    f & 2, g);
					}
}

static void
test_tx_table(void)
{
	netif2vhdr_table(false);
}

static void
test_netfront_rx_table(void)
{
	netif2vhdr_table(true);
}

static void
test_tx_gso_fixup(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 20000 };
	struct frame_layout lo = build(&s);
	struct netif_extra_info ex = gso_extra(XEN_NETIF_GSO_TYPE_TCPV4, 1448);
	struct virtio_net_hdr vh;
	struct vnet_stats st = { 0 };
	struct hdr_info hi;
	uint16_t field, want;

	/* A buggy frontend: GSO, full checksum, no csum_blank. */
	CU_ASSERT_TRUE(l4_valid(&lo));
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_data_validated, &ex, buf,
	    lo.len, &vh, &st), 0);
	CU_ASSERT_EQUAL(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CU_ASSERT_EQUAL(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	CU_ASSERT_EQUAL(st.gso_fixup, 1);
	/* The field holds exactly the folded pseudo-header sum. */
	CU_ASSERT_FATAL(hdr_parse(buf, lo.len, &hi) == 0);
	memcpy(&field, buf + lo.l4_off + 16, 2);
	want = (uint16_t)~csum_fold(csum_pseudo_frame(buf, &hi,
	    (uint32_t)(lo.l3_end - lo.l4_off)));
	CU_ASSERT_EQUAL(field, want);
	/* Only those two bytes changed. */
	buf[lo.l4_off + 16] = orig[lo.l4_off + 16];
	buf[lo.l4_off + 17] = orig[lo.l4_off + 17];
	CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
}

static void
test_tx_refused(void)
{
	struct frame_spec arp = { .ip = 0 };
	struct frame_spec icmp = { .ip = 4, .l4 = IPPROTO_ICMP, .payload = 56 };
	struct frame_spec frag = { .ip = 6, .l4 = IPPROTO_UDP, .payload = 64,
	    .frag = true };
	struct frame_spec tcp = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 64 };
	struct frame_spec udp = { .ip = 6, .l4 = IPPROTO_UDP, .payload = 64 };
	struct netif_extra_info ex;
	struct virtio_net_hdr vh;
	struct vnet_stats st = { 0 };
	struct frame_layout lo;
	size_t n;

	/* csum_blank on things without a TCP/UDP checksum. */
	lo = build(&arp);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, NULL, buf,
	    lo.len, &vh, &st), -EPROTO);
	lo = build(&icmp);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, NULL, buf,
	    lo.len, &vh, &st), -EPROTO);
	lo = build(&frag);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank |
	    NETTXF_data_validated, NULL, buf, lo.len, &vh, &st), -EPROTO);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_CSUM_PARSE], 3);
	/* ...and without csum_blank the same frames pass untouched. */
	lo = build(&arp);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_data_validated, NULL, buf,
	    lo.len, &vh, &st), 0);
	CU_ASSERT_EQUAL(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);

	/* Truncated headers: every cut inside the TCP header. */
	lo = build(&tcp);
	for (n = 0; n < lo.l4_off + 20; n++) {
		CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, NULL,
		    buf, n, &vh, &st), -EPROTO);
		CU_ASSERT_EQUAL(vh.flags, 0);
	}
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_CSUM_PARSE], 3 + lo.l4_off + 20);

	/* GSO needs TCP; size 0 and unknown types are refused. */
	memset(&st, 0, sizeof(st));
	lo = build(&udp);
	ex = gso_extra(XEN_NETIF_GSO_TYPE_TCPV6, 1400);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, &ex, buf,
	    lo.len, &vh, &st), -EPROTO);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_PARSE], 1);
	lo = build(&tcp);
	ex = gso_extra(XEN_NETIF_GSO_TYPE_TCPV4, 0);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, &ex, buf,
	    lo.len, &vh, &st), -EINVAL);
	ex = gso_extra(3, 1400);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, &ex, buf,
	    lo.len, &vh, &st), -EINVAL);
	ex = gso_extra(XEN_NETIF_GSO_TYPE_NONE, 1400);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, &ex, buf,
	    lo.len, &vh, &st), -EINVAL);
	ex = gso_extra(XEN_NETIF_GSO_TYPE_TCPV4, 1400);
	ex.type = XEN_NETIF_EXTRA_TYPE_HASH;
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank, &ex, buf,
	    lo.len, &vh, &st), -EINVAL);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_TYPE], 4);
	/* GSO on ARP. */
	lo = build(&arp);
	ex = gso_extra(XEN_NETIF_GSO_TYPE_TCPV4, 1400);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(0, &ex, buf, lo.len, &vh, &st),
	    -EPROTO);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_PARSE], 2);
	CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
}

/* ---- virtio -> netif (backend RX, netfront TX) --------------------- */

struct v2n_case {
	int ip;
	uint8_t l4;
	unsigned int nvlan;
	uint8_t vflags;		/* VIRTIO_NET_HDR_F_* */
	bool gso;
	const struct vnet_features *feat;
};

static void
check_vhdr2netif(const struct v2n_case *c, bool tx)
{
	struct frame_spec s = { .ip = c->ip, .l4 = c->l4, .nvlan = c->nvlan,
	    .payload = c->gso ? 40000 : 900 };
	struct frame_layout lo = build(&s);
	struct virtio_net_hdr vh;
	struct netif_extra_info ex;
	struct vnet_stats st = { 0 };
	uint16_t flags = 0xffff, blank, valid;
	bool has_gso = true, tcp = c->l4 == IPPROTO_TCP, famok, takes;
	uint8_t gt = c->ip == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 :
	    VIRTIO_NET_HDR_GSO_TCPV6;
	int r;

	memset(&vh, 0, sizeof(vh));
	vh.flags = c->vflags;
	if (c->vflags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		make_partial(&lo);
		vh.csum_start = (uint16_t)lo.l4_off;
		vh.csum_offset = tcp ? 16 : 6;
	}
	if (c->gso) {
		vh.gso_type = gt;
		vh.gso_size = 1448;
		vh.hdr_len = (uint16_t)(lo.l4_off + lo.l4_hdr_len);
	}
	memset(&ex, 0x5a, sizeof(ex));
	r = tx ? vnet_hdr_vhdr2nettx(&vh, buf, lo.len, c->feat, &flags,
	    &has_gso, &ex, &st) : vnet_hdr_vhdr2netrx(&vh, buf, lo.len,
	    c->feat, &flags, &has_gso, &ex, &st);
	blank = tx ? NETTXF_csum_blank : NETRXF_csum_blank;
	valid = tx ? NETTXF_data_validated : NETRXF_data_validated;
	famok = c->ip == 4 ? c->feat->csum_ipv4 : c->feat->csum_ipv6;

	if (c->gso) {
		takes = c->ip == 4 ? c->feat->gso_tcpv4 : c->feat->gso_tcpv6;
		takes = takes && c->feat->sg && famok;
		if (!takes) {
			CU_ASSERT_EQUAL(r, -EOPNOTSUPP);
			CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_FEATURE], 1);
			return;
		}
		if (!tcp) {
			CU_ASSERT_EQUAL(r, -EPROTO);
			CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_PARSE], 1);
			return;
		}
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT_EQUAL(flags, blank | valid);
		CU_ASSERT_TRUE(has_gso);
		CU_ASSERT_EQUAL(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
		CU_ASSERT_EQUAL(ex.flags, 0);
		CU_ASSERT_EQUAL(ex.u.gso.size, 1448);
		CU_ASSERT_EQUAL(ex.u.gso.type, c->ip == 4 ?
		    XEN_NETIF_GSO_TYPE_TCPV4 : XEN_NETIF_GSO_TYPE_TCPV6);
		CU_ASSERT_EQUAL(ex.u.gso.pad, 0);
		CU_ASSERT_EQUAL(ex.u.gso.features, 0);
		CU_ASSERT_EQUAL(st.gso_fixup,
		    c->vflags & VIRTIO_NET_HDR_F_NEEDS_CSUM ? 0u : 1u);
		vh.csum_start = (uint16_t)lo.l4_off;
		vh.csum_offset = 16;
		CU_ASSERT_TRUE(partial_completes(&lo, c->ip, c->l4, &vh));
		return;
	}

	CU_ASSERT_EQUAL_FATAL(r, 0);
	CU_ASSERT_FALSE(has_gso);
	CU_ASSERT_EQUAL(ex.type, 0);
	CU_ASSERT_EQUAL(drops(&st), 0);
	if (c->vflags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (famok && c->nvlan == 0) {
			/* The receiver re-finds it: passed on, untouched. */
			CU_ASSERT_EQUAL(flags, blank | valid);
			CU_ASSERT_EQUAL(st.csum_fixup, 0);
			CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
			CU_ASSERT_TRUE(partial_completes(&lo, c->ip, c->l4,
			    &vh));
		} else {
			/* Completed here, marked valid. */
			CU_ASSERT_EQUAL(flags, valid);
			CU_ASSERT_EQUAL(st.csum_fixup, 1);
			CU_ASSERT_TRUE(l4_valid(&lo));
			CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, c->ip, c->l4),
			    0);
		}
		return;
	}
	CU_ASSERT_EQUAL(flags, c->vflags & VIRTIO_NET_HDR_F_DATA_VALID ?
	    valid : 0);
	CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
}

static void
vhdr2netif_table(bool tx)
{
	static const int ips[] = { 4, 6 };
	static const uint8_t l4s[] = { IPPROTO_TCP, IPPROTO_UDP };
	static const uint8_t vfl[] = { 0, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    VIRTIO_NET_HDR_F_DATA_VALID };
	const struct vnet_features *feats[] = { &feat_all, &feat_default,
	    &feat_none };
	struct v2n_case c;
	int a, b, v, f, g, k;

	for (a = 0; a < 2; a++)
		for (b = 0; b < 2; b++)
			for (v = 0; v <= 2; v++)
				for (f = 0; f < 3; f++)
					for (g = 0; g < 2; g++)
						for (k = 0; k < 3; k++) {
							c.ip = ips[a];
							c.l4 = l4s[b];
							c.nvlan = (unsigned)v;
							c.vflags = vfl[f];
							c.gso = g;
							c.feat = feats[k];
							check_vhdr2netif(&c,
							    tx);
						}
}

static void
test_rx_table(void)
{
	vhdr2netif_table(false);
}

static void
test_netfront_tx_table(void)
{
	vhdr2netif_table(true);
}

/* The frontend lacks IPv6 checksum offload (the default): an IPv6 TCP
 * partial from the TAP is finished here and verifies. */
static void
test_rx_ipv6_software_csum(void)
{
	struct frame_spec s = { .ip = 6, .l4 = IPPROTO_TCP, .payload = 1400,
	    .v6_ext = 1 };
	struct frame_layout lo = build(&s);
	struct virtio_net_hdr vh = { 0 };
	struct netif_extra_info ex;
	struct vnet_stats st = { 0 };
	uint16_t flags;
	bool has_gso;

	make_partial(&lo);
	CU_ASSERT_FALSE(l4_valid(&lo));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = (uint16_t)lo.l4_off;
	vh.csum_offset = 16;
	CU_ASSERT_EQUAL(vnet_hdr_vhdr2netrx(&vh, buf, lo.len, &feat_default,
	    &flags, &has_gso, &ex, &st), 0);
	CU_ASSERT_EQUAL(flags, NETRXF_data_validated);
	CU_ASSERT_EQUAL(st.csum_fixup, 1);
	CU_ASSERT_TRUE(l4_valid(&lo));
	CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, 6, IPPROTO_TCP), 0);

	/* The same frame to a frontend with feature-ipv6-csum-offload. */
	lo = build(&s);
	make_partial(&lo);
	CU_ASSERT_EQUAL(vnet_hdr_vhdr2netrx(&vh, buf, lo.len, &feat_all,
	    &flags, &has_gso, &ex, &st), 0);
	CU_ASSERT_EQUAL(flags, NETRXF_csum_blank | NETRXF_data_validated);
	CU_ASSERT_EQUAL(st.csum_fixup, 1);
	CU_ASSERT_FALSE(l4_valid(&lo));	/* still partial */
}

/* A partial checksum somewhere netfront would not look (e.g. an inner
 * header): completed at exactly csum_start/csum_offset. */
static void
test_rx_unusual_csum_start(void)
{
	struct frame_spec s = { .ip = 4, .l4 = IPPROTO_UDP, .payload = 200 };
	struct frame_layout lo = build(&s);
	struct virtio_net_hdr vh = { 0 };
	struct netif_extra_info ex;
	struct vnet_stats st = { 0 };
	size_t start = lo.l4_off + 8 + 20, i;
	uint16_t flags, c;
	bool has_gso;

	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = (uint16_t)start;
	vh.csum_offset = 16;
	buf[start + 16] = 0x12;		/* a "pseudo-header" seed */
	buf[start + 17] = 0x34;
	memcpy(orig, buf, lo.len);
	CU_ASSERT_EQUAL(vnet_hdr_vhdr2netrx(&vh, buf, lo.len, &feat_all,
	    &flags, &has_gso, &ex, &st), 0);
	CU_ASSERT_EQUAL(flags, NETRXF_data_validated);
	CU_ASSERT_EQUAL(st.csum_fixup, 1);
	/* The seed stood for the pseudo-header: seed + region checks out. */
	c = ref_fold(ref_sum(buf + start, lo.len - start, 0x1234));
	CU_ASSERT_EQUAL(c, 0);
	c = ref_fold(ref_sum(buf + start, lo.len - start, 0));
	CU_ASSERT_EQUAL(c, 0x1234);
	for (i = 0; i < lo.len; i++)
		if (i != start + 16 && i != start + 17)
			CU_ASSERT_EQUAL(buf[i], orig[i]);
}

static void
test_rx_refused(void)
{
	struct frame_spec tcp = { .ip = 4, .l4 = IPPROTO_TCP, .payload = 3000 };
	struct frame_spec udp = { .ip = 4, .l4 = IPPROTO_UDP, .payload = 3000 };
	struct frame_layout lo = build(&tcp);
	struct virtio_net_hdr vh = { 0 }, base;
	struct netif_extra_info ex;
	struct vnet_stats st = { 0 };
	uint16_t flags;
	bool has_gso;

	make_partial(&lo);
	base.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	base.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	base.hdr_len = (uint16_t)(lo.l4_off + 20);
	base.gso_size = 1448;
	base.csum_start = (uint16_t)lo.l4_off;
	base.csum_offset = 16;

#define RX(v) vnet_hdr_vhdr2netrx(&(v), buf, lo.len, &feat_all, &flags, \
	    &has_gso, &ex, &st)
	vh = base;
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	CU_ASSERT_EQUAL(RX(vh), -EOPNOTSUPP);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	CU_ASSERT_EQUAL(RX(vh), -EOPNOTSUPP);
	vh.gso_type = 5;	/* VIRTIO_NET_HDR_GSO_UDP_L4 (newer headers) */
	CU_ASSERT_EQUAL(RX(vh), -EOPNOTSUPP);
	vh.gso_type = 0x42;
	CU_ASSERT_EQUAL(RX(vh), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_TYPE], 4);
	vh = base;
	vh.gso_size = 0;
	CU_ASSERT_EQUAL(RX(vh), -EINVAL);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_TYPE], 5);
	/* GSO TCPV6 on an IPv4 frame; checksum not at the TCP checksum. */
	vh = base;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	CU_ASSERT_EQUAL(RX(vh), -EPROTO);
	vh = base;
	vh.csum_offset = 6;
	CU_ASSERT_EQUAL(RX(vh), -EPROTO);
	vh = base;
	vh.csum_start = (uint16_t)(lo.l4_off + 4);
	CU_ASSERT_EQUAL(RX(vh), -EPROTO);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_PARSE], 3);
	/* NEEDS_CSUM outside the frame. */
	vh = base;
	vh.gso_type = 0;
	vh.csum_start = (uint16_t)(lo.len - 1);
	vh.csum_offset = 0;
	CU_ASSERT_EQUAL(RX(vh), -EINVAL);
	vh.csum_start = 0xffff;
	vh.csum_offset = 0xffff;
	CU_ASSERT_EQUAL(RX(vh), -EINVAL);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_CSUM_RANGE], 2);
	/* The last possible place is fine. */
	vh.csum_start = (uint16_t)(lo.len - 2);
	vh.csum_offset = 0;
	CU_ASSERT_EQUAL(RX(vh), 0);
	CU_ASSERT_EQUAL(flags, NETRXF_data_validated);
	/* GSO TCPV4 header on a UDP frame. */
	lo = build(&udp);
	vh = base;
	vh.flags = 0;
	CU_ASSERT_EQUAL(RX(vh), -EPROTO);
	CU_ASSERT_EQUAL(st.drops[VNET_DROP_GSO_PARSE], 4);
	CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
#undef RX
}

/* TAP -> backend RX -> netfront RX -> guest TAP, and guest TAP ->
 * netfront TX -> backend TX -> host TAP: headers survive the trip. */
static void
test_round_trips(void)
{
	struct frame_spec s = { .ip = 6, .l4 = IPPROTO_TCP, .payload = 50000 };
	struct frame_layout lo = build(&s);
	struct virtio_net_hdr in = { 0 }, out;
	struct netif_extra_info ex;
	struct vnet_stats st = { 0 };
	uint16_t flags;
	bool has_gso;

	make_partial(&lo);
	in.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	in.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	in.gso_size = 1428;
	in.hdr_len = (uint16_t)(lo.l4_off + 20);
	in.csum_start = (uint16_t)lo.l4_off;
	in.csum_offset = 16;

	CU_ASSERT_EQUAL(vnet_hdr_vhdr2netrx(&in, buf, lo.len, &feat_all,
	    &flags, &has_gso, &ex, &st), 0);
	CU_ASSERT_EQUAL(vnet_hdr_netrx2vhdr(flags, has_gso ? &ex : NULL, buf,
	    lo.len, &out, &st), 0);
	CU_ASSERT_EQUAL(memcmp(&in, &out, sizeof(in)), 0);

	CU_ASSERT_EQUAL(vnet_hdr_vhdr2nettx(&in, buf, lo.len, &feat_all,
	    &flags, &has_gso, &ex, &st), 0);
	CU_ASSERT_EQUAL(flags, NETTXF_csum_blank | NETTXF_data_validated);
	CU_ASSERT_EQUAL(vnet_hdr_nettx2vhdr(flags, has_gso ? &ex : NULL, buf,
	    lo.len, &out, &st), 0);
	CU_ASSERT_EQUAL(memcmp(&in, &out, sizeof(in)), 0);
	CU_ASSERT_EQUAL(st.csum_fixup + st.gso_fixup + drops(&st), 0);
	CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
}

/* Random flags, extras and mutated or random frames through the backend
 * TX direction on exact-size heap buffers: 0 or an error, never a read
 * out of bounds; on success the header is one the TAP accepts. */
static void
test_fuzz_tx(void)
{
	struct frame_spec specs[] = {
		{ .ip = 4, .l4 = IPPROTO_TCP, .payload = 30, .tcp_opt = 4 },
		{ .ip = 6, .l4 = IPPROTO_UDP, .payload = 9, .v6_ext = 2,
		  .nvlan = 1 },
		{ .ip = 6, .l4 = IPPROTO_TCP, .payload = 5 },
		{ .ip = 4, .l4 = IPPROTO_UDP, .nvlan = 2, .pad = 8 },
	};
	uint64_t seed = 0xfeedf00d;
	struct frame_layout lo;
	struct netif_extra_info ex;
	struct virtio_net_hdr vh;
	struct vnet_stats st = { 0 };
	unsigned int iter, i, flips, ok = 0, err = 0;
	uint16_t flags;
	size_t len;
	uint8_t *p;
	int r;

	for (iter = 0; iter < 30000; iter++) {
		lo = frame_build(buf, BUFSZ, &specs[prng_next(&seed) % 4]);
		len = lo.len;
		if (iter % 4 == 0) {
			len = prng_next(&seed) % 140;
			for (i = 0; i < len; i++)
				buf[i] = (uint8_t)prng_next(&seed);
		} else {
			flips = 1 + (unsigned int)(prng_next(&seed) % 3);
			for (i = 0; i < flips; i++)
				buf[prng_next(&seed) % len] ^=
				    (uint8_t)(1u << (prng_next(&seed) % 8));
			if (prng_next(&seed) % 3 == 0)
				len = prng_next(&seed) % (len + 1);
		}
		flags = (uint16_t)(prng_next(&seed) & 0xf);
		memset(&ex, 0, sizeof(ex));
		ex.type = (uint8_t)(prng_next(&seed) % 3);
		ex.u.gso.type = (uint8_t)(prng_next(&seed) % 4);
		ex.u.gso.size = (uint16_t)(prng_next(&seed) % 3 * 700);
		p = malloc(len ? len : 1);
		CU_ASSERT_FATAL(p != NULL);
		memcpy(p, buf, len);
		r = vnet_hdr_nettx2vhdr(flags, prng_next(&seed) % 2 ? &ex :
		    NULL, p, len, &vh, &st);
		free(p);
		CU_ASSERT(r == 0 || r == -EPROTO || r == -EINVAL);
		if (r == 0) {
			ok++;
			if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
				CU_ASSERT(vh.csum_start + vh.csum_offset +
				    2u <= vh.hdr_len);
				CU_ASSERT(vh.hdr_len <= len);
			}
		} else {
			err++;
			CU_ASSERT_EQUAL(vh.flags, 0);
			CU_ASSERT_EQUAL(vh.gso_type, 0);
		}
	}
	CU_ASSERT(ok > 1000);
	CU_ASSERT(err > 1000);
	CU_ASSERT_EQUAL(drops(&st), err);
}

/* The same for the backend RX direction with random virtio headers. */
static void
test_fuzz_rx(void)
{
	struct frame_spec specs[] = {
		{ .ip = 4, .l4 = IPPROTO_TCP, .payload = 30 },
		{ .ip = 6, .l4 = IPPROTO_TCP, .payload = 40, .v6_ext = 1 },
		{ .ip = 6, .l4 = IPPROTO_UDP, .payload = 9, .nvlan = 2 },
	};
	const struct vnet_features *feats[] = { &feat_all, &feat_default,
	    &feat_none };
	uint64_t seed = 0xabad1dea;
	struct frame_layout lo;
	struct netif_extra_info ex;
	struct virtio_net_hdr vh;
	struct vnet_stats st = { 0 };
	unsigned int iter, ok = 0, err = 0;
	uint16_t flags;
	bool has_gso;
	size_t len;
	uint8_t *p;
	int r;

	for (iter = 0; iter < 30000; iter++) {
		lo = frame_build(buf, BUFSZ, &specs[prng_next(&seed) % 3]);
		len = lo.len;
		if (iter % 3 == 0)
			buf[prng_next(&seed) % len] ^= (uint8_t)prng_next(&seed);
		if (iter % 5 == 0)
			len = prng_next(&seed) % (len + 1);
		memset(&vh, 0, sizeof(vh));
		vh.flags = (uint8_t)(prng_next(&seed) % 4);
		vh.gso_type = (uint8_t)(prng_next(&seed) % 2 ?
		    prng_next(&seed) % 6 : 0);
		vh.gso_size = (uint16_t)(prng_next(&seed) % 2 * 1448);
		vh.csum_start = (uint16_t)(prng_next(&seed) % 2 ? lo.l4_off :
		    prng_next(&seed) % 200);
		vh.csum_offset = (uint16_t)(prng_next(&seed) % 2 ? 16 :
		    prng_next(&seed) % 40);
		p = malloc(len ? len : 1);
		CU_ASSERT_FATAL(p != NULL);
		memcpy(p, buf, len);
		r = vnet_hdr_vhdr2netrx(&vh, p, len, feats[iter % 3], &flags,
		    &has_gso, &ex, &st);
		free(p);
		CU_ASSERT(r == 0 || r == -EPROTO || r == -EINVAL ||
		    r == -EOPNOTSUPP);
		if (r == 0) {
			ok++;
			CU_ASSERT_EQUAL(flags & ~(NETRXF_csum_blank |
			    NETRXF_data_validated), 0);
			if (has_gso)
				CU_ASSERT_EQUAL(flags, NETRXF_csum_blank |
				    NETRXF_data_validated);
		} else {
			err++;
		}
	}
	CU_ASSERT(ok > 1000);
	CU_ASSERT(err > 1000);
	CU_ASSERT_EQUAL(drops(&st), err);
}

/*
 * TX under a feature mask: a partial TCP/UDP checksum of a masked family
 * is completed (valid by the naive reference), the header says
 * DATA_VALID; other families, GSO and non-partial headers are untouched.
 */
static void
test_tx_masked_csum(void)
{
	static const struct {
		int ip;
		uint8_t l4;
		uint32_t off;
		bool completed;
	} c[] = {
		{ 4, IPPROTO_TCP, FEATMASK_IPV4_CSUM, true },
		{ 4, IPPROTO_UDP, FEATMASK_IPV4_CSUM, true },
		{ 6, IPPROTO_TCP, FEATMASK_IPV6_CSUM, true },
		{ 6, IPPROTO_UDP, FEATMASK_IPV6_CSUM | FEATMASK_SG, true },
		{ 4, IPPROTO_TCP, FEATMASK_IPV6_CSUM, false },
		{ 6, IPPROTO_TCP, FEATMASK_IPV4_CSUM, false },
		{ 4, IPPROTO_TCP, FEATMASK_ALL & ~(FEATMASK_IPV4_CSUM |
		  FEATMASK_IPV6_CSUM), false },
		{ 4, IPPROTO_TCP, 0, false },
	};
	struct virtio_net_hdr vh;
	struct vnet_stats st;
	struct frame_layout lo;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct frame_spec s = { .ip = c[i].ip, .l4 = c[i].l4,
		    .payload = 300 };

		lo = build(&s);
		make_partial(&lo);
		memset(&st, 0, sizeof(st));
		CU_ASSERT_EQUAL_FATAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank |
		    NETTXF_data_validated, NULL, buf, lo.len, &vh, &st), 0);
		CU_ASSERT_EQUAL(vnet_hdr_tx_masked_csum(&vh, buf, lo.len,
		    c[i].off, &st), 0);
		if (c[i].completed) {
			CU_ASSERT_EQUAL(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
			CU_ASSERT_EQUAL(ref_l4_check(buf, &lo, c[i].ip,
			    c[i].l4), 0);
			CU_ASSERT_EQUAL(st.csum_fixup, 1);
		} else {
			CU_ASSERT_EQUAL(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
			CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
			CU_ASSERT_EQUAL(st.csum_fixup, 0);
		}
	}

	/* GSO is never completed here (a masked family has no GSO: it is
	 * dropped before), nor a frame without a partial checksum. */
	{
		struct frame_spec s = { .ip = 4, .l4 = IPPROTO_TCP,
		    .payload = 3000 };
		struct netif_extra_info gso;

		lo = build(&s);
		make_partial(&lo);
		memset(&gso, 0, sizeof(gso));
		gso.type = XEN_NETIF_EXTRA_TYPE_GSO;
		gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		gso.u.gso.size = 1448;
		memset(&st, 0, sizeof(st));
		CU_ASSERT_EQUAL_FATAL(vnet_hdr_nettx2vhdr(NETTXF_csum_blank,
		    &gso, buf, lo.len, &vh, &st), 0);
		CU_ASSERT_EQUAL(vnet_hdr_tx_masked_csum(&vh, buf, lo.len,
		    FEATMASK_ALL, &st), 0);
		CU_ASSERT_EQUAL(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
		CU_ASSERT_EQUAL(st.csum_fixup, 0);
		CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);

		s.payload = 300;
		lo = build(&s);
		CU_ASSERT_EQUAL_FATAL(vnet_hdr_nettx2vhdr(NETTXF_data_validated,
		    NULL, buf, lo.len, &vh, &st), 0);
		CU_ASSERT_EQUAL(vnet_hdr_tx_masked_csum(&vh, buf, lo.len,
		    FEATMASK_ALL, &st), 0);
		CU_ASSERT_EQUAL(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
		CU_ASSERT_EQUAL(st.csum_fixup, 0);
		CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
	}
}

/* Frames and receivers of the "straight to RX" tests below. */
static const struct frame_spec direct_specs[] = {
	{ .ip = 4, .l4 = IPPROTO_TCP, .payload = 3000 },
	{ .ip = 6, .l4 = IPPROTO_TCP, .payload = 3000, .tcp_opt = 12 },
	{ .ip = 4, .l4 = IPPROTO_UDP, .payload = 700 },
	{ .ip = 6, .l4 = IPPROTO_UDP, .payload = 700 },
	{ .ip = 4, .l4 = IPPROTO_TCP, .payload = 3000, .nvlan = 1 },
	{ .ip = 6, .l4 = IPPROTO_TCP, .payload = 2000, .v6_ext = 1 },
	{ .ip = 0 },
};
static const struct vnet_features feat_v6only = { .csum_ipv6 = true,
    .gso_tcpv6 = true, .sg = true };
static const struct vnet_features *const direct_peers[] = {
	&feat_all, &feat_default, &feat_none, &feat_v6only,
};

/*
 * The straight translation (d, its flags df and GSO extra dg, NULL for
 * none) against the usual way's (rf, rg), which changed no byte and
 * accepted the frame when `untouched`: then the same result, else -EAGAIN.
 * Counts which it was.
 */
static void
direct_agree(bool untouched, int d, uint16_t rf, uint16_t df,
    const struct netif_extra_info *rg, const struct netif_extra_info *dg,
    unsigned int *same, unsigned int *declined)
{
	if (!untouched) {
		CU_ASSERT_EQUAL(d, -EAGAIN);
		(*declined)++;
		return;
	}
	CU_ASSERT_EQUAL(d, 0);
	CU_ASSERT_EQUAL(df, rf);
	CU_ASSERT_EQUAL(dg != NULL, rg != NULL);
	if (rg != NULL && dg != NULL)
		CU_ASSERT(dg->type == rg->type &&
		    dg->u.gso.type == rg->u.gso.type &&
		    dg->u.gso.size == rg->u.gso.size);
	(*same)++;
}

/*
 * Guest TX straight to guest RX: wherever the two-copy path (TX request
 * -> virtio header -> RX response) changes no byte of the frame, the
 * direct translation gives the same flags and GSO extra; wherever it
 * would change bytes (completing or forcing a checksum) or refuse the
 * frame, the direct one declines (-EAGAIN). Frames of every family and
 * L4, tagged or not, all flag and GSO combinations, four receivers, and
 * heads too short to hold the headers.
 */
static void
test_tx2rx_direct(void)
{
	static const uint16_t txfl[] = {
		0, NETTXF_data_validated, NETTXF_csum_blank,
		NETTXF_csum_blank | NETTXF_data_validated,
	};
	unsigned int si, fi, gi, pi, same = 0, declined = 0;

	for (si = 0; si < sizeof(direct_specs) / sizeof(direct_specs[0]); si++)
	for (fi = 0; fi < 4; fi++)
	for (gi = 0; gi < 3; gi++)
	for (pi = 0; pi < 4; pi++) {
		struct frame_layout lo = frame_build(orig, BUFSZ,
		    &direct_specs[si]);
		struct netif_extra_info g = gso_extra(gi == 1 ?
		    XEN_NETIF_GSO_TYPE_TCPV4 : XEN_NETIF_GSO_TYPE_TCPV6, 1400);
		struct netif_extra_info rg, dg;
		struct virtio_net_hdr vh;
		struct vnet_stats st;
		uint16_t rf = 0, df;
		bool rgso = false, dgso;
		int r, d;

		CU_ASSERT_FATAL(lo.len > 0);
		memcpy(buf, orig, lo.len);
		memset(&st, 0, sizeof(st));
		r = vnet_hdr_nettx2vhdr(txfl[fi], gi ? &g : NULL, buf, lo.len,
		    &vh, &st);
		if (r == 0)
			r = vnet_hdr_vhdr2netrx(&vh, buf, lo.len, direct_peers[pi],
			    &rf, &rgso, &rg, &st);
		d = vnet_hdr_nettx2netrx(txfl[fi], gi ? &g : NULL, orig,
		    lo.len, lo.len, direct_peers[pi], &df, &dgso, &dg);
		direct_agree(r == 0 && st.csum_fixup == 0 &&
		    st.gso_fixup == 0 && memcmp(buf, orig, lo.len) == 0, d,
		    rf, df, rgso ? &rg : NULL, dgso ? &dg : NULL, &same,
		    &declined);
		/* A head that ends inside the headers: never decided on. */
		if (txfl[fi] & NETTXF_csum_blank && lo.l4_hdr_len > 0)
			CU_ASSERT_EQUAL(vnet_hdr_nettx2netrx(txfl[fi],
			    gi ? &g : NULL, orig, lo.l4_off + 4, lo.len,
			    direct_peers[pi], &df, &dgso, &dg), -EAGAIN);
	}
	/* Both kinds happened, many times. */
	CU_ASSERT(same > 50);
	CU_ASSERT(declined > 50);
}

/*
 * A held frame straight into a guest's RX ring (a switch uplink's
 * placement): wherever vnet_hdr_vhdr2netrx accepts the frame and changes
 * none of its bytes, the as-is translation gives the same flags and GSO
 * extra, and leaves the frame as it was; wherever it would complete or
 * force a checksum, or refuse the frame, the as-is one declines
 * (-EAGAIN). Frames of every family and L4, tagged or not; headers with
 * no flag, DATA_VALID, NEEDS_CSUM at the TCP/UDP checksum and elsewhere,
 * past the end, and with GSO of either family, with and without
 * NEEDS_CSUM; four receivers.
 */
static void
test_vhdr2rx_as_is(void)
{
	unsigned int si, hi, pi, same = 0, declined = 0;

	for (si = 0; si < sizeof(direct_specs) / sizeof(direct_specs[0]); si++)
	for (hi = 0; hi < 9; hi++)
	for (pi = 0; pi < 4; pi++) {
		struct frame_layout lo = frame_build(orig, BUFSZ,
		    &direct_specs[si]);
		uint16_t csum_off = direct_specs[si].l4 == IPPROTO_UDP ? 6 : 16;
		struct netif_extra_info rg, dg;
		struct virtio_net_hdr vh;
		struct vnet_stats st;
		uint16_t rf = 0, df = 0xffff;
		bool rgso = false, dgso = false;
		int r, d;

		CU_ASSERT_FATAL(lo.len > 0);
		memset(&vh, 0, sizeof(vh));
		switch (hi) {
		case 0:
			break;
		case 1:
			vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
			break;
		case 2:		/* where a receiver finds it */
		case 3:		/* two bytes on: completed in software */
		case 4:		/* past the end: refused */
			vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			vh.csum_start = (uint16_t)lo.l4_off;
			vh.csum_offset = (uint16_t)(csum_off + (hi - 2) * 2);
			if (hi == 4)
				vh.csum_start = (uint16_t)lo.len;
			break;
		default:	/* GSO of each family, NEEDS_CSUM or not */
			vh.gso_type = hi < 7 ? VIRTIO_NET_HDR_GSO_TCPV4 :
			    VIRTIO_NET_HDR_GSO_TCPV6;
			vh.gso_size = 1400;
			if (hi % 2 == 1) {
				vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
				vh.csum_start = (uint16_t)lo.l4_off;
				vh.csum_offset = csum_off;
			}
			break;
		}
		memcpy(buf, orig, lo.len);
		memset(&st, 0, sizeof(st));
		r = vnet_hdr_vhdr2netrx(&vh, buf, lo.len, direct_peers[pi], &rf,
		    &rgso, &rg, &st);
		memcpy(buf, orig, lo.len);
		d = vnet_hdr_vhdr2netrx_as_is(&vh, buf, lo.len, direct_peers[pi], &df,
		    &dgso, &dg);
		CU_ASSERT_EQUAL(memcmp(buf, orig, lo.len), 0);
		direct_agree(r == 0 && st.csum_fixup == 0 &&
		    st.gso_fixup == 0, d, rf, df, rgso ? &rg : NULL,
		    dgso ? &dg : NULL, &same, &declined);
	}
	/* Both kinds happened, many times. */
	CU_ASSERT(same > 50);
	CU_ASSERT(declined > 50);
}

static CU_TestInfo vnet_tests[] = {
	{ "TX checksums of a masked family completed",
	  test_tx_masked_csum },
	{ "backend TX table", test_tx_table },
	{ "netfront RX table", test_netfront_rx_table },
	{ "backend RX table", test_rx_table },
	{ "netfront TX table", test_netfront_tx_table },
	{ "TX GSO without csum_blank: fix-up", test_tx_gso_fixup },
	{ "TX refused: not TCP/UDP, truncated, bad GSO", test_tx_refused },
	{ "RX IPv6 completed without ipv6 offload",
	  test_rx_ipv6_software_csum },
	{ "RX partial at an unusual place", test_rx_unusual_csum_start },
	{ "RX refused: ECN/UDP GSO, bad offsets", test_rx_refused },
	{ "round trips", test_round_trips },
	{ "fuzz backend TX", test_fuzz_tx },
	{ "fuzz backend RX", test_fuzz_rx },
	{ "TX to RX untouched (one copy) as the two-copy path",
	  test_tx2rx_direct },
	{ "a held frame to RX untouched, as the usual way",
	  test_vhdr2rx_as_is },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "vnet_hdr", suite_init, suite_clean, NULL, NULL, vnet_tests },
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return cu_tap_run(suites);
}
