# SPDX-License-Identifier: MIT
"""The host's side of the network boot tests (NET*): an HTTP server on 127.0.0.1 that the guest
reaches through QEMU's guestfwd, and the host actions of steps (emulators.Step.host), which
reach the guest through QEMU's hostfwd on 127.0.0.1. Nothing here contacts any other address,
and every wait is bounded."""
import contextlib
import http.server
import random
import select
import shutil
import socket
import subprocess
import threading
import time


@contextlib.contextmanager
def http_files(name: str, files: dict):
    """An HTTP/1.0 server on 127.0.0.1, on a port the kernel chooses, serving `files` (path ->
    bytes, with Content-Length) from a thread; yields {name: its port} for the test's
    {port:NAME}. QEMU's guestfwd=...-tcp:127.0.0.1:PORT opens one connection to it when QEMU
    starts and carries one guest connection over it, so the server must be up first; it stops
    after QEMU has ended."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"not found\n"
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # the harness's output is TAP: no request log on stderr
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {name: server.server_address[1]}
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def curl_fetch(port_name: str, path: str, body: bytes):
    """A host action: the host's curl fetches http://127.0.0.1:PORT/path (QEMU's hostfwd to the
    guest) and must get `body`. --noproxy: never a proxy the environment names, only 127.0.0.1."""

    def action(guest) -> list:
        curl = shutil.which("curl")
        if curl is None:
            return ["curl is missing (./tern deps installs it)"]
        url = f"http://127.0.0.1:{guest.ports[port_name]}{path}"
        run = subprocess.run([curl, "-s", "-S", "--noproxy", "*", "--max-time", "20", url], capture_output=True,
                             timeout=40)
        if run.returncode != 0:
            return [f"curl {url} exited with {run.returncode}: {run.stderr.decode(errors='replace').strip()}"]
        if run.stdout != body:
            return [f"curl {url} got {run.stdout[:200]!r}, expected {body!r}"]
        return []

    return action


def line_exchange(port_name: str, to_guest: str, from_guest: str, prompt: str, timeout: float = 60.0):
    """A host action for a guest that listens on a forwarded port with nc in the foreground: the
    host connects to 127.0.0.1:PORT and sends `to_guest`, which nc must print; then `from_guest`
    is typed into the guest, and nc must send it to the host; then the host closes, nc ends and
    the shell prompts again. QEMU accepts the host's connection before the guest does: if the
    guest refuses it (nc not listening yet), QEMU closes it, and the host tries again until
    `timeout`."""

    def action(guest) -> list:
        port = guest.ports[port_name]
        deadline = time.monotonic() + timeout
        refused = 0
        while True:
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            since = guest.position()
            connection.sendall(to_guest.encode() + b"\n")
            outcome = _delivered(guest, connection, rf"^{to_guest}$", since, deadline)
            if outcome == "printed":
                break
            connection.close()
            if outcome == "closed" and time.monotonic() < deadline:
                refused += 1
                time.sleep(0.5)
                continue
            return [f"the guest printed no line {to_guest!r} sent to 127.0.0.1:{port} within {timeout:.0f} s "
                    f"({refused} connections closed by QEMU before, as a guest's refusal closes them)"]
        with connection:
            since = guest.position()
            guest.type(from_guest + "\r")
            received = b""
            connection.settimeout(max(1.0, deadline - time.monotonic()))
            try:
                while not received.endswith(b"\n"):
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    received += chunk
            except socket.timeout:
                pass
            if received != from_guest.encode() + b"\n":
                return [f"the host read {received!r} from the guest, expected {from_guest!r} and a newline"]
        missing = guest.wait_for([prompt], since, 30)
        if missing:
            return [f"nc did not end when the host closed its connection: no line matching /{prompt}/ within 30 s"]
        return []

    return action


def _delivered(guest, connection: socket.socket, pattern: str, since: int, deadline: float) -> str:
    """"printed" once the guest printed a line matching `pattern`, "closed" if the connection
    ended first (the guest refused it), "timeout" at the deadline."""
    while True:
        if not guest.wait_for([pattern], since, 0.5):
            return "printed"
        readable, _, _ = select.select([connection], [], [], 0)
        if readable:
            try:
                if not connection.recv(4096, socket.MSG_PEEK):
                    return "closed"
            except OSError:
                return "closed"
        if time.monotonic() > deadline:
            return "timeout"


def abuse_then_fetch(http_name: str, udp_name: str, path: str, body: bytes, size: int):
    """A host action: clients that vanish mid-connection and a flood of datagrams, then a fetch
    that must still work. 20 clients ask httpd for `size` bytes, read a little and reset the
    connection (SO_LINGER 0: an RST, as a client that dies); 20 more connect and close without a
    word; 3,000 datagrams go to a forwarded UDP port nobody listens on. Then curl must get `body`
    from `path`, and a whole download of the big file must be `size` bytes."""

    def action(guest) -> list:
        port, udp = guest.ports[http_name], guest.ports[udp_name]
        linger = (1).to_bytes(4, "little") + (0).to_bytes(4, "little")
        for i in range(20):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                    client.sendall(b"GET /big HTTP/1.0\r\n\r\n")
                    client.recv(8192)
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            except OSError:
                pass  # (a reset or refusal here is the guest's right; what follows must work)
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=10):
                pass
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as flood:
            for i in range(3000):
                flood.sendto(i.to_bytes(4, "little") * 64, ("127.0.0.1", udp))
        problems = curl_fetch(http_name, path, body)(guest)
        curl = shutil.which("curl")
        if curl is not None and not problems:
            url = f"http://127.0.0.1:{port}/big"
            run = subprocess.run([curl, "-s", "-S", "--noproxy", "*", "--max-time", "60", "-o", "/dev/null", "-w",
                                  "%{size_download}", url], capture_output=True, text=True, timeout=90)
            if run.returncode != 0 or run.stdout != str(size):
                problems.append(f"after the abuse, curl {url} got {run.stdout} bytes (exit {run.returncode}: "
                                f"{run.stderr.strip()}), expected {size}")
        return problems

    return action


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


class Wire:
    """The host as a peer on the guest's Ethernet: QEMU's `-netdev socket,listen=127.0.0.1:PORT`
    carries each frame over TCP after its length (4 bytes, big-endian)."""

    def __init__(self, port: int, deadline: float):
        while True:
            try:
                self.connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.buffer = b""

    def send(self, frame: bytes):
        frame = frame + b"\0" * max(0, 60 - len(frame)) if len(frame) >= 14 else frame
        self.connection.sendall(len(frame).to_bytes(4, "big") + frame)

    def frames(self, seconds: float):
        """The frames the guest sends within `seconds`."""
        end = time.monotonic() + seconds
        while True:
            while len(self.buffer) >= 4 and len(self.buffer) >= 4 + int.from_bytes(self.buffer[:4], "big"):
                n = int.from_bytes(self.buffer[:4], "big")
                frame, self.buffer = self.buffer[4:4 + n], self.buffer[4 + n:]
                yield frame
            left = end - time.monotonic()
            if left <= 0:
                return
            readable, _, _ = select.select([self.connection], [], [], left)
            if not readable:
                return
            chunk = self.connection.recv(65536)
            if not chunk:
                return
            self.buffer += chunk


HOST_MAC = bytes.fromhex("525400aabbcc")


def _arp_request(own_ip: bytes, target_ip: bytes) -> bytes:
    return (b"\xff" * 6 + HOST_MAC + b"\x08\x06" + bytes.fromhex("0001080006040001") + HOST_MAC + own_ip +
            b"\0" * 6 + target_ip)


def _echo_request(guest_mac: bytes, own_ip: bytes, guest_ip: bytes, ident: int, sequence: int, payload: bytes,
                  corrupt: str = "") -> bytes:
    icmp = bytes([8, 0, 0, 0]) + ident.to_bytes(2, "big") + sequence.to_bytes(2, "big") + payload
    icmp = icmp[:2] + _checksum(icmp).to_bytes(2, "big") + icmp[4:]
    if corrupt == "icmp":
        icmp = icmp[:2] + (int.from_bytes(icmp[2:4], "big") ^ 0x0101).to_bytes(2, "big") + icmp[4:]
    header = bytes([0x45, 0]) + (20 + len(icmp)).to_bytes(2, "big") + b"\0\0\x40\0\x40\x01\0\0" + own_ip + guest_ip
    header = header[:10] + _checksum(header).to_bytes(2, "big") + header[12:]
    if corrupt == "ip":
        header = header[:10] + (int.from_bytes(header[10:12], "big") ^ 0x0101).to_bytes(2, "big") + header[12:]
    if corrupt == "length":
        header = header[:2] + (1400).to_bytes(2, "big") + header[4:]  # longer than the frame
    return guest_mac + HOST_MAC + b"\x08\x00" + header + icmp


def _echo_replies(frames, own_ip: bytes, ident: int) -> dict:
    """sequence -> payload of the valid echo replies to `ident` among frames."""
    replies = {}
    for frame in frames:
        if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 1 or frame[30:34] != own_ip:
            continue
        header_length = (frame[14] & 0xf) * 4
        total = int.from_bytes(frame[16:18], "big")
        icmp = frame[14 + header_length:14 + total]
        if _checksum(frame[14:14 + header_length]) != 0 or _checksum(icmp) != 0 or icmp[0] != 0:
            continue
        if int.from_bytes(icmp[4:6], "big") == ident:
            replies[int.from_bytes(icmp[6:8], "big")] = icmp[8:]
    return replies


def ethernet_peer(port_name: str, guest_ip: str, own_ip: str = "10.0.3.1"):
    """A host action: the host on the guest's Ethernet (Wire). ARP finds the guest; ten pings are
    answered with their payloads; malformed frames (a runt, a bad IP and a bad ICMP checksum, an
    IP length beyond the frame, 200 frames of random bytes) are not answered and do no harm; a
    flood of 3,000 pings sent without reading (more than the card's receive ring holds) leaves
    the guest answering five more."""

    def action(guest) -> list:
        guest_address, own = socket.inet_aton(guest_ip), socket.inet_aton(own_ip)
        wire = Wire(guest.ports[port_name], time.monotonic() + 30)
        guest_mac = None
        for attempt in range(20):
            wire.send(_arp_request(own, guest_address))
            for frame in wire.frames(0.5):
                if frame[12:14] == b"\x08\x06" and frame[20:22] == b"\x00\x02" and frame[28:32] == guest_address:
                    guest_mac = frame[22:28]
                    break
            if guest_mac is not None:
                break
        if guest_mac is None:
            return [f"no ARP reply for {guest_ip} within 10 s"]
        problems = []
        payloads = {sequence: bytes(random.Random(sequence).randbytes(56)) for sequence in range(10)}
        for sequence, payload in payloads.items():
            wire.send(_echo_request(guest_mac, own, guest_address, 0x7e01, sequence, payload))
        replies = _echo_replies(wire.frames(5), own, 0x7e01)
        if replies != payloads:
            problems.append(f"{len(replies)} of 10 pings answered with their payloads")
        wire.send(b"\x01" * 10)  # a runt
        for corrupt in ("ip", "icmp", "length"):
            wire.send(_echo_request(guest_mac, own, guest_address, 0x7e02, 1, b"bad " + corrupt.encode(), corrupt))
        noise = random.Random(7)
        for _ in range(200):
            wire.send(guest_mac + HOST_MAC + noise.randbytes(noise.randrange(2, 1500)))
        if _echo_replies(wire.frames(2), own, 0x7e02):
            problems.append("a malformed echo request was answered")
        for sequence in range(3000):
            wire.send(_echo_request(guest_mac, own, guest_address, 0x7e03, sequence, b"flood"))
        flood = _echo_replies(wire.frames(10), own, 0x7e03)
        for sequence in range(5):
            wire.send(_echo_request(guest_mac, own, guest_address, 0x7e04, sequence, b"after the flood"))
        after = _echo_replies(wire.frames(5), own, 0x7e04)
        if len(after) != 5:
            problems.append(f"after the flood ({len(flood)} of 3,000 answered) {len(after)} of 5 pings were answered")
        wire.connection.close()
        return problems

    return action
