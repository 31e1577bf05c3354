/*
 * swfwd.c - a vifd switch's forwarding decision for one frame: learn its
 * source, then one port or a flood, within the input port's VLAN and
 * isolation. Owns the rules of who may reach whom; the table's own rules
 * are core/swfdb.c's, moving the bytes is the data path's.
 */
#include "config.h"

#include <stdbool.h>

#include "core/swfwd.h"

#define SWFWD_ETH_HLEN	14u	/* destination, source, type */

/* May a frame from port `in`, in VLAN `v`, reach port `o`? */
static bool
swfwd_reaches(const struct swfwd_port *ports, unsigned int in, uint16_t v,
    unsigned int o)
{
	if (o == in || !ports[o].used ||
	    (!ports[o].trunk && ports[o].vlan != v))
		return false;
	return !(ports[in].isolated && ports[o].isolated);
}

/* 802.1Q and 802.1ad: the tag types a frame from an access port may not
 * carry once the port is in a VLAN. */
static bool
swfwd_tagged(const uint8_t *frame)
{
	unsigned int type = (unsigned int)frame[12] << 8 | frame[13];

	return type == 0x8100 || type == 0x88a8;
}

enum swfwd_verdict
swfwd_decide(struct swfdb *fdb, const struct swfwd_port *ports,
    unsigned int nports, unsigned int in, uint16_t vid, const uint8_t *frame,
    size_t len, uint64_t now_ns, uint16_t *out, unsigned int *nout,
    uint16_t *vlan)
{
	enum swfdb_learn_result lr;
	unsigned int o;
	uint16_t v;
	int p;

	*nout = 0;
	*vlan = 0;
	if (in >= nports || !ports[in].used)
		return SWFWD_DROP_PORT;
	if (len < SWFWD_ETH_HLEN)
		return SWFWD_DROP_RUNT;
	if (ports[in].trunk) {
		v = vid;
	} else {
		v = ports[in].vlan;
		/* An access port in a VLAN: a guest's own tag would be a
		 * way into another VLAN on the trunk (Linux drops a tagged
		 * frame whose VID the port is not a member of). */
		if (v != 0 && swfwd_tagged(frame))
			return SWFWD_DROP_VLAN;
	}
	*vlan = v;
	lr = swfdb_learn(fdb, frame + 6, v, (uint16_t)in, now_ns);
	if (lr == SWFDB_REFUSED || lr == SWFDB_BAD_SRC)
		return SWFWD_DROP_SRC;
	p = swfdb_lookup(fdb, frame, v, now_ns);
	if (p >= 0 && (unsigned int)p < nports && ports[p].used &&
	    (ports[p].trunk || ports[p].vlan == v)) {
		if ((unsigned int)p == in)
			return SWFWD_DROP_LOCAL;
		if (!swfwd_reaches(ports, in, v, (unsigned int)p))
			return SWFWD_DROP_ISOLATED;
		out[(*nout)++] = (uint16_t)p;
		return SWFWD_UNICAST;
	}
	/* Broadcast, multicast, unknown (or stale: its port is gone or
	 * moved VLAN): every port the frame may reach. */
	for (o = 0; o < nports; o++)
		if (swfwd_reaches(ports, in, v, o))
			out[(*nout)++] = (uint16_t)o;
	return SWFWD_FLOOD;
}
