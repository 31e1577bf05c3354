/*
 * xsd_shim.c - xensim-xsd.so, the hypervisor stand-in preloaded into the
 * real C xenstored (xen-utils-4.17) of a simulated machine.
 *
 * xenstored imports a few calls of libxenctrl, libxengnttab and
 * libxenevtchn, and at start opens /proc/xen/xsd_port and xsd_kva (dom0's
 * store event channel and page). Without Xen those fail and xenstored
 * exits; with -D it runs but dereferences its missing dom0 and crashes on
 * the first write. This library defines those calls, so that xenstored
 * runs in its normal mode:
 *   - xc_domain_getinfo(): the domains are the machine's (dom/<domid> of
 *     the directory in $XENSIM_DIR), with their dying flag. xenstored asks
 *     when it introduces a domain, when a permission names one, and in
 *     check_domains() after VIRQ_DOM_EXC: a domain that is gone or dying
 *     is released there, which fires @releaseDomain.
 *   - VIRQ_DOM_EXC: the event channel handle's fd is a unix datagram
 *     socket bound at DIR/virq; any datagram on it is that VIRQ
 *     (xensim_domain_destroy sends one).
 *   - the xenstore ring of an introduced domain: a zeroed shared page
 *     (simulated guests talk to xenstored over its socket); interdomain
 *     binds get fresh port numbers and notifications go nowhere.
 *   - /proc/xen/xsd_port and xsd_kva: a memfd holding "1" and a page.
 * It is built without sanitizers (xenstored is not instrumented) and
 * includes only libc, the Xen headers and sim_int.h.
 */
/* We define open() ourselves: fortify's inline wrapper would clash. */
#undef _FORTIFY_SOURCE
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "sim_int.h"

#define XSD_SHIM_PAGE	4096u
/* The port number we give VIRQ_DOM_EXC and the first interdomain one. */
#define XSD_SHIM_VIRQ_PORT	1u
#define XSD_SHIM_FIRST_PORT	16u

/* The public entry points: defined here for the dynamic linker, declared
 * by the Xen headers (and open() by <fcntl.h>). */
#define XSD_SHIM_EXPORT __attribute__((visibility("default")))

static const char *
xsd_shim_dir(void)
{
	const char *d = getenv(SIM_ENV_DIR);

	return d != NULL && d[0] == '/' ? d : NULL;
}

/* Fills *dying for domain `domid`: 0 if it does not exist. */
static int
xsd_shim_dom_state(const char *dir, uint32_t domid, int *dying,
    unsigned long *pages)
{
	char path[4096];
	struct sim_dom_hdr h;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s/%u/%s", dir, SIM_DOM_DIR,
	    domid, SIM_DOM_CTL) >= (int)sizeof(path))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = pread(fd, &h, sizeof(h), 0);
	close(fd);
	if (n != (ssize_t)sizeof(h) || h.magic != SIM_DOM_MAGIC ||
	    h.domid != domid)
		return 0;
	*dying = atomic_load(&h.dying) != 0;
	*pages = h.npages;
	return 1;
}

/* ---- libxenctrl ---------------------------------------------------------- */

static int xsd_shim_xc;

XSD_SHIM_EXPORT xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild,
    unsigned open_flags)
{
	(void)logger; (void)dombuild; (void)open_flags;
	return (xc_interface *)(void *)&xsd_shim_xc;
}

XSD_SHIM_EXPORT int
xc_interface_close(xc_interface *xch)
{
	(void)xch;
	return 0;
}

/*
 * As Xen: up to max_doms domains with ids >= first_domid, in order.
 * xenstored's get_domain_info() asks for one and checks its id.
 */
XSD_SHIM_EXPORT int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
    unsigned int max_doms, xc_dominfo_t *info)
{
	const char *dir = xsd_shim_dir();
	char path[4096], *end;
	struct dirent *de;
	unsigned long v, pages;
	uint32_t best;
	unsigned int n = 0;
	int dying;
	DIR *dp;

	(void)xch;
	if (dir == NULL) {
		errno = ENODEV;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, SIM_DOM_DIR);
	while (n < max_doms) {
		/* The smallest domid >= first_domid: a directory of at most a
		 * few domains, scanned once per domain returned. */
		dp = opendir(path);
		if (dp == NULL)
			break;
		best = UINT32_MAX;
		while ((de = readdir(dp)) != NULL) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			errno = 0;
			v = strtoul(de->d_name, &end, 10);
			if (errno != 0 || *end != '\0' || v >= DOMID_FIRST_RESERVED)
				continue;
			if (v >= first_domid && v < best)
				best = (uint32_t)v;
		}
		closedir(dp);
		if (best == UINT32_MAX)
			break;
		first_domid = best + 1;
		if (!xsd_shim_dom_state(dir, best, &dying, &pages))
			continue;
		memset(&info[n], 0, sizeof(info[n]));
		info[n].domid = best;
		info[n].dying = dying ? 1 : 0;
		info[n].running = dying ? 0 : 1;
		info[n].nr_pages = pages;
		info[n].max_memkb = pages * (XSD_SHIM_PAGE / 1024);
		info[n].nr_online_vcpus = 1;
		n++;
	}
	return (int)n;
}

