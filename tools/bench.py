#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""./tern bench: boots each benchmark root task of tests/bench under QEMU in two modes and
prints every figure as `BENCH <name> <value> <unit> <mode>`:

  icount  -icount shift=0,sleep=off: rdtsc counts guest instructions (unit `instructions`);
          one run, the count is repeatable.
  tcg     plain TCG: rdtsc is the host TSC (unit `ticks`); the median of --runs boots.

The root tasks print `BENCH <name> <value>` (ticks per operation, docs/performance.md says
what each figure measures); this runner adds unit and mode. It also boots the normal system,
whose shell runs conbench (console throughput in bytes/s under TCG, timed by the guest's
SystemClock), and, when tools/linux_bench.py exists, runs it for Linux's figures in the same
emulator (`linux.<name>`). Everything goes to OUT (BUILD/bench by default): bench.txt (the
BENCH lines), bench.json, bench.md (Markdown tables) and the plots ipc_length.svg and
ipc_threads.svg (gnuplot; round-trip cost against message length and against thread count,
Linux's figures as reference lines).

It also runs the same Linux program under Tern's Linux personality (`personality.<name>`).

It times the network through the card against Linux's (tools/net_bench.py, plain TCG only:
`net.<name>` and `linux.net.<name>`, a 16 MiB download from busybox httpd in MiB/s and a TCP
round trip in microseconds, both timed by the host).

