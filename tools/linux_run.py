#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""./tern linux: runs one Linux program under Tern's Linux personality and behaves like it.

    ./tern linux [--add HOSTPATH:GUESTPATH]... [--cwd DIR] [--env NAME=VALUE]... [--stdin FILE]
                 [--trace] [--kernel-mode] [--network] -- PROGRAM [ARGS]...

It packs a root file system (Debian's busybox-static as /bin/busybox with its applet links,
Debian's bash-static as /bin/bash,
/etc/passwd, /etc/group, /etc/hostname, /dev nodes, /tmp, and the named host files and
folders) into a newc cpio boot module, boots Tern in QEMU with the Linux server, which runs
PROGRAM with exactly the given environment (nothing else set), standard input from FILE or
empty, umask 022, no signal ignored or blocked. The program's standard output and standard
error come back separately, byte for byte, through the second serial port (the server
frames them there), and this command exits with the program's exit status (128+N if signal
N ended it). docs/linux.md.
TERN_QEMU_EXTRA in the environment adds arguments to QEMU's command line (e.g. a monitor
socket or -d exec for profiling, docs/performance.md)."""
import argparse
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUSYBOX = Path("/bin/busybox")
BASH = Path("/bin/bash-static")  # Debian's bash-static, /bin/bash on Tern


class Cpio:
    """A newc archive, built in memory."""

    def __init__(self):
        self.data = bytearray()
        self.inode = 1
        self.names = set()

    def add(self, name: str, mode: int, content: bytes = b"", mtime: int = 0, rdev=(0, 0), uid=0, gid=0):
        name = name.strip("/") or "."
        if name in self.names:
            return
        self.names.add(name)
        encoded = name.encode() + b"\0"
        fields = [self.inode, mode, uid, gid, 2 if stat.S_ISDIR(mode) else 1, mtime, len(content), 0, 0,
                  rdev[0], rdev[1], len(encoded), 0]
        self.inode += 1
        self.data += b"070701" + b"".join(b"%08x" % field for field in fields) + encoded
        self.data += b"\0" * (-len(self.data) % 4)
        self.data += content
        self.data += b"\0" * (-len(self.data) % 4)

    def directory(self, name: str, mode: int = 0o755, mtime: int = 0):
        parts = name.strip("/").split("/")
        for i in range(1, len(parts)):
            self.directory_one("/".join(parts[:i]), 0o755, mtime)
        self.directory_one(name, mode, mtime)

    def directory_one(self, name, mode, mtime):
        self.add(name, stat.S_IFDIR | mode, mtime=mtime)

    def finish(self) -> bytes:
        self.add("TRAILER!!!", 0)
        return bytes(self.data)


def add_host_path(cpio: Cpio, host: Path, guest: str):
    guest = "/" + guest.strip("/")
    parent = guest.rsplit("/", 1)[0]
    if parent:
        cpio.directory(parent)
    info = os.lstat(host)
    mtime = int(info.st_mtime)
    if stat.S_ISLNK(info.st_mode):
        cpio.add(guest, stat.S_IFLNK | 0o777, os.readlink(host).encode(), mtime)
    elif stat.S_ISDIR(info.st_mode):
        cpio.add(guest, stat.S_IFDIR | stat.S_IMODE(info.st_mode), mtime=mtime)
        for entry in sorted(os.listdir(host)):
            add_host_path(cpio, host / entry, f"{guest}/{entry}")
    elif stat.S_ISREG(info.st_mode):
        cpio.add(guest, stat.S_IFREG | stat.S_IMODE(info.st_mode), host.read_bytes(), mtime)
    else:
        raise SystemExit(f"tern linux: {host}: only files, folders and symbolic links can be added")


def root_file_system(args, now: int) -> bytes:
    cpio = Cpio()
    for directory in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "dev", "proc", "root", "home", ".tern"):
        cpio.directory(directory, mtime=now)
    cpio.directory("tmp", 0o1777, now)
    cpio.add("bin/busybox", stat.S_IFREG | 0o755, BUSYBOX.read_bytes(), now)
    cpio.add("bin/bash", stat.S_IFREG | 0o755, BASH.read_bytes(), now)  # Debian's bash-static, unmodified
    applets = subprocess.run([str(BUSYBOX), "--list-full"], capture_output=True, text=True, check=True).stdout
    for path in applets.split():
        if path != "bin/busybox":
            cpio.directory(path.rsplit("/", 1)[0], mtime=now)
            cpio.add(path, stat.S_IFLNK | 0o777, b"/bin/busybox", now)
    cpio.add("etc/passwd", stat.S_IFREG | 0o644, b"root:x:0:0:root:/root:/bin/sh\n", now)
    cpio.add("etc/group", stat.S_IFREG | 0o644, b"root:x:0:\n", now)
    cpio.add("etc/hostname", stat.S_IFREG | 0o644, b"tern\n", now)
    # /sys: what programs read for the processors (glibc's get_nprocs, nproc --all): one.
    cpio.directory("sys/devices/system/cpu", 0o555, now)
    for name in ("online", "possible", "present"):
        cpio.add(f"sys/devices/system/cpu/{name}", stat.S_IFREG | 0o444, b"0\n", now)
    for name, major, minor, mode in (("null", 1, 3, 0o666), ("zero", 1, 5, 0o666), ("random", 1, 8, 0o666),
                                     ("urandom", 1, 9, 0o666), ("tty", 5, 0, 0o666), ("console", 5, 1, 0o600)):
        cpio.add(f"dev/{name}", stat.S_IFCHR | mode, mtime=now, rdev=(major, minor))
    for spec in args.add:
        host, sep, guest = spec.partition(":")
        if not sep or not guest:
            raise SystemExit(f"tern linux: --add {spec}: expected HOSTPATH:GUESTPATH")
        add_host_path(cpio, Path(host), guest)
    if not args.program:
        return cpio.finish()  # (--pack alone: the normal boot's root file system, no command)
    command = [f"cwd {args.cwd.encode().hex()}"]
    if args.stdin:
        cpio.add(".tern/stdin", stat.S_IFREG | 0o444, Path(args.stdin).read_bytes(), now)
        command.append(f"stdin {b'/.tern/stdin'.hex()}")
    command += [f"arg {word.encode().hex()}" for word in args.program]
    command += [f"env {pair.encode().hex()}" for pair in args.env]
    cpio.add(".tern/command", stat.S_IFREG | 0o444, ("\n".join(command) + "\n").encode(), now)
    return cpio.finish()


def decode(channel: bytes):
    """The server's frames: a kind byte (O out, E error, X exit), a 4-byte length, the bytes."""
    out, err, status, at = bytearray(), bytearray(), None, 0
    while at + 5 <= len(channel):
        kind, length = channel[at:at + 1], int.from_bytes(channel[at + 1:at + 5], "little")
        body = channel[at + 5:at + 5 + length]
        at += 5 + length
        if kind == b"O":
            out += body
        elif kind == b"E":
            err += body
        elif kind == b"X" and len(body) == 4:
            status = int.from_bytes(body, "little")
    return bytes(out), bytes(err), status


