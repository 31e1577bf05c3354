/*
 * memstress - counts how often a machine hands a process memory that is not
 * what it should be. The real-Xen lab runs it in dom0 and in the guests to
 * measure the emulation's memory faults (tests/xen/README.md), where whole
 * lab boots would show them only now and then.
 *
 * It owns two roles in one binary, built twice (static and dynamic):
 *   memstress [-n N] [-s SECS] [-p PAGES] [-r SECS] [-l LABEL] PROBE...
 *                                                    the driver
 *   memstress probe [PAGES]                           a probe (exec'd)
 *
 * Each driver round writes a pattern that names the round into a heap
 * buffer, forks, and waits. The child overwrites every word of its copy of
 * the buffer (each write breaks copy-on-write) and checks it reads back,
 * then execs the next PROBE. The probe checks that its zero-initialised
 * .bss, a fresh anonymous mmap, fresh brk memory and a fresh stack region
 * are all zero, writes them and reads them back. After the child exits the
 * parent checks that its own buffer still holds this round's pattern: a
 * copy-on-write break whose TLB flush was lost lets the child write into
 * the parent's page, which is how a bash or an xl that forks often finds
 * its heap corrupted.
 *
 * Output (LABEL defaults to "-"): one "MEMSTRESS-FAULT LABEL ..." line per
 * incident (at most 20; a probe adds its own on stderr), with -r a
 * "MEMSTRESS-PROGRESS LABEL rounds=N faults=N" line every SECS, then
 *   MEMSTRESS LABEL rounds=N secs=S ok=N probe_nonzero=N probe_readback=N
 *     child_cow=N parent_corrupt=N signaled=N exec_fail=N other=N
 *     faults=N per_1000=X
 * where faults counts rounds with any incident. Exit 0 when faults is 0.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS_PER_PAGE (PAGE / sizeof(uint64_t))
#define BSS_PAGES 64u
#define MAX_REPORTS 20

/* Exit codes of a child or probe that found something wrong. */
enum {
	EX_PROBE_NONZERO = 3,	/* fresh memory was not zero */
	EX_PROBE_READBACK = 4,	/* a word written did not read back */
	EX_CHILD_COW = 5,	/* the forked child's copy did not read back */
	EX_EXEC = 6,		/* execv failed */
	EX_FS = 7,		/* a read through %fs did not see what the base points at */
};

static uint64_t probe_bss[BSS_PAGES * WORDS_PER_PAGE];

/*
 * check_zero: returns the index of the first non-zero word of W words at
 * P, or W when all are zero.
 */
static size_t check_zero(const volatile uint64_t *p, size_t w)
{
	for (size_t i = 0; i < w; i++)
		if (p[i] != 0)
			return i;
	return w;
}

/*
 * fill_check: writes a pattern made of TAG and each word's index into W
 * words at P, then reads them back. Returns the index of the first word
 * that did not read back, or W.
 */
static size_t fill_check(volatile uint64_t *p, size_t w, uint64_t tag)
{
	for (size_t i = 0; i < w; i++)
		p[i] = tag ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
	for (size_t i = 0; i < w; i++)
		if (p[i] != (tag ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull)))
			return i;
	return w;
}

static int probe_region(const char *what, volatile uint64_t *p, size_t w)
{
	size_t bad = check_zero(p, w);

	if (bad < w) {
		fprintf(stderr, "MEMSTRESS-FAULT pid %d: fresh %s not zero at byte %zu of %zu: %#" PRIx64
		    " (next words %#" PRIx64 " %#" PRIx64 ")\n", (int)getpid(), what, bad * 8, w * 8, p[bad],
		    bad + 1 < w ? p[bad + 1] : 0, bad + 2 < w ? p[bad + 2] : 0);
		return EX_PROBE_NONZERO;
	}
	bad = fill_check(p, w, (uint64_t)getpid() << 32);
	if (bad < w) {
		fprintf(stderr, "MEMSTRESS-FAULT pid %d: %s word at byte %zu did not read back\n",
		    (int)getpid(), what, bad * 8);
		return EX_PROBE_READBACK;
	}
	return 0;
}

