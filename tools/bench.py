#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boots each benchmark root task (IPC round trips, mapping, page touches under the two
pager policies, interrupt latency) under QEMU twice, with -icount shift=0 (rdtsc counts guest instructions) and
plain TCG (rdtsc is the host TSC), and prints one table of their `BENCH <label>: <value>`
lines. Then boots the normal system (root task, console server, shell) whose shell runs
`bench`: the console throughput, bytes per second through the console server under plain
TCG, timed in the guest by the kernel's SystemClock (the TSC). Usage: bench.py BUILD_DIR"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

build = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve()
roottasks = ["tests/bench/ipc_bench", "tests/bench/map_bench", "tests/bench/pager_bench", "tests/bench/irq_bench"]
modes = [("guest instructions (-icount shift=0)", ["-icount", "shift=0,sleep=off"]), ("TCG host ticks", [])]
results = {}
with tempfile.TemporaryDirectory() as work:
    roottask = Path(work) / "roottask"
    for program in roottasks:
        roottask.write_bytes((build / program).read_bytes())
        for name, extra in modes:
            command = ["qemu-system-x86_64", "-display", "none", "-nic", "none", "-no-reboot", "-m", "128",
                       "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "stdio",
                       "-kernel", str(build / "arch/x86/tern.elf32"), "-append", "ticks=0",
                       "-initrd", f"{build / 'sigma0/sigma0'},{roottask}"] + extra
            output = subprocess.run(command, capture_output=True, text=True, timeout=300).stdout
            if "BENCH done" not in output:
                sys.exit(f"{Path(program).name} did not finish under {name}:\n{output[-2000:]}")
            for label, value in re.findall(r"^BENCH (.*): (\d+)\r?$", output, re.MULTILINE):
                results.setdefault(label, {})[name] = int(value)

# Console throughput: the shell of the normal system runs conbench (256 KiB) and stops.
programs = ["console", "shell", "hello", "spin", "fault", "systest", "conbench"]
with tempfile.TemporaryDirectory() as work:
    config = Path(work) / "system.conf"
    config.write_text("server console priority=200 irq=4 ports=0x3f8/8\n"
                      "server shell priority=150 shutdown args=-c run conbench kib=256; shutdown\n")
    modules = [build / "sigma0/sigma0", build / "servers/root/roottask", config,
               build / "servers/console/console", build / "servers/shell/shell"]
    modules += [build / "servers/programs" / name for name in programs[2:]]
    command = ["qemu-system-x86_64", "-display", "none", "-nic", "none", "-no-reboot", "-m", "128",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "stdio",
               "-kernel", str(build / "arch/x86/tern.elf32"), "-append", "",
               "-initrd", ",".join(str(m) for m in modules)]
    output = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=300).stdout
    match = re.search(r"^BENCH console throughput, (\d+) KiB in (\d+) us: (\d+) bytes/s\r?$", output, re.MULTILINE)
    if not match:
        sys.exit(f"conbench did not finish:\n{output[-2000:]}")
    mode = re.search(r"^console: serving on (.*?)\r?$", output, re.MULTILINE)
    console_line = (f"console throughput ({match.group(1)} KiB through the console server, "
                    f"{mode.group(1) if mode else 'unknown mode'}; guest SystemClock under TCG): "
                    f"{match.group(3)} bytes/s")

print(f"| rdtsc per operation | {' | '.join(name for name, _ in modes)} |")
print(f"|---|{'---|' * len(modes)}")
for label, values in results.items():
    print(f"| {label} | {' | '.join(str(values.get(name, '-')) for name, _ in modes)} |")
print()
print(console_line)
