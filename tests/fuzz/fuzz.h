/*
 * fuzz.h - what every libFuzzer target of tests/fuzz shares: reading
 * typed values off the fuzzer's input, and the invariant check that
 * makes a violation a crash libFuzzer reports (and keeps the input of).
 */
#ifndef VIFD_FUZZ_H
#define VIFD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The fuzzer's input, consumed from the front. Reading past the end
 * gives zeros, so every input means something. */
struct fz {
	const uint8_t *p;
	size_t n;
};

/* The next `nbytes` (1..4) bytes as a little-endian number. */
uint32_t fz_uint(struct fz *in, size_t nbytes);
#define fz_u8(in)	((uint8_t)fz_uint((in), 1))
#define fz_u16(in)	((uint16_t)fz_uint((in), 2))
#define fz_u32(in)	fz_uint((in), 4)
/* Copies up to len bytes into out (zero-filled past the end); returns
 * how many came from the input. */
size_t fz_bytes(struct fz *in, void *out, size_t len);
/* A NUL-terminated string: the input up to the next NUL byte (or its
 * end), at most cap - 1 bytes, into out. */
void fz_str(struct fz *in, char *out, size_t cap);

/* The target's own invariant: prints what broke and aborts, which
 * libFuzzer reports as a crash with the input that caused it. */
#define FZ_CHECK(cond) \
	((cond) ? (void)0 : fz_fail(__FILE__, __LINE__, #cond))
void fz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

/* The entry point libFuzzer calls. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
