/*
 * main.c - vif-guest: a userspace Linux netfront for the simulated Xen
 * machine. Owns the process: options, signals, the simulated machine's
 * handles, and the life cycle connect -> run -> close -> (reconnect or
 * exit), plus the final report. See vif-guest(1).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <xen/io/xenbus.h>

#include "util/log.h"
#include "util/loop.h"
#include "vif-guest.h"

enum main_next { MAIN_EXIT, MAIN_RECONNECT };

/* The benchmark line of gen and sink: answered TX frames (gen) or frames
 * received in the measuring window (sink, see GQ_NOISE_FRAMES) of all
 * queues, over the time from the first to the last of them. Called with
 * the workers stopped. */
static void
main_print_result(struct vg *vg, uint64_t end_ns)
{
	bool gen = vg->o.mode == GMODE_GEN;
	uint64_t frames = 0, bytes = 0, first = 0, last = 0;
	unsigned int i;
	double secs;

	for (i = 0; vg->q != NULL && i < vg->nq; i++) {
		struct gq *q = &vg->q[i];
		uint64_t f = gen ? GQ_GET(q, tx_done) : q->win_frames;
		uint64_t b = gen ? GQ_GET(q, tx_done_bytes) : q->win_bytes;
		double qs;

		if (q->t_first_ns != 0 && (first == 0 || q->t_first_ns < first))
			first = q->t_first_ns;
		if (q->t_last_ns > last)
			last = q->t_last_ns;
		frames += f;
		bytes += b;
		if (!vg->o.per_queue)
			continue;
		qs = (q->t_first_ns != 0 && q->t_last_ns > q->t_first_ns) ?
		    (double)(q->t_last_ns - q->t_first_ns) / 1e9 : 0;
		printf("q%u frames %" PRIu64 " bytes %" PRIu64 " seconds %.3f "
		    "frames_per_s %.0f gbit_per_s %.3f\n", i, f, b, qs,
		    qs > 0 ? (double)f / qs : 0,
		    qs > 0 ? (double)b * 8 / qs / 1e9 : 0);
	}
	/* Fewer than two frames: no span; report the run's length. */
	if (first != 0 && last > first)
		secs = (double)(last - first) / 1e9;
	else
		secs = (double)(end_ns - vg->start_ns) / 1e9;
	printf("frames %" PRIu64 " bytes %" PRIu64 " seconds %.3f "
	    "frames_per_s %.0f gbit_per_s %.3f\n", frames, bytes, secs,
	    secs > 0 ? (double)frames / secs : 0,
	    secs > 0 ? (double)bytes * 8 / secs / 1e9 : 0);
	fflush(stdout);
}

