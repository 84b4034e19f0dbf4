"""A dependency-free STARE VNF client (Python 3.9+, standard library only).

Speaks the VNF <-> middleware framing of docs/protocol.md section 6 over TCP (port 65431):
every frame is a big-endian u32 length N, a type byte and N - 1 body bytes. A background thread
reads frames; replies complete the waiting request, DELIVER and LOSS_NOTICE go to callbacks.

    client = connect(name="py-vnf")   # STARE_GATEWAY=host:port, or 127.0.0.1:65431
    vnf_id = client.register_vnf("py-vnf")
    state = client.declare_state("py-state")
    client.publish(state, b"hello")
    client.subscribe("other-state", lambda state_id, publisher, update_no, payload: ...)
"""

import os
import socket
import ssl
import struct
import threading
import time
import traceback

PROTOCOL_VERSION = 2  # 2 added LIST_STATES; version 1 middlewares are still spoken to
MIN_PROTOCOL_VERSION = 1
DEFAULT_PORT = 65431
GATEWAY_ENV = "STARE_GATEWAY"
TLS_DIR_ENV = "STARE_GATEWAY_TLS_DIR"  # tls.key, tls.crt, ca.crt: TLS with the gateway
_MAGIC = b"STAR"

# Frame types (docs/protocol.md section 6).
HELLO, HELLO_ACK, ERROR = 0x01, 0x02, 0x03
REGISTER_VNF, VNF_REGISTERED = 0x10, 0x11
REGISTER_MOVE = 0x01  # REGISTER_VNF flags: the VNF moves here from the middleware its name is bound to
DECLARE_PUBLISH_STATE, STATE_DECLARED = 0x12, 0x13
LOOKUP_STATE, STATE_FOUND = 0x14, 0x15
SUBSCRIBE, SUBSCRIBED = 0x16, 0x17
UNSUBSCRIBE, UNSUBSCRIBED = 0x18, 0x19
LIST_STATES, STATES_LISTED = 0x1A, 0x1B  # protocol version 2
PUBLISH, PUBLISHED = 0x20, 0x21
DELIVER, LOSS_NOTICE = 0x22, 0x23

# The wire values of io.stare.protocol.ErrorCode (the same codes from the replica controller to here).
ERROR_CODES = {1: "UNSUPPORTED_VERSION", 2: "BAD_REQUEST", 3: "NOT_REGISTERED", 4: "NOT_PUBLISHER",
               5: "UNKNOWN_STATE", 6: "PAYLOAD_TOO_LARGE", 7: "ID_SPACE_EXHAUSTED", 8: "UNAVAILABLE",
               9: "INTERNAL", 10: "INVALID_ARGUMENT", 11: "BUSY", 12: "BACK_PRESSURED", 13: "NOT_AUTHORIZED"}
TOKEN_ENV = "STARE_VNF_TOKEN"
# Codes after which the same request may succeed later.
RETRYABLE = frozenset({"UNAVAILABLE", "BUSY", "BACK_PRESSURED"})
LOSS_OUTCOMES = {1: "RECOVERING", 2: "RECOVERED", 3: "UNRECOVERABLE"}


class StareError(Exception):
    """An ERROR frame from the middleware: `code` is its name (e.g. 'UNKNOWN_STATE'), one of
    ERROR_CODES' values ('UNKNOWN' for a code newer than this client)."""

    def __init__(self, code, message, request_id=0):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.request_id = request_id

    @property
    def retryable(self):
        """Whether sending the same request again later may succeed."""
        return self.code in RETRYABLE


class ConnectionClosed(StareError):
    """The middleware closed the connection (or it broke) before answering."""

    def __init__(self, message="connection closed"):
        super().__init__("CLOSED", message)


# ---------------------------------------------------------------- encoding

def _str(text, limit=255):
    data = text.encode("utf-8")
    if len(data) > limit:
        raise ValueError("%r is longer than %d UTF-8 bytes" % (text, limit))
    return struct.pack(">H", len(data)) + data