Usage: bench.py [BUILD] [--runs N] [--modes icount,tcg] [--only PROGRAM,...|personality|realtime|network] [--no-linux]
                [--no-console] [--no-plots] [--out DIR]"""
import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each benchmark root task and the guest memory it needs (MiB): ipc_bench makes 10,000
# threads, and the kernel keeps an eighth of memory for itself (16 KiB a thread today).
PROGRAMS = {"ipc_bench": 512, "map_bench": 128, "pager_bench": 128, "irq_bench": 128, "ring0_bench": 128}
MODES = {"icount": (["-icount", "shift=0,sleep=off"], "instructions"), "tcg": ([], "ticks")}
GUEST_LINE = re.compile(r"^BENCH ([a-z0-9_.]+) (\d+)\r?$", re.MULTILINE)
LINUX_LINE = re.compile(r"^BENCH (linux\.[A-Za-z0-9_.]+) ([0-9.]+) (\S+) (icount|tcg)\s*$", re.MULTILINE)
LENGTHS = [0, 1, 4, 8, 16, 32, 63]
THREAD_COUNTS = [1, 10, 100, 1000, 10000]

# What each figure measures (docs/performance.md has the longer story).
DESCRIPTIONS = [
    (r"ipc\.intra\.(\d+)w", "call + reply-and-wait round trip in one space, untyped words each way: {0}"),
    (r"ipc\.inter\.(\d+)w", "call + reply-and-wait round trip between two spaces, untyped words each way: {0}"),
    (r"ipc\.inter\.map1", "inter-space round trip whose call carries a map item of one page"),
    (r"ipc\.inter\.threads\.(\d+)", "inter-space 0-word round trip with more (inactive) threads in the system (count: {0})"),
    (r"ipc\.inter\.0w\.ports", "inter-space 0-word round trip, the caller's space holding 8 I/O ports"),
    (r"syscall\.null\.(ring[03])", "null system call, ThreadSwitch(nilthread) with nothing else ready, by a "
                                   "task in {0} (ring0: a kernel-mode task)"),
    (r"ipc\.inter\.0w\.(ring[03])_(ring[03])", "inter-space 0-word round trip, caller in {0}, callee in {1}"),
    (r"pagefault\.rt\.(ring[03])", "page-fault round trip of a task in {0}, its pager in ring 3"),
    (r"syscall\.null", "null system call: ThreadSwitch(nilthread) with nothing else ready"),
    (r"syscall\.clock", "SystemClock system call"),
    (r"thread\.create_delete", "ThreadControl: create an active thread in this space, then delete it"),
    (r"space\.create_delete", "new space with its first thread (ThreadControl, SpaceControl, ThreadControl), "
                              "then delete it"),
    (r"pagefault\.rt", "page-fault round trip: fault, IPC to the pager, map item reply, resume"),
    (r"map\.(\d+)", "call carrying one map item of 4 KiB pages (count: {0}) to a thread of the same space, and its reply"),
    (r"unmap\.tree\.(\d+)", "Unmap of one page from which mappings were derived (count: {0})"),
    (r"unmap\.(\d+)", "Unmap revoking what map.{0} mapped"),
    (r"touch\.(demand|pinned)\.first", "first write to a page of a region pager's client ({0} policy), per page"),
    (r"touch\.(demand|pinned)\.second", "second write to the same page ({0} policy), per page"),
    (r"irq\.to_handler\.best", "device interrupt to the waiting handler thread running (best of 1000)"),
    (r"irq\.to_handler", "device interrupt to the waiting handler thread running (mean of 1000)"),
    (r"irq\.answer", "handler's answer (unmasks the line) to the interrupted thread running again (mean)"),
    (r"sigma0\.ports8\.first", "sigma0 request for 8 I/O ports, the first one (makes sigma0's port roots)"),
    (r"sigma0\.ports8\.again", "sigma0 request for 8 I/O ports again"),
    (r"ports\.map8\.fpage8", "map of 8 I/O ports to another space, fpage of those 8 (call and reply)"),
    (r"ports\.map8\.fpage64k", "map of 8 I/O ports to another space, fpage of all 65536 (call and reply)"),
    (r"ports\.unmap8\.fpage8", "unmap of 8 I/O ports mapped to another space, fpage of those 8"),
    (r"ports\.unmap8\.fpage64k", "unmap of 8 I/O ports mapped to another space, fpage of all 65536"),
    (r"console\.throughput", "bytes per second through the console server (256 KiB, guest SystemClock)"),
    (r"personality\.getpid", "Linux personality: getpid, a reflected syscall answered by the Linux server"),
    (r"personality\.pipe_processes", "Linux personality: one-byte round trip through two pipes between two processes"),
    (r"personality\.pipe_threads", "Linux personality: one-byte round trip through two pipes between two threads of "
     "one process"),
    (r"personality\.futex_threads", "Linux personality: futex ping-pong between two threads of one process (two wakes, "
     "two waits)"),
    (r"personality\.page_fault", "Linux personality: first touch of an anonymous page, per page"),
    (r"net\.download_16mib", "a 16 MiB file from busybox httpd on Tern's Linux personality to the host's curl, "
                            "through the virtio card, its driver and the network server (QEMU's user network)"),
    (r"net\.tcp_round_trip", "a one-byte TCP round trip from the host to busybox nc -e cat on Tern and back"),
    (r"personality\.tcp_processes", "Linux personality: one-byte TCP round trip over 127.0.0.1 between two processes "
                                    "(TCP_NODELAY; the Linux server and the network server, lwIP's loopback)"),
    (r"personality\.tcp_stream_64k", "Linux personality: TCP over 127.0.0.1 from one process to another, per 64 KiB "
                                     "(4 MiB in 64 KiB writes)"),
    (r"personality\.fork_exit_wait", "Linux personality: fork, the child exits, the parent waits"),
    (r"personality\.fork_exec_wait", "Linux personality: fork, execve of the same static program, which exits, wait"),
    (r"personality\.shell_script", "Linux personality: busybox sh runs tools/linux_bench/macro.sh (200 small commands "
     "with pipes and files)"),
    (r"personality_ring0\.(\S+)", "the same as personality.{0}, the Linux server a kernel-mode task in ring 0 "
     "(co-location)"),
    (r"rt\.late_us\.(\w+)", "real-time job waking every 1 ms (2000 times), how late it ran: {0}, in microseconds"),
    (r"rt_loaded\.late_us\.(\w+)", "the same beside the Linux personality under a fork, pipe and memory stress "
     "load: {0}, in microseconds"),
]

# Linux figures beside Tern's closest equivalent: (words in the Linux name, Tern's figure).
# (tools/linux_bench.py names them: getpid, pipe_processes, pipe_threads, futex_threads,
# sched_yield_processes, page_fault, fork_exit_wait.)
EQUIVALENTS = [(("shell_script",), "personality.shell_script"), (("fork_exec",), "personality.fork_exec_wait"), (("fork_exit",), "personality.fork_exit_wait"),
               (("getpid",), "personality.getpid"), (("pipe_processes",), "personality.pipe_processes"),
               (("page_fault",), "personality.page_fault"), (("pipe_threads",), "personality.pipe_threads"),
               (("futex_threads",), "personality.futex_threads"),
               (("net.download_16mib",), "net.download_16mib"), (("net.tcp_round_trip",), "net.tcp_round_trip"),
               (("tcp_processes",), "personality.tcp_processes"), (("tcp_stream_64k",), "personality.tcp_stream_64k"),
               (("tcp_processes",), "personality_ring0.tcp_processes"),
               (("tcp_stream_64k",), "personality_ring0.tcp_stream_64k"),
               (("pipe_threads",), "personality_ring0.pipe_threads"), (("futex_threads",), "personality_ring0.futex_threads"),
               (("shell_script",), "personality_ring0.shell_script"), (("fork_exec",), "personality_ring0.fork_exec_wait"),
               (("fork_exit",), "personality_ring0.fork_exit_wait"), (("getpid",), "personality_ring0.getpid"),
               (("pipe_processes",), "personality_ring0.pipe_processes"), (("page_fault",), "personality_ring0.page_fault"),
               (("getpid",), "syscall.null"), (("pipe", "thread"), "ipc.intra.0w"), (("pipe",), "ipc.inter.0w"),
               (("futex",), "ipc.intra.0w"), (("yield", "process"), "ipc.inter.0w"), (("yield",), "ipc.intra.0w"),
               (("fault",), "pagefault.rt"), (("fork",), "space.create_delete")]
# Linux's figures drawn as reference lines in the round-trip plots: the system call and the
# blocking hand-overs (page faults and fork are of another scale).
REFERENCE_WORDS = ("getpid", "pipe", "futex", "yield")


def describe(name: str) -> str:
    for pattern, text in DESCRIPTIONS:
        match = re.fullmatch(pattern, name)
        if match:
            return text.format(*match.groups())
    return ""


def qemu(build: Path, memory: int, extra: list, append: str, modules: list) -> list:
    return (["qemu-system-x86_64", "-display", "none", "-nic", "none", "-no-reboot", "-m", str(memory),
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-serial", "stdio",
             "-kernel", str(build / "arch/x86/tern.elf32"), "-append", append,
             "-initrd", ",".join(str(m) for m in modules)] + extra)


def run_program(build: Path, program: str, mode: str, work: Path) -> dict:
    """One boot of a benchmark root task; its figures by name."""
    roottask = work / "roottask"
    roottask.write_bytes((build / "tests/bench" / program).read_bytes())
    command = qemu(build, PROGRAMS[program], MODES[mode][0], "ticks=0", [build / "sigma0/sigma0", roottask])
    output = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=600).stdout
    if "BENCH done" not in output:
        sys.exit(f"bench: {program} did not finish under {mode}:\n{output[-2000:]}")
    return {name: int(value) for name, value in GUEST_LINE.findall(output)}


def run_console(build: Path, work: Path) -> int:
    """Boots the normal system whose shell runs conbench (256 KiB); bytes per second."""
    config = work / "system.conf"
    config.write_text("server console priority=200 irq=4 ports=0x3f8/8\n"
                      "server shell priority=150 shutdown args=-c run conbench kib=256; shutdown\n")
    modules = [build / "sigma0/sigma0", build / "servers/root/roottask", config,
               build / "servers/console/console", build / "servers/shell/shell"]
    modules += [build / "servers/programs" / name for name in ["hello", "spin", "fault", "systest", "conbench"]]
    output = subprocess.run(qemu(build, 128, [], "", modules), capture_output=True, text=True, errors="replace",
                            timeout=600).stdout
    match = re.search(r"^BENCH console throughput, (\d+) KiB in (\d+) us: (\d+) bytes/s\r?$", output, re.MULTILINE)
    if not match:
        sys.exit(f"bench: conbench did not finish:\n{output[-2000:]}")
    return int(match.group(3))


def run_realtime(build: Path, mode: str, work: Path, loaded: bool) -> dict:
    """The real-time job (servers/programs/rtjob.cpp, boot/realtime*.conf): 2000 wakeups every
    1 ms, alone or beside the Linux personality's stress load; its lateness statistics in
    microseconds, rt.late_us.* or rt_loaded.late_us.*."""
    config = work / "system.conf"  # (the root task's default configuration name)
    config.write_text((ROOT / "boot" / ("realtime-linux.conf" if loaded else "realtime.conf")).read_text())
    modules = [build / "sigma0/sigma0", build / "servers/root/roottask", config, build / "servers/console/console",
               build / "servers/programs/rtjob"]
    if loaded:
        modules += [build / "servers/linux/linux", build / "servers/linux/linux-stress.cpio"]
    output = subprocess.run(qemu(build, 512, MODES[mode][0], "", modules), capture_output=True, text=True,
                            errors="replace", timeout=900).stdout
    match = re.search(r"^RT period \d+ samples \d+ faults 0 late_us worst (\d+) p99 (\d+) p50 (\d+) mean (\d+)\r?$",
                      output, re.MULTILINE)
    if not match:
        sys.exit(f"bench: rtjob did not finish under {mode}:\n{output[-2000:]}")
    prefix = "rt_loaded.late_us." if loaded else "rt.late_us."
    return {prefix + name: int(value) for name, value in zip(("worst", "p99", "p50", "mean"), match.groups())}


def run_linux(build: Path, out: Path) -> list:
    """Linux's figures from tools/linux_bench.py, when it exists and works; else none."""
    script = ROOT / "tools/linux_bench.py"
    if not script.exists():
        print("bench: tools/linux_bench.py is absent: no Linux figures", file=sys.stderr)
        return []
    json_file = out / "linux.json"
    try:
        proc = subprocess.run([sys.executable, str(script), str(build), "--json", str(json_file)],
                              capture_output=True, text=True, errors="replace", timeout=3600)
    except subprocess.TimeoutExpired:
        print("bench: tools/linux_bench.py timed out: no Linux figures", file=sys.stderr)
        return []
    figures = [{"name": n, "value": float(v) if "." in v else int(v), "unit": u, "mode": m}
               for n, v, u, m in LINUX_LINE.findall(proc.stdout)]
    if proc.returncode != 0 or not figures:
        print(f"bench: tools/linux_bench.py exited with {proc.returncode} and gave {len(figures)} figures:\n"
              f"{(proc.stdout + proc.stderr)[-2000:]}", file=sys.stderr)
    return figures


