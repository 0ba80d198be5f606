#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Where the instructions of one IPC round trip go: boots the root task
tests/bench/ipc_profile (with the kernel and sigma0, as tools/bench.py boots its root
tasks) under QEMU with -icount shift=0,sleep=off and one instruction per translation
block, logs every executed instruction (-d exec,nochain) while the root task runs its
cases, and cuts out the one marked round trip of each case (between the calls of
profile_begin and profile_end). Each address is named by the symbols of the kernel ELF
(build/arch/x86/tern.elf) and the root task's ELF; the system-call stubs the kernel writes
into the KIP are named by their offset in it. For each case it prints the total, the split
user / kernel, a summary by category (CATEGORIES below) and the functions in order of
execution, and checks the count against the root task's rdtsc, which counts guest
instructions under -icount.

Usage: ipc_profile.py [--listing] [--case N] [--log FILE] [BUILD_DIR]

--listing prints every instruction of the round trip with its category, its disassembly
(objdump -d of the ELF; for the KIP stubs, of their bytes read through QEMU's monitor) and
its innermost function and source line (addr2line -i).

Only symbols are used, never addresses, so the tool keeps working while the kernel
changes; when a function is renamed or added, adjust CATEGORIES (what no row matches shows
as 'kernel: other' or 'user: loop' in the summary). User code is named by the root task's
symbols: sigma0 is linked at the same addresses and QEMU's log does not say which space
runs, so the script warns when a user address is no instruction of the root task (sigma0
does not run in these round trips). docs/performance.md explains the output."""
import argparse
import bisect
import os
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# Category of an instruction. Each instruction has a chain of frames, innermost first: the
# functions inlined into each other at its address (addr2line -i), each as the subject
# "function @file:line: source text of that line" (for the outermost frame of the KIP stubs,
# "KIP stub +offset"). The frames are tried innermost first; in each, the rows in order; the
# first row whose pattern (a regular expression, searched) matches a frame of the right
# privilege level ('kernel' or 'user') decides. So a row for a function catches everything
# inlined into it that no row names, and a helper no row names (Thread_id::operator==) counts
# for the line that uses it. Rows that test source text split a function whose parts are all
# inlined into one; when the code changes, the summary shows what no row matches as
# 'other' (look at --listing), and this table is the one place to adjust.
CATEGORIES = [
    # Entry and exit: entry.asm's system-call entries and the ways out.
    ("kernel", r"^syscall_entry_fast @.*: (cmp rax, SYSCALL_|ja syscall_entry_general)", "kernel: dispatch"),
    ("kernel", r"^syscall_entry|^ipc_entry|^fast_ipc_entry", "kernel: entry"),
    ("kernel", r"^(return_to_user|restore_user_frame|restore_frame|restore_kernel_frame|rip_not_canonical|"
               r"ipc_exit|ipc_fast_exit|leave_kernel_through|leave_as|rip_not_allowed)", "kernel: exit"),
    # Switch: from one thread to the other: address space, FPU, I/O bitmap, rsp0, FS and GS base.
    ("kernel", r"^(Scheduler::switch_to|context_switch|switch_to_frame|Space::activate|Space::load_page_table|"
               r"Fpu::|Io_space::|Thread::switch|Thread::stack_end|User_mode::switch)|"
               r"^Thread::(ipc|commit)_fast @.*: .*(set_current_thread|load_page_table|switch_kernel_stack)", "kernel: switch"),
    # The IPC itself, in the order the fast path does it (thread-ipc-fast.cpp).
    ("kernel", r"^Thread::set_gate|^Thread::(ipc|commit)_fast @.*: .*(set_gate|ipc_\.partner = )", "kernel: IPC state changes"),
    ("kernel", r"^Thread::(ipc|commit)_fast @.*: .*(untyped_only_mask|receive_part|gate\(\) != running|owns_registers)",
     "kernel: IPC sender checks"),
    ("kernel", r"^Thread::(ipc|commit)_fast @.*: .*(from_specifier == to|closed_for_)", "kernel: IPC from-specifier"),
    ("kernel", r"^(Thread::by_number|Space::thread_at_utcb|Thread::lookup|.*::lookup)|"
               r"^Thread::(ipc|commit)_fast @.*: .*(to\.raw\(\) & 63|table_\[|thread_at_utcb|receiver == nullptr|"
               r"receiver->id_ != to)", "kernel: IPC lookup"),
    ("kernel", r"^(Scheduler::may_run_now|Scheduler::has_timeout)|"
               r"^Thread::(ipc|commit)_fast @.*: .*(receiver->gate\(\)|may_run_now)", "kernel: IPC receiver checks"),
    ("kernel", r"accept|^Thread::(ipc|commit)_fast @.*: .*(waits_for|same_space|seen_as|fast_switch_key|"
               r"io_state_matches_loaded|Space \*target)", "kernel: IPC acceptance and spaces"),
    ("kernel", r"deliver|transfer|copy_message|^Sys_ipc::set|^Thread::(ipc|commit)_fast @.*: .*(words|target_words|"
               r"source|rep movsq|count)", "kernel: IPC delivery"),
    ("kernel", r"^Thread::(ipc|commit)_fast\b", "kernel: IPC other"),
    # Dispatch: from the entry to the IPC code (the handler's own prologue, the thread's frame).
    ("kernel", r"^(ipc_fast_path|ipc_fast_path_kernel_task|kernel_task_entry|syscall_dispatch|Syscall_handlers::|dispatch)", "kernel: dispatch"),
    # User side: the stub in the KIP, libl4's inline code (the KIP link test, the MRs), the loop.
    ("user", r"^KIP stub", "user: KIP stub"),
    ("user", r"^(__tern_entry|__tern_kip_base)\b", "user: libl4 KIP link lookup"),
    ("user", r"@(libl4/|build/abi/)", "user: libl4 MRs and registers"),
]

# Helpers that do not name a step of their own in the run-by-function list: their instructions
# are listed under the next frame out (accessors, register and per-CPU variable access).
HELPERS = r"^(Thread_id::|Message_tag::|Cpu_local::|Cpu::|Sys_ipc::|Sys_ipc_entry::|Timeout::|Thread::frame|" \
          r"Thread::utcb_word|Thread::local_id|Thread::gate|Scheduler::current|Space::takes_direct_ipc|" \
          r"Space::fast_switch_key|__tern_kip_base|L4_)"

MARK_BEGIN, MARK_END = "profile_begin", "profile_end"
QEMU = "qemu-system-x86_64"


@dataclass
class Symbol:
    address: int
    name: str


# The linker script's symbols that mark where sections start or end (__kernel_text_start).
SECTION_MARKER = re.compile(r"__\w*_(start|end)$")


class Elf:
    """The function symbols, disassembly and source lines of one ELF file."""

    def __init__(self, path: Path):
        self.path = path
        self.symbols = []
        for line in subprocess.run(["nm", "-n", "-C", "--defined-only", str(path)], capture_output=True,
                                   text=True, check=True).stdout.splitlines():
            fields = line.split(" ", 2)
            # (Not the linker script's section markers: they share the address of the
            # function that starts the section.)
            if len(fields) == 3 and fields[1] in "tTwWiI" and not SECTION_MARKER.match(fields[2]):
                self.symbols.append(Symbol(int(fields[0], 16), function_name(fields[2])))
        self.addresses = [s.address for s in self.symbols]
        self.text = executable_ranges(path)
        self._disassembly = None
        self._frames = {}

    def contains(self, address: int) -> bool:
        return any(low <= address < high for low, high in self.text)

    def symbol(self, address: int):
        index = bisect.bisect_right(self.addresses, address) - 1
        return self.symbols[index] if index >= 0 else None

    def range_of(self, name: str) -> tuple:
        """[start, end) of the function `name`: from its symbol to the next symbol."""
        for index, symbol in enumerate(self.symbols):
            if symbol.name == name:
                end = next((s.address for s in self.symbols[index + 1:] if s.address > symbol.address), 1 << 64)
                return symbol.address, end
        sys.exit(f"{self.path}: no symbol {name}")

    def disassembly(self) -> dict:
        if self._disassembly is None:
            self._disassembly = {}
            output = subprocess.run(["objdump", "-d", "-M", "intel", "--no-show-raw-insn", "-C", str(self.path)],
                                    capture_output=True, text=True, check=True).stdout
            for match in re.finditer(r"^\s*([0-9a-f]+):\s+(.*?)\s*$", output, re.MULTILINE):
                self._disassembly[int(match.group(1), 16)] = re.sub(r"\s+", " ", match.group(2))
        return self._disassembly

    def frames(self, addresses) -> dict:
        """address -> [(function, 'file:line')], innermost first: addr2line -i prints, for each
        address, the functions inlined at it with the line within each."""
        wanted = sorted(set(addresses) - set(self._frames))
        if wanted:
            output = subprocess.run(["addr2line", "-f", "-i", "-C", "-a", "-e", str(self.path)] +
                                    [hex(a) for a in wanted], capture_output=True, text=True, check=True).stdout
            current, lines = None, []
            for line in output.splitlines():
                if re.fullmatch(r"0x[0-9a-f]+", line):
                    current, lines = int(line, 16), []
                    self._frames[current] = []
                elif current is not None:
                    lines.append(line)
                    if len(lines) == 2:
                        location = short_path(lines[1].split(" (discriminator")[0])
                        name = function_name(lines[0])
                        if SECTION_MARKER.match(name):  # assembly (no DWARF function): the label
                            symbol = self.symbol(current)
                            name = symbol.name if symbol else name
                        self._frames[current].append((name, location))
                        lines = []
        return {a: self._frames.get(a, []) for a in addresses}


def function_name(demangled: str) -> str:
    """A demangled name without its parameter list, template arguments and return type:
    'Thread::ipc(Thread&, ...) const' -> 'Thread::ipc',
    'void Thread::ipc_fast<(Thread::Privilege)0>(Thread_id, ...)' -> 'Thread::ipc_fast'."""
    depth = 0
    name = []
    for index, char in enumerate(demangled):
        if char == "<" and not demangled.endswith("operator", 0, index):
            depth += 1
        elif char == ">" and depth > 0:
            depth -= 1
        elif char == "(" and depth == 0 and index > 0 and not demangled.startswith("(anonymous", index):
            if demangled.endswith("operator", 0, index):
                name.append(char)
                continue
            break
        elif depth == 0:
            name.append(char)
    result = "".join(name)
    # A function template's demangled name starts with its return type.
    if " " in result and not result.startswith("(anonymous") and "operator" not in result:
        result = result.rsplit(" ", 1)[1]
    return result


ROOT = Path(__file__).resolve().parent.parent


def short_path(location: str) -> str:
    """A source location relative to the tree (the build records paths through build/ and
    arch/x86/, or absolute ones)."""
    if location.startswith("??"):
        return location
    path, _, line = location.rpartition(":")
    path = os.path.normpath(path)
    root = str(ROOT) + os.sep
    if path.startswith(root):
        path = path[len(root):]
    # NASM records arch/x86/../arch/x86/entry.asm under the directory it ran in: the file is
    # the longest tail of the path that exists.
    parts = Path(path).parts
    tail = next((Path(*parts[i:]) for i in range(len(parts)) if (ROOT / Path(*parts[i:])).is_file()), None)
    return f"{tail if tail is not None and not Path(path).is_absolute() else path}:{line}"


def source_text(location: str) -> str:
    path, _, line = location.rpartition(":")
    try:
        lines = source_text.cache.setdefault(path, (ROOT / path).read_text(errors="replace").splitlines())
        return lines[int(line) - 1].strip()
    except (OSError, ValueError, IndexError):
        return ""


source_text.cache = {}


def executable_ranges(path: Path) -> list:
    ranges = []
    output = subprocess.run(["readelf", "-lW", str(path)], capture_output=True, text=True, check=True).stdout
    for match in re.finditer(r"^\s*LOAD\s+\S+\s+(0x[0-9a-f]+)\s+\S+\s+\S+\s+(0x[0-9a-f]+)\s+(.*?)\s+0x",
                             output, re.MULTILINE):
        if "E" in match.group(3):
            ranges.append((int(match.group(1), 16), int(match.group(1), 16) + int(match.group(2), 16)))
    return ranges


class Monitor:
    """QEMU's human monitor on a Unix socket."""

    def __init__(self, path: Path):
        for _ in range(100):
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("cannot connect to QEMU's monitor")
        self._read_to_prompt()

    def _read_to_prompt(self) -> str:
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", data.decode(errors="replace"))

    def command(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\n")
        text = self._read_to_prompt()
        # The monitor echoes the command; the answer follows it.
        return text.split("\n", 1)[1] if "\n" in text else ""


def one_insn_per_tb() -> list:
    """QEMU 8.1 renamed -singlestep to the TCG property one-insn-per-tb."""
    help_text = subprocess.run([QEMU, "-accel", "tcg,help"], capture_output=True, text=True).stdout
    if "one-insn-per-tb" in help_text:
        return ["-accel", "tcg,one-insn-per-tb=on"]
    return ["-singlestep"]


def run_traced(build: Path, work: Path, log: Path) -> tuple:
    """Boots the root task; the root task waits for a character on its console before its cases
    (logging is switched on then) and after them (logging off, and the monitor reads the bytes of the
    instructions that are in no ELF while the machine still runs). Returns (serial output,
    disassembly of the addresses outside the ELFs)."""
    roottask = work / "roottask"
    roottask.write_bytes((build / "tests/bench/ipc_profile").read_bytes())
    monitor_path = work / "monitor"
    command = [QEMU, "-display", "none", "-nic", "none", "-no-reboot", "-m", "128",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "stdio",
               "-monitor", f"unix:{monitor_path},server=on,wait=off",
               "-kernel", str(build / "arch/x86/tern.elf32"), "-append", "ticks=0",
               "-initrd", f"{build / 'sigma0/sigma0'},{roottask}",
               "-icount", "shift=0,sleep=off", "-D", str(log)] + one_insn_per_tb()
    qemu = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = queue.Queue()

    def reader():
        for raw in qemu.stdout:
            lines.put(raw.decode(errors="replace").rstrip("\r\n"))
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    monitor = Monitor(monitor_path)
    output, extra = [], {}
    deadline = time.monotonic() + 300
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                sys.exit("the root task did not finish in 300 s:\n" + "\n".join(output[-30:]))
            if line is None:
                break
            output.append(line)
            if line.startswith("PROFILE error"):
                sys.exit("\n".join(output[-30:]))
            if line == "PROFILE ready":
                monitor.command("log exec,nochain")
                qemu.stdin.write(b"g")
                qemu.stdin.flush()
            elif line == "PROFILE traced":
                monitor.command("log none")
                extra = disassemble_outside(monitor, output, read_trace(log))
                qemu.stdin.write(b"g")
                qemu.stdin.flush()
        qemu.wait(timeout=60)
    finally:
        if qemu.poll() is None:
            qemu.kill()
    if "PROFILE done" not in output:
        sys.exit("the root task did not finish:\n" + "\n".join(output[-30:]) +
                 qemu.stderr.read().decode(errors="replace"))
    return output, extra


def read_trace(log: Path) -> list:
    """(pc, cpl) of each executed instruction. With one instruction per translation block each
    'Trace' line is one instruction, except when QEMU stops before a block it has logged (the
    instruction-count budget ran out): it says so, and the block runs again later."""
    trace = []
    pattern = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/")
    with open(log, errors="replace") as lines:
        for line in lines:
            match = pattern.match(line)
            if match:
                trace.append((int(match.group(2), 16), int(match.group(3), 16) & 3, match.group(1)))
            elif line.startswith("Stopped execution of TB chain before"):
                host = line.split()[6]
                if trace and trace[-1][2] == host:
                    trace.pop()
    return [(pc, cpl) for pc, cpl, _ in trace]


def kip_address(output: list) -> int:
    for line in output:
        match = re.match(r"PROFILE kip ([0-9a-f]+)$", line)
        if match:
            return int(match.group(1), 16)
    sys.exit("the root task printed no KIP address")


# The KIP area: the KIP and, above it, the page of system-call stubs (abi.md).
KIP_AREA_BYTES = 2 * 4096


def disassemble_outside(monitor: Monitor, output: list, trace: list) -> dict:
    """The KIP's stubs are written by the kernel at boot, so no ELF has them: their bytes come
    from the running machine through QEMU's monitor (the KIP is at the same address in both
    spaces) and objdump disassembles them like the rest."""
    kip = kip_address(output)
    result = {}
    for pc in sorted({pc for pc, _ in trace if kip <= pc < kip + KIP_AREA_BYTES}):
        answer = monitor.command(f"x/16xb {pc:#x}")
        code = bytes(int(b, 16) for line in answer.splitlines() if ":" in line
                     for b in re.findall(r"0x([0-9a-f]{2})\b", line.split(":", 1)[1]))
        result[pc] = disassemble_bytes(code) if len(code) == 16 else "?"
    return result


def disassemble_bytes(code: bytes) -> str:
    """The first instruction of `code`, as objdump -M intel writes it."""
    with tempfile.NamedTemporaryFile(suffix=".bin") as file:
        file.write(code)
        file.flush()
        output = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel",
                                 "--no-show-raw-insn", file.name], capture_output=True, text=True).stdout
    match = re.search(r"^\s*0:\s+(.*?)\s*$", output, re.MULTILINE)
    return re.sub(r"\s+", " ", match.group(1)) if match else "?"


