#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The network through the card, Tern against Linux in the same emulator: each boots with a
virtio network card on QEMU's restricted user network and runs busybox's httpd (serving a
16 MiB file) and an echo server (`nc -l -p 7777 -e cat`); the host, through port forwards on
127.0.0.1 only, times the download with curl and 500 one-byte TCP round trips with a socket of
its own (TCP_NODELAY). Tern runs them under its Linux personality (./tern linux --network);
Linux is Debian's kernel of tools/linux_bench.py with its virtio modules loaded by a /init
script. The times are the host's clock: QEMU under plain TCG only (under -icount the guest's
time is not the host's).

Prints `BENCH net.<name> <value> <unit> tcg` for Tern and `BENCH linux.net.<name> ...` for
Linux: download_16mib in MiB/s (the median of --runs downloads) and tcp_round_trip in
microseconds (the median of 500).
Usage: net_bench.py BUILD [--runs N] [--systems tern,linux]"""
import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import linux_bench  # noqa: E402  (the Linux guest: kernel, cpio records)

FILE_MIB = 16
ROUND_TRIPS = 500
# What both guests run once their network is up: the file, httpd, the echo server; then they
# wait for the host's connection to port 7778, which ends the run.
SERVE = f"""mkdir -p /tmp/www
echo ok > /tmp/www/small
dd if=/dev/zero of=/tmp/www/big bs=65536 count={FILE_MIB * 16} 2>/dev/null
httpd -p 80 -h /tmp/www
nc -l -p 7777 -e /bin/cat &
nc -l -p 7778 > /dev/null
"""
# In the order of their dependencies (each module's depends= field).
LINUX_MODULES = ["kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
                 "kernel/drivers/virtio/virtio_pci_legacy_dev.ko", "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
                 "kernel/drivers/virtio/virtio_pci.ko", "kernel/net/core/failover.ko",
                 "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"]
LINUX_INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
for module in /modules/*.ko; do insmod "$module"; done
ifconfig lo up
ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
. /serve.sh
poweroff -f
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(http: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        got = subprocess.run(["curl", "-s", "--noproxy", "*", "--max-time", "5", f"http://127.0.0.1:{http}/small"],
                             capture_output=True, text=True)
        if got.stdout == "ok\n":
            return
        time.sleep(1)
    raise RuntimeError("the guest's httpd did not answer within the time allowed")


def measure_guest(http: int, echo: int, stop: int, runs: int) -> dict:
    """The host's side: downloads and round trips against a guest that serves, then its end."""
    rates = []
    for _ in range(runs):
        got = subprocess.run(["curl", "-s", "--noproxy", "*", "--max-time", "300", "-o", "/dev/null", "-w",
                              "%{size_download} %{time_total}", f"http://127.0.0.1:{http}/big"],
                             capture_output=True, text=True)
        size, seconds = got.stdout.split() if got.returncode == 0 else ("0", "0")
        if int(size) != FILE_MIB << 20:
            raise RuntimeError(f"the download was {size} bytes, not {FILE_MIB} MiB ({got.stderr.strip()})")
        rates.append(FILE_MIB / float(seconds))
    with socket.create_connection(("127.0.0.1", echo), timeout=30) as connection:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        times = []
        for i in range(ROUND_TRIPS + 20):
            start = time.perf_counter()
            connection.sendall(b"x")
            if connection.recv(1) != b"x":
                raise RuntimeError("the echo server did not echo")
            if i >= 20:  # the first ones warm up both sides
                times.append((time.perf_counter() - start) * 1e6)
    with socket.create_connection(("127.0.0.1", stop), timeout=30):
        pass
    return {"download_16mib": (statistics.median(rates), "MiB/s"),
            "tcp_round_trip": (statistics.median(times), "us")}


def serve(command: list, ports: tuple, runs: int) -> dict:
    """Starts the guest, measures it once it serves, and waits for its end."""
    log = tempfile.TemporaryFile()
    guest = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        wait_until_serving(ports[0], time.monotonic() + 300)
        return measure_guest(*ports, runs)
    except RuntimeError as failure:
        guest.kill()
        guest.wait()
        log.seek(0)
        raise RuntimeError(f"{failure}; the guest's output:\n{log.read().decode(errors='replace')[-3000:]}") from None
    finally:
        try:
            guest.wait(timeout=60)
        except subprocess.TimeoutExpired:
            guest.kill()


