/*
 * bpflog.c - libbpf's messages as vifd's debug lines (see bpflog.h).
 *
 * Owns the print callback libbpf keeps process-wide; the TAP's steering
 * program and the AF_XDP uplink's XDP program both load through it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "util/bpflog.h"
#include "util/log.h"

static int
bpflog_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

void
bpflog_init(void)
{
	libbpf_set_print(bpflog_print);
}