@dataclass
class Instruction:
    pc: int
    where: str  # 'kernel' or 'user': the privilege level it ran at
    frames: list  # [(function, 'file:line')], innermost first
    text: str = ""  # its disassembly
    category: str = ""
    function: str = ""  # what the run-by-function list calls it


def describe(trace: list, kernel: Elf, user: Elf, kip: int, extra: dict) -> list:
    instructions = []
    for pc, cpl in trace:
        where = "user" if cpl == 3 else "kernel"
        if kip <= pc < kip + KIP_AREA_BYTES:
            instructions.append(Instruction(pc, where, [(f"KIP stub +{pc - kip:#x}", "")], extra.get(pc, "?")))
            continue
        elf = kernel if kernel.contains(pc) else user if user.contains(pc) else None
        symbol = elf.symbol(pc) if elf else None
        # The ELF symbol is the outermost frame (for assembly, the label, such as syscall_entry.ipc).
        frames = elf.frames([pc])[pc] if elf else []
        outer = symbol.name if symbol else f"?{pc:#x}"
        if frames and (frames[-1][0] == outer or outer.startswith(frames[-1][0] + ".")):
            frames[-1] = (outer, frames[-1][1])
        elif not frames or frames[-1][0] != outer:
            frames = frames + [(outer, "")]
        instructions.append(Instruction(pc, where, frames, elf.disassembly().get(pc, "?") if elf else "?"))
    for instruction in instructions:
        instruction.category = categorize(instruction)
        instruction.function = run_name(instruction)
    return instructions


