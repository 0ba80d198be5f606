# SPDX-License-Identifier: MIT
"""The Linux personality's script tests: each tests/linux/NNN-name.sh runs under Tern (./tern
linux, tools/linux_run.py) and under the same binary on the host, at test time, in an empty
directory with the same environment, once with busybox's sh (LXS*) and once with Debian's
bash-static (LXBASH*), busybox's applets the commands both times; stdout and exit status
must match. No
expected output is recorded anywhere. Every test runs twice under Tern: with the Linux server in
ring 3 and as a kernel-mode task in ring 0 (co-location, --kernel-mode); both must pass."""
import os
import subprocess
import tempfile
from pathlib import Path

from emulators import ROOT

BUSYBOX = "/bin/busybox"
SCRIPTS = ROOT / "tests" / "linux"
ENVIRONMENT = {"PATH": "/bin:/usr/bin:/sbin:/usr/sbin", "HOME": "/root", "LC_ALL": "C"}


BASH = "/bin/bash-static"  # Debian's bash-static: /bin/bash on Tern (tools/linux_run.py)
# The shells each script runs under, the test id's prefix for each: busybox's sh and bash.
SHELLS = (("LXS", "sh"), ("LXBASH", "bash"))


def script_id(path: Path, prefix: str = "LXS") -> str:
    return prefix + path.name.split("-", 1)[0]


def on_host(script: Path, shell: str) -> tuple:
    """busybox sh on the host, its applets first on PATH (links to the same binary), so that no
    host program stands in for one."""
    with tempfile.TemporaryDirectory() as work:
        applets = Path(work) / "applets"
        applets.mkdir()
        listing = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True, check=True).stdout.split()
        for name in listing:
            (applets / name).symlink_to(BUSYBOX)
        cwd = Path(work) / "cwd"
        cwd.mkdir()
        environment = dict(ENVIRONMENT, PATH=str(applets))
        run = subprocess.run(([BUSYBOX, "sh"] if shell == "sh" else [BASH]) + [str(script)], cwd=cwd, env=environment,
                             capture_output=True,
                             timeout=120, preexec_fn=lambda: os.umask(0o22))
        return run.stdout, run.returncode


MODES = (("ring 3", []), ("ring 0", ["--kernel-mode"]))  # where the Linux server runs, and how to ask


def on_tern(script: Path, build: Path, mode: list, shell: str) -> tuple:
    command = ["python3", str(ROOT / "tools" / "linux_run.py"), "--build", str(build), "--timeout", "120",
               "--add", f"{script}:/t/{script.name}", "--cwd", "/tmp"] + mode
    for name, value in ENVIRONMENT.items():
        command += ["--env", f"{name}={value}"]
    run = subprocess.run(command + ["--", "sh" if shell == "sh" else "/bin/bash", f"/t/{script.name}"],
                         capture_output=True, timeout=180)
    return run.stdout, run.returncode, run.stderr


def check(script: Path, build: Path, log_dir: Path, prefix: str = "LXS", shell: str = "sh"):
    expected, expected_status = on_host(script, shell)
    log = log_dir / f"{script_id(script, prefix)}.log"
    log.write_bytes(b"--- host stdout\n" + expected + f"--- host status {expected_status}\n".encode())
    problems = []
    for name, mode in MODES:
        got, status, errors = on_tern(script, build, mode, shell)
        with log.open("ab") as out:
            out.write(f"--- tern ({name}) stdout\n".encode() + got +
                      f"--- tern ({name}) status {status}\n--- tern ({name}) stderr\n".encode() + errors)
        if got != expected:
            problems.append(f"{name}: stdout differs from the host's (see {log})")
            expected_lines, got_lines = expected.decode(errors="replace").splitlines(), got.decode(errors="replace").splitlines()
            for number, (want, have) in enumerate(zip(expected_lines + ["<end>"] * 3, got_lines + ["<end>"] * 3)):
                if want != have:
                    problems.append(f"{name}: line {number + 1}: host {want!r}, tern {have!r}")
                    break
        if status != expected_status:
            problems.append(f"{name}: exit status {status}, the host's {expected_status}")
    return problems


def scripts() -> list:
    return sorted(SCRIPTS.glob("*.sh"))