def run_personality(build: Path, mode: str, work: Path, kernel_mode: bool = False) -> dict:
    """Tern's Linux personality running tools/linux_bench/bench.c (the same static program as
    Linux's /init, in its "personality" mode) under ./tern linux; figures personality.<name>,
    or personality_ring0.<name> with the server a kernel-mode task (--kernel-mode). It boots with
    the network card, its driver and the network server (--network), for the TCP figures."""
    program = work / "linux-bench"
    if not program.exists():
        subprocess.run(["musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", str(program),
                        str(ROOT / "tools/linux_bench/bench.c")], check=True)
    command = [sys.executable, str(ROOT / "tools/linux_run.py"), "--build", str(build), "--timeout", "1200",
               "--add", f"{program}:/bench", "--add", f"{ROOT / 'tools/linux_bench/macro.sh'}:/macro.sh"] + (["--icount"] if mode == "icount" else []) + (["--kernel-mode"] if kernel_mode else []) + ["--network", "--", "/bench", "personality", "network"]
    output = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=1500).stdout
    if "BENCH done" not in output:
        sys.exit(f"bench: the Linux personality's benchmark did not finish under {mode}:\n{output[-2000:]}")
    prefix = "personality_ring0." if kernel_mode else "personality."
    return {prefix + name: int(value) for name, value in re.findall(r"^BENCH linux\.(\S+) (\d+)$", output, re.M)}