def subject(frame: tuple) -> str:
    function, location = frame
    return f"{function} @{location}: {source_text(location)}" if location else function


def categorize(instruction: Instruction) -> str:
    for frame in instruction.frames:
        for where, pattern, category in CATEGORIES:
            if where == instruction.where and re.search(pattern, subject(frame)):
                return category
    return "user: loop" if instruction.where == "user" else "kernel: other"


def run_name(instruction: Instruction) -> str:
    """The ELF symbol, and inside it the innermost inlined function that is not a helper."""
    outer = instruction.frames[-1][0]
    inner = next((f for f, _ in instruction.frames if not re.search(HELPERS, f)), outer)
    return outer if inner == outer else f"{outer} > {inner}"


def cut_cases(trace: list, user: Elf) -> list:
    """[(region start, region end, rdtsc-to-rdtsc count)] per marked round trip. The region starts
    after profile_begin has returned and ends before the call of profile_end; the rdtsc count is
    the number of instructions from the rdtsc before profile_begin to the one after profile_end,
    which is what the root task's own rdtsc difference should be."""
    begin, end = user.range_of(MARK_BEGIN), user.range_of(MARK_END)
    rdtsc = {a for a, text in user.disassembly().items() if text.startswith("rdtsc")}
    calls = {a for a, text in user.disassembly().items() if text.startswith("call")}
    cases, index = [], 0
    while True:
        start = next((i for i in range(index, len(trace)) if trace[i][0] == begin[0]), None)
        if start is None:
            return cases
        while start < len(trace) and begin[0] <= trace[start][0] < begin[1]:
            start += 1
        stop = next((i for i in range(start, len(trace)) if trace[i][0] == end[0]), None)
        if stop is None:
            sys.exit("the trace has a profile_begin without a profile_end")
        region_end = stop - 1 if trace[stop - 1][0] in calls else stop
        first = next((i for i in range(start - 1, -1, -1) if trace[i][0] in rdtsc), None)
        last = next((i for i in range(stop, len(trace)) if trace[i][0] in rdtsc), None)
        cases.append((start, region_end, last - first if first is not None and last is not None else None))
        index = stop