def run_tern(build: Path, runs: int) -> dict:
    http, echo, stop = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "serve.sh"
        script.write_text(SERVE)
        command = [sys.executable, str(ROOT / "tools/linux_run.py"), "--build", str(build), "--timeout", "900",
                   "--network", "--forward", f"{http}:80", "--forward", f"{echo}:7777", "--forward", f"{stop}:7778",
                   "--add", f"{script}:/serve.sh", "--", "/bin/sh", "/serve.sh"]
        return serve(command, (http, echo, stop), runs)


def linux_initramfs(build: Path, output: Path) -> Path:
    cache = build / "linux"
    kernel = linux_bench.fetch_kernel(cache)
    debs = sorted(cache.glob(f"{kernel.package}_*.deb"))
    if not debs:
        raise RuntimeError(f"no {kernel.package} package in {cache} to take the virtio modules from")
    release = kernel.image.name.removeprefix("vmlinuz-")
    modules = cache / f"modules-{release}"
    if not modules.exists():
        partial = modules.with_name(modules.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(debs[0])], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(partial)] + [f"./lib/modules/{release}/{m}" for m in LINUX_MODULES],
                       stdin=tar.stdout, check=True)
        if tar.wait() != 0:
            raise RuntimeError(f"dpkg-deb could not read {debs[0]}")
        partial.rename(modules)
    entries = [("dev", 0o040755, b"", (0, 0)), ("dev/console", 0o020600, b"", (5, 1)),
               ("dev/null", 0o020666, b"", (1, 3)), ("dev/zero", 0o020666, b"", (1, 5)),
               ("tmp", 0o041777, b"", (0, 0)), ("sys", 0o040755, b"", (0, 0)), ("proc", 0o040755, b"", (0, 0)),
               ("init", 0o100755, LINUX_INIT.encode(), (0, 0)), ("serve.sh", 0o100644, SERVE.encode(), (0, 0)),
               ("modules", 0o040755, b"", (0, 0))]
    # insmod in the order of their dependencies: the names sort that way with a number first.
    for number, module in enumerate(LINUX_MODULES):
        data = (modules / "lib/modules" / release / module).read_bytes()
        entries.append((f"modules/{number}-{Path(module).name}", 0o100644, data, (0, 0)))
    return linux_bench.write_cpio(entries + linux_bench.busybox_entries(), output)


def run_linux(build: Path, runs: int) -> dict:
    kernel = linux_bench.fetch_kernel(build / "linux")
    http, echo, stop = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory() as work:
        initramfs = linux_initramfs(build, Path(work) / "initramfs.cpio")
        forwards = "".join(f",hostfwd=tcp:127.0.0.1:{host}-:{guest}" for host, guest in ((http, 80), (echo, 7777),
                                                                                       (stop, 7778)))
        command = ["qemu-system-x86_64", "-display", "none", "-no-reboot", "-m", "256", "-serial", "stdio",
                   "-monitor", "none", "-netdev", "user,id=net0,restrict=on" + forwards, "-device",
                   "virtio-net-pci,netdev=net0", "-kernel", str(kernel.boot_image), "-initrd", str(initramfs),
                   "-append", linux_bench.KERNEL_ARGUMENTS]
        return serve(command, (http, echo, stop), runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--systems", default="tern,linux")
    args = parser.parse_args()
    build = Path(args.build).resolve()
    if shutil.which("curl") is None:
        raise SystemExit("net_bench: curl is missing (./tern deps installs it)")
    for system in args.systems.split(","):
        figures = run_tern(build, args.runs) if system == "tern" else run_linux(build, args.runs)
        prefix = "net." if system == "tern" else "linux.net."
        for name, (value, unit) in figures.items():
            print(f"BENCH {prefix}{name} {value:.1f} {unit} tcg", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
