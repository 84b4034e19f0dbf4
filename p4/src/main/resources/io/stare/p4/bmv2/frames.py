#!/usr/bin/env python3
"""Raw Ethernet frame I/O for the BMv2 integration tests (STARE).

Run inside the test's own network namespace, with the test-side ends of the veth pairs whose other
ends BMv2 owns:

    ip netns exec NS python3 frames.py MAX_SECONDS IFACE0 IFACE1 ...

Interface k of the command line is "port k". The script speaks a line protocol on stdin/stdout:

    send PORT HEX                 -> "ok"            send one frame out of the port's interface
    collect COUNT MAX_MS QUIET_MS -> "frame PORT HEX" lines, then "end"
        returns the IPv4 frames received since the last collect, once COUNT have arrived and none
        more for QUIET_MS, or after MAX_MS in all
    quit                          -> exits

Frames that are not IPv4 (EtherType 0x0800) and frames the socket itself sent are ignored, so
stray kernel traffic cannot disturb a test. Every wait is bounded, and the script exits by itself
after MAX_SECONDS or when stdin closes. Uses the standard library only.
"""

import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
MAX_FRAME = 65535


def main():
    deadline = time.monotonic() + float(sys.argv[1])
    names = sys.argv[2:]
    sockets = []
    for name in names:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        s.setblocking(False)
        sockets.append(s)
    port_of = {s.fileno(): port for port, s in enumerate(sockets)}
    received = []

    def drain(timeout):
        """Reads whatever arrives within timeout seconds (at least one select round)."""
        ready, _, _ = select.select(sockets, [], [], max(0.0, timeout))
        got = 0
        for s in ready:
            for _ in range(1000):  # bounded: at most 1000 frames per socket per round
                try:
                    data, address = s.recvfrom(MAX_FRAME)
                except BlockingIOError:
                    break
                if address[2] == PACKET_OUTGOING:
                    continue
                if len(data) < 14 or data[12:14] != b"\x08\x00":
                    continue
                received.append((port_of[s.fileno()], data))
                got += 1
        return got

    print("ready", flush=True)
    while time.monotonic() < deadline:
        line = sys.stdin.readline()
        if not line:
            break
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "send":
            sockets[int(words[1])].send(bytes.fromhex(words[2]))
            print("ok", flush=True)
        elif words[0] == "collect":
            count, max_ms, quiet_ms = int(words[1]), int(words[2]), int(words[3])
            end = min(deadline, time.monotonic() + max_ms / 1000.0)
            last = time.monotonic()
            while True:
                now = time.monotonic()
                if now >= end:
                    break
                if len(received) >= count and now - last >= quiet_ms / 1000.0:
                    break
                if drain(min(0.02, end - now)) > 0:
                    last = time.monotonic()
            for port, data in received:
                print("frame %d %s" % (port, data.hex()))
            received.clear()
            print("end", flush=True)
        else:
            print("error unknown command " + words[0], flush=True)
    for s in sockets:
        s.close()


if __name__ == "__main__":
    main()
