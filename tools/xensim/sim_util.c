/*
 * sim_util.c - the plumbing of the simulated machine that every part of
 * libxensim uses: path building, the machine lock, mapping the machine
 * and domain files, and the per-environment domain cache that keeps the
 * grant copy and notify paths free of system calls.
 *
 * It owns no policy: which checks a grant copy makes, how ports bind and
 * what the toolstack writes to xenstore live in the other sim_*.c files.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/strparse.h"
#include "sim_priv.h"
#include "xensim.h"

int
sim_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

void
sim_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
sim_dir_resolve(const char *dir, char *out, char *err, size_t errlen)
{
	char *abs;
	struct stat st;
	size_t n;
	int rc;

	abs = realpath(dir, NULL);
	if (abs == NULL) {
		rc = -errno;
		sim_err(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	if (stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) {
		sim_err(err, errlen, "%s: not a directory", dir);
		free(abs);
		return -ENOTDIR;
	}
	n = strlen(abs);
	if (n > SIM_DIR_MAX) {
		sim_err(err, errlen, "%s: path too long for the machine's unix "
		    "sockets (%zu bytes, at most %u)", abs, n, SIM_DIR_MAX);
		free(abs);
		return -ENAMETOOLONG;
	}
	memcpy(out, abs, n + 1);
	free(abs);
	return 0;
}

int
sim_marker_check(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	if (sim_fmt(path, sizeof(path), "%s/%s", dir, SIM_MARKER) != 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sim_err(err, errlen, "%s: not a simulated Xen machine (no %s "
		    "marker)", dir, SIM_MARKER);
		return -ENOENT;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0 || (size_t)n != strlen(SIM_MARKER_TEXT) ||
	    memcmp(buf, SIM_MARKER_TEXT, (size_t)n) != 0) {
		sim_err(err, errlen, "%s: not a simulated Xen machine (bad %s "
		    "marker)", dir, SIM_MARKER);
		return -EINVAL;
	}
	return 0;
}

int
sim_lock(const char *dir)
{
	char path[PATH_MAX];
	int fd, rc;

	if (sim_fmt(path, sizeof(path), "%s/%s", dir, SIM_LOCK_FILE) != 0)
		return -ENAMETOOLONG;
	/* A fresh open file description per call: flock() does not exclude
	 * threads sharing one, and control operations are rare. */
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
		;
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

void
sim_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

int
sim_machine_map(const char *dir, struct sim_machine **out)
{
	char path[PATH_MAX];
	struct sim_machine *m;
	struct stat st;
	int fd, rc;

	if (sim_fmt(path, sizeof(path), "%s/%s", dir, SIM_MACHINE_FILE) != 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(*m)) {
		close(fd);
		return -EINVAL;
	}
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = errno;
	close(fd);
	if (m == MAP_FAILED)
		return -rc;
	if (m->magic != SIM_MACHINE_MAGIC || m->version != SIM_LAYOUT_VERSION) {
		munmap(m, sizeof(*m));
		return -EINVAL;
	}
	*out = m;
	return 0;
}

void
sim_machine_unmap(struct sim_machine *m)
{
	if (m != NULL)
		munmap(m, sizeof(*m));
}

/* The header of a ctl file must describe regions inside the file. */
static bool
sim_dom_hdr_ok(const struct sim_dom_hdr *h, uint32_t domid, size_t size)
{
	uint64_t gend, aend, pend;

	if (h->magic != SIM_DOM_MAGIC || h->version != SIM_LAYOUT_VERSION ||
	    h->domid != domid || h->size != size || h->npages == 0 ||
	    h->nr_grants == 0 || h->nr_ports == 0)
		return false;
	gend = h->grant_off + (uint64_t)h->nr_grants * sizeof(grant_entry_v1_t);
	aend = h->active_off + (uint64_t)h->nr_grants * sizeof(uint64_t);
	pend = h->port_off + (uint64_t)h->nr_ports * sizeof(struct sim_port);
	return h->grant_off % XENSIM_PAGE_SIZE == 0 && h->active_off % 8 == 0 &&
	    h->port_off % 8 == 0 && gend <= size && aend <= size && pend <= size;
}

