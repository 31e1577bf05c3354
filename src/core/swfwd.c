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

/* May a frame from port `in` reach port `o`? */
static bool
swfwd_reaches(const struct swfwd_port *ports, unsigned int in, unsigned int o)
{
	if (o == in || !ports[o].used || ports[o].vlan != ports[in].vlan)
		return false;
	return !(ports[in].isolated && ports[o].isolated);
}

enum swfwd_verdict
swfwd_decide(struct swfdb *fdb, const struct swfwd_port *ports,
    unsigned int nports, unsigned int in, const uint8_t *frame, size_t len,
    uint64_t now_ns, uint16_t *out, unsigned int *nout)
{
	enum swfdb_learn_result lr;
	unsigned int o;
	int p;

	*nout = 0;
	if (in >= nports || !ports[in].used)
		return SWFWD_DROP_PORT;
	if (len < SWFWD_ETH_HLEN)
		return SWFWD_DROP_RUNT;
	lr = swfdb_learn(fdb, frame + 6, ports[in].vlan, (uint16_t)in, now_ns);
	if (lr == SWFDB_REFUSED || lr == SWFDB_BAD_SRC)
		return SWFWD_DROP_SRC;
	p = swfdb_lookup(fdb, frame, ports[in].vlan, now_ns);
	if (p >= 0 && (unsigned int)p < nports && ports[p].used &&
	    ports[p].vlan == ports[in].vlan) {
		if ((unsigned int)p == in)
			return SWFWD_DROP_LOCAL;
		if (!swfwd_reaches(ports, in, (unsigned int)p))
			return SWFWD_DROP_ISOLATED;
		out[(*nout)++] = (uint16_t)p;
		return SWFWD_UNICAST;
	}
	/* Broadcast, multicast, unknown (or stale: its port is gone or
	 * moved VLAN): every port the frame may reach. */
	for (o = 0; o < nports; o++)
		if (swfwd_reaches(ports, in, o))
			out[(*nout)++] = (uint16_t)o;
	return SWFWD_FLOOD;
}
