#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Mutation check of the IPC fast path: each mutation below breaks one thing the fast path
must get right; the in-system suite must catch every one (fail), or the tests are too weak.

Usage: mutate_fast_path.py [WORK_DIR] [--only NAME,...]

Copies the clone (tracked files only) to WORK_DIR (default /tmp/tern-mutants), builds it once,
then for each mutation edits kernel/thread-ipc-fast.cpp, rebuilds (only the fast path and the
kernel change) and runs `./tern test --only IPC,SCH,EXR,ABI,KMT` there (about 2 minutes each),
puts the file back and goes on. Prints one line per mutation, CAUGHT or MISSED with the first
failing test, and exits with 1 if any was missed."""
import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = "kernel/thread-ipc-fast.cpp"
TESTS = "IPC,SCH,EXR,ABI,KMT"

# name: (what it breaks, text to find, replacement). Each text must occur exactly once.
MUTATIONS = {
    "no_word_copy": ("MR3 and up are not copied", "if (tag_words_above(Sys_ipc::register_mrs - 1)) {", "if (false) {"),
    "accepts_anyone": ("a receiver waiting for another thread takes the message",
                       "if (waits_for != id_ && !waits_for.is_any() &&", "if (false &&"),
    "global_sender_id": ("a sender in the receiver's space is named by its global id",
                         "Thread_id seen_as = same_space ? local_id() : id_;", "Thread_id seen_as = id_;"),
    "ignores_receive_timeout": ("a call with a receive timeout waits for ever",
                                "Timeout::receive_part(timeouts) != 0", "false"),
    "ignores_priority": ("a lower-priority receiver runs before a ready higher-priority thread",
                         "|| !Scheduler::may_run_now(receiver)", ""),
    "ignores_closed_waiters": ("a call's closed wait is not joined to the partner's waiters",
                               "from_specifier == to ? to != closed_for_ :", "from_specifier == to ? false :"),
    "sender_ring_exit": ("a call between rings leaves by the sender's exit (sysretq into a kernel-mode task)",
                         "constexpr Privilege other = sender_ring == Privilege::user ? Privilege::kernel_task : "
                         "Privilege::user;", "constexpr Privilege other = sender_ring;"),
}


def run(command, cwd, **kwargs):
    return subprocess.run(command, cwd=cwd, text=True, capture_output=True, **kwargs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work", nargs="?", default="/tmp/tern-mutants")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m in args.only.split(",")]
    work = Path(args.work)
    if not (work / "tern").exists():
        work.mkdir(parents=True, exist_ok=True)
        files = run(["git", "ls-files"], ROOT, check=True).stdout.split()
        for name in files:
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, work / name)
    if run(["./tern", "build"], work).returncode != 0:
        sys.exit("mutate_fast_path: the unmutated tree does not build")
    source = work / TARGET
    original = (ROOT / TARGET).read_text()
    missed = []
    for name in chosen:
        what, find, replace = MUTATIONS[name]
        if original.count(find) != 1:
            sys.exit(f"mutate_fast_path: {name}: the text to mutate occurs {original.count(find)} times")
        source.write_text(original.replace(find, replace))
        try:
            if run(["./tern", "build"], work).returncode != 0:
                print(f"{name}: does not build (fix the mutation)")
                missed.append(name)
                continue
            result = run(["./tern", "test", "--only", TESTS], work, timeout=1800)
            failing = re.findall(r"^not ok \d+ - (\S+)", result.stdout, re.MULTILINE)
            failing = [f for f in failing if not f.startswith("SYSTEM")] or failing
            if result.returncode != 0 and failing:
                print(f"CAUGHT  {name}: {what}: {len(failing)} failing, first {failing[0]}")
            else:
                print(f"MISSED  {name}: {what}: the tests pass")
                missed.append(name)
        finally:
            source.write_text(original)
    run(["./tern", "build"], work)
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