int
sim_dom_map(const char *dir, uint32_t domid, struct sim_dom **out)
{
	char path[PATH_MAX];
	struct sim_dom *d;
	struct stat st;
	void *p;
	int fd = -1, rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->mem_fd = -1;
	d->domid = domid;
	rc = sim_fmt(path, sizeof(path), "%s/%s/%u/%s", dir, SIM_DOM_DIR,
	    domid, SIM_DOM_CTL);
	if (rc != 0)
		goto fail;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = errno == ENOTDIR ? -ENOENT : -errno;
		goto fail;
	}
	if ((size_t)st.st_size < sizeof(struct sim_dom_hdr)) {
		rc = -EINVAL;
		goto fail;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	close(fd);
	fd = -1;
	d->hdr = p;
	d->ctl_size = (size_t)st.st_size;
	if (!sim_dom_hdr_ok(d->hdr, domid, d->ctl_size)) {
		rc = -EINVAL;
		goto fail;
	}
	d->grants = (grant_entry_v1_t *)((uint8_t *)p + d->hdr->grant_off);
	d->active = (_Atomic uint64_t *)((uint8_t *)p + d->hdr->active_off);
	d->ports = (struct sim_port *)((uint8_t *)p + d->hdr->port_off);
	d->npages = d->hdr->npages;

	rc = sim_fmt(path, sizeof(path), "%s/%s/%u/%s", dir, SIM_DOM_DIR,
	    domid, SIM_DOM_MEM);
	if (rc != 0)
		goto fail;
	d->mem_fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->mem_fd < 0 || fstat(d->mem_fd, &st) != 0) {
		rc = -errno;
		goto fail;
	}
	d->mem_size = (size_t)d->npages * XENSIM_PAGE_SIZE;
	if ((size_t)st.st_size != d->mem_size) {
		rc = -EINVAL;
		goto fail;
	}
	p = mmap(NULL, d->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    d->mem_fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	d->mem = p;
	*out = d;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	sim_dom_unmap(d);
	return rc;
}

void
sim_dom_unmap(struct sim_dom *d)
{
	if (d == NULL)
		return;
	if (d->mem != NULL)
		munmap(d->mem, d->mem_size);
	if (d->hdr != NULL)
		munmap(d->hdr, d->ctl_size);
	if (d->mem_fd >= 0)
		close(d->mem_fd);
	free(d);
}

static int
sim_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
sim_dom_list(const char *dir, uint32_t *ids, int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t v;
	DIR *dp;
	int n = 0;

	if (sim_fmt(path, sizeof(path), "%s/%s", dir, SIM_DOM_DIR) != 0)
		return -ENAMETOOLONG;
	dp = opendir(path);
	if (dp == NULL)
		return -errno;
	while (n < max && (de = readdir(dp)) != NULL) {
		/* Only plain decimal names: ".new-*" and ".dead-*" are
		 * domains being built or torn down. */
		if (strparse_uint(de->d_name, DOMID_FIRST_RESERVED - 1,
		    &v) != 0)
			continue;
		ids[n++] = (uint32_t)v;
	}
	closedir(dp);
	qsort(ids, (size_t)n, sizeof(*ids), sim_u32_cmp);
	return n;
}

/* Set in a thread that runs under vifd's data-plane sandbox. */
static __thread bool sim_nomap;

void
sim_thread_sandboxed(struct xen_env *env)
{
	(void)env;
	sim_nomap = true;
}

static struct sim_dom *
sim_env_dom_slow(struct sim_env *se, uint32_t domid)
{
	struct sim_dom *d, *nd = NULL;

	pthread_mutex_lock(&se->lock);
	d = atomic_load_explicit(&se->doms[domid], memory_order_acquire);
	if (d != NULL && !atomic_load_explicit(&d->hdr->dying,
	    memory_order_acquire)) {
		pthread_mutex_unlock(&se->lock);
		return d;
	}
	if (d != NULL) {
		/* Destroyed (maybe re-added since): other threads may still
		 * hold the old mapping, so it lives until the env closes. */
		atomic_store_explicit(&se->doms[domid], NULL,
		    memory_order_release);
		d->retired_next = se->retired;
		se->retired = d;
	}
	/* A sandboxed thread cannot open the files: the domain is gone for
	 * it, as a destroyed domain is (its control thread maps again). */
	if (!sim_nomap && sim_dom_map(se->dir, domid, &nd) == 0) {
		if (atomic_load_explicit(&nd->hdr->dying, memory_order_acquire)) {
			sim_dom_unmap(nd);
			nd = NULL;
		} else {
			atomic_store_explicit(&se->doms[domid], nd,
			    memory_order_release);
		}
	}
	pthread_mutex_unlock(&se->lock);
	return nd;
}

struct sim_dom *
sim_env_dom(struct sim_env *se, uint32_t domid)
{
	struct sim_dom *d;

	if (domid >= DOMID_FIRST_RESERVED)
		return NULL;
	d = atomic_load_explicit(&se->doms[domid], memory_order_acquire);
	if (__builtin_expect(d != NULL, 1) &&
	    !atomic_load_explicit(&d->hdr->dying, memory_order_acquire))
		return d;
	return sim_env_dom_slow(se, domid);
}

int
sim_ev_path(char *buf, size_t len, const char *dir, int32_t pid,
    uint32_t hid)
{
	return sim_fmt(buf, len, "%s/%s/%d.%u", dir, SIM_EV_DIR, (int)pid, hid);
}

bool
sim_owner_alive(const char *dir, int32_t pid, uint32_t hid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc, e;

	if (pid <= 0)
		return false;
	/*
	 * The handle's socket answers for it: bound while any process holds
	 * the fd, refused once the last holder exited, however it died. This
	 * also holds across pid namespaces and pid reuse, where kill(pid, 0)
	 * would lie.
	 */
	if (sim_ev_path(sa.sun_path, sizeof(sa.sun_path), dir, pid, hid) != 0)
		return false;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true;	/* cannot tell: do not steal its port */
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	if (rc == 0)
		return true;
	return !(e == ECONNREFUSED || e == ENOENT);
}
