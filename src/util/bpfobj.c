/*
 * bpfobj.c - loading an embedded BPF object (see bpfobj.h).
 *
 * Owns the sequence libbpf wants (open from memory, load, find the
 * program and map by name, take fds of our own before the object goes)
 * and the print callback libbpf keeps process-wide.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "util/bpfobj.h"
#include "util/log.h"

static int
bpfobj_print(enum libbpf_print_level level, const char *fmt, va_list ap)
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
bpfobj_load(const unsigned char *img, size_t len, const char *prog,
    const char *map, int *prog_fd, int *map_fd, char *err, size_t errlen)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	int r;

	*prog_fd = *map_fd = -1;
	libbpf_set_print(bpfobj_print);
	obj = bpf_object__open_mem(img, len, NULL);
	if (obj == NULL) {
		r = -errno;
		snprintf(err, errlen, "opening the BPF object: %s",
		    strerror(-r));
		return r;
	}
	r = bpf_object__load(obj);
	if (r < 0) {
		snprintf(err, errlen, "loading the BPF program %s: %s", prog,
		    strerror(-r));
		goto out;
	}
	p = bpf_object__find_program_by_name(obj, prog);
	m = bpf_object__find_map_by_name(obj, map);
	if (p == NULL || m == NULL) {
		r = -ENOENT;
		snprintf(err, errlen, "the BPF object lacks %s or %s", prog,
		    map);
		goto out;
	}
	*prog_fd = fcntl(bpf_program__fd(p), F_DUPFD_CLOEXEC, 3);
	*map_fd = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 3);
	if (*prog_fd < 0 || *map_fd < 0) {
		r = -errno;
		snprintf(err, errlen, "dup: %s", strerror(-r));
		if (*prog_fd >= 0)
			close(*prog_fd);
		if (*map_fd >= 0)
			close(*map_fd);
		*prog_fd = *map_fd = -1;
	}
out:
	bpf_object__close(obj);
	return r;
}
