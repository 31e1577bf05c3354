/*
 * xsk.bpf.c - the XDP program behind a vifd switch's AF_XDP uplink
 * (data/vswitch_xsk.c): attached to the uplink's NIC, it hands each frame
 * that arrives on a queue with a vifd socket to that socket, and every
 * other frame to the host's stack as if no program were there.
 *
 * It owns one decision, made by the kernel's XSKMAP: bpf_redirect_map
 * with XDP_PASS as its default action passes a frame on when the map has
 * no socket at the frame's RX queue index (no uplink on that queue, or
 * vifd gone: a socket leaves the map when it is closed). So a NIC whose
 * uplink stopped, or whose vifd died, still carries the host's traffic.
 * The program's name, vifd_xsk, is how the privileged part tells its
 * own program from an admin's (data/xsk_prog.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/xsk.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSK_PROG_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} vifd_xsks SEC(".maps");

SEC("xdp")
int
vifd_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_map(&vifd_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