def _name(text):
    if not text:
        raise ValueError("names are 1..255 UTF-8 bytes")
    return _str(text)


def _frame(frame_type, body):
    return struct.pack(">IB", 1 + len(body), frame_type) + body


class _Reader:
    """Reads the fields of one frame body in order; refuses short or overlong bodies."""

    def __init__(self, body):
        self.body, self.pos = body, 0

    def take(self, n):
        if self.pos + n > len(self.body):
            raise StareError("MALFORMED", "frame body too short")
        part = self.body[self.pos:self.pos + n]
        self.pos += n
        return part

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def str(self):
        return self.take(self.u16()).decode("utf-8")

    def payload(self):
        return bytes(self.take(self.u32()))

    def end(self):
        if self.pos != len(self.body):
            raise StareError("MALFORMED", "trailing bytes in frame body")


def _decode(frame_type, body):
    """A frame from the middleware as (type, dict of fields)."""
    r = _Reader(body)
    if frame_type == HELLO_ACK:
        fields = {"version": r.u16(), "server_name": r.str(), "max_frame_bytes": r.u32()}
    elif frame_type == ERROR:
        fields = {"request_id": r.u32(), "code": ERROR_CODES.get(r.u8(), "UNKNOWN"), "message": r.str()}
    elif frame_type == VNF_REGISTERED:
        fields = {"request_id": r.u32(), "name": r.str(), "vnf_id": r.u16()}
    elif frame_type in (STATE_DECLARED, STATE_FOUND, SUBSCRIBED):
        fields = {"request_id": r.u32(), "name": r.str(), "state_id": r.u32()}
    elif frame_type == UNSUBSCRIBED:
        fields = {"request_id": r.u32(), "state_id": r.u32()}
    elif frame_type == STATES_LISTED:
        fields = {"request_id": r.u32(), "prefix": r.str(), "complete": r.u8() == 1}
        fields["names"] = [r.str() for _ in range(r.u16())]
    elif frame_type == PUBLISHED:
        fields = {"request_id": r.u32(), "state_id": r.u32(), "update_no": r.i64()}
    elif frame_type == DELIVER:
        fields = {"state_id": r.u32(), "publisher_vnf_id": r.u16(), "update_no": r.i64(), "payload": r.payload()}
    elif frame_type == LOSS_NOTICE:
        fields = {"state_id": r.u32(), "first_update": r.i64(), "last_update": r.i64(),
                  "outcome": LOSS_OUTCOMES.get(r.u8(), "UNKNOWN")}
    else:
        raise StareError("UNKNOWN_KIND", "frame type 0x%02x" % frame_type)
    r.end()
    return frame_type, fields


# ---------------------------------------------------------------- client

class _Pending:
    def __init__(self):
        self.done = threading.Event()
        self.frame = None
        self.error = None