/*
 * probe_stack: checks PAGES pages (at most 16) of fresh stack, which the
 * kernel hands out zeroed as the stack grows into them. Only the far end of
 * a 192 KiB frame is checked: the dynamic loader and libc's start-up may
 * have used the first few KiB below main's frame, never 128 KiB.
 */
static int probe_stack(size_t pages)
{
	volatile uint64_t deep[48 * WORDS_PER_PAGE];

	if (pages > 16)
		pages = 16;
	return probe_region("stack", deep, pages * WORDS_PER_PAGE);
}

/*
 * The FS-base probe. The faults this tool was written for are reads of the
 * thread pointer's block (%fs-relative) that return foreign values, so the
 * probe points FS at a block of its own and reads it through %fs many
 * times, yielding now and then so that the kernel and the hypervisor
 * switch it out and back. While FS points there, libc's own thread data is
 * out of reach: only raw system calls until FS is restored.
 */
static uint64_t fs_block[512] __attribute__((aligned(4096)));

static long fs_syscall(long n, long a, long b)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

static uint64_t fs_read(unsigned long off)
{
	uint64_t v;

	__asm__ volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
	return v;
}

static int probe_fs(unsigned long reads)
{
	uint64_t tag = 0x5eed000000000000ull ^ ((uint64_t)getpid() << 16), got = 0;
	unsigned long orig = 0, base_then = 0, bad = 0, first = 0, i;

	for (i = 0; i < 512; i++)
		fs_block[i] = tag ^ i;
	if (fs_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)&orig) != 0 ||
	    fs_syscall(SYS_arch_prctl, ARCH_SET_FS, (long)fs_block) != 0)
		return 1;
	for (i = 0; i < reads; i++) {
		uint64_t v = fs_read((i % 512) * 8);

		if (v != (tag ^ (i % 512)) && bad++ == 0) {
			first = i;
			got = v;
			fs_syscall(SYS_arch_prctl, ARCH_GET_FS, (long)&base_then);
		}
		if (i % 4096 == 4095)
			fs_syscall(SYS_sched_yield, 0, 0);
	}
	fs_syscall(SYS_arch_prctl, ARCH_SET_FS, (long)orig);
	if (bad) {
		fprintf(stderr, "MEMSTRESS-FAULT pid %d: %lu of %lu reads through %%fs wrong, the first (read %lu) %#" PRIx64
		    " instead of %#" PRIx64 "; the kernel's FS base then %#lx, set to %p\n", (int)getpid(), bad, reads,
		    first, got, tag ^ (first % 512), base_then, (void *)fs_block);
		return EX_FS;
	}
	return 0;
}

