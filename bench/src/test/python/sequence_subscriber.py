"""A Python subscriber for the fault tests: subscribes to a state and prints every update as
"U <update_no> <payload hex>" and every loss given up for good as "L <first> <last>", one line
each, flushed. It reconnects by itself when its middleware dies (stare_client's default).

    python3 sequence_subscriber.py HOST PORT NAME STATE
"""

import sys
import threading

import stare_client


def main():
    host, port, name, state = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    out = threading.Lock()

    def say(line):
        with out:
            print(line, flush=True)

    def on_update(state_id, publisher, update_no, payload):
        say("U %d %s" % (update_no, payload.hex()))

    def on_loss(state_id, first, last, outcome):
        if outcome == "UNRECOVERABLE":
            say("L %d %d" % (first, last))

    client = stare_client.connect(host, port, name=name, timeout=20, on_loss=on_loss)
    client.register_vnf(name)
    client.subscribe(state, on_update, wait=30)
    say("SUBSCRIBED")
    sys.stdin.readline()  # the test closes our input when it is done
    say("RECONNECTS %d" % client.reconnects)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
