/*
 * tap_steer.c - loads vifd's TAP steering program, attaches it to a
 * vif's TAP and keeps its map in step with the frontend's settings.
 *
 * Owns the libbpf object (program and map, loaded from the array the
 * build embedded, bpf/steer_obj.c), the TUNSETSTEERINGEBPF attach and
 * detach, and the translation of struct ctrl_hash into the map's
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
#include <sys/ioctl.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/steer.h"
#include "bpf/steer_obj.h"
#include "core/hash.h"
#include "data/tap_steer.h"
#include "util/log.h"

_Static_assert(STEER_KEY_LEN == HASH_KEY_MAX, "key sizes differ");
_Static_assert(STEER_MAPPING_MAX == HASH_MAPPING_MAX, "mapping sizes differ");

struct tap_steer {
	struct bpf_object *obj;
	int prog_fd, map_fd;
	unsigned int nq;
};

static bool tap_steer_software;

void
tap_steer_force_software(bool on)
{
	tap_steer_software = on;
}

/* libbpf's own messages: only in debug logs (a refused load is reported
 * once by the caller, with the reason). */
static int
tap_steer_libbpf_print(enum libbpf_print_level level, const char *fmt,
    va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

int
tap_steer_attach(int tapfd, unsigned int nq, struct tap_steer **out,
    char *err, size_t errlen)
{
	struct tap_steer *s;
	struct bpf_program *prog;
	struct bpf_map *map;
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
	libbpf_set_print(tap_steer_libbpf_print);
	s->obj = bpf_object__open_mem(steer_obj, steer_obj_len, NULL);
	if (s->obj == NULL) {
		r = -errno;
		snprintf(err, errlen, "opening the BPF object: %s",
		    strerror(-r));
		goto fail;
	}
	r = bpf_object__load(s->obj);
	if (r < 0) {
		snprintf(err, errlen, "loading the BPF program: %s",
		    strerror(-r));
		goto fail;
	}
	prog = bpf_object__find_program_by_name(s->obj, "vifd_steer");
	map = bpf_object__find_map_by_name(s->obj, "steer_conf");
	if (prog == NULL || map == NULL) {
		r = -ENOENT;
		snprintf(err, errlen, "the BPF object lacks its program or map");
		goto fail;
	}
	s->prog_fd = bpf_program__fd(prog);
	s->map_fd = bpf_map__fd(map);
	/* Hashing off until the frontend says otherwise. */
	ctrl_hash_init(&off);
	r = tap_steer_update(s, &off);
	if (r < 0) {
		snprintf(err, errlen, "writing the BPF map: %s", strerror(-r));
		goto fail;
	}
	if (ioctl(tapfd, TUNSETSTEERINGEBPF, &s->prog_fd) < 0) {
		r = -errno;
		snprintf(err, errlen, "TUNSETSTEERINGEBPF: %s", strerror(-r));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	bpf_object__close(s->obj);
	free(s);
	return r;
}

int
tap_steer_update(struct tap_steer *s, const struct ctrl_hash *h)
{
	struct steer_conf c;
	uint32_t zero = 0;

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
	return 0;
}

void
tap_steer_detach(struct tap_steer *s, int tapfd)
{
	int none = -1;

	if (s == NULL)
		return;
	if (tapfd >= 0 && ioctl(tapfd, TUNSETSTEERINGEBPF, &none) < 0)
		log_warnx("TAP steering: detaching the BPF program: %s",
		    strerror(errno));
	bpf_object__close(s->obj);
	free(s);
}
