#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The deepest a thread's kernel stack can get, from GCC's call graphs (-fcallgraph-info=su).

Every kernel object is compiled with -fcallgraph-info=su (arch/x86/meson.build), which writes
a .ci file: each function defined there with its frame size (which includes the return
address its caller pushed), and the calls it makes. This script joins them across objects
and walks every call chain from the points where entry.asm enters C++ on a thread's stack.

What it assumes, because the graph cannot know:
- A thread's kernel stack holds its Exception_frame at the top; entry.asm pushes nothing
  else before it calls C++ (ENTRY_ROOTS). The kernel runs with interrupts off, so nothing
  nests on a thread's stack except a kernel fault, which panics (reported on its own line).
- Assembly functions called from C++ use what ASM_FRAMES says (context_switch pushes six
  registers; it and switch_to_frame leave this stack, so they are leaves here).
- Indirect calls: GCC marks them (__indirect_call) but cannot name the targets. INDIRECT
  lists, for each function that makes one, the functions it can reach that way (the system
  call table, the formatter's sinks, the mapping database's callbacks); an indirect call
  not listed there, or a function without a frame size, fails the tool.
- Recursion: a cycle in the graph is reported and walked at most RECURSION_LIMIT times
  through each function (a string copy's page fault makes one nested IPC; nothing else
  recurses). Tail calls are counted as calls, which only overstates.

