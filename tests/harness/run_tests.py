#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs every Tern test level and reports one TAP line per test, then 'N passed, N failed'.

Levels: host unit tests (GoogleTest under ASan/UBSan), QEMU boot tests (-kernel), the
GRUB ISO in QEMU, the same ISO in Bochs, and a GDB attach test. Exits non-zero when any
test failed or any level produced no result."""
import argparse
import concurrent.futures
import dataclasses
import json
import os
import re
import shutil
import subprocess
import struct
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from boot_tests import BOOT_TESTS, Boot_test, system_modules  # noqa: E402
from emulators import ROOT, Run, run_bochs, run_gdb_attach, run_qemu, run_qemu_interactive  # noqa: E402
import linux_scripts  # noqa: E402


@dataclass
class Result:
    test_id: str
    description: str
    passed: bool
    diagnostics: list = field(default_factory=list)


def unit_results(build: Path, log_dir: Path) -> list:
    binary = build / "tests/unit/unit_tests"
    report = log_dir / "unit.json"
    report.unlink(missing_ok=True)
    if not binary.exists():
        return [Result("UNIT", "unit test level", False, [f"{binary} was not built"])]
    proc = subprocess.run([str(binary), f"--gtest_output=json:{report}"], capture_output=True, text=True,
                          timeout=600)
    (log_dir / "unit.log").write_text(proc.stdout + proc.stderr)
    if not report.exists():
        tail = (proc.stdout + proc.stderr).splitlines()[-15:]
        return [Result("UNIT", "unit test level ran to completion", False,
                       [f"unit_tests exited with {proc.returncode} and wrote no report"] + tail)]
    results = []
    for suite in json.loads(report.read_text()).get("testsuites", []):
        for case in suite.get("testsuite", []):
            name = f"{suite['name']}.{case['name']}"
            failures = [f["failure"].splitlines()[0] for f in case.get("failures", [])]
            results.append(Result(f"UNIT {name}", "", case.get("result") == "COMPLETED" and not failures, failures))
    if proc.returncode != 0 and all(r.passed for r in results):
        results.append(Result("UNIT", "unit test process exit status", False,
                              [f"unit_tests exited with {proc.returncode} (sanitizer report?) see {log_dir}/unit.log"]))
    return results


def static_results(build: Path) -> list:
    """Checks of the tree itself: generated documents that are committed must be current."""
    generated, committed = build / "abi/abi.md", ROOT / "docs/abi.md"
    same = generated.exists() and committed.exists() and generated.read_text() == committed.read_text()
    table = subprocess.run([sys.executable, str(ROOT / "tools/linux_syscalls.py")], capture_output=True, text=True)
    committed_table = ROOT / "docs/linux-syscalls.md"
    current = table.returncode == 0 and committed_table.exists() and table.stdout == committed_table.read_text()
    return [Result("DOC0001", "docs/abi.md is the one generated from abi/x86_64.toml", same,
                   [] if same else [f"regenerate: cp {generated} {committed}"]),
            Result("DOC0004", "docs/linux-syscalls.md is the table tools/linux_syscalls.py makes from servers/linux",
                   current, [] if current else ["regenerate: python3 tools/linux_syscalls.py docs/linux-syscalls.md"] +
                   table.stderr.splitlines()[-3:]),
            nmagic_image_result(build), stack_depth_result(build)] + tutorial_code_results()


def stack_depth_result(build: Path) -> Result:
    """STACK0001: the deepest call chain on a thread's kernel stack fits it with a margin."""
    proc = subprocess.run([sys.executable, str(ROOT / "tools/stack_depth.py"), str(build), "--check"],
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STACK") or not line.startswith(" ")]
    return Result("STACK0001", "the worst kernel stack depth (tools/stack_depth.py) fits Thread::stack_size() "
                  "with a 15% margin", proc.returncode == 0, [] if proc.returncode == 0 else lines + [proc.stderr])


BENCH_LINE = re.compile(r"^BENCH ([a-z0-9_.]+) (\d+) instructions icount$")


def bench_results(build: Path) -> list:
    """./tern bench's runner (tools/bench.py) on one small root task under -icount: every
    figure is a `BENCH <name> <value> <unit> <mode>` line with a positive value, the JSON
    file holds the same figures, and the figures map_bench reports are all there."""
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([sys.executable, str(ROOT / "tools/bench.py"), str(build), "--only", "map_bench",
                               "--modes", "icount", "--no-linux", "--no-console", "--no-plots", "--out", out],
                              capture_output=True, text=True, errors="replace", timeout=120)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
        problems = [f"bench.py exited with {proc.returncode}: {proc.stderr[-500:]}"] if proc.returncode else []
        figures = {}
        for line in lines:
            match = BENCH_LINE.match(line)
            if not match or int(match.group(2)) <= 0:
                problems.append(f"malformed or non-positive: {line!r}")
            else:
                figures[match.group(1)] = int(match.group(2))
        expected = {"pagefault.rt", "map.1", "unmap.1", "map.512", "unmap.512", "unmap.tree.1000"}
        if not expected <= figures.keys():
            problems.append(f"missing figures: {sorted(expected - figures.keys())}")
        report = Path(out) / "bench.json"
        stored = {(f["name"], f["value"]) for f in json.loads(report.read_text())["figures"]} if report.exists() else set()
        if stored != set(figures.items()):
            problems.append("bench.json does not hold the printed figures")
    return [Result("BENCH0001", "tools/bench.py prints map_bench's figures as BENCH <name> <value> <unit> <mode> "
                   "lines with positive values, and writes them to bench.json", not problems, problems)]


def load_segments(elf: bytes) -> list:
    """(offset, address) of each PT_LOAD of an ELF64 little-endian file."""
    table, entry_size, count = struct.unpack_from("<Q", elf, 32)[0], *struct.unpack_from("<HH", elf, 54)
    headers = [struct.unpack_from("<IIQQ", elf, table + i * entry_size) for i in range(count)]
    return [(offset, address) for kind, _, offset, address in headers if kind == 1]


def nmagic_image_result(build: Path) -> Result:
    """BOOT0013 proves something only if its image really is linked as ld -N links."""
    image = build / "tests/x2/nmagic/roottask"
    segments = load_segments(image.read_bytes()) if image.exists() else []
    unaligned = len(segments) == 1 and segments[0][0] % 4096 != segments[0][1] % 4096
    return Result("ELF0001", "the image BOOT0013 boots has one loadable segment, its file offset and address "
                  "disagreeing within a page (ld -N)", unaligned,
                  [] if unaligned else [f"{image}: load segments (offset, address) {segments}"])


TUTORIALS = [
    ("DOC0002", "docs/pager.md", ["libl4/include/l4/pager.h", "libl4/runtime/pager.c", "servers/pager/region_pager.h",
                                  "servers/pager/region_pager.cpp", "tests/bench/pager_bench.c", "tests/system/t_pager.c"]),
    ("DOC0003", "docs/driver.md", ["servers/console/console.cpp", "servers/console/serial.cpp",
                                   "servers/root/root-requests.cpp", "libl4/runtime/server.cpp",
                                   "tests/bench/irq_bench.c"]),
]


def tutorial_code_results() -> list:
    """DOC0002, DOC0003: every C or C++ block of a tutorial is copied from code that is built and run."""
    results = []
    for test_id, name, source_names in TUTORIALS:
        doc = ROOT / name
        sources = [(ROOT / source).read_text() for source in source_names if (ROOT / source).exists()]
        blocks = re.findall(r"^```(?:c|cpp)\n(.*?)^```$", doc.read_text() if doc.exists() else "",
                            re.MULTILINE | re.DOTALL)
        stale = [block.splitlines()[0] for block in blocks if not any(block in source for source in sources)]
        problems = [f"not found verbatim in {', '.join(source_names)}: block starting {line!r}" for line in stale]
        if not blocks:
            problems.append(f"{name} has no code blocks")
        results.append(Result(test_id, f"the code in {name} is the built example code", not problems, problems))
    return results


def ipc_profile_result(build: Path, log_dir: Path) -> Result:
    """TOOL0001: tools/ipc_profile.py still works on this kernel: it finds every marked round trip of
    its root task in QEMU's instruction log, and its count of each agrees exactly with the root
    task's rdtsc (guest instructions under -icount)."""
    log_file = log_dir / "TOOL0001.log"
    description = "tools/ipc_profile.py traces the marked IPC round trips, its counts agree with rdtsc"
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "tools/ipc_profile.py"), str(build)], capture_output=True,
                              text=True, timeout=240)
    except subprocess.TimeoutExpired:
        return Result("TOOL0001", description, False, ["timed out after 240 s"])
    log_file.write_text(proc.stdout + proc.stderr)
    cases = re.findall(r"^## case \d+: (.*)$", proc.stdout, re.MULTILINE)
    checks = re.findall(r"^check: .*\((equal|DIFFERENT);", proc.stdout, re.MULTILINE)
    problems = []
    if proc.returncode != 0:
        problems.append(f"exited with {proc.returncode}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    if len(cases) != 4 or checks != ["equal"] * len(cases):
        problems.append(f"cases {cases}, rdtsc checks {checks} (expected 4 cases, all equal); see {log_file}")
    return Result("TOOL0001", description, not problems, problems)


LINUX_FIGURES = ["getpid", "pipe_processes", "pipe_threads", "futex_threads", "sched_yield_processes",
                 "page_fault", "fork_exit_wait", "tcp_processes", "tcp_stream_64k"]


def linux_bench_results(build: Path) -> list:
    """LNX0001: the program tools/linux_bench.py boots as Linux's /init builds with musl-gcc, and run
    on the host with a hundredth of its work prints every figure. Booting Debian's kernel takes
    a download and a minute, so `tools/linux_bench.py` itself is not part of the suite."""
    program = build / "test-logs/linux_bench_init"
    problems = []
    if not shutil.which("musl-gcc"):
        problems.append("musl-gcc is missing (./tern deps installs musl-tools)")
    else:
        compile_run = subprocess.run(["musl-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o",
                                      str(program), str(ROOT / "tools/linux_bench/bench.c")],
                                     capture_output=True, text=True)
        problems += (compile_run.stdout + compile_run.stderr).splitlines()[-10:]
        if compile_run.returncode == 0:
            run = subprocess.run([str(program), "quick"], capture_output=True, text=True, timeout=120)
            values = dict(re.findall(r"^BENCH linux\.(\S+) (\d+)$", run.stdout, re.MULTILINE))
            problems += [f"no positive figure linux.{name}" for name in LINUX_FIGURES if int(values.get(name, 0)) <= 0]
            if run.returncode != 0 or not re.search(r"^BENCH done$", run.stdout, re.MULTILINE):
                problems += [f"exit status {run.returncode}"] + (run.stdout + run.stderr).splitlines()[-10:]
    return [Result("LNX0001", "the Linux benchmark's /init builds (musl-gcc, static) and prints every figure when "
                   "run on the host", not problems, problems)]


def judge(test: Boot_test, run: Run) -> Result:
    problems = []
    log = run.log
    if run.timed_out:
        problems.append(f"timed out after {test.timeout} s")
    crashed = "KERNEL EXCEPTION" in log or "PANIC:" in log
    if test.expect_failure:
        # The harness must see a failing kernel as failing: exception or panic, failure status.
        if not crashed:
            problems.append("the kernel did not report an exception or panic")
        if run.status_kind != "failure":
            problems.append(f"exit classified as {run.status_kind!r}, expected 'failure'")
    else:
        if crashed:
            problems.append("the kernel reported an exception or panic")
        if run.status_kind != test.expect_exit:
            problems.append(f"exit classified as {run.status_kind!r} (status {run.exit_code}), "
                            f"expected {test.expect_exit!r}")
    for pattern in test.expect:
        if not re.search(pattern, log, re.MULTILINE):
            problems.append(f"missing line matching /{pattern}/")
    for pattern in test.forbid:
        if re.search(pattern, log, re.MULTILINE):
            problems.append(f"unexpected line matching /{pattern}/")
    if problems:
        problems.append("last lines of the log:")
        problems.extend("  " + line for line in log.splitlines()[-12:])
    return Result(test.test_id, test.description, not problems, problems)


SYSTEST_LINE = re.compile(r"^SYSTEST (ok|not ok) (\S+) ([^:\n]*)(?:: (.*))?$", re.MULTILINE)


def suite_results(test: Boot_test, run: Run) -> list:
    """One result per in-system test the root task reported (SYSTEST lines)."""
    results = []
    for match in SYSTEST_LINE.finditer(run.log):
        verdict, test_id, description, reason = match.groups()
        results.append(Result(test_id, description.strip(), verdict == "ok", [reason] if reason else []))
    return results


def run_boot_test(test: Boot_test, build: Path, log_dir: Path) -> list:
    """The test's own result, followed by the in-system results its log carries."""
    log_file = log_dir / f"{test.test_id}.log"
    try:
        if test.emulator == "qemu" and test.script:
            run, steps = run_qemu_interactive(test, build, log_file)
            return [judge(test, run)] + [Result(step.test_id, step.description, not problems, problems)
                                         for step, problems in steps]
        if test.emulator == "qemu":
            run = run_qemu(test, build, log_file)
        elif test.emulator == "bochs":
            run = run_bochs(test, build, log_file)
        elif test.emulator == "gdb":
            run = run_gdb_attach(test, build, log_file)
        else:
            raise ValueError(test.emulator)
    except (OSError, subprocess.SubprocessError) as error:
        return [Result(test.test_id, test.description, False, [f"could not run: {error}"])]
    return [judge(test, run)] + (suite_results(test, run) if test.suite else [])


def ids_of(test) -> list:
    """The result ids a boot test reports: its own and those of the steps typed into it."""
    return [test.test_id] + [step.test_id for step in test.script]


def in_system_selection(tests: list, prefixes: list) -> tuple:
    """Prefixes that select no test of the harness's own levels select in-system tests: the
    suite's boot test runs with them as its root task's filter (only=...). Returns that
    boot test (or None) and those prefixes."""
    own = ("DOC", "ELF", "LNX", "LXS", "LXB", "LXBASH", "LXF", "LXM", "LXP", "LXT", "LXJ", "LXH", "LXN", "STACK", "UNIT",
           "LEVEL", "TOOL", "BENCH")
    inner = [p for p in prefixes
             if not any(p.startswith(o) or o.startswith(p) for o in own)
             and not any(i.startswith(p) for t in tests for i in ids_of(t))]
    if not inner:
        return None, []
    suite = next(t for t in tests if t.suite)
    only = "only=" + ",".join(inner)
    return dataclasses.replace(suite, description=f"{suite.description} ({only})", modules=system_modules(only)), inner


def missing_results(prefixes: list, results: list) -> list:
    """A selected in-system test that reported nothing is a failure (the suite stopped, or
    no test has that id)."""
    return [Result(p, "selected in-system tests ran", False, [f"no SYSTEST line for an id starting with {p}"])
            for p in prefixes if not any(r.test_id.startswith(p) for r in results)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", default="build", type=Path)
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--only", help="run only tests whose id starts with one of these comma-separated prefixes; "
                                       "in-system ids (IPC0007, MDB00) boot the suite with that filter")
    parser.add_argument("--demo-failure", action="store_true",
                        help="add a test that must fail (a null dereference expected to boot cleanly), "
                             "to see the harness report a failure")
    args = parser.parse_args()
    build = args.build.resolve()
    log_dir = build / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)

    tests = list(BOOT_TESTS)
    if args.demo_failure:
        tests.append(Boot_test("DEMO0001", "a kernel that faults is reported as a failure",
                               command_line="shutdown fault=null", expect=[r"^boot complete"]))
    levels = {"static": [], "unit": [], "qemu": [], "bochs": [], "gdb": [], "tools": [], "linux": []}

    prefixes = [p for p in (args.only or "").split(",") if p]

    def chosen(test_id: str) -> bool:
        return not prefixes or any(test_id.startswith(p) for p in prefixes)

    def level_chosen(level_prefix: str) -> bool:
        return not prefixes or any(p.startswith(level_prefix) or level_prefix.startswith(p) for p in prefixes)

    results = []
    if level_chosen("DOC") or level_chosen("ELF") or level_chosen("STACK"):
        levels["static"] = [r for r in static_results(build) if chosen(r.test_id)]
        results.extend(levels["static"])
    if level_chosen("LNX"):
        linux = linux_bench_results(build)
        levels["static"].extend(linux)
        results.extend(linux)
    if level_chosen("BENCH"):
        results.extend(bench_results(build))
    if level_chosen("UNIT"):
        levels["unit"] = unit_results(build, log_dir)
        results.extend(levels["unit"])
    selected = [t for t in tests if any(chosen(i) for i in ids_of(t))]
    filtered_suite, inner = in_system_selection(tests, prefixes)
    if filtered_suite is not None:
        selected.append(filtered_suite)
    levels["system"] = []
    linux_scripts_chosen = [(s, prefix, shell) for prefix, shell in linux_scripts.SHELLS for s in linux_scripts.scripts()
                            if chosen(linux_scripts.script_id(s, prefix))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        profile = pool.submit(ipc_profile_result, build, log_dir) if chosen("TOOL0001") else None
        scripted = [pool.submit(linux_scripts.check, s, build, log_dir, prefix, shell)
                    for s, prefix, shell in linux_scripts_chosen]
        programs = [(test_id, description, pool.submit(linux_scripts.c_program, test_id, source, build, log_dir,
                                                       checks))
                    for test_id, source, checks, description in linux_scripts.C_PROGRAMS if chosen(test_id)]
        boot_results = list(pool.map(lambda t: run_boot_test(t, build, log_dir), selected))
        for (script, prefix, shell), future in zip(linux_scripts_chosen, scripted):
            problems = future.result()
            who = "busybox's sh" if shell == "sh" else "Debian's bash-static"
            levels["linux"].append(Result(linux_scripts.script_id(script, prefix),
                                          f"tests/linux/{script.name} under {who}: stdout and exit status as on the "
                                          "host (the server in ring 3 and in ring 0)",
                                          not problems, problems))
        for test_id, description, future in programs:
            problems = future.result()
            levels["linux"].append(Result(test_id, f"{description} (the server in ring 3 and in ring 0)", not problems,
                                          problems))
        if profile is not None:
            levels["tools"].append(profile.result())
            results.append(levels["tools"][-1])
    for test, test_results in zip(selected, boot_results):
        levels[test.emulator].append(test_results[0])
        levels["system"].extend(test_results[1:])
        results.extend(test_results)

    results.extend(levels["linux"])
    results.extend(missing_results(inner, levels["system"]))
    if not args.only:
        for level, level_results in levels.items():
            if not level_results:
                results.append(Result(f"LEVEL {level}", "test level produced results", False, ["no test ran"]))

    print("TAP version 13")
    print(f"1..{len(results)}")
    for number, result in enumerate(results, 1):
        text = f"{result.test_id} {result.description}".rstrip()
        print(f"{'ok' if result.passed else 'not ok'} {number} - {text}")
        for line in result.diagnostics:
            print(f"#   {line}")
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    print(f"# logs: {log_dir}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and results else 1


if __name__ == "__main__":
    sys.exit(main())
