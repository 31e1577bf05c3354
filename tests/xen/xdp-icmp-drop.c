/*
 * xdp-icmp-drop.c - the lab guest's XDP program (scenario 11): drops ICMP
 * echo requests whose IPv4 total length is XDP_DROP_IP_LEN (a `ping -s
 * 1000`: 1000 bytes of payload, 8 of ICMP header, 20 of IP) and passes
 * every other frame.
 *
 * It reads the frame the way any XDP program does, from data to data_end,
 * so it drops the right pings only if the backend put the frame where the
 * XDP extra's headroom says. The length comes from the IP header, not from
 * data_end: Linux netback reports each slot's length with the headroom
 * added, so a frame seen through it ends `headroom` bytes late.
 * Built with clang's BPF target when the lab images are built.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/icmp.h>

#define XDP_DROP_IP_LEN 1028

__attribute__((section("xdp"), used))
int
xdp_icmp_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct icmphdr *icmp;

	if ((void *)(ip + 1) > end || eth->h_proto != __builtin_bswap16(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl != 5 || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > end)
		return XDP_PASS;
	if (icmp->type == ICMP_ECHO &&
	    ip->tot_len == __builtin_bswap16(XDP_DROP_IP_LEN))
		return XDP_DROP;
	return XDP_PASS;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
