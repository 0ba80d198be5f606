# SPDX-License-Identifier: MIT
"""Starting Tern under QEMU, Bochs and GDB, and classifying how a run ended."""
import contextlib
import os
import re
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[2]

# QEMU's isa-debug-exit turns the kernel's value v into status (v << 1) | 1 (platform.hpp).
QEMU_STATUS = {33: "success", 35: "failure", 0: "reset (triple fault?)"}


@dataclass
class Run:
    log: str
    exit_code: int
    timed_out: bool
    status_kind: str


def clean(text: str) -> str:
    """Serial logs carry CR and, from GRUB, terminal escape sequences."""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    return text.replace("\r", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT_PLACEHOLDER = re.compile(r"\{port:(\w+)\}")


def forwarded_ports(arguments, ports: dict) -> list:
    """QEMU's arguments with each {port:NAME} replaced by a port on 127.0.0.1: the one `ports`
    has for NAME (a host service the test started there), else a free one chosen now and added
    to `ports` (QEMU's hostfwd binds it). Never a fixed port: tests run side by side."""
    return [PORT_PLACEHOLDER.sub(lambda match: str(ports.setdefault(match.group(1), free_port())), argument)
            for argument in arguments]


def qemu_command(test, build: Path, serial: Path, ports: Optional[dict] = None) -> list:
    command = ["qemu-system-x86_64", "-display", "none", "-nic", "none", "-no-reboot",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-m", test.memory,
               "-serial", f"file:{serial}"]
    if test.image == "iso":
        command += ["-cdrom", str(build / "boot" / test.iso_name)]
    else:
        kernel = module_path("{build}/arch/x86/tern.elf32", test, build)
        command += ["-kernel", kernel, "-append", test.command_line]
        if test.modules:
            # QEMU separates modules with commas; a literal comma is written twice.
            modules = [(module_path(path, test, build), args) for path, args in test.modules]
            command += ["-initrd", ",".join(f"{path} {args}".replace(",", ",,") for path, args in modules)]
    return command + forwarded_ports(test.qemu_args, {} if ports is None else ports)


# Over 255 characters in all: three directory names of 100 characters each.
LONG_DIRECTORY = Path(*(f"{level}" + "d" * 99 for level in range(3)))


def in_clone(path: Path) -> str:
    """QEMU runs in the clone (cwd=ROOT) and gets paths relative to it: the kernel reads them
    (QEMU puts the kernel's path first on its command line, each module's path first in its
    string), and where the clone lives must change nothing the kernel sees."""
    path = path.resolve()
    return os.path.relpath(path, ROOT) if path.is_relative_to(ROOT) else str(path)


def module_path(path: str, test, build: Path) -> str:
    """A module's path as QEMU gets it, and so as the kernel reads it in the module's string
    (relative to the clone, see in_clone). A long_paths test instead reaches every module
    through a link in a directory whose path is over 255 characters long (the kernel too)."""
    path = path.replace("{build}", in_clone(build))
    if not test.long_paths:
        return path
    directory = build / "test-logs" / test.test_id / LONG_DIRECTORY
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / Path(path).name
    link.unlink(missing_ok=True)
    link.symlink_to((ROOT / path).resolve())
    return str(link)


def run_qemu(test, build: Path, log_file: Path) -> Run:
    serial = log_file.with_suffix(".serial")
    serial.unlink(missing_ok=True)
    try:
        proc = subprocess.run(qemu_command(test, build, serial), cwd=ROOT, capture_output=True, text=True,
                              timeout=test.timeout)
        code, timed_out = proc.returncode, False
        stderr = proc.stderr
    except subprocess.TimeoutExpired as expired:
        code, timed_out = -1, True
        stderr = expired.stderr.decode() if isinstance(expired.stderr, bytes) else (expired.stderr or "")
    log = clean(serial.read_text(errors="replace")) if serial.exists() else ""
    log_file.write_text(log + ("\n--- qemu stderr ---\n" + stderr if stderr else ""))
    kind = "timeout" if timed_out else QEMU_STATUS.get(code, f"unexpected status {code}")
    return Run(log, code, timed_out, kind)


BOCHSRC = """\
memory: guest={memory}, host={memory}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=corei7_sandy_bridge_2600k, reset_on_triple_fault=0
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
clock: sync=none, time0=local
display_library: rfb, options="timeout=0"
port_e9_hack: enabled=1
com1: enabled=1, mode=file, dev={serial}
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
mouse: enabled=0
log: {bochs_log}
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
"""


def exit_line_status(log: str) -> str:
    """Bochs exits with status 1 however the guest ends, so the kernel's last line tells."""
    match = re.search(r"^exit: (success|failure)$", log, re.MULTILINE)
    return match.group(1) if match else "no exit line (hang or triple fault)"


def run_bochs(test, build: Path, log_file: Path) -> Run:
    with tempfile.TemporaryDirectory(prefix="tern-bochs-") as work:
        work = Path(work)
        serial = work / "serial.txt"
        bochs_log = work / "bochs.log"
        (work / "bochsrc").write_text(BOCHSRC.format(memory=test.memory.rstrip("M"),
                                                     iso=build / "boot" / test.iso_name,
                                                     serial=serial, bochs_log=bochs_log))
        (work / "continue.rc").write_text("c\n")
        command = ["setsid", "timeout", str(test.timeout), "bochs", "-q", "-f", "bochsrc", "-rc", "continue.rc"]
        start = time.monotonic()
        proc = subprocess.run(command, cwd=work, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace")
        elapsed = time.monotonic() - start
        log = clean(serial.read_text(errors="replace")) if serial.exists() else ""
        bochs_tail = "\n".join(bochs_log.read_text(errors="replace").splitlines()[-20:]) if bochs_log.exists() else ""
    timed_out = proc.returncode == 124
    log_file.write_text(f"{log}\n--- bochs: status {proc.returncode}, {elapsed:.1f} s ---\n{bochs_tail}\n")
    kind = "timeout" if timed_out else exit_line_status(log)
    return Run(log, proc.returncode, timed_out, kind)


def run_gdb_attach(test, build: Path, log_file: Path) -> Run:
    """Starts QEMU halted with a GDB stub and checks GDB stops at the first C++ function with
    symbols and arguments: what './tern debug' gives a developer."""
    port = free_port()
    serial = log_file.with_suffix(".serial")
    qemu = subprocess.Popen(qemu_command(test, build, serial) + ["-S", "-gdb", f"tcp:127.0.0.1:{port}"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        gdb = subprocess.run(["gdb", "-q", "-batch", "-nx", str(build / "arch/x86/tern.elf"),
                              "-ex", f"target remote 127.0.0.1:{port}", "-ex", "hbreak arch_start",
                              "-ex", "continue", "-ex", "bt 1", "-ex", "kill"],
                             capture_output=True, text=True, timeout=test.timeout)
        log, code, timed_out = gdb.stdout + gdb.stderr, gdb.returncode, False
    except subprocess.TimeoutExpired:
        log, code, timed_out = "", -1, True
    finally:
        qemu.kill()
        qemu.wait()
    log_file.write_text(log)
    kind = "timeout" if timed_out else ("success" if code == 0 else f"gdb status {code}")
    return Run(log, code, timed_out, kind)


@dataclass
class Step:
    """One exchange with a running system: type `send` into the serial port, then wait until
    every regex in `expect` matches a line of what came out since the step began."""
    test_id: str
    description: str
    send: str
    expect: list
    timeout: float = 20.0
    # A host-side action, run once every regex of `expect` matched: host(guest) with the running
    # system's Guest, returning its problems (none: it passed). It may take up to its own timeouts.
    host: Optional[Callable] = None


class Guest:
    """What a step's host action gets: `ports`, the ports on 127.0.0.1 that QEMU forwards to the
    guest or the guest reaches through QEMU (by the names of the test's {port:NAME}), and the
    serial port, to type into and to wait for lines as a step does."""

    def __init__(self, ports: dict, type_text: Callable, output: Callable, wait_for: Callable):
        self.ports = ports
        self._type, self._output, self._wait_for = type_text, output, wait_for

    def position(self) -> int:
        """Where the output is now: wait_for(since=position()) sees only what comes after."""
        return len(self._output())

    def type(self, text: str) -> None:
        self._type(text)

    def wait_for(self, patterns: list, since: int, timeout: float) -> list:
        """The regexes that matched no line of the output after `since` within `timeout` seconds."""
        return self._wait_for(patterns, since, timeout)


def run_qemu_interactive(test, build: Path, log_file: Path):
    """Boots with the serial port on QEMU's stdin and stdout and types each step's text
    into it, a character at a time, as a person at the serial console would. Returns the
    Run and one (step, problems) pair per step; a step after a failed one is not tried.
    A test's host_services run on the host from before QEMU starts until after it ended."""
    with test.host_services() if test.host_services else contextlib.nullcontext({}) as ports:
        return interact(test, build, log_file, dict(ports))


def interact(test, build: Path, log_file: Path, ports: dict):
    import threading
    command = qemu_command(test, build, Path("/dev/null"), ports)
    command[command.index("-serial") + 1] = "stdio"
    proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    chunks = []
    lock = threading.Lock()

    def reader():
        for chunk in iter(lambda: proc.stdout.read1(4096), b""):
            with lock:
                chunks.append(chunk)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()

    def output() -> str:
        with lock:
            return clean(b"".join(chunks).decode(errors="replace"))

    def wait_for(patterns, since: int, timeout: float) -> list:
        deadline = time.monotonic() + timeout
        while True:
            text = output()[since:]
            missing = [p for p in patterns if not re.search(p, text, re.MULTILINE)]
            if not missing or time.monotonic() > deadline or proc.poll() is not None:
                return missing
            time.sleep(0.05)

    def type_text(text: str) -> None:
        for character in text:
            proc.stdin.write(character.encode("latin-1"))
            proc.stdin.flush()
            time.sleep(0.01)

    guest = Guest(ports, type_text, output, wait_for)
    results = []
    failed = False
    for step in test.script:
        if failed:
            results.append((step, ["not tried: an earlier step failed"]))
            continue
        since = len(output())
        try:
            type_text(step.send)
        except OSError as error:
            results.append((step, [f"cannot type into QEMU: {error}"]))
            failed = True
            continue
        missing = wait_for(step.expect, since, step.timeout)
        problems = [f"no line matching /{p}/ within {step.timeout} s" for p in missing]
        if not problems and step.host is not None:
            try:
                problems = [f"host: {problem}" for problem in step.host(guest)]
            except Exception as error:  # a host action's bug or a socket error is the step's failure
                problems = [f"host: {type(error).__name__}: {error}"]
        if problems:
            problems += ["output of the step:"] + ["  " + line for line in output()[since:].splitlines()[-12:]]
            failed = True
        results.append((step, problems))
    if failed:
        proc.kill()  # the script did not reach its shutdown: do not wait for the timeout
    try:
        proc.wait(timeout=test.timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        timed_out = True
    thread.join(timeout=5)
    stderr = proc.stderr.read().decode(errors="replace")
    log = output()
    log_file.write_text(log + ("\n--- qemu stderr ---\n" + stderr if stderr else ""))
    kind = "timeout" if timed_out else QEMU_STATUS.get(proc.returncode, f"unexpected status {proc.returncode}")
    return Run(log, proc.returncode, timed_out, kind), results
