#!/usr/bin/env python3
# seeds.py - writes the seed corpora of tests/fuzz/corpus/<target>/: a few
# small valid (and a few broken) inputs per target, in each target's input
# layout (see its fuzz_<target>.c), so that libFuzzer starts from inputs
# that reach deep into the code. Run from anywhere; rewrites the corpora.
import os
import struct

TOP = os.path.dirname(os.path.abspath(__file__))

NETTXF_csum_blank, NETTXF_data_validated, NETTXF_more_data, NETTXF_extra_info = 1, 2, 4, 8
EXTRA_GSO, EXTRA_MCAST_ADD, EXTRA_MCAST_DEL, EXTRA_HASH = 1, 2, 3, 4
EXTRA_FLAG_MORE = 1


def write(target, name, data):
    d = os.path.join(TOP, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def eth_ipv4_tcp(payload=32, vlan=False, udp=False):
    """A small Ethernet/IPv4/TCP (or UDP) frame, checksums left 0."""
    l4 = (struct.pack(">HHH", 5353, 53, 8 + payload) + b"\0\0" if udp else
          struct.pack(">HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x18, 65535, 0, 0))
    l4 += bytes((i * 7 + 3) & 0xff for i in range(payload))
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64,
                     17 if udp else 6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    eth = bytes.fromhex("00163e000001") + bytes.fromhex("00163e000002")
    if vlan:
        eth += b"\x81\x00\x00\x0a"
    return eth + b"\x08\x00" + ip + l4


def eth_ipv6_udp(payload=24, ext=0):
    l4 = struct.pack(">HHHH", 5353, 53, 8 + payload, 0)
    l4 += bytes((i * 5) & 0xff for i in range(payload))
    exts = b""
    nh = 17
    for _ in range(ext):
        exts = bytes([nh, 0]) + b"\x01\x04\0\0\0\0" + exts
        nh = 60
    ip = struct.pack(">IHBB16s16s", 0x60000000, len(exts) + len(l4), nh, 64,
                     bytes(15) + b"\x01", bytes(15) + b"\x02")
    eth = bytes.fromhex("3333000000fb") + bytes.fromhex("00163e000002") + b"\x86\xdd"
    return eth + ip + exts + l4


# ---- fuzz_tx: u32 start, u16 posted, u32 mask, then 12-byte slots -----------
def txreq(gref, offset, flags, rid, size):
    return struct.pack("<IHHHH", gref, offset, flags, rid, size)


def txextra(etype, flags, payload=b""):
    return struct.pack("<BB", etype, flags) + payload.ljust(10, b"\0")


def tx_seeds():
    hdr = lambda start, n, mask=0: struct.pack("<IHI", start, n, mask)
    f = eth_ipv4_tcp(200)
    write("tx", "one-slot", hdr(0, 1) + txreq(0, 0, 0, 0, len(f)) + f)
    write("tx", "two-slots", hdr(0xfffffffe, 2) +
          txreq(0, 0, NETTXF_more_data, 5, len(f)) + txreq(0, 100, 0, 6, 100) + f)
    write("tx", "gso", hdr(7, 2) +
          txreq(0, 0, NETTXF_csum_blank | NETTXF_extra_info, 1, len(f)) +
          txextra(EXTRA_GSO, 0, struct.pack("<HBBH", 100, 1, 0, 0)) + f)
    u = eth_ipv6_udp(40, ext=1)
    write("tx", "csum-v6", hdr(0, 1, 0x3ff) +
          txreq(0, 0, NETTXF_csum_blank | NETTXF_data_validated, 1, len(u)) + u)
    write("tx", "mcast", hdr(0, 2) + txreq(0, 0, NETTXF_extra_info, 9, 0) +
          txextra(EXTRA_MCAST_ADD, 0, bytes.fromhex("01005e000001")))
    write("tx", "zero-slot", hdr(0, 3) + txreq(0, 0, NETTXF_more_data, 1, 100) +
          txreq(2, 0, NETTXF_more_data, 2, 0) + txreq(3, 4000, 0, 3, 96))
    write("tx", "overflow", hdr(0, 300))

# ---- fuzz_rx: u32 start, u8 features, u8 segs, u16 posted, 8-byte requests,
# then per frame: u8 req_prod move, u8 extras, virtio header, u32 len,
# [u16 headroom], bytes ----------------------------------------------------
VNET_NEEDS_CSUM, VNET_DATA_VALID = 1, 2
GSO_NONE, GSO_TCPV4, GSO_TCPV6 = 0, 1, 4


def vhdr(flags=0, gso=GSO_NONE, hdr_len=0, gso_size=0, start=0, off=0):
    return struct.pack("<BBHHHH", flags, gso, hdr_len, gso_size, start, off)


def rxframe(frame, move=0, x=0, vh=None, headroom=None):
    b = struct.pack("<bB", move, x) + (vh or vhdr()) + struct.pack("<I", len(frame))
    if headroom is not None:
        b += struct.pack("<H", headroom)
    return b + frame


def rx_seeds():
    reqs = lambda n: b"".join(struct.pack("<HHI", i, 0, i) for i in range(n))
    hdr = lambda start, n, feat=0x1f, segs=63: struct.pack("<IBBH", start, feat, segs, n) + reqs(n)
    f = eth_ipv4_tcp(64)
    write("rx", "one", hdr(0, 4) + rxframe(f))
    write("rx", "csum", hdr(0xfffffff0, 40) +
          rxframe(f, vh=vhdr(VNET_NEEDS_CSUM, start=34, off=16)) +
          rxframe(eth_ipv6_udp(100), vh=vhdr(VNET_NEEDS_CSUM, start=54, off=6)))
    big = eth_ipv4_tcp(9000)
    write("rx", "gso-hash-xdp", hdr(5, 64) +
          rxframe(big, x=0xc0, vh=vhdr(VNET_NEEDS_CSUM, GSO_TCPV4, 54, 1448, 34, 16),
                  headroom=256))
    write("rx", "stall", hdr(0, 1, segs=1) + rxframe(big) + rxframe(f, move=2))
    write("rx", "backwards", hdr(0, 3) + rxframe(f) + rxframe(big, move=-3) + rxframe(f))

# ---- fuzz_hdr: u8 hash types, frame; fuzz_csum: u16 split, frame -----------
def frame_seeds():
    frames = {
        "ipv4-tcp": eth_ipv4_tcp(40),
        "ipv4-udp-vlan": eth_ipv4_tcp(30, vlan=True, udp=True),
        "ipv6-udp-ext": eth_ipv6_udp(20, ext=2),
        "ipv6-udp": eth_ipv6_udp(9),
        "arp": bytes(12) + b"\x08\x06" + bytes(28),
        "truncated": eth_ipv4_tcp(40)[:40],
    }
    for name, f in frames.items():
        write("hdr", name, b"\x3f" + f)
        write("csum", name, struct.pack("<H", 21) + f)

# ---- fuzz_frontend: u8 max queues, u32 mask, (u8 key, value NUL)... --------
FE_KEYS = ["tx-ring-ref", "rx-ring-ref", "event-channel", "event-channel-tx",
           "event-channel-rx", "request-rx-copy", "feature-rx-notify",
           "feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv4-prefix",
           "feature-gso-tcpv6", "feature-no-csum-offload",
           "feature-ipv6-csum-offload", "request-multicast-control",
           "ctrl-ring-ref", "event-channel-ctrl", "multi-queue-num-queues",
           "xdp-headroom"]


def kv(key, val, queue=None):
    sel = FE_KEYS.index(key) | ((0 if queue is None else queue + 1) << 5)
    return bytes([sel]) + val.encode() + b"\0"


def frontend_seeds():
    one = (kv("tx-ring-ref", "8") + kv("rx-ring-ref", "9") + kv("event-channel", "5") +
           kv("request-rx-copy", "1") + kv("feature-sg", "1") + kv("feature-gso-tcpv4", "1"))
    write("frontend", "one-queue", struct.pack("<BI", 8, 0) + one)
    two = kv("multi-queue-num-queues", "2") + kv("request-rx-copy", "1")
    for q in range(2):
        two += (kv("tx-ring-ref", str(10 + q), q) + kv("rx-ring-ref", str(20 + q), q) +
                kv("event-channel-tx", str(30 + q), q) + kv("event-channel-rx", str(40 + q), q))
    two += kv("ctrl-ring-ref", "77") + kv("event-channel-ctrl", "78") + kv("xdp-headroom", "256")
    write("frontend", "two-queues-split", struct.pack("<BI", 4, 0x40) + two)
    write("frontend", "bad-value", struct.pack("<BI", 1, 0) + kv("tx-ring-ref", "12x"))


# ---- fuzz_ctrl: u32 start, u8 queues, u16 memlen, mem, then per pass: i16
# move, 16-byte requests ---------------------------------------------------------
def ctrlreq(rid, rtype, d0=0, d1=0, d2=0):
    return struct.pack("<HHIII", rid, rtype, d0, d1, d2)


def ctrl_seeds():
    mem = bytes(range(40)) + struct.pack("<8I", 0, 1, 2, 3, 0, 1, 2, 3)
    hdr = struct.pack("<IBH", 0xfffffff0, 3, len(mem)) + mem
    reqs = [ctrlreq(1, 7, 1), ctrlreq(2, 2, 0x0f), ctrlreq(3, 3, 1, 40),
            ctrlreq(4, 5, 64), ctrlreq(5, 6, 2, 0, 8), ctrlreq(6, 1), ctrlreq(7, 4),
            ctrlreq(8, 8), ctrlreq(9, 0)]
    write("ctrl", "hash-setup", hdr + struct.pack("<h", len(reqs)) + b"".join(reqs))
    write("ctrl", "backwards", hdr + struct.pack("<h", 2) + reqs[0] + reqs[1] +
          struct.pack("<h", -5))
    write("ctrl", "overflow", hdr + struct.pack("<h", 300))


# ---- fuzz_vifspec: u8 mac mode, 6 random, u16 domid, u16 devid, u8 backend,
# spec ----------------------------------------------------------------------
def vifspec_seeds():
    specs = {
        "bridge": "mac=00:16:3e:01:02:03,bridge=br0",
        "full": "mac=00-16-3e-01-02-03,bridge=ovsbr0.10,ip=10.0.0.2 10.0.0.3,"
                "rate=10MB/s@20ms,mtu=9000,vifname=vm1,script=vif-openvswitch,"
                "backend=0,type=vif,devid=3,trusted=0,forwarddev=eth0",
        "empty": "",
        "bad": "rate=,mac=zz",
    }
    for name, sp in specs.items():
        write("vifspec", name, bytes([0]) + bytes(6) + struct.pack("<HHB", 5, 0, 0) + sp.encode())


# ---- fuzz_rate: u8 selector, text, then (u16 size, u32 step)... ------------
def rate_seeds():
    sched = struct.pack("<I", 1000) + b"".join(struct.pack("<HI", s, t) for s, t in
                                               [(1514, 10), (65535, 1000), (60, 5000000)])
    for name, sel, txt in [("xl-mb", 1, "10MB/s@20ms"), ("xl-bits", 1, "100Kb/s"),
                           ("xl-octal", 1, "018KB/s@010us"), ("node", 0, "1250000,50000"),
                           ("node-bad", 0, "12,0")]:
        write("rate", name, bytes([sel]) + txt.encode() + b"\0" + sched)


# ---- fuzz_ctl: the request bytes ----------------------------------------------
def ctl_seeds():
    for name, line in [("list", "list\n"), ("stats", "stats\n"), ("stats-one", "stats 5 0\n"),
                       ("verbose", "verbose 2\r\n"), ("bad", "stats -1 x\n")]:
        write("ctl", name, line.encode())


if __name__ == "__main__":
    tx_seeds()
    rx_seeds()
    frame_seeds()
    frontend_seeds()
    ctrl_seeds()
    vifspec_seeds()
    rate_seeds()
    ctl_seeds()
