"""Interop check run by the Java build (VnfGatewayPythonTest): a Python VNF and a Java VNF
exchange updates through the middleware's TCP gateway.

    python3 interop_check.py HOST PORT PY_STATE JVM_STATE COUNT

Protocol with the Java side, one line each way:
  1. we declare PY_STATE, subscribe to JVM_STATE and print "READY <py_state_id>";
  2. the Java VNF subscribes to PY_STATE, publishes COUNT updates "jvm#i" of JVM_STATE and writes "GO";
  3. we publish COUNT updates "py#i" of PY_STATE, wait for the COUNT Java updates, check them and
     print "OK". Any failure prints "FAIL ..." and exits non-zero.
"""

import sys
import threading

import stare_client


def main():
    host, port, py_state, jvm_state, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
    heard = []
    all_heard = threading.Event()

    def on_update(state_id, publisher, update_no, payload):
        heard.append((state_id, publisher, update_no, payload))
        if len(heard) >= count:
            all_heard.set()

    with stare_client.connect(host, port, name="interop-check", timeout=20) as client:
        vnf_id = client.register_vnf("py-vnf")
        state = client.declare_state(py_state)
        jvm_state_id = client.subscribe(jvm_state, on_update)
        assert client.lookup_state(jvm_state) == jvm_state_id
        names, complete = client.list_states(py_state)
        if py_state not in names or not complete:
            return fail("listing %r gave %r (complete: %s)" % (py_state, names, complete))
        try:
            client.publish(jvm_state_id, b"not mine")
            return fail("publishing another VNF's state was accepted")
        except stare_client.StareError as e:
            if e.code != "NOT_PUBLISHER":
                return fail("expected NOT_PUBLISHER, got %s" % e)
        print("READY %d %d" % (vnf_id, state), flush=True)

        if sys.stdin.readline().strip() != "GO":
            return fail("no GO from the Java side")
        updates = [client.publish(state, b"py#%d" % i) for i in range(count)]
        if updates != list(range(updates[0], updates[0] + count)):
            return fail("update numbers not consecutive: %s" % updates)
        if not all_heard.wait(20):
            return fail("heard %d of %d Java updates" % (len(heard), count))
        for i, (state_id, _, update_no, payload) in enumerate(heard[:count]):
            if state_id != jvm_state_id or payload != b"jvm#%d" % i:
                return fail("update %d: state %d payload %r" % (i, state_id, payload))
            if i > 0 and update_no != heard[i - 1][2] + 1:
                return fail("update numbers out of order at %d" % i)
        client.unsubscribe(jvm_state_id)
    print("OK heard %d published %d" % (len(heard), count), flush=True)
    return 0


def fail(message):
    print("FAIL " + message, flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