def runs(instructions: list) -> list:
    """Consecutive instructions of one function and category, collapsed: [(function, category, count)]."""
    result = []
    for instruction in instructions:
        if result and result[-1][0] == instruction.function and result[-1][1] == instruction.category:
            result[-1][2] += 1
        else:
            result.append([instruction.function, instruction.category, 1])
    return result


def report(number: int, name: str, warmup: int, rdtsc: int, traced_rdtsc, instructions: list, listing: bool):
    total = len(instructions)
    kernel = sum(i.where == "kernel" for i in instructions)
    print(f"## case {number}: {name}")
    print(f"round trip: {total} instructions (user {total - kernel}, kernel {kernel})")
    foreign = sum(i.text == "?" for i in instructions)
    if foreign:
        print(f"WARNING: {foreign} instructions at addresses that are no instruction of the kernel or the root task "
              f"(another program's code, such as sigma0's, named by the root task's symbols); see --listing")
    print(f"check: rdtsc from before profile_begin to after profile_end says {rdtsc}, the trace has "
          f"{traced_rdtsc} instructions between those two rdtsc "
          f"({'equal' if rdtsc == traced_rdtsc else 'DIFFERENT'}; the markers add {traced_rdtsc - total})")
    print(f"ipc_bench's loop (rdtsc over {'its'} round trips, with its counter and result test): {warmup} per "
          f"round trip ({warmup - total:+d} against the traced round trip)")
    print("by category:")
    categories = {}
    for instruction in instructions:
        categories[instruction.category] = categories.get(instruction.category, 0) + 1
    for category, count in sorted(categories.items(), key=lambda item: (not item[0].startswith("user"), -item[1])):
        print(f"  {count:5}  {category}")
    print("by function, in order of execution:")
    for function, category, count in runs(instructions):
        print(f"  {count:5}  {category:30} {function}")
    if listing:
        print("listing:")
        for number_in_trip, instruction in enumerate(instructions, 1):
            location = next((l for _, l in instruction.frames if l), "")
            print(f"  {number_in_trip:4} {instruction.pc:16x} {instruction.where:6} {instruction.category:28.28} "
                  f"{instruction.text:44.44} {instruction.frames[0][0]} {location}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", nargs="?", default="build", type=Path)
    parser.add_argument("--listing", action="store_true", help="print every instruction with its disassembly")
    parser.add_argument("--case", type=int, action="append", help="report only this case (repeatable)")
    parser.add_argument("--log", type=Path, help="keep QEMU's execution log in this file")
    args = parser.parse_args()
    build = args.build.resolve()
    kernel, user = Elf(build / "arch/x86/tern.elf"), Elf(build / "tests/bench/ipc_profile")
    with tempfile.TemporaryDirectory() as work:
        log = args.log.resolve() if args.log else Path(work) / "exec.log"
        output, extra = run_traced(build, Path(work), log)
        trace = read_trace(log)
    names = {int(n): (name, int(v)) for n, name, v in re.findall(r"^PROFILE case (\d+) (.*): (\d+)$",
                                                                  "\n".join(output), re.MULTILINE)}
    measured = {int(n): int(v) for n, v in re.findall(r"^PROFILE traced (\d+): (\d+)$", "\n".join(output),
                                                       re.MULTILINE)}
    cases = cut_cases(trace, user)
    if len(cases) != len(names):
        sys.exit(f"the trace has {len(cases)} marked round trips, the root task ran {len(names)} cases")
    kip = kip_address(output)
    print(f"# IPC round trips, instruction by instruction ({QEMU} -icount shift=0; kernel {kernel.path}, "
          f"root task {user.path})\n")
    for number, (start, end, traced_rdtsc) in enumerate(cases, 1):
        if args.case and number not in args.case:
            continue
        instructions = describe(trace[start:end], kernel, user, kip, extra)
        name, warmup = names[number]
        report(number, name, warmup, measured[number], traced_rdtsc, instructions, args.listing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