def main() -> int:
    parser = argparse.ArgumentParser(prog="./tern linux", description=__doc__.split("\n\n")[0])
    parser.add_argument("--add", action="append", default=[], metavar="HOSTPATH:GUESTPATH")
    parser.add_argument("--cwd", default="/", metavar="DIR")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--stdin", metavar="FILE")
    parser.add_argument("--trace", action="store_true", help="the server prints every system call on COM1")
    parser.add_argument("--kernel-mode", action="store_true", help="the Linux server runs in ring 0, a kernel-mode "
                        "task (co-location, docs/linux.md)")
    parser.add_argument("--build", default=str(ROOT / "build"), help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=int, default=300, help="seconds before QEMU is stopped")
    parser.add_argument("--network", action="store_true", help="a virtio network card on QEMU's user network "
                        "(restrict=on: nothing leaves the emulator), its driver and the network server: AF_INET sockets")
    parser.add_argument("--forward", action="append", default=[], metavar="HOSTPORT:GUESTPORT",
                        help="with --network: QEMU forwards the host's 127.0.0.1:HOSTPORT to the guest's TCP GUESTPORT")
    parser.add_argument("--icount", action="store_true", help="QEMU with -icount shift=0 (rdtsc counts guest "
                        "instructions), for ./tern bench")
    parser.add_argument("--pack", metavar="OUTPUT", help="only write the root file system cpio (the build's LINUX0001 "
                        "module; without a program, the normal boot's) and stop")
    parser.add_argument("program", nargs="*", metavar="-- PROGRAM [ARGS]")
    args = parser.parse_args()
    if not args.program and not args.pack:
        parser.error("the program to run is missing (-- PROGRAM [ARGS])")
    if not BUSYBOX.exists():
        raise SystemExit("tern linux: /bin/busybox is missing (./tern deps installs busybox-static)")
    if not BASH.exists():
        raise SystemExit("tern linux: /bin/bash-static is missing (./tern deps installs bash-static)")
    build = Path(args.build).resolve()
    now = int(time.time())
    if args.pack:
        Path(args.pack).write_bytes(root_file_system(args, now))
        return 0
    work = Path(tempfile.mkdtemp(prefix="linux-run-", dir=build))
    (work / "rootfs.cpio").write_bytes(root_file_system(args, now))
    trace = " trace" if args.trace else ""
    mode = "kernel" if args.kernel_mode else "user"
    (work / "linux-run.conf").write_text(
        "server console priority=200 irq=4 ports=0x3f8/8\n" +
        ("server nic priority=160 pci=1af4:1000\nserver net priority=170 args=dhcp\n" if args.network else "") +
        f"server linux priority=150 spaces shutdown ports=0x2f8/8 mode={mode} args=host{trace} epoch={now} "
        "rootfs=rootfs.cpio "
        "command=/.tern/command\n")
    relative = lambda path: os.path.relpath(path, ROOT)
    modules = [(build / "sigma0" / "sigma0", ""), (build / "servers" / "root" / "roottask", "config=linux-run.conf"),
               (work / "linux-run.conf", ""), (build / "servers" / "console" / "console", ""),
               (build / "servers" / "linux" / "linux", ""), (work / "rootfs.cpio", "")]
    if args.network:
        modules += [(build / "servers" / "nic" / "nic", ""), (build / "servers" / "net" / "net", "")]
    com1, com2 = work / "com1.log", work / "com2.bin"
    forwards = "".join(f",hostfwd=tcp:127.0.0.1:{host}-:{guest}"
                       for host, _, guest in (spec.partition(":") for spec in args.forward))
    card = (["-netdev", "user,id=net0,restrict=on" + forwards, "-device", "virtio-net-pci,netdev=net0"]
            if args.network else ["-nic", "none"])
    command = ["qemu-system-x86_64", "-display", "none"] + card + ["-no-reboot", "-m", "512",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-kernel", relative(build / "arch" / "x86" / "tern.elf32"), "-append", "",
               "-initrd", ",".join(f"{relative(path)} {extra}".replace(",", ",,") for path, extra in modules),
               "-serial", f"file:{relative(com1)}", "-serial", f"file:{relative(com2)}"]
    if args.icount:
        command += ["-icount", "shift=0,sleep=off"]
    if os.environ.get("TERN_QEMU_EXTRA"):
        command += shlex.split(os.environ["TERN_QEMU_EXTRA"])
    try:
        subprocess.run(command, cwd=ROOT, timeout=args.timeout, check=False)
    except subprocess.TimeoutExpired:
        sys.stderr.write(f"tern linux: QEMU did not stop within {args.timeout} s\n")
    out, err, status = decode(com2.read_bytes() if com2.exists() else b"")
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    sys.stderr.buffer.write(err)
    if args.trace or status is None:
        sys.stderr.write((com1.read_text(errors="replace") if com1.exists() else "") +
                         ("" if status is not None else "tern linux: the program's end was not reported\n"))
    shutil.rmtree(work, ignore_errors=True)
    return 125 if status is None else status


if __name__ == "__main__":
    sys.exit(main())