def markdown(figures: list, runs: int) -> str:
    tern = [f for f in figures if not f["name"].startswith("linux.")]
    names = list(dict.fromkeys(f["name"] for f in tern))
    value = {(f["name"], f["mode"]): f for f in figures}
    lines = ["## Tern", "",
             f"| figure | what it measures | icount (guest instructions) | tcg (host ticks, median of {runs}) |",
             "|---|---|---:|---:|"]
    for name in names:
        cells = []
        for mode in MODES:
            f = value.get((name, mode))
            cells.append("-" if f is None else f"{f['value']}" + ("" if f["unit"] in MODES[mode][1] else f" {f['unit']}"))
        lines.append(f"| `{name}` | {describe(name)} | {cells[0]} | {cells[1]} |")
    linux = [f for f in figures if f["name"].startswith("linux.")]
    if linux:
        lines += ["", "## Linux in the same emulator, beside Tern's closest figure", "",
                  "| Linux figure | mode | Linux | Tern's figure | Tern | Linux / Tern |", "|---|---|---:|---|---:|---:|"]
        for f in linux:
            words = f["name"].lower()
            # The same operation under the Linux personality, and Tern's closest native figure.
            matches = [t for keys, t in EQUIVALENTS if all(k in words for k in keys)]
            chosen = [t for t in matches if t.startswith("personality.")][:1] + \
                     [t for t in matches if t.startswith("personality_ring0.")][:1] + \
                     [t for t in matches if not t.startswith("personality")][:1]
            for tern_name in chosen or [None]:
                t = value.get((tern_name, f["mode"])) if tern_name else None
                ratio = f"{f['value'] / t['value']:.2f}" if t and t["value"] else "-"
                lines.append(f"| `{f['name']}` | {f['mode']} | {f['value']} {f['unit']} | "
                             f"{'`' + tern_name + '`' if t else '-'} | {t['value'] if t else '-'} | {ratio} |")
    return "\n".join(lines) + "\n"


