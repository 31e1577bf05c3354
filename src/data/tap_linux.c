/*
 * tap_linux.c - TAP devices through /dev/net/tun.
 *
 * Owns every ioctl on the TUN driver and on interface flags, MTU and MAC,
 * and the mapping from netif offload features to TUN_F_* bits. It is the
 * only file of vifd (and of vif-guest, which uses it too) that includes
 * <linux/if_tun.h>. vifd's devices are persistent so that the host
 * network (bridge ports, routes, filters set up by hotplug scripts)
 * outlives a vifd restart.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <net/if_arp.h>

#include "data/tap.h"
#include "core/vnet_hdr.h"
#include "util/privsep.h"

#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE)

/* Queue length of the device's qdisc towards us: netback's vif uses 32;
 * we read the TAP as fast as the guest posts buffers, and a longer queue
 * only adds memory and latency when the guest is slow (XSA-392: the
 * kernel drops beyond it). 500 frames absorb a burst of a 1 Gbit/s
 * sender for ~6 ms at 1500 B. */
#define TAP_TXQUEUELEN 500

int
tap_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_'))
			return -EINVAL;
	}
	return 0;
}

int
tap_open_queue(const char *name, char *actual)
{
	struct ifreq ifr;
	int fd, hdrlen = TAP_VNET_HDR_LEN;

	if (privsep_active())
		return privsep_tap_open(name, actual);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = TAP_FLAGS;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		/* EINVAL/EBUSY: a device of that name with other flags. */
		return e == EINVAL || e == EBUSY ? -EEXIST : -e;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrlen) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (actual != NULL)
		snprintf(actual, IFNAMSIZ, "%s", ifr.ifr_name);
	return fd;
}

int
tap_ifreq(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s, r = 0;

	/* Reading needs no privilege; setting does. */
	if (privsep_active() && req != SIOCGIFFLAGS && req != SIOCGIFMTU)
		return privsep_ifreq(name, req, ifr);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	if (ioctl(s, req, ifr) < 0)
		r = -errno;
	close(s);
	return r;
}

int
tap_set_mtu(const char *name, unsigned int mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = (int)mtu;
	return tap_ifreq(name, SIOCSIFMTU, &ifr);
}

int
tap_set_mac(const char *name, const uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return tap_ifreq(name, SIOCSIFHWADDR, &ifr);
}

int
tap_set_txqlen(const char *name, unsigned int qlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_qlen = (int)qlen;
	return tap_ifreq(name, SIOCSIFTXQLEN, &ifr);
}

int
tap_set_up(const char *name)
{
	struct ifreq ifr;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	r = tap_ifreq(name, SIOCGIFFLAGS, &ifr);
	if (r < 0)
		return r;
	ifr.ifr_flags |= IFF_UP;
	return tap_ifreq(name, SIOCSIFFLAGS, &ifr);
}

int
tap_name_of(unsigned int ifindex, char *name)
{
	char buf[IF_NAMESIZE];

	if (if_indextoname(ifindex, buf) == NULL)
		return errno == ENXIO ? -ENODEV : -errno;
	snprintf(name, IFNAMSIZ, "%s", buf);
	return 0;
}

int
tap_get_mtu(const char *name)
{
	struct ifreq ifr;
	int r;

	memset(&ifr, 0, sizeof(ifr));
	r = tap_ifreq(name, SIOCGIFMTU, &ifr);
	return r < 0 ? r : ifr.ifr_mtu;
}

bool
tap_exists(const char *name)
{
	return if_nametoindex(name) != 0;
}

int
tap_create(const char *name, unsigned int mtu, bool *created)
{
	static const uint8_t mac[6] = TAP_MAC;
	int fd, r;

	if (tap_name_valid(name) < 0)
		return -EINVAL;
	if (privsep_active())
		return privsep_tap_create(name, mtu, created);
	*created = !tap_exists(name);
	fd = tap_open_queue(name, NULL);
	if (fd < 0)
		return fd;
	if (ioctl(fd, TUNSETPERSIST, 1) < 0) {
		r = -errno;
		goto out;
	}
	if (*created) {
		r = tap_set_mac(name, mac);
		if (r < 0)
			goto out;
		r = tap_set_txqlen(name, TAP_TXQUEUELEN);
		if (r < 0)
			goto out;
	}
	r = mtu ? tap_set_mtu(name, mtu) : 0;
out:
	/* The device persists without us; queues attach per netif queue. */
	close(fd);
	if (r < 0 && *created)
		(void)tap_destroy(name);
	return r;
}

unsigned int
tap_offload_flags(const struct vnet_features *f)
{
	unsigned int fl = 0;

	if (f->csum_ipv4 || f->csum_ipv6)
		fl |= TUN_F_CSUM;
	if (vnet_hdr_takes_gso(f, VIRTIO_NET_HDR_GSO_TCPV4))
		fl |= TUN_F_TSO4;
	if (vnet_hdr_takes_gso(f, VIRTIO_NET_HDR_GSO_TCPV6))
		fl |= TUN_F_TSO6;
	return fl;
}

int
tap_set_offload(int fd, const struct vnet_features *f)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)tap_offload_flags(f)) <
	    0 ? -errno : 0;
}

int
tap_set_carrier(int fd, bool on)
{
#ifdef TUNSETCARRIER
	int v = on ? 1 : 0;

	return ioctl(fd, TUNSETCARRIER, &v) < 0 ? -errno : 0;
#else
	(void)fd;
	(void)on;
	return -ENOTTY;
#endif
}

int
tap_destroy(const char *name)
{
	int fd;

	if (!tap_exists(name))
		return 0;
	if (privsep_active())
		return privsep_tap_destroy(name);
	fd = tap_open_queue(name, NULL);
	if (fd < 0)
		return fd;
	if (ioctl(fd, TUNSETPERSIST, 0) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

bool
tap_is_ours(const char *name)
{
	char path[64], buf[32];
	unsigned long fl;
	ssize_t n;
	int fd;

	if (tap_name_valid(name) < 0)
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	fl = strtoul(buf, NULL, 16);
	return (fl & (TAP_FLAGS | IFF_PERSIST)) == (TAP_FLAGS | IFF_PERSIST);
}
