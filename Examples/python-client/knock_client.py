#!/usr/bin/env python3
"""A Knock client in plain Python (standard library only: ssl, socket, struct).

Written from Protocol/PROTOCOL.md alone, as an integrator in another language would: it opens
mutual TLS 1.3 with ALPN knock/1, exchanges HELLO, makes unary calls and answers PINGs. The
protobuf it needs (HELLO, RequestHeader, Status, GoAway) is hand-encoded below; application
messages are passed as bytes.

    python3 knock_client.py --host 127.0.0.1 --port 7443 --ca ca.pem --cert cert.pem --key key.pem \\
        echo "敲门"
    python3 knock_client.py ... call knock.demo.Echo 0a06e695b2e997a8      # raw hex request
    python3 knock_client.py --check-vectors ../../Protocol/vectors        # decode the golden vectors
"""
import argparse
import json
import os
import socket
import ssl
import struct
import sys

HELLO, REQUEST, MESSAGE, END, CANCEL, CREDIT, PING, PONG, GOAWAY = range(1, 10)
STATUS_NAMES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                "UNAUTHENTICATED"]
MIN_MAX_FRAME = 16_384
DEFAULT_MAX_FRAME = 4_194_304


class KnockError(Exception):
    """A call ended with a status other than OK, or the connection failed."""

    def __init__(self, code, message):
        self.code = code
        self.message = message
        name = STATUS_NAMES[code] if code < len(STATUS_NAMES) else "UNKNOWN"
        super().__init__(f"{name}: {message}")

    @property
    def name(self):
        return STATUS_NAMES[self.code] if self.code < len(STATUS_NAMES) else "UNKNOWN"


# --- protobuf, just enough -------------------------------------------------------------------
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value) if value else b""


def field_bytes(number, value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(value)) + value if value else b""


def parse_fields(data):
    """Yields (field number, wire type, value) for a protobuf message."""
    i = 0
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            length, i = read_varint(data, i)
            value, i = data[i:i + length], i + length
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def read_varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def encode_hello(max_frame_size=DEFAULT_MAX_FRAME, max_calls=100, agent="knock-python/1"):
    return (field_bytes(1, varint(1)) + field_varint(2, max_frame_size) + field_varint(3, max_calls)
            + field_bytes(6, agent))


def decode_hello(data):
    hello = {"versions": [], "max_frame_size": 0, "max_concurrent_calls": 0}
    for number, wire, value in parse_fields(data):
        if number == 1 and wire == 2:
            j = 0
            while j < len(value):
                v, j = read_varint(value, j)
                hello["versions"].append(v)
        elif number == 1:
            hello["versions"].append(value)
        elif number == 2:
            hello["max_frame_size"] = value
        elif number == 3:
            hello["max_concurrent_calls"] = value
    return hello


def encode_request_header(method, timeout_us=0, metadata=(), idempotency_key=""):
    header = field_bytes(1, method) + field_varint(2, timeout_us)
    for key, value in metadata:
        header += field_bytes(3, field_bytes(1, key) + field_bytes(2, value))
    return header + field_bytes(4, idempotency_key)


def decode_status(data):
    code, message = 0, ""
    for number, _, value in parse_fields(data):
        if number == 1:
            code = value
        elif number == 2:
            message = value.decode("utf-8")
    return code, message


# --- frames ------------------------------------------------------------------------------------
def encode_frame(ftype, call_id, payload=b"", flags=0):
    return struct.pack(">IBBI", 6 + len(payload), ftype, flags, call_id) + payload