def plots(figures: list, out: Path) -> list:
    """Round-trip cost against message length and against thread count, one panel per mode,
    Linux's figures of that mode as horizontal reference lines. Returns the files made."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("bench: no gnuplot (Debian's gnuplot-nox): no plots", file=sys.stderr)
        return []
    value = {(f["name"], f["mode"]): f["value"] for f in figures}
    linux = [f for f in figures if f["name"].startswith("linux.") and any(w in f["name"] for w in REFERENCE_WORDS)]
    made = []
    for stem, xs, series, xlabel, logx in [
            ("ipc_length", LENGTHS, [("intra", "ipc.intra.{}w"), ("inter", "ipc.inter.{}w")],
             "untyped words each way", False),
            ("ipc_threads", THREAD_COUNTS, [("inter, 0 words", "ipc.inter.threads.{}")],
             "more threads in the system (inactive)", True)]:
        data = out / f"{stem}.dat"
        rows = [f"# x " + " ".join(f"{label.replace(' ', '_').replace(',', '')}_{mode}"
                                     for mode in MODES for label, _ in series)]
        for x in xs:
            rows.append(f"{x} " + " ".join(str(value.get((pattern.format(x), mode), "NaN"))
                                           for mode in MODES for _, pattern in series))
        data.write_text("\n".join(rows) + "\n")
        script = [f"set terminal svg size 1100,480 dynamic font 'sans,11'", f"set output '{out / (stem + '.svg')}'",
                  "set termoption noenhanced", "set multiplot layout 1,2", "set key outside bottom center horizontal maxcols 2 font ',9'",
                  f"set xlabel '{xlabel}'", "set grid"]
        if logx:
            script.append("set logscale x")
        column = 2
        for mode, (_, unit) in MODES.items():
            references = [f for f in linux if f["mode"] == mode]
            script.append("set logscale y" if references else "unset logscale y")
            if not references:
                script.append("set yrange [0:*]")
            else:
                script.append("set yrange [*:*]")
            script.append(f"set ylabel '{unit} per round trip'")
            script.append(f"set title 'Tern, {mode} ({unit})'")
            parts = [f"'{data}' using 1:{column + i} with linespoints lw 2 title 'Tern {label}'"
                     for i, (label, _) in enumerate(series)]
            parts += [f"{f['value']} with lines dt 2 title '{f['name']}'" for f in references]
            script.append("plot " + ", ".join(parts))
            column += len(series)
        script.append("unset multiplot")
        (out / f"{stem}.gp").write_text("\n".join(script) + "\n")
        proc = subprocess.run([gnuplot, str(out / f"{stem}.gp")], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"bench: gnuplot failed for {stem}:\n{proc.stderr}", file=sys.stderr)
        else:
            made.append(out / f"{stem}.svg")
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build", nargs="?", default="build", type=Path)
    parser.add_argument("--runs", type=int, default=5, help="boots per root task under plain TCG (the median counts)")
    parser.add_argument("--modes", default="icount,tcg", help="comma-separated: icount, tcg")
    parser.add_argument("--only", help="comma-separated root tasks (of " + ", ".join(PROGRAMS) + ")")
    parser.add_argument("--no-linux", action="store_true", help="do not run tools/linux_bench.py")
    parser.add_argument("--no-console", action="store_true", help="do not boot the system for console throughput")
    parser.add_argument("--no-plots", action="store_true")
    parser.add_argument("--out", type=Path, help="output folder (default BUILD/bench)")
    args = parser.parse_args()
    build = args.build.resolve()
    out = (args.out or build / "bench").resolve()
    out.mkdir(parents=True, exist_ok=True)
    modes = [m for m in args.modes.split(",") if m]
    programs = [p for p in (args.only or ",".join(PROGRAMS)).split(",") if p]
    for name in modes + programs:
        if name not in MODES and name not in PROGRAMS and name not in ("personality", "realtime", "network"):
            parser.error(f"unknown mode or program {name}")

    figures = []
    with tempfile.TemporaryDirectory() as work:
        for mode in modes:
            runs = 1 if mode == "icount" else max(1, args.runs)
            for program in [p for p in programs if p in PROGRAMS]:
                samples = {}
                for _ in range(runs):
                    for name, value in run_program(build, program, mode, Path(work)).items():
                        samples.setdefault(name, []).append(value)
                for name, values in samples.items():
                    figure = {"name": name, "value": round(statistics.median(values)), "unit": MODES[mode][1],
                              "mode": mode}
                    if runs > 1:
                        figure["runs"] = values
                    figures.append(figure)
                    print(f"BENCH {name} {figure['value']} {figure['unit']} {mode}", flush=True)
        if not args.only or "personality" in programs:
            for mode in modes:
                runs = 1 if mode == "icount" else max(1, args.runs)
                samples = {}
                for _ in range(runs):
                    for kernel_mode in (False, True):  # the server in ring 3, then co-located in ring 0
                        for name, value in run_personality(build, mode, Path(work), kernel_mode).items():
                            samples.setdefault(name, []).append(value)
                for name, values in samples.items():
                    figure = {"name": name, "value": round(statistics.median(values)), "unit": MODES[mode][1],
                              "mode": mode}
                    figures.append(figure)
                    print(f"BENCH {name} {figure['value']} {figure['unit']} {mode}", flush=True)
        if not args.only or "realtime" in programs:
            for mode in modes:
                runs = 1 if mode == "icount" else max(1, args.runs)
                samples = {}
                for _ in range(runs):
                    for loaded in (False, True):
                        for name, value in run_realtime(build, mode, Path(work), loaded).items():
                            samples.setdefault(name, []).append(value)
                for name, values in samples.items():
                    figure = {"name": name, "value": round(statistics.median(values)), "unit": "us", "mode": mode}
                    if runs > 1:
                        figure["runs"] = values
                    figures.append(figure)
                    print(f"BENCH {name} {figure['value']} us {mode}", flush=True)
        if "tcg" in modes and (not args.only or "network" in programs):
            # Through the card, timed by the host (tools/net_bench.py): plain TCG only.
            import net_bench
            systems = ["tern"] + ([] if args.no_linux else ["linux"])
            for system in systems:
                measured = net_bench.run_tern(build, 3) if system == "tern" else net_bench.run_linux(build, 3)
                for name, (value, unit) in measured.items():
                    figure = {"name": ("net." if system == "tern" else "linux.net.") + name, "value": round(value, 1),
                              "unit": unit, "mode": "tcg"}
                    figures.append(figure)
                    print(f"BENCH {figure['name']} {figure['value']} {unit} tcg", flush=True)
        if "tcg" in modes and not args.no_console and not args.only:
            value = run_console(build, Path(work))
            figures.append({"name": "console.throughput", "value": value, "unit": "bytes/s", "mode": "tcg"})
            print(f"BENCH console.throughput {value} bytes/s tcg", flush=True)
    if not args.no_linux:
        for figure in run_linux(build, out):
            figures.append(figure)
            print(f"BENCH {figure['name']} {figure['value']} {figure['unit']} {figure['mode']}", flush=True)

    (out / "bench.txt").write_text("".join(f"BENCH {f['name']} {f['value']} {f['unit']} {f['mode']}\n"
                                           for f in figures))
    (out / "bench.json").write_text(json.dumps({"tcg_runs": args.runs, "figures": figures}, indent=1) + "\n")
    table = markdown(figures, args.runs)
    (out / "bench.md").write_text(table)
    made = [] if args.no_plots else plots(figures, out)
    print()
    print(table)
    print(f"bench: wrote {', '.join(str(p) for p in [out / 'bench.txt', out / 'bench.json', out / 'bench.md'] + made)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