Usage: stack_depth.py BUILD_DIR [--limit BYTES | --check]
Prints the worst chain per entry point and `STACK worst <bytes>`; with --limit, fails
(exit 1) when the worst case exceeds BYTES; with --check, reads the thread's layout from the
kernel's debug information (gdb) and fails unless the worst case plus MARGIN fits its stack.
"""
import argparse
import pathlib
import re
import subprocess
import sys

# The C++ functions entry.asm and entry_fast.asm call with rsp at the top of a thread's stack (its frame).
ENTRY_ROOTS = ['interrupt_dispatch', 'syscall_dispatch', 'ipc_fast_path', 'task_rip_not_allowed',
               'thread_bootstrap']
# Assembly called from C++: bytes it uses on this stack (the return address included).
ASM_FRAMES = {'context_switch': 8 + 6 * 8, 'switch_to_frame': 8 + 6 * 8, 'return_to_user': 8,
              'restore_frame': 8}
# Caller (pattern) -> what its indirect calls reach (pattern), both matched in mangled names.
INDIRECT = [
    (r'_ZN8Syscalls14dispatch_other', r'_Z13syscall_entryI'),  # the generated syscall_table
    (r'_ZN9Formatter6format|11emit_number', r'chunk_sink|buffer_sink'),  # Formatter::Sink
    (r'Mapping_database12revoke_nodes', r'Mapping_database6revoke.*_FUN'),  # Visitor
    (r'Mapping_database11split_nodes', r'Mapping_database5split.*_FUN'),  # Split_callback
    (r'^arch_start$', r'(?!)'),  # global constructors, on the boot stack only
]
RECURSION_LIMIT = 2
EXCEPTION_FRAME = 22 * 8  # sizeof(Exception_frame): 15 registers, vector, error code, 5 of the CPU
MARGIN = 0.15  # --check: the stack must exceed the worst case by this fraction of it

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"(.*)\}')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
SIZE = re.compile(r'\\n(\d+) bytes \((static|dynamic|dynamic,bounded)\)$')


def load(build):
    sizes, kinds, labels, calls = {}, {}, {}, {}
    files = sorted(pathlib.Path(build, 'arch/x86').glob('*.p/*.ci'))
    if not files:
        sys.exit(f'stack_depth: no .ci files under {build}/arch/x86 (build with -fcallgraph-info=su)')
    for path in files:
        for line in path.read_text().splitlines():
            if m := NODE.match(line):
                title, label = m.group(1), m.group(2)
                labels.setdefault(title, label.split('\\n')[0])
                if s := SIZE.search(label):
                    # An inline function emitted in several objects: the largest frame counts.
                    sizes[title] = max(sizes.get(title, 0), int(s.group(1)))
                    kinds[title] = s.group(2)
            elif m := EDGE.match(line):
                calls.setdefault(m.group(1), set()).add(m.group(2))
    for caller, targets in calls.items():
        if '__indirect_call' not in targets:
            continue
        for caller_pattern, target_pattern in INDIRECT:
            if re.search(caller_pattern, caller):
                targets.discard('__indirect_call')
                targets.update(f for f in sizes if re.search(target_pattern, f))
                break
    return sizes, kinds, labels, calls


def thread_stack_size(build):
    """Thread::stack_size() of the built kernel: the object less its fields, rounded to 16."""
    out = subprocess.run(['gdb', '-batch', '-ex', 'print Thread::object_size', '-ex', 'print sizeof(Thread)',
                          '-ex', 'print sizeof(Exception_frame)', str(pathlib.Path(build, 'arch/x86/tern.elf'))],
                         capture_output=True, text=True, check=True).stdout
    values = [int(v) for v in re.findall(r'^\$\d+ = (\d+)$', out, re.M)]
    if len(values) != 3 or values[2] != EXCEPTION_FRAME:
        sys.exit(f'stack_depth: unexpected layout from gdb: {out!r}')
    return values[0] - ((values[1] + 15) & ~15)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('build')
    parser.add_argument('--limit', type=int)
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args()
    sizes, kinds, labels, calls = load(args.build)

    unknown, cycles = set(), set()

    def cost(f):
        if f in sizes:
            return sizes[f]
        if f in ASM_FRAMES:
            return ASM_FRAMES[f]
        unknown.add(f)
        return 0

    # Deepest chain from f, with at most RECURSION_LIMIT activations of any one function.
    def deepest(f, active):
        here = cost(f)
        best, best_path = 0, []
        for g in sorted(calls.get(f, ())):
            if active.get(g, 0) >= RECURSION_LIMIT:
                continue
            if g in active:
                cycles.add((f, g))
            active[g] = active.get(g, 0) + 1
            depth, path = deepest(g, active)
            active[g] -= 1
            if active[g] == 0:
                del active[g]
            if depth > best:
                best, best_path = depth, path
        return here + best, [(f, here)] + best_path

    worst = 0
    for root in ENTRY_ROOTS:
        if root not in sizes:
            sys.exit(f'stack_depth: entry point {root} has no call graph node')
        depth, path = deepest(root, {root: 1})
        total = EXCEPTION_FRAME + depth
        worst = max(worst, total)
        print(f'{root}: {total} bytes (frame {EXCEPTION_FRAME} + {depth})')
        for f, c in path:
            kind = '' if kinds.get(f, 'static') == 'static' else f' ({kinds[f]})'
            print(f'    {c:5d}  {labels.get(f, f)}{kind}')
    # A kernel fault anywhere pushes a frame and reports, on the same stack, then panics.
    fault_depth, _ = deepest('interrupt_dispatch', {'interrupt_dispatch': 1})
    print(f'a kernel fault at the deepest point adds up to {EXCEPTION_FRAME + fault_depth} bytes (it panics)')
    if cycles:
        names = sorted({labels.get(f, f) for pair in cycles for f in pair})
        print(f'recursion (each function walked at most {RECURSION_LIMIT} times): ' + '; '.join(names))
    on_stack = sorted(u for u in unknown if u != '__indirect_call')
    if '__indirect_call' in unknown:
        print('an indirect call is reachable from a thread stack entry point')
    if on_stack:
        print('functions without a frame size: ' + ', '.join(on_stack))
    print(f'STACK worst {worst}')
    if on_stack or '__indirect_call' in unknown:
        return 1
    if args.check:
        stack = thread_stack_size(args.build)
        print(f'STACK size {stack} (needs {round(worst * (1 + MARGIN))} with a margin of {MARGIN:.0%})')
        args.limit = int(stack / (1 + MARGIN))
    if args.limit is not None and worst > args.limit:
        print(f'stack_depth: worst case {worst} exceeds the limit {args.limit}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
