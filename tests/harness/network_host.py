# SPDX-License-Identifier: MIT
"""The host's side of the network boot tests (NET*): an HTTP server on 127.0.0.1 that the guest
reaches through QEMU's guestfwd, and the host actions of steps (emulators.Step.host), which
reach the guest through QEMU's hostfwd on 127.0.0.1. Nothing here contacts any other address,
and every wait is bounded."""
import contextlib
import http.server
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
