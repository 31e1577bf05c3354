#!/usr/bin/env python3
"""vlan_arp.py - ARP over 802.1Q-tagged frames, for the rig's OVS trunk test.

The rig's kernel has no 8021q module, so a namespace cannot have VLAN
subinterfaces; a raw AF_PACKET socket can still send a tagged frame and
see the tag of one it receives (the core stack moves a received tag into
the packet's metadata, which PACKET_AUXDATA hands back; a tag left in the
frame itself is read from there).

  vlan_arp.py ask IFACE VLAN SRC-IP TARGET-IP [SECS]
      Sends an ARP request for TARGET-IP from SRC-IP (IFACE's MAC), tagged
      with VLAN (0 = untagged), every 0.2 s, and waits up to SECS (default
      3) for the reply. Prints "reply vlan=V mac=M" and exits 0 when TARGET-IP
      answers; prints "no reply" and exits 1 otherwise. V is the tag the
      reply arrived with (0 = untagged).
  vlan_arp.py sniff IFACE SECS SRC-MAC
      Counts the frames from SRC-MAC that arrive on IFACE for SECS seconds
      and prints "frames=N vlans=V1,V2,..." (the tags seen, 0 = untagged).
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
PACKET_OUTGOING = 4


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((iface, 0))
    return s


def mac_of(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def recv_frame(s, deadline):
    """(frame without its tag, vlan or 0) of the next frame received (not
    sent) on s, or None at the deadline."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return None
        data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(32))
        if addr[2] == PACKET_OUTGOING:
            continue
        vlan = 0
        for level, typ, val in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA and \
                    len(val) >= 20:
                status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH",
                                                           val[:20])
                if status & TP_STATUS_VLAN_VALID:
                    vlan = tci & 0x0fff
        if vlan == 0 and len(data) >= 18 and \
                struct.unpack("!H", data[12:14])[0] == ETH_P_8021Q:
            vlan = struct.unpack("!H", data[14:16])[0] & 0x0fff
            data = data[:12] + data[16:]
        return data, vlan


def ask(iface, vlan, src_ip, target_ip, secs):
    s = open_sock(iface)
    mac = mac_of(iface)
    sip = socket.inet_aton(src_ip)
    tip = socket.inet_aton(target_ip)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, sip,
                      b"\0" * 6, tip)
    tag = struct.pack("!HH", ETH_P_8021Q, vlan) if vlan else b""
    frame = b"\xff" * 6 + mac + tag + struct.pack("!H", ETH_P_ARP) + arp
    frame += b"\0" * max(0, 60 - len(frame))
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s.send(frame)
        got = recv_frame(s, min(end, time.monotonic() + 0.2))
        while got is not None:
            data, rvlan = got
            if len(data) >= 42 and \
                    struct.unpack("!H", data[12:14])[0] == ETH_P_ARP:
                op, = struct.unpack("!H", data[20:22])
                if op == 2 and data[28:32] == tip and data[38:42] == sip:
                    print("reply vlan=%d mac=%s" % (rvlan,
                                                    mac_str(data[22:28])))
                    return 0
            got = recv_frame(s, min(end, time.monotonic() + 0.2))
    print("no reply")
    return 1


def sniff(iface, secs, src_mac):
    s = open_sock(iface)
    want = bytes.fromhex(src_mac.replace(":", ""))
    end = time.monotonic() + secs
    n = 0
    vlans = set()
    while True:
        got = recv_frame(s, end)
        if got is None:
            break
        data, vlan = got
        if data[6:12] == want:
            n += 1
            vlans.add(vlan)
    print("frames=%d vlans=%s" % (n, ",".join(str(v) for v in
                                               sorted(vlans))))
    return 0


def main(argv):
    if len(argv) in (6, 7) and argv[1] == "ask":
        vlan = int(argv[3])
        if not 0 <= vlan <= 4095:
            sys.exit("vlan_arp.py: bad VLAN %s" % argv[3])
        secs = float(argv[6]) if len(argv) > 6 else 3.0
        return ask(argv[2], vlan, argv[4], argv[5], secs)
    if len(argv) == 5 and argv[1] == "sniff":
        return sniff(argv[2], float(argv[3]), argv[4])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
