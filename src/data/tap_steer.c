/*
 * tap_steer.c - loads vifd's TAP steering program, attaches it to a
 * vif's TAP and keeps its map in step with the frontend's settings.
 *
 * Owns the libbpf object (program and map, loaded from the array the
 * build embedded, bpf/steer_obj.c), the TUNSETSTEERINGEBPF attach and
 * detach (attached while the frontend hashes), and the translation of struct ctrl_hash into the map's
 * struct steer_conf (netif.h's hash type bits into STEER_*). What the
 * program computes is bpf/steer.bpf.c's; which path a vif reports is
 * vif.c's.
 */
#include "config.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/steer.h"
#include "bpf/steer_obj.h"
#include "core/hash.h"
#include "data/tap_steer.h"
#include "util/bpfobj.h"
#include "util/log.h"
#include "util/privsep.h"

_Static_assert(STEER_KEY_LEN == HASH_KEY_MAX, "key sizes differ");
_Static_assert(STEER_MAPPING_MAX == HASH_MAPPING_MAX, "mapping sizes differ");

struct tap_steer {
	int prog_fd, map_fd;	/* ours */
	int tapfd;		/* a queue of the TAP (not ours to close) */
	bool attached;
	unsigned int nq;
};

/* TUNSETSTEERINGEBPF: the program, or none (fd -1). 0 or -errno. */
static int
tap_steer_set(int tapfd, int prog_fd)
{
	return ioctl(tapfd, TUNSETSTEERINGEBPF, &prog_fd) < 0 ? -errno : 0;
}

static bool tap_steer_software;

void
tap_steer_force_software(bool on)
{
	tap_steer_software = on;
}

/* The fds and the struct. */
static void
tap_steer_free(struct tap_steer *s)
{
	if (s->prog_fd >= 0)
		close(s->prog_fd);
	if (s->map_fd >= 0)
		close(s->map_fd);
	free(s);
}

int
tap_steer_load(int *prog_fd, int *map_fd, char *err, size_t errlen)
{
	return bpfobj_load(steer_obj, steer_obj_len, "vifd_steer",
	    "steer_conf", prog_fd, map_fd, err, errlen);
}

int
tap_steer_open(int tapfd, unsigned int nq, struct tap_steer **out,
    char *err, size_t errlen)
{
	struct tap_steer *s;
	struct ctrl_hash off;
	int r;

	*out = NULL;
	if (tap_steer_software) {
		snprintf(err, errlen, "software steering forced");
		return -ENOTSUP;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->nq = nq;
	s->tapfd = tapfd;
	s->prog_fd = s->map_fd = -1;
	if (privsep_active()) {
		/* Loading wants CAP_PERFMON too (the verifier's Spectre
		 * rules refuse the program's map-value arithmetic without
		 * it): the privileged part loads, vifd keeps the fds. */
		r = privsep_steer_load(&s->prog_fd, &s->map_fd);
		if (r < 0)
			snprintf(err, errlen, "loading the BPF program (by the "
			    "privileged part): %s", strerror(-r));
	} else {
		r = tap_steer_load(&s->prog_fd, &s->map_fd, err, errlen);
	}
	if (r < 0)
		goto fail;
	/* Hashing off until the frontend says otherwise. */
	ctrl_hash_init(&off);
	r = tap_steer_update(s, &off);
	if (r < 0) {
		snprintf(err, errlen, "writing the BPF map: %s", strerror(-r));
		goto fail;
	}
	/* Does the kernel take it on this TAP? Learn it now, once, rather
	 * than when the frontend turns hashing on. */
	r = tap_steer_set(tapfd, s->prog_fd);
	if (r == 0)
		r = tap_steer_set(tapfd, -1);
	if (r < 0) {
		snprintf(err, errlen, "TUNSETSTEERINGEBPF: %s", strerror(-r));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	tap_steer_free(s);
	return r;
}

int
tap_steer_update(struct tap_steer *s, const struct ctrl_hash *h)
{
	struct steer_conf c;
	uint32_t zero = 0;
	int r;

	memset(&c, 0, sizeof(c));
	c.active = ctrl_hash_active(h);
	c.nq = s->nq;
	if (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4)
		c.flags |= STEER_IPV4;
	if (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
		c.flags |= STEER_IPV4_TCP;
	if (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6)
		c.flags |= STEER_IPV6;
	if (h->flags & XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)
		c.flags |= STEER_IPV6_TCP;
	memcpy(c.key, h->key, sizeof(c.key));
	c.size = h->size <= STEER_MAPPING_MAX ? h->size : 0;
	memcpy(c.mapping, h->mapping, sizeof(c.mapping));
	if (bpf_map_update_elem(s->map_fd, &zero, &c, BPF_ANY) < 0)
		return -errno;
	/* The map first: once attached, the program steers by the new
	 * settings from its first frame. */
	if ((bool)c.active != s->attached) {
		r = tap_steer_set(s->tapfd, c.active ? s->prog_fd : -1);
		if (r < 0)
			return r;
		s->attached = c.active;
	}
	return 0;
}

bool
tap_steer_attached(const struct tap_steer *s)
{
	return s->attached;
}

void
tap_steer_close(struct tap_steer *s)
{
	int r;

	if (s == NULL)
		return;
	if (s->attached && (r = tap_steer_set(s->tapfd, -1)) < 0)
		log_warnx("TAP steering: detaching the BPF program: %s",
		    strerror(-r));
	tap_steer_free(s);
}