def c_program(test_id: str, source: str, build: Path, log_dir: Path, min_checks: int) -> list:
    """A TAP-printing C program of tests/linux, built static with musl-gcc by the build
    (tests/linux/meson.build) and run under Tern only: its "not ok" lines are the problems,
    and so are a non-zero exit status and fewer than min_checks "ok" lines."""
    program = build / "tests" / "linux" / Path(source).stem
    # Programs that use AF_INET sockets boot with a network card, its driver and the network server.
    network = ["--network"] if source in NETWORK_PROGRAMS else []
    if not program.is_file():
        return [f"{program} is not built (tests/linux/meson.build lists the programs)"]
    guest = f"/{program.name}"
    log = log_dir / f"{test_id}.log"
    log.write_bytes(b"")
    problems = []
    for name, mode in MODES:
        run = subprocess.run(["python3", str(ROOT / "tools" / "linux_run.py"), "--build", str(build), "--timeout",
                              "120", "--add", f"{program}:{guest}"] + mode + network + ["--", guest], capture_output=True,
                             timeout=180)
        with log.open("ab") as out:
            out.write(f"--- ({name})\n".encode() + run.stdout + b"--- stderr\n" + run.stderr)
        output = run.stdout.decode(errors="replace")
        problems += [f"{name}: {line}" for line in output.splitlines() if line.startswith("not ok")]
        checks = sum(line.startswith("ok ") for line in output.splitlines())
        if run.returncode != 0 or checks < min_checks:
            problems.append(f"{name}: exit status {run.returncode}, {checks} checks passed (see {log})")
    return problems


# The C programs of tests/linux: (test id, source, the "ok" lines it must print at least, what
# the test checks). Each is built static with musl-gcc by the build and run under Tern (c_program).
C_PROGRAMS = [
    ("LXB0001", "bad_input.c", 50, "garbage system-call numbers, flags and pointers get Linux's error codes, a "
     "fork bomb ends in EAGAIN, and the system goes on"),
    ("LXF0001", "signal_fpu.c", 9, "a signal handler that changes the FPU and SSE registers leaves the interrupted "
     "code's, finds them in uc_mcontext.fpregs and starts clean"),
    ("LXP0001", "proc_self.c", 17, "/proc/self/exe names the running program by its absolute path, through fork, "
     "execve of itself and a symbolic link; /proc/self/fd links name files, pipes and devices and reopen them"),
    ("LXP0002", "proc_system.c", 28, "/proc's meminfo, uptime, loadavg and mounts; a process's stat, status, cmdline "
     "and environ, asleep and as a zombie; /proc's listing and relative paths; sysinfo and statfs agree"),
    ("LXM0001", "mmap_files.c", 9, "mmap of a file of the boot archive and of one written at run time, whole and from "
     "an offset, private copies, MAP_SHARED for reading, Linux's errors, 64 MiB touched page by page"),
    ("LXT0001", "timed_waits.c", 31, "sleeps, poll and select time out by themselves and not early; a signal ends a "
     "sleep with EINTR and the time left; ioctl on pipes and files; alarm and setitimer signal on time"),
    ("LXJ0001", "job_control.c", 14, "stop signals stop a process until SIGCONT; wait4 and SIGCHLD report both; a "
     "stopped call goes on, a sleep with its deadline; SIGKILL ends a stopped process; SIGCHLD ignored or "
     "SA_NOCLDWAIT leaves no zombies"),
    ("LXH0001", "threads.c", 51, "pthreads: create and join, 40 threads four at a time, thread ids, __thread "
     "variables, mutexes, condition variables, barriers, detached threads, once, rwlocks, semaphores; the main "
     "thread's pthread_exit, a thread's exit of the process, fork from a thread"),
    ("LXH0002", "futex.c", 47, "raw futex: waits, timeouts on both clocks, exact wake counts, private and shared, "
     "requeue, bitsets, WAKE_OP, Linux's errors, EINTR and SA_RESTART, a futex mutex, set_tid_address and the "
     "tid word cleared at a thread's end"),
    ("LXH0003", "thread_signals.c", 32, "signals and threads: masks of their own and inherited, pthread_kill, tgkill "
     "and tkill to a thread, a process's signal to the thread not blocking it, sigwait, EINTR in one thread's "
     "read, faults in a thread, fatal signals end every thread"),
    ("LXN0001", "sockets.c", 64, "sockets: TCP and UDP over 127.0.0.1 through the network server (connect, accept4's "
     "flags, names, 1 MiB each way, shutdown, EPIPE, ECONNREFUSED, non-blocking calls, options, backlog, datagram "
     "boundaries and MSG_TRUNC), AF_UNIX streams, poll and select over sockets and pipes, Linux's errors"),
]
NETWORK_PROGRAMS = {"sockets.c"}
