/*
 * gxdp.c - netfront's XDP headroom handshake (drivers/net/xen-netfront.c,
 * xennet_xdp_set and talk_to_netback_xdp), on demand: --xdp-cycles N
 * attaches and removes an XDP program N times, --xdp-interval apart.
 *
 * Netfront writes Reconfiguring, then its xdp-headroom (256 to attach, 0
 * to remove), and waits - uninterruptibly, holding the RTNL lock, with no
 * timeout - until the backend's state reads Reconfigured; then it goes
 * back to Connected. A backend that shows Reconfigured only for a moment,
 * or never, hangs the guest's networking for good. Here every wait is
 * bounded by --timeout and a miss is reported loudly (vif-guest then
 * exits 1), and we also wait for the backend to return to Connected, so
 * that the next handshake can be told apart from this one. The RX side
 * (gq.c, rxasm.c) checks and counts where the data lands meanwhile.
 * Owns only the handshake; the state node and watches are gbus.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "util/log.h"
#include "util/loop.h"
#include "vif-guest.h"

/* Milliseconds since `t0`. */
static double
gxdp_ms(uint64_t t0)
{
	return (double)(loop_now_ns() - t0) / 1e6;
}

int
gxdp_handshake(struct vg *vg, unsigned int h, const char *what)
{
	int timeout_ms = (int)vg->o.timeout_s * 1000;
	uint64_t t0 = loop_now_ns();
	double t_reconf;
	char val[16];
	int rc;

	if ((rc = gbus_switch_state(vg, XenbusStateReconfiguring)) != 0)
		return rc;
	snprintf(val, sizeof(val), "%u", h);
	if ((rc = gbus_write(vg, XEN_TXN_NULL, "xdp-headroom", val)) != 0) {
		log_warnx("xdp: writing xdp-headroom: %s", strerror(-rc));
		return rc;
	}
	vg->xdp_headroom = h;
	rc = gbus_wait_be(vg, 1u << XenbusStateReconfigured, timeout_ms,
	    true);
	if (rc == -ETIMEDOUT) {
		printf("xdp: %s headroom %u: backend did not reach "
		    "Reconfigured within %u s (state %s): netfront would "
		    "hang here\n", what, h, vg->o.timeout_s,
		    gbus_state_str(vg->be_state));
		fflush(stdout);
		return rc;
	}
	if (rc < 0)
		return rc;
	t_reconf = gxdp_ms(t0);
	/* netfront: the program is in place now; back to Connected. */
	if ((rc = gbus_switch_state(vg, XenbusStateConnected)) != 0)
		return rc;
	rc = gbus_wait_be(vg, 1u << XenbusStateConnected, timeout_ms, true);
	if (rc == -ETIMEDOUT) {
		printf("xdp: %s headroom %u: Reconfigured after %.1f ms, but "
		    "the backend did not return to Connected within %u s "
		    "(state %s)\n", what, h, t_reconf, vg->o.timeout_s,
		    gbus_state_str(vg->be_state));
		fflush(stdout);
		return rc;
	}
	if (rc < 0)
		return rc;
	printf("xdp: %s headroom %u: Reconfigured after %.1f ms, Connected "
	    "after %.1f ms\n", what, h, t_reconf, gxdp_ms(t0));
	fflush(stdout);
	return 0;
}

int
gxdp_tick(struct vg *vg, uint64_t now)
{
	const struct gopts *o = &vg->o;
	unsigned int total = 2 * o->xdp_cycles;
	char what[48];
	int rc;

	if (vg->xdp_steps >= total || !vg->connected)
		return -1;
	if (!vg->bf.xdp_headroom) {
		/* xennet_xdp_set: no handshake without the feature. */
		printf("xdp: the backend does not offer feature-xdp-headroom: "
		    "no handshake\n");
		fflush(stdout);
		vg->xdp_steps = total;
		return -1;
	}
	if (now < vg->xdp_next_ns)
		return (int)((vg->xdp_next_ns - now) / 1000000) + 1;
	/* Odd steps attach, even ones remove. */
	snprintf(what, sizeof(what), "cycle %u %s", vg->xdp_steps / 2 + 1,
	    vg->xdp_steps % 2 == 0 ? "attach" : "remove");
	rc = gxdp_handshake(vg, vg->xdp_steps % 2 == 0 ? o->xdp_headroom : 0,
	    what);
	if (rc < 0) {
		if (rc != -EINTR && rc != -ENOENT)
			vg->xdp_failed = true;
		return rc;
	}
	vg->xdp_steps++;
	vg->xdp_next_ns = loop_now_ns() + (uint64_t)(o->xdp_interval * 1e9);
	if (vg->xdp_steps == total) {
		printf("xdp: done: %u cycles, every handshake answered\n",
		    o->xdp_cycles);
		fflush(stdout);
		return -1;
	}
	return (int)(o->xdp_interval * 1000) + 1;
}
