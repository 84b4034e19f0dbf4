"""A Python VNF of PythonVnfTest: it counts the packets of each flow that the state "packets"
reports and publishes every new total as "flow=count" on its own state "flow-totals".

    python3 flow_totals.py EXPECTED

It finds its middleware through STARE_GATEWAY, as the test kit sets it. It prints "READY" once it
has declared its state and subscribed, and "DONE <n>" after EXPECTED packets.
"""

import queue
import sys

import stare_client


def main():
    expected = int(sys.argv[1])
    packets = queue.Queue()
    with stare_client.connect(name="flow-totals", timeout=20) as client:
        client.register_vnf("flow-totals")
        totals = client.declare_state("flow-totals")
        # Callbacks run on the client's receive thread, which must stay free to read the answers
        # to our own publishes: hand each packet to the main thread.
        client.subscribe("packets", lambda state, publisher, update, payload: packets.put(payload))
        print("READY", flush=True)
        counts = {}
        for _ in range(expected):
            flow = packets.get(timeout=20).decode("utf-8")
            counts[flow] = counts.get(flow, 0) + 1
            client.publish(totals, ("%s=%d" % (flow, counts[flow])).encode("utf-8"))
    print("DONE %d" % expected, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