class KnockClient:
    """One connection to a Knock host. Calls are made one at a time (odd call ids 1, 3, 5, …)."""

    def __init__(self, host, port, ca, cert, key, server_name=None, timeout=10.0):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_verify_locations(ca)
        context.load_cert_chain(cert, key)
        context.set_alpn_protocols(["knock/1"])
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = context.wrap_socket(raw, server_hostname=server_name or host)
        if self.sock.selected_alpn_protocol() != "knock/1":
            raise KnockError(14, "the server did not select ALPN knock/1")
        self.buffer = b""
        self.next_call_id = 1
        self.max_frame = MIN_MAX_FRAME
        self.sock.sendall(encode_frame(HELLO, 0, encode_hello()))
        ftype, _, _, payload = self.read_frame()
        if ftype != HELLO:
            raise KnockError(14, f"expected HELLO, got frame type {ftype}")
        hello = decode_hello(payload)
        if 1 not in hello["versions"]:
            raise KnockError(14, f"no common protocol version: the host speaks {hello['versions']}")
        self.max_frame = hello["max_frame_size"] or DEFAULT_MAX_FRAME

    def read_exactly(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise KnockError(14, "the connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_frame(self):
        length, = struct.unpack(">I", self.read_exactly(4))
        if not 6 <= length <= DEFAULT_MAX_FRAME:
            raise KnockError(14, f"bad frame length {length}")
        ftype, flags, call_id = struct.unpack(">BBI", self.read_exactly(6))
        return ftype, flags, call_id, self.read_exactly(length - 6)

    def call(self, method, request=b"", timeout=None, metadata=(), idempotency_key=""):
        """Makes a unary call; returns the response bytes or raises KnockError."""
        call_id = self.next_call_id
        self.next_call_id += 2
        header = encode_request_header(method, int(timeout * 1_000_000) if timeout else 0, metadata, idempotency_key)
        payload = struct.pack(">I", len(header)) + header + request
        if 6 + len(payload) > self.max_frame:
            raise KnockError(8, "the request is larger than the host accepts")
        self.sock.sendall(encode_frame(REQUEST, call_id, payload))
        response = None
        while True:
            ftype, _, fid, payload = self.read_frame()
            if ftype == PING:
                self.sock.sendall(encode_frame(PONG, 0, payload))
            elif ftype == GOAWAY:
                last, message = 0, ""
                for number, _, value in parse_fields(payload):
                    if number == 1:
                        last = value
                    elif number == 3:
                        message = value.decode("utf-8")
                if call_id > last:
                    raise KnockError(14, f"the host is going away ({message}); retry on a new connection")
            elif fid != call_id:
                continue  # a late frame of an earlier call
            elif ftype == MESSAGE:
                response = payload
            elif ftype == END:
                code, message = decode_status(payload)
                if code != 0:
                    raise KnockError(code, message)
                if response is None:
                    raise KnockError(13, "the host ended the call OK without a response")
                return response

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def check_vectors(directory):
    """Decodes every golden vector with this client's reader; returns the number that agree."""
    agreed = 0
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as fh:
            vector = json.load(fh)
        data = bytes.fromhex(vector["hex"])
        ok = True
        if vector["valid"]:
            length, ftype, flags, call_id = struct.unpack(">IBBI", data[:10])
            frame = vector["frame"]
            ok = (length == frame["length"] and ftype == frame["type_byte"] and flags == frame["flags"]
                  and call_id == frame["call_id"] and data[10:].hex() == frame["payload_hex"])
            if ok and frame["type"] == "HELLO" and "versions" in frame.get("hello", {}):
                ok = decode_hello(data[10:])["versions"] == frame["hello"]["versions"]
            if ok and frame["type"] == "END":
                ok = decode_status(data[10:])[0] == frame.get("status", {}).get("code", 0)
        elif len(data) >= 4:
            length, = struct.unpack(">I", data[:4])
            code = vector["error"]["code"]
            if code == "frame_too_short":
                ok = length < 6
            elif code == "frame_too_large":
                ok = length > vector["max_frame_size"] or (len(data) > 4 and data[4] == HELLO and length > MIN_MAX_FRAME)
        if not ok:
            print(f"vector {name}: disagrees", file=sys.stderr)
        agreed += ok
    return agreed


def main():
    parser = argparse.ArgumentParser(description="A Knock client in plain Python")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7443)
    parser.add_argument("--server-name", default="localhost")
    parser.add_argument("--ca")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--timeout", type=float, default=5.0, help="call deadline in seconds")
    parser.add_argument("--check-vectors", metavar="DIR")
    parser.add_argument("command", nargs="?", choices=["echo", "call"])
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    if options.check_vectors:
        agreed = check_vectors(options.check_vectors)
        print(f"{agreed} vectors agree")
        return 0
    if not (options.ca and options.cert and options.key and options.command):
        parser.error("--ca, --cert, --key and a command are required")
    try:
        client = KnockClient(options.host, options.port, options.ca, options.cert, options.key, options.server_name)
    except (ssl.SSLError, OSError) as error:
        print(f"connection refused: {error}", file=sys.stderr)
        return 3
    try:
        if options.command == "echo":
            text = " ".join(options.args)
            response = client.call("knock.demo.Echo", field_bytes(1, text), timeout=options.timeout)
            for number, _, value in parse_fields(response):
                if number == 1:
                    print(value.decode("utf-8"))
        else:
            method, request_hex = options.args[0], (options.args[1] if len(options.args) > 1 else "")
            print(client.call(method, bytes.fromhex(request_hex), timeout=options.timeout).hex())
        return 0
    except KnockError as error:
        print(f"{error.name}: {error.message}", file=sys.stderr)
        return 2
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