/* ---- libxengnttab ----------------------------------------------------------- */

static int xsd_shim_gt;

XSD_SHIM_EXPORT xengnttab_handle *
xengnttab_open(xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger; (void)open_flags;
	return (xengnttab_handle *)(void *)&xsd_shim_gt;
}

XSD_SHIM_EXPORT int
xengnttab_close(xengnttab_handle *xgt)
{
	(void)xgt;
	return 0;
}

XSD_SHIM_EXPORT int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt; (void)nr_grants;
	return 0;
}

/* A domain's xenstore ring: a zeroed page (the simulated guests use the
 * socket), writable as xenstored resets its indexes. */
XSD_SHIM_EXPORT void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
    int prot)
{
	void *p;

	(void)xgt; (void)domid; (void)ref;
	p = mmap(NULL, XSD_SHIM_PAGE, prot | PROT_READ,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

XSD_SHIM_EXPORT int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)count * XSD_SHIM_PAGE);
}

/* ---- libxenevtchn ------------------------------------------------------------ */

struct xenevtchn_handle {
	int fd;
	uint32_t virq_port;
	uint32_t next_port;
};

static int
xsd_shim_virq_socket(unsigned flags)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *dir = xsd_shim_dir();
	int fd, type = SOCK_DGRAM | SOCK_NONBLOCK;

	if (!(flags & XENEVTCHN_NO_CLOEXEC))
		type |= SOCK_CLOEXEC;
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -1;
	/* Without a machine (or a second handle), an unbound socket: never
	 * readable, which is what an idle event channel is. */
	if (dir == NULL)
		return fd;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
	    SIM_VIRQ_SOCKET) >= (int)sizeof(sa.sun_path)) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

XSD_SHIM_EXPORT xenevtchn_handle *
xenevtchn_open(xentoollog_logger *logger, unsigned open_flags)
{
	static int opened;
	xenevtchn_handle *h;
	int e;

	(void)logger;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->next_port = XSD_SHIM_FIRST_PORT;
	if (opened++ == 0) {
		h->fd = xsd_shim_virq_socket(open_flags);
	} else {
		h->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	}
	if (h->fd < 0) {
		e = errno;
		free(h);
		errno = e;
		return NULL;
	}
	return h;
}

XSD_SHIM_EXPORT xenevtchn_handle *
xenevtchn_fdopen(xentoollog_logger *logger, int fd, unsigned open_flags)
{
	xenevtchn_handle *h;

	(void)logger; (void)open_flags;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->fd = fd;
	h->next_port = XSD_SHIM_FIRST_PORT;
	return h;
}

XSD_SHIM_EXPORT int
xenevtchn_close(xenevtchn_handle *xce)
{
	if (xce == NULL)
		return 0;
	close(xce->fd);
	free(xce);
	return 0;
}

XSD_SHIM_EXPORT int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->fd;
}

XSD_SHIM_EXPORT int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce; (void)port;
	return 0;
}

XSD_SHIM_EXPORT xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	if (virq == VIRQ_DOM_EXC) {
		xce->virq_port = XSD_SHIM_VIRQ_PORT;
		return XSD_SHIM_VIRQ_PORT;
	}
	return (xenevtchn_port_or_error_t)xce->next_port++;
}

XSD_SHIM_EXPORT xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
    evtchn_port_t remote_port)
{
	(void)domid; (void)remote_port;
	return (xenevtchn_port_or_error_t)xce->next_port++;
}

XSD_SHIM_EXPORT int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce; (void)port;
	return 0;
}

/* Called when the fd is readable: every queued datagram is one more
 * VIRQ_DOM_EXC, and one domain check covers them all. */
XSD_SHIM_EXPORT xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	char buf[16];
	int got = 0;

	while (recv(xce->fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		got = 1;
	if (!got) {
		errno = EAGAIN;
		return -1;
	}
	return (xenevtchn_port_or_error_t)(xce->virq_port ? xce->virq_port :
	    XSD_SHIM_VIRQ_PORT);
}

XSD_SHIM_EXPORT int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce; (void)port;
	return 0;
}

/* ---- /proc/xen ------------------------------------------------------------- */

static int
xsd_shim_memfd(const char *name, const void *data, size_t len, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if ((len > 0 && write(fd, data, len) != (ssize_t)len) ||
	    (size > len && ftruncate(fd, (off_t)size) != 0) ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		errno = EIO;
		return -1;
	}
	return fd;
}

XSD_SHIM_EXPORT int
open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (strcmp(path, "/proc/xen/xsd_port") == 0)
		return xsd_shim_memfd("xsd_port", "1\n", 2, 0);
	if (strcmp(path, "/proc/xen/xsd_kva") == 0)
		return xsd_shim_memfd("xsd_kva", NULL, 0, XSD_SHIM_PAGE);
	if (real_open == NULL) {
		*(void **)&real_open = dlsym(RTLD_NEXT, "open");
		if (real_open == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	return real_open(path, flags, mode);
}
