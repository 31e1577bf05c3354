/*
 * privsep_client.c - vifd proper's side of the channel to the privileged
 * part (privsep.h), and the fd-passing send/receive both sides use.
 *
 * Owns the channel's fd and the lock that keeps one request in flight:
 * the control thread makes nearly every request, but a worker may make
 * one too, and SOCK_SEQPACKET keeps each message whole, so the lock need
 * only span one request and its answer. Requests are synchronous, as the
 * calls they stand for (an ioctl, a netlink ack, posix_spawn) were.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/privsep.h"

/* 30 s: a request is a few system calls in the part; this only bounds a
 * part that is stuck or stopped. */
#define PRIVSEP_TIMEOUT_MS 30000

static int privsep_fd = -1;
static pid_t privsep_pid = -1;
static pthread_mutex_t privsep_lock = PTHREAD_MUTEX_INITIALIZER;

bool
privsep_active(void)
{
	return privsep_fd >= 0;
}

void
privsep_client_init(int fd, pid_t pid)
{
	privsep_fd = fd;
	privsep_pid = pid;
}

int
privsep_client_fd(void)
{
	return privsep_fd;
}

pid_t
privsep_client_pid(void)
{
	return privsep_pid;
}

int
privsep_send(int sock, const void *buf, size_t len, const int *fds,
    unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(PRIVSEP_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (nfds > PRIVSEP_FDS_MAX)
		return -EINVAL;
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

ssize_t
privsep_recv(int sock, void *buf, size_t cap, int *fds)
{
	union {
		char buf[CMSG_SPACE(PRIVSEP_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	int got[PRIVSEP_FDS_MAX] = { -1, -1 };
	struct cmsghdr *c;
	size_t k, n_in;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n_in = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < n_in && k < PRIVSEP_FDS_MAX; k++)
			memcpy(&got[k], CMSG_DATA(c) + k * sizeof(int),
			    sizeof(int));
	}
	for (k = 0; k < PRIVSEP_FDS_MAX; k++) {
		if (fds != NULL)
			fds[k] = got[k];
		else if (got[k] >= 0)
			close(got[k]);
	}
	if (n == 0)
		return -EPIPE;		/* the other side has gone */
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EMSGSIZE;
	return n;
}

/* Closes the fds of an answer that will not be used. */
static void
privsep_close_fds(int *fds)
{
	size_t k;

	for (k = 0; k < PRIVSEP_FDS_MAX; k++)
		if (fds[k] >= 0) {
			close(fds[k]);
			fds[k] = -1;
		}
}

/*
 * Waits for the answer, PRIVSEP_TIMEOUT_MS at most. Every request is
 * short (a script or ovs-vsctl is started, not waited for; the one
 * blocking wait follows a SIGKILL or ovs-vsctl's own 5 s timeout), so a
 * part that does not answer is stuck or stopped: the channel is shut
 * down, which ends the part and, through the hang-up watch, vifd, for
 * systemd to start a fresh pair. 0 or -errno.
 */
static int
privsep_await(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, PRIVSEP_TIMEOUT_MS);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return 0;
	if (n == 0) {
		(void)shutdown(fd, SHUT_RDWR);
		return -ETIMEDOUT;
	}
	return -errno;
}

int
privsep_call(struct privsep_req *req, const void *data, size_t len,
    int fd_in, struct privsep_rep *rep, int *fds_out)
{
	int fds[PRIVSEP_FDS_MAX] = { -1, -1 };
	char *msg;
	ssize_t n;
	int r;

	if (fds_out != NULL)
		fds_out[0] = fds_out[1] = -1;
	if (privsep_fd < 0)
		return -ENOTCONN;
	if (len > PRIVSEP_MSG_MAX - sizeof(*req))
		return -E2BIG;
	msg = malloc(sizeof(*req) + len);
	if (msg == NULL)
		return -ENOMEM;
	req->len = (uint32_t)len;
	memcpy(msg, req, sizeof(*req));
	if (len > 0)
		memcpy(msg + sizeof(*req), data, len);
	pthread_mutex_lock(&privsep_lock);
	r = privsep_send(privsep_fd, msg, sizeof(*req) + len, &fd_in,
	    fd_in >= 0 ? 1 : 0);
	if (r == 0 && (r = privsep_await(privsep_fd)) == 0) {
		n = privsep_recv(privsep_fd, rep, sizeof(*rep), fds);
		if (n < 0)
			r = (int)n;
		else if ((size_t)n != sizeof(*rep))
			r = -EPROTO;
	}
	pthread_mutex_unlock(&privsep_lock);
	free(msg);
	if (r < 0 || fds_out == NULL) {
		privsep_close_fds(fds);
		return r < 0 ? r : rep->ret;
	}
	memcpy(fds_out, fds, sizeof(fds));
	return rep->ret;
}

/* A request about the interface `name` (NULL: none). */
static void
privsep_req_init(struct privsep_req *req, enum privsep_op op,
    const char *name)
{
	memset(req, 0, sizeof(*req));
	req->op = (uint32_t)op;
	if (name != NULL) {
		size_t n = strnlen(name, IFNAMSIZ - 1);

		memcpy(req->name, name, n);
	}
}

/* -ENAMETOOLONG for a name that would be cut short on the way. */
static int
privsep_name_fits(const char *name)
{
	return strnlen(name, IFNAMSIZ) < IFNAMSIZ ? 0 : -ENAMETOOLONG;
}

int
privsep_tap_open(const char *name, char *actual)
{
	struct privsep_req req;
	struct privsep_rep rep;
	int r, fd, fds[PRIVSEP_FDS_MAX];

	if ((r = privsep_name_fits(name)) < 0)
		return r;
	privsep_req_init(&req, PRIVSEP_TAP_OPEN, name);
	r = privsep_call(&req, NULL, 0, -1, &rep, fds);
	if (r < 0 || fds[0] < 0 || fds[1] >= 0) {
		privsep_close_fds(fds);
		return r < 0 ? r : -EPROTO;
	}
	fd = fds[0];
	if (actual != NULL) {
		rep.name[IFNAMSIZ - 1] = '\0';
		memcpy(actual, rep.name, IFNAMSIZ);
	}
	return fd;
}

int
privsep_tap_create(const char *name, unsigned int mtu, bool *created)
{
	struct privsep_req req;
	struct privsep_rep rep;
	int r;

	if ((r = privsep_name_fits(name)) < 0)
		return r;
	privsep_req_init(&req, PRIVSEP_TAP_CREATE, name);
	req.arg = mtu;
	rep.status = 0;
	r = privsep_call(&req, NULL, 0, -1, &rep, NULL);
	*created = rep.status != 0;
	return r;
}

int
privsep_tap_destroy(const char *name)
{
	struct privsep_req req;
	struct privsep_rep rep;
	int r;

	if ((r = privsep_name_fits(name)) < 0)
		return r;
	privsep_req_init(&req, PRIVSEP_TAP_DESTROY, name);
	return privsep_call(&req, NULL, 0, -1, &rep, NULL);
}

int
privsep_ifreq(const char *name, unsigned long req_nr, struct ifreq *ifr)
{
	struct privsep_req req;
	struct privsep_rep rep;
	int r;

	if ((r = privsep_name_fits(name)) < 0)
		return r;
	privsep_req_init(&req, PRIVSEP_IFREQ, name);
	req.arg = (uint32_t)req_nr;
	req.ifr = *ifr;
	return privsep_call(&req, NULL, 0, -1, &rep, NULL);
}

int
privsep_netlink(const void *msg, size_t len)
{
	struct privsep_req req;
	struct privsep_rep rep;

	privsep_req_init(&req, PRIVSEP_NETLINK, NULL);
	return privsep_call(&req, msg, len, -1, &rep, NULL);
}

/* Appends the strings of `v` (NULL-terminated) to buf at *off; counts
 * them into *n. -E2BIG if they do not fit in `cap`. */
static int
privsep_put_strings(char *buf, size_t cap, size_t *off, char *const v[],
    uint16_t *n)
{
	size_t l;

	*n = 0;
	for (; v != NULL && *v != NULL; v++) {
		l = strlen(*v) + 1;
		if (l > cap - *off || *n == UINT16_MAX)
			return -E2BIG;
		memcpy(buf + *off, *v, l);
		*off += l;
		(*n)++;
	}
	return 0;
}

int
privsep_spawn(pid_t *pid, const char *path, int search, char *const argv[],
    char *const envp[], int outfd)
{
	const size_t cap = PRIVSEP_MSG_MAX - sizeof(struct privsep_req);
	struct privsep_req req;
	struct privsep_rep rep;
	size_t off = 0, l = strlen(path) + 1;
	char *buf;
	int r;

	buf = malloc(cap);
	if (buf == NULL)
		return -ENOMEM;
	privsep_req_init(&req, PRIVSEP_SPAWN, NULL);
	req.arg = search ? 1 : 0;
	r = -E2BIG;
	if (l > cap)
		goto out;
	memcpy(buf, path, l);
	off = l;
	/* envp NULL: the privileged part's environment, i.e. vifd's at
	 * start-up (the part is forked then): envc 0 and no strings. */
	if ((r = privsep_put_strings(buf, cap, &off, argv, &req.argc)) < 0 ||
	    (r = privsep_put_strings(buf, cap, &off, envp, &req.envc)) < 0)
		goto out;
	if (envp != NULL)
		req.arg |= 2;
	r = privsep_call(&req, buf, off, outfd, &rep, NULL);
	if (r >= 0) {
		*pid = (pid_t)r;
		r = 0;
	}
out:
	free(buf);
	return r;
}

int
privsep_wait(pid_t pid, int *status, int flags)
{
	struct privsep_req req;
	struct privsep_rep rep;
	int r;

	privsep_req_init(&req, PRIVSEP_WAIT, NULL);
	req.pid = (int32_t)pid;
	req.arg = (uint32_t)flags;
	rep.status = 0;
	r = privsep_call(&req, NULL, 0, -1, &rep, NULL);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	if (status != NULL)
		*status = rep.status;
	return r;
}

/* A request whose answer is two fds, into *a and *b: 0 or -errno
 * (-EPROTO if the part answered without them). */
static int
privsep_two_fds(struct privsep_req *req, int *a, int *b)
{
	struct privsep_rep rep;
	int r, fds[PRIVSEP_FDS_MAX];

	r = privsep_call(req, NULL, 0, -1, &rep, fds);
	if (r < 0 || fds[0] < 0 || fds[1] < 0) {
		privsep_close_fds(fds);
		return r < 0 ? r : -EPROTO;
	}
	*a = fds[0];
	*b = fds[1];
	return 0;
}

int
privsep_steer_load(int *prog_fd, int *map_fd)
{
	struct privsep_req req;

	privsep_req_init(&req, PRIVSEP_STEER_LOAD, NULL);
	return privsep_two_fds(&req, prog_fd, map_fd);
}

int
privsep_xsk_open(const char *ifname, uint32_t queue, int *xsk_fd)
{
	struct privsep_req req;
	struct privsep_rep rep;
	int r, fds[PRIVSEP_FDS_MAX];

	privsep_req_init(&req, PRIVSEP_XSK_OPEN, ifname);
	req.arg = queue;
	r = privsep_call(&req, NULL, 0, -1, &rep, fds);
	if (r < 0 || fds[0] < 0) {
		privsep_close_fds(fds);
		return r < 0 ? r : -EPROTO;
	}
	if (fds[1] >= 0)
		close(fds[1]);
	*xsk_fd = fds[0];
	return 0;
}

int
privsep_xsk_bind(const char *ifname, uint32_t queue, int fd)
{
	struct privsep_req req;
	struct privsep_rep rep;

	privsep_req_init(&req, PRIVSEP_XSK_BIND, ifname);
	req.arg = queue;
	return privsep_call(&req, NULL, 0, fd, &rep, NULL);
}

int
privsep_xsk_close(const char *ifname, uint32_t queue)
{
	struct privsep_req req;
	struct privsep_rep rep;

	privsep_req_init(&req, PRIVSEP_XSK_CLOSE, ifname);
	req.arg = queue;
	return privsep_call(&req, NULL, 0, -1, &rep, NULL);
}

int
privsep_kill(pid_t pid, int sig)
{
	struct privsep_req req;
	struct privsep_rep rep;

	privsep_req_init(&req, PRIVSEP_KILL, NULL);
	req.pid = (int32_t)pid;
	req.arg = (uint32_t)sig;
	return privsep_call(&req, NULL, 0, -1, &rep, NULL);
}
