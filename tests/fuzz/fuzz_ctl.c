/*
 * fuzz_ctl.c - libFuzzer target: the control socket's request line
 * (ctl_cmd_parse), what a local client (vifctl, or anything that can
 * connect) sends vifd.
 *
 * The input is the bytes a client sends, cut as the socket cuts them
 * (CTL_CMD_MAX bytes, NUL-terminated). Invariants beyond "no crash":
 *  - an accepted request's canonical text (ctl_cmd_format) parses to
 *    the same command, and a request of the canonical text's length is
 *    that text: one spelling per command, but for leading zeros;
 *  - verbose stays within 0..CTL_CMD_VERBOSE_MAX;
 *  - a refused one has a one-line message of printable characters, so
 *    nothing a client sends comes back to it raw.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "core/ctl_cmd.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = { data, size };
	struct ctl_cmd cmd, again;
	char line[CTL_CMD_MAX + 1], text[64], err[256];
	const char *p;
	size_t n;
	int r;

	n = fz_bytes(&in, line, CTL_CMD_MAX);
	line[n] = '\0';
	err[0] = '\0';
	r = ctl_cmd_parse(line, &cmd, err, sizeof(err));
	if (r != 0) {
		FZ_CHECK(r == -EINVAL && err[0] != '\0');
		for (p = err; *p != '\0'; p++)
			FZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
		return 0;
	}
	FZ_CHECK(cmd.kind != CTL_CMD_VERBOSE ||
	    cmd.verbose <= CTL_CMD_VERBOSE_MAX);
	r = ctl_cmd_format(&cmd, text, sizeof(text));
	FZ_CHECK(r > 0 && (size_t)r == strlen(text));
	FZ_CHECK(ctl_cmd_parse(text, &again, err, sizeof(err)) == 0);
	FZ_CHECK(memcmp(&cmd, &again, sizeof(cmd)) == 0);
	/* The request as sent, up to its line end: of the canonical
	 * length only when it is the canonical text (leading zeros make
	 * it longer). */
	n = strcspn(line, "\r\n");
	if (n == strlen(text))
		FZ_CHECK(memcmp(line, text, n) == 0);
	return 0;
}
