/*
 * bpflog.h - libbpf's own messages into vifd's log: debug lines only
 * (a refused load or attach is reported once by its caller, with the
 * reason), never libbpf's default of printing to stderr.
 */
#ifndef VIFD_BPFLOG_H
#define VIFD_BPFLOG_H

/* Points libbpf's printing at the log. Call before any libbpf call;
 * more calls do nothing more. */
void bpflog_init(void);

#endif