static int probe_main(size_t pages)
{
	int rc;
	void *m, *b;

	if (pages > BSS_PAGES)
		pages = BSS_PAGES;
	rc = probe_region(".bss", probe_bss, pages * WORDS_PER_PAGE);
	if (rc)
		return rc;
	m = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	rc = probe_region("mmap", m, pages * WORDS_PER_PAGE);
	if (rc)
		return rc;
	b = sbrk((intptr_t)(pages * PAGE));
	if (b == (void *)-1)
		return 1;
	rc = probe_region("brk", b, pages * WORDS_PER_PAGE);
	if (rc)
		return rc;
	rc = probe_stack(pages);
	if (rc)
		return rc;
	return probe_fs(1u << 20);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t round_tag(unsigned long round)
{
	return 0xa5a5000000000000ull ^ ((uint64_t)round << 20);
}

/* parent_check: the round's pattern in the parent's buffer; 0 if intact. */
static const char *label = "-";

static int parent_check(volatile uint64_t *buf, size_t w, unsigned long round, int *reports)
{
	uint64_t tag = round_tag(round);

	for (size_t i = 0; i < w; i++) {
		uint64_t want = tag ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);

		if (buf[i] != want) {
			if ((*reports)++ < MAX_REPORTS)
				printf("MEMSTRESS-FAULT %s round %lu: parent's buffer changed after fork at byte %zu: %#" PRIx64
				    " instead of %#" PRIx64 " (the child's pattern is %#" PRIx64 ")\n", label, round, i * 8, buf[i],
				    want, ~want);
			return 1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: memstress [-n ROUNDS] [-s SECS] [-p PAGES] [-r SECS] [-l LABEL] PROBE...\n"
	    "       memstress probe [PAGES]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long rounds = 1000, r;
	double secs = 0, every = 0, t0, next;
	size_t pages = 16, w;
	volatile uint64_t *buf;
	unsigned long ok = 0, nonzero = 0, readback = 0, cow = 0, parent = 0, sig = 0, execf = 0, fsbad = 0,
	    other = 0, faults = 0;
	int reports = 0, opt;
	char pages_arg[16];

	if (argc >= 2 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc >= 3 ? strtoul(argv[2], NULL, 10) : 16);

	while ((opt = getopt(argc, argv, "n:s:p:r:l:")) != -1) {
		switch (opt) {
		case 'n': rounds = strtoul(optarg, NULL, 10); break;
		case 's': secs = strtod(optarg, NULL); break;
		case 'p': pages = strtoul(optarg, NULL, 10); break;
		case 'r': every = strtod(optarg, NULL); break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || pages == 0 || pages > BSS_PAGES)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(pages_arg, sizeof(pages_arg), "%zu", pages);
	w = pages * WORDS_PER_PAGE;
	buf = malloc(w * sizeof(uint64_t));
	if (!buf)
		return 1;
	t0 = now_s();
	next = t0 + every;
	for (r = 0; r < rounds || secs > 0; r++) {
		pid_t pid;
		int st, bad = 0;
		const char *probe = argv[optind + (int)(r % (unsigned long)(argc - optind))];

		if (secs > 0 && now_s() - t0 >= secs)
			break;
		if (every > 0 && now_s() >= next) {
			printf("MEMSTRESS-PROGRESS %s rounds=%lu faults=%lu secs=%.0f\n", label, r, faults,
			    now_s() - t0);
			next += every;
		}
		for (size_t i = 0; i < w; i++)
			buf[i] = round_tag(r) ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
		pid = fork();
		if (pid < 0) {
			perror("memstress: fork");
			return 1;
		}
		if (pid == 0) {
			/* the child's own pattern is the parent's inverted */
			for (size_t i = 0; i < w; i++)
				buf[i] = ~(round_tag(r) ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull));
			for (size_t i = 0; i < w; i++)
				if (buf[i] != ~(round_tag(r) ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull))) {
					fprintf(stderr, "MEMSTRESS-FAULT pid %d: child's copy at byte %zu did not read back\n",
					    (int)getpid(), i * 8);
					_exit(EX_CHILD_COW);
				}
			execl(probe, "memstress", "probe", pages_arg, (char *)NULL);
			_exit(EX_EXEC);
		}
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				perror("memstress: waitpid");
				return 1;
			}
		if (WIFSIGNALED(st)) {
			sig++;
			bad = 1;
			if (reports++ < MAX_REPORTS)
				printf("MEMSTRESS-FAULT %s round %lu: %s killed by signal %d (%s)\n", label, r, probe,
				    WTERMSIG(st), strsignal(WTERMSIG(st)));
		} else {
			switch (WEXITSTATUS(st)) {
			case 0: break;
			case EX_PROBE_NONZERO: nonzero++; bad = 1; break;
			case EX_PROBE_READBACK: readback++; bad = 1; break;
			case EX_CHILD_COW: cow++; bad = 1; break;
			case EX_EXEC: execf++; bad = 1; break;
			case EX_FS: fsbad++; bad = 1; break;
			default: other++; bad = 1; break;
			}
			if (bad && reports++ < MAX_REPORTS)
				printf("MEMSTRESS-FAULT %s round %lu: %s exited %d\n", label, r, probe, WEXITSTATUS(st));
		}
		if (parent_check(buf, w, r, &reports)) {
			parent++;
			bad = 1;
		}
		if (bad)
			faults++;
		else
			ok++;
	}
	printf("MEMSTRESS %s rounds=%lu secs=%.1f ok=%lu probe_nonzero=%lu probe_readback=%lu child_cow=%lu"
	    " parent_corrupt=%lu signaled=%lu exec_fail=%lu fs_wrong=%lu other=%lu faults=%lu per_1000=%.2f\n",
	    label, r, now_s() - t0, ok, nonzero, readback, cow, parent, sig, execf, fsbad, other, faults,
	    r ? 1000.0 * (double)faults / (double)r : 0.0);
	return faults ? 1 : 0;
}