class StareClient:
    """One VNF's session with its middleware. Thread-safe; callbacks run on the receive thread.

    When the connection breaks (the middleware died or restarted) and reconnect is on, the client
    connects again with backoff (50 ms doubling to 2 s) until close(): it registers under the same
    name, declares its states again and subscribes to each state again from the update after the
    last one delivered (from now if none was), so the middleware recovers what was published
    meanwhile and on_loss hears of what the backlog no longer holds. An update is never delivered
    twice. Calls made while it reconnects raise ConnectionClosed (retryable)."""

    FIRST_BACKOFF = 0.05
    MAX_BACKOFF = 2.0

    def __init__(self, sock, client_name, timeout, on_loss, address=None, reconnect=True, tls_dir=None):
        self._sock = sock
        self._address = address
        self._tls_dir = tls_dir
        self._reconnect = reconnect and address is not None
        self._closing = False
        self._client_name = client_name
        self._vnf_name = None
        self._token = None
        self._declared = []
        self._subscriptions = {}  # name -> _Subscription
        self.reconnects = 0
        self._timeout = timeout
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._pending = {}
        self._next_request = 1
        self._callbacks = {}
        self._closed = None
        self.on_loss = on_loss
        self.vnf_id = None
        self.max_frame_bytes = None
        self.version = None
        self._handshake(client_name)
        self._thread = threading.Thread(target=self._receive_loop, name="stare-receive", daemon=True)
        self._thread.start()

    # -- public API

    def register_vnf(self, name, token=None, move=False):
        """Registers this VNF; returns its global VNF ID. A gateway that asks for tokens wants the
        name's token (`stare token --name NAME`): given here, or in STARE_VNF_TOKEN. A name is bound
        to the middleware it first registered at; another refuses it (StareError NOT_AUTHORIZED)
        unless move=True moves it there. Reconnections register without moving."""
        token = token if token is not None else os.environ.get(TOKEN_ENV, "")
        tail = _str(token) if token or move else b""
        if move:
            tail += bytes([REGISTER_MOVE])
        self.vnf_id = self._call(REGISTER_VNF, lambda rid: struct.pack(">I", rid) + _name(name) + tail)["vnf_id"]
        self._vnf_name = name
        self._token = token
        return self.vnf_id

    def declare_state(self, name):
        """Declares a state this VNF publishes; returns its state ID."""
        state_id = self._call(DECLARE_PUBLISH_STATE, lambda rid: struct.pack(">I", rid) + _name(name))["state_id"]
        if name not in self._declared:
            self._declared.append(name)
        return state_id

    def lookup_state(self, name):
        """The ID of a state somebody declared (StareError UNKNOWN_STATE otherwise)."""
        return self._call(LOOKUP_STATE, lambda rid: struct.pack(">I", rid) + _name(name))["state_id"]

    def list_states(self, prefix):
        """The declared states whose names start with `prefix`, sorted (with a subscribe policy,
        those this VNF may subscribe to), and whether that was all of them: (names, complete).
        Needs a middleware that speaks protocol version 2 (StareError BAD_REQUEST otherwise)."""
        if self.version < 2:
            raise StareError("BAD_REQUEST", "the middleware speaks protocol version %d; listing states needs 2"
                             % self.version)
        fields = self._call(LIST_STATES, lambda rid: struct.pack(">I", rid) + _name(prefix))
        return fields["names"], fields["complete"]

    def publish(self, state_id, payload):
        """Publishes an update of a declared state; returns its update number."""
        payload = bytes(payload)
        return self._call(PUBLISH, lambda rid: struct.pack(">III", rid, state_id, len(payload)) + payload)["update_no"]

    def subscribe(self, name, callback, resume_from=None, wait=0):
        """Subscribes to a state by name; callback(state_id, publisher_vnf_id, update_no, payload)
        runs on the receive thread for every update, from the next one published on, or from update
        resume_from on (what the backlog no longer holds reaches on_loss). With wait (seconds), a
        state nobody has declared yet is asked for again every 0.1 s until it is, or wait has
        passed. Returns the state ID."""
        subscription = _Subscription(name, callback, -1 if resume_from is None else resume_from - 1)
        deadline = time.monotonic() + wait
        while True:
            try:
                return self._subscribe(subscription)
            except StareError as e:
                if e.code != "UNKNOWN_STATE" or time.monotonic() >= deadline:
                    raise
            time.sleep(0.1)

    def _subscribe(self, subscription):
        resume = subscription.resume_from()
        tail = struct.pack(">q", resume) if resume >= 0 else b""
        state_id = self._call(SUBSCRIBE, lambda rid: struct.pack(">I", rid) + _name(subscription.name) + tail)["state_id"]
        with self._lock:
            self._callbacks[state_id] = subscription
            self._subscriptions[subscription.name] = subscription
        return state_id

    def unsubscribe(self, state_id):
        """Ends a subscription."""
        self._call(UNSUBSCRIBE, lambda rid: struct.pack(">II", rid, state_id))
        with self._lock:
            subscription = self._callbacks.pop(state_id, None)
            if subscription is not None:
                self._subscriptions.pop(subscription.name, None)

    def close(self):
        """Closes the connection; the middleware then removes this VNF and its subscriptions."""
        self._closing = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._thread.join(self._timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing

    def _handshake(self, client_name):
        body = _MAGIC + struct.pack(">HH", MIN_PROTOCOL_VERSION, PROTOCOL_VERSION) + _name(client_name)
        self._sock.sendall(_frame(HELLO, body))
        frame_type, fields = self._read_frame()
        if frame_type == ERROR:
            raise StareError(fields["code"], fields["message"])
        if frame_type != HELLO_ACK:
            raise StareError("BAD_REQUEST", "expected HELLO_ACK, got frame type 0x%02x" % frame_type)
        self.max_frame_bytes = fields["max_frame_bytes"]
        self.version = fields["version"]

    def _call(self, frame_type, body_for):
        pending = _Pending()
        with self._lock:
            if self._closed:
                raise ConnectionClosed(self._closed)
            request_id = self._next_request
            self._next_request = self._next_request % 0xFFFFFFFF + 1  # never 0
            self._pending[request_id] = pending
        frame = _frame(frame_type, body_for(request_id))
        if self.max_frame_bytes is not None and len(frame) - 4 > self.max_frame_bytes:
            with self._lock:
                self._pending.pop(request_id, None)
            raise StareError("PAYLOAD_TOO_LARGE", "frame of %d bytes exceeds the middleware's %d"
                             % (len(frame) - 4, self.max_frame_bytes))
        with self._send_lock:
            self._sock.sendall(frame)
        if not pending.done.wait(self._timeout):
            with self._lock:
                self._pending.pop(request_id, None)
            raise StareError("TIMEOUT", "no answer to request %d within %ss" % (request_id, self._timeout))
        if pending.error is not None:
            raise pending.error
        return pending.frame

    def _read_exactly(self, n):
        data = bytearray()
        while len(data) < n:
            chunk = self._sock.recv(n - len(data))
            if not chunk:
                raise ConnectionClosed("connection closed by the middleware")
            data.extend(chunk)
        return bytes(data)

    def _read_frame(self):
        (length,) = struct.unpack(">I", self._read_exactly(4))
        if length == 0:
            raise StareError("MALFORMED", "frame length 0")
        frame = self._read_exactly(length)
        return _decode(frame[0], frame[1:])

    def _receive_loop(self):
        self._sock.settimeout(None)
        reason = "connection closed"
        try:
            while True:
                frame_type, fields = self._read_frame()
                if frame_type == DELIVER:
                    with self._lock:
                        subscription = self._callbacks.get(fields["state_id"])
                    if subscription is not None and fields["update_no"] > subscription.last:
                        subscription.last = fields["update_no"]
                        _safely(subscription.callback, fields["state_id"], fields["publisher_vnf_id"],
                                fields["update_no"], fields["payload"])
                elif frame_type == LOSS_NOTICE:
                    with self._lock:
                        subscription = self._callbacks.get(fields["state_id"])
                    if subscription is not None and fields["outcome"] == "UNRECOVERABLE":
                        # lost for good: a resumed stream must not ask for these again
                        subscription.last = max(subscription.last, fields["last_update"])
                    if self.on_loss is not None:
                        _safely(self.on_loss, fields["state_id"], fields["first_update"], fields["last_update"],
                                fields["outcome"])
                else:
                    self._answer(frame_type, fields)
        except (OSError, StareError) as e:
            reason = str(e)
        finally:
            with self._lock:
                self._closed = reason
                waiting, self._pending = self._pending, {}
            for pending in waiting.values():
                pending.error = ConnectionClosed(reason)
                pending.done.set()
        if self._reconnect and not self._closing:
            self._connect_again()

    def _connect_again(self):
        """On the ended receive thread: a new connection, then the session made again on it."""
        backoff = self.FIRST_BACKOFF
        while not self._closing:
            time.sleep(backoff)
            backoff = min(self.MAX_BACKOFF, backoff * 2)
            try:
                sock = _open(self._address, self._timeout, self._tls_dir)
            except OSError:
                continue
            try:
                self._sock = sock
                self._handshake(self._client_name)
            except (OSError, StareError):
                sock.close()
                continue
            with self._lock:
                self._closed = None
            self._thread = threading.Thread(target=self._receive_loop, name="stare-receive", daemon=True)
            self._thread.start()
            try:
                if self._vnf_name is not None:
                    self.register_vnf(self._vnf_name, self._token)
                for name in list(self._declared):
                    self.declare_state(name)
                with self._lock:
                    subscriptions = list(self._subscriptions.values())
                    self._callbacks.clear()
                for subscription in subscriptions:
                    self._subscribe(subscription)
                self.reconnects += 1
            except (OSError, StareError):
                # the new connection broke too: its receive thread ends and tries again
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            return

    def _answer(self, frame_type, fields):
        request_id = fields.get("request_id", 0)
        with self._lock:
            pending = self._pending.pop(request_id, None)
        if pending is None:
            if frame_type == ERROR:  # a session error (request 0): the middleware will hang up
                with self._lock:
                    self._closed = "%s: %s" % (fields["code"], fields["message"])
            return
        if frame_type == ERROR:
            pending.error = StareError(fields["code"], fields["message"], request_id)
        else:
            pending.frame = fields
        pending.done.set()


class _Subscription:
    """A subscription to make again after a reconnect: its callback and the last update delivered
    (or declared lost), -1 before the first."""

    def __init__(self, name, callback, last):
        self.name = name
        self.callback = callback
        self.last = last

    def resume_from(self):
        return self.last + 1 if self.last >= 0 else -1


def _open(address, timeout, tls_dir=None):
    sock = socket.create_connection(address, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if not tls_dir:
        return sock
    # TLS 1.3 both ways: the gateway's certificate must chain to ca.crt and name the host dialled;
    # ours (tls.crt, tls.key) must chain to the CA the gateway trusts.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_verify_locations(os.path.join(tls_dir, "ca.crt"))
    context.load_cert_chain(os.path.join(tls_dir, "tls.crt"), os.path.join(tls_dir, "tls.key"))
    try:
        return context.wrap_socket(sock, server_hostname=address[0])
    except BaseException:
        sock.close()
        raise


def _safely(callback, *args):
    """A failing callback must not stop the receive loop: report it and go on."""
    try:
        callback(*args)
    except Exception:  # noqa: BLE001 - the caller's code
        traceback.print_exc()


def gateway_from_environment():
    """The middleware's gateway as (host, port): from STARE_GATEWAY ("host:port", set by the test
    kit for the VNF processes it starts) or the default 127.0.0.1:65431."""
    address = os.environ.get(GATEWAY_ENV, "").strip()
    if not address:
        return "127.0.0.1", DEFAULT_PORT
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("%s must be host:port, not %r" % (GATEWAY_ENV, address))
    return host.strip("[]"), int(port)


def connect(host=None, port=None, name="python-vnf", timeout=30.0, on_loss=None, reconnect=True, tls_dir=None):
    """Opens a session with the middleware at host:port and performs the handshake. Without host or
    port, they come from gateway_from_environment(). tls_dir (or STARE_GATEWAY_TLS_DIR): a directory
    with tls.key, tls.crt and ca.crt for a gateway that speaks TLS.

    on_loss(state_id, first_update, last_update, outcome) hears of updates that will not arrive.
    reconnect: connect again when the connection breaks (see StareClient)."""
    default_host, default_port = gateway_from_environment() if host is None or port is None else (host, port)
    host = default_host if host is None else host
    port = default_port if port is None else port
    tls_dir = tls_dir if tls_dir is not None else os.environ.get(TLS_DIR_ENV) or None
    sock = _open((host, port), timeout, tls_dir)
    try:
        return StareClient(sock, name, timeout, on_loss, address=(host, port), reconnect=reconnect, tls_dir=tls_dir)
    except BaseException:
        sock.close()
        raise