static bool
main_gen_done(const struct vg *vg)
{
	unsigned int i;

	for (i = 0; i < vg->nq; i++)
		if (!__atomic_load_n(&vg->q[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static void
main_finish(struct vg *vg)
{
	unsigned int i;
	uint64_t now = loop_now_ns();

	for (i = 0; vg->q != NULL && i < vg->nq; i++)
		gq_stop(&vg->q[i]);
	gq_print_stats(vg);
	if (vg->o.mode == GMODE_GEN || vg->o.mode == GMODE_SINK)
		main_print_result(vg, now);
	if (vg->o.abandon) {
		/* A crashed guest: rings, grants and keys stay as they are. */
		log_info("abandoning the connection");
		return;
	}
	gbus_close(vg);
}

/* While connected: wait for a signal, the backend closing, the run's end. */
static enum main_next
main_connected(struct vg *vg)
{
	const struct gopts *o = &vg->o;
	uint64_t deadline = 0;

	if (o->seconds > 0)
		deadline = vg->start_ns + (uint64_t)(o->seconds * 1e9);
	for (;;) {
		struct pollfd pfd[3];
		int timeout = -1;

		if (vg->sig_term || vg->fe_gone) {
			main_finish(vg);
			return MAIN_EXIT;
		}
		if (vg->sig_hup) {
			vg->sig_hup = false;
			gbus_close(vg);
			return MAIN_RECONNECT;
		}
		if (vg->sig_usr2) {
			vg->sig_usr2 = false;
			if (vg->o.mcast_file != NULL)
				(void)gbus_mcast_load(vg, false);
		}
		if (vg->be_state == XenbusStateClosing ||
		    vg->be_state == XenbusStateClosed || vg->be_state < 0) {
			log_info("backend %s: closing too",
			    gbus_state_str(vg->be_state));
			if (o->exit_on_close) {
				main_finish(vg);
				return MAIN_EXIT;
			}
			gbus_backend_closed(vg);
			return MAIN_RECONNECT;
		}
		if (o->mode == GMODE_GEN && o->count != 0 && main_gen_done(vg)) {
			main_finish(vg);
			return MAIN_EXIT;
		}
		if (o->xdp_cycles != 0) {
			int ms = gxdp_tick(vg, loop_now_ns());

			if (ms < -1) {
				/* Not answered (reported), or stopped. */
				main_finish(vg);
				return MAIN_EXIT;
			}
			if (ms >= 0)
				timeout = ms;
		}
		if (deadline != 0) {
			uint64_t now = loop_now_ns();
			int left;

			if (now >= deadline) {
				main_finish(vg);
				return MAIN_EXIT;
			}
			left = (int)((deadline - now) / 1000000) + 1;
			if (timeout < 0 || left < timeout)
				timeout = left;
		}
		pfd[0].fd = vg->ops->xs_fileno(vg->xs);
		pfd[0].events = POLLIN;
		pfd[1].fd = vg->sigfd;
		pfd[1].events = POLLIN;
		pfd[2].fd = vg->donefd;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR) {
			log_warn("poll");
			main_finish(vg);
			return MAIN_EXIT;
		}
		if (pfd[2].revents)
			loop_event_ack(vg->donefd);
		if (pfd[0].revents || pfd[1].revents)
			gbus_poll(vg, 0);
	}
}

static int
main_run(struct vg *vg)
{
	unsigned int i;
	int rc;

	for (;;) {
		rc = gbus_connect(vg);
		if (rc == -EINTR)
			return 0;		/* TERM/INT while waiting */
		if (rc == -ENOENT && vg->fe_gone)
			return 0;		/* the device was removed */
		if (rc != 0)
			return 1;
		vg->start_ns = loop_now_ns();
		if (vg->o.mode == GMODE_EVIL && !vg->evil_done)
			evil_run(vg);
		if (vg->connected) {
			for (i = 0; i < vg->nq; i++) {
				if (gq_start(&vg->q[i]) != 0) {
					main_finish(vg);
					return 1;
				}
			}
			/* --rss: the control ring once traffic flows, as the
			 * Windows drivers set RSS up after connecting. A
			 * refusal is logged; frames then go unchecked. */
			if (vg->o.mode != GMODE_EVIL)
				(void)grss_configure(vg);
		}
		if (main_connected(vg) == MAIN_EXIT)
			return 0;
		if (vg->fe_gone)
			return 0;
		log_info("reconnecting");
	}
}

static int
main_signals(struct vg *vg)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	/* Blocked in every thread (workers inherit the mask): only the
	 * main thread's signalfd sees them. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	vg->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return vg->sigfd < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct vg *vg;
	char err[256];
	int rc, ret = 1;

	vg = calloc(1, sizeof(*vg));
	if (vg == NULL) {
		fprintf(stderr, "vif-guest: out of memory\n");
		return 1;
	}
	vg->sigfd = vg->donefd = -1;
	pthread_mutex_init(&vg->mc_lock, NULL);
	rc = gopts_parse(argc, argv, &vg->o, err, sizeof(err));
	if (rc == 1) {
		fputs(gopts_usage, stdout);
		free(vg);
		return 0;
	}
	if (rc != 0) {
		fprintf(stderr, "vif-guest: %s\n", err);
		free(vg);
		return 2;
	}
	if (vg->o.mode == GMODE_EVIL) {
		rc = evil_check(vg->o.attack);
		if (rc == 1) {
			free(vg);
			return 0;
		}
		if (rc != 0) {
			fprintf(stderr, "vif-guest: --attack='%.64s': unknown "
			    "attack (--attack list shows them)\n",
			    vg->o.attack);
			free(vg);
			return 2;
		}
	}
	log_init("vif-guest", LOG_TO_STDERR, vg->o.verbosity);
	vg->be_state = -1;
	vg->fe_state = -1;
	vg->connect_state = XenbusStateConnected;

	if (main_signals(vg) != 0) {
		log_warn("signals");
		goto out;
	}
	if ((vg->donefd = loop_event_new()) < 0) {
		log_warnx("eventfd: %s", strerror(-vg->donefd));
		goto out;
	}
	if (xen_env_open(vg->o.xen, &vg->env, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	/* We are the guest kernel of this domain. */
	vg->env->domid = vg->o.domid;
	vg->env->domid_known = true;
	vg->ops = vg->env->ops;
	vg->xs = vg->ops->xs_open(vg->env);
	if (vg->xs == NULL) {
		log_warn("cannot reach the xenstored of %s", vg->o.simdir);
		goto out;
	}
	rc = xensim_dom_open(vg->o.simdir, vg->o.domid, &vg->dom);
	if (rc != 0) {
		log_warnx("domain %u of %s: %s", vg->o.domid, vg->o.simdir,
		    rc == -ENOENT ? "no such domain (xensim domain DIR add "
		    "D)" : strerror(-rc));
		goto out;
	}
	if (galloc_init(&vg->ga, xensim_dom_npages(vg->dom), vg->o.devid,
	    vg->o.mem_base, vg->o.ref_base, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	snprintf(vg->fe, sizeof(vg->fe), "/local/domain/%u/device/vif/%u",
	    vg->o.domid, vg->o.devid);
	if (vg->ops->xs_watch(vg->xs, vg->fe, "fe") != 0) {
		log_warn("watching %s", vg->fe);
		goto out;
	}
	log_info("domain %u vif %u (%s mode)", vg->o.domid, vg->o.devid,
	    gopts_mode_str(vg->o.mode));
	ret = main_run(vg);
	if (ret == 0 && vg->xdp_failed)
		ret = 1;	/* a handshake went unanswered (printed) */

out:
	if (vg->q != NULL) {
		unsigned int i;

		for (i = 0; i < vg->nq; i++)
			gq_stop(&vg->q[i]);
		for (i = 0; i < vg->nq; i++) {
			if (vg->o.abandon)
				gq_abandon(&vg->q[i]);
			else
				gq_teardown(&vg->q[i]);
		}
		free(vg->q);
	}
	gtap_close(vg);
	galloc_free(&vg->ga);
	if (vg->dom != NULL)
		xensim_dom_close(vg->dom);
	if (vg->xs != NULL)
		vg->ops->xs_close(vg->xs);
	if (vg->env != NULL)
		xen_env_close(vg->env);
	if (vg->sigfd >= 0)
		close(vg->sigfd);
	if (vg->donefd >= 0)
		close(vg->donefd);
	pthread_mutex_destroy(&vg->mc_lock);
	free(vg);
	return ret;
}
