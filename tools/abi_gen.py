#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates Tern's ABI artefacts from abi/x86_64.toml (the one source of truth).

Usage: abi_gen.py ABI.toml OUTPUT_DIR
Writes OUTPUT_DIR/abi.h (constants, C and C++), OUTPUT_DIR/syscall_frame.hpp (kernel),
OUTPUT_DIR/tern-syscalls.h (libl4 entry stubs) and OUTPUT_DIR/abi.md (documentation)."""
import sys
import tomllib
from pathlib import Path

ARGUMENT_REGISTERS = ["rdi", "rsi", "rdx", "r10", "r8", "r9", "r12", "r13"]
OUTPUT_REGISTERS = ["rax"] + ARGUMENT_REGISTERS
HEADER = "/* Generated from abi/x86_64.toml by tools/abi_gen.py. Do not edit. */\n"


def check(abi):
    numbers = set()
    for name, call in abi["syscalls"].items():
        if call["number"] in numbers:
            sys.exit(f"abi: duplicate system-call number {call['number']}")
        numbers.add(call["number"])
        for register in call["inputs"]:
            if register not in ARGUMENT_REGISTERS:
                sys.exit(f"abi: {name}: {register} cannot carry an input")
        for register in call["outputs"]:
            if register not in OUTPUT_REGISTERS:
                sys.exit(f"abi: {name}: {register} cannot carry an output")
    utcb = abi["utcb"]
    if utcb["mr"] + 8 * utcb["mr_count"] > utcb["br"] or utcb["br"] + 8 * utcb["br_count"] > utcb["size"]:
        sys.exit("abi: UTCB registers overlap or overflow the UTCB")


def constants_header(abi):
    lines = [HEADER, "#ifndef TERN_ABI_H", "#define TERN_ABI_H", ""]
    lines.append("/* System-call numbers (in rax at `syscall`). */")
    for name, call in abi["syscalls"].items():
        lines.append(f"#define TERN_SYSCALL_{name.upper()} {call['number']}u")
    lines.append(f"#define TERN_SYSCALL_STUB_BYTES {abi['entry']['stub_bytes']}")
    for section, prefix in (("errors", "TERN_ERROR_"), ("ipc_errors", "TERN_IPC_ERROR_"),
                            ("utcb", "TERN_UTCB_"), ("kip", "TERN_KIP_"), ("values", "TERN_")):
        lines.append("")
        for key, value in abi[section].items():
            lines.append(f"#define {prefix}{key.upper()} {value:#x}u" if isinstance(value, int)
                         else f"#define {prefix}{key.upper()} {value}")
    lines += ["", "#endif", ""]
    return "\n".join(lines)


def frame_header(abi):
    lines = [HEADER.replace("/*", "//").replace(" */", ""),
             "// Typed views of a system call's registers in the saved Exception_frame: handlers",
             "// read named inputs and set named outputs, never raw registers.",
             "#pragma once", "", '#include "exception_frame.hpp"', ""]
    for name, call in abi["syscalls"].items():
        type_name = "Sys_" + name
        lines.append(f"struct {type_name} {{")
        lines.append("    Exception_frame &frame;")
        for register, field in call["inputs"].items():
            lines.append(f"    uint64_t {field}() const {{ return frame.{register}; }}")
        for register, field in call["outputs"].items():
            lines.append(f"    void set_{field}(uint64_t value) {{ frame.{register} = value; }}")
        lines.append("};")
        lines.append("")
    return "\n".join(lines)


def stubs_header(abi):
    lines = [HEADER, "#ifndef TERN_L4_SYSCALLS_H", "#define TERN_L4_SYSCALLS_H", "",
             "/* Entry stubs: each calls the KIP's system-call link. The stack pointer steps over the",
             "   128-byte red zone first, so code compiled with a red zone stays safe. */", ""]
    for name, call in abi["syscalls"].items():
        inputs, outputs = call["inputs"], call["outputs"]
        params = ["L4_Word_t __entry"] + [f"L4_Word_t {f}" for f in inputs.values()] + \
                 [f"L4_Word_t *__out_{f}" for f in outputs.values()]
        lines.append(f"static inline __attribute__((always_inline)) void __tern_syscall_{name}({', '.join(params)})")
        lines.append("{")
        used = []
        for register in OUTPUT_REGISTERS:
            if register in inputs or register in outputs:
                init = f" = {inputs[register]}" if register in inputs else ""
                lines.append(f"    register L4_Word_t __{register} __asm__(\"{register}\"){init};")
                used.append(register)
        out_ops = [f"\"{'+' if r in inputs else '='}r\"(__{r})" for r in used if r in outputs]
        in_ops = [f"\"r\"(__{r})" for r in used if r in inputs and r not in outputs]
        in_ops.append("[entry] \"r\"(__entry)")
        clobbers = ["\"rcx\"", "\"r11\"", "\"memory\"", "\"cc\""]
        if "rax" not in outputs:
            clobbers.insert(0, "\"rax\"")
        lines.append("    __asm__ __volatile__(\"lea -128(%%rsp), %%rsp\\n\\tcall *%[entry]\\n\\tlea 128(%%rsp), %%rsp\"")
        lines.append(f"                         : {', '.join(out_ops)}")
        lines.append(f"                         : {', '.join(in_ops)}")
        lines.append(f"                         : {', '.join(clobbers)});")
        for register, field in outputs.items():
            lines.append(f"    *__out_{field} = __{register};")
        lines.append("}")
        lines.append("")
    lines += ["#endif", ""]
    return "\n".join(lines)


def markdown(abi):
    out = ["<!-- Generated from abi/x86_64.toml by tools/abi_gen.py. Do not edit. -->",
           "# Tern binary ABI (x86-64)", "",
           "Semantics follow the L4 X.2 reference manual; this is how Tern encodes them.", "",
           "## Entering the kernel", "",
           "libl4 calls `KIP base + link`, the system-call link of each call in the KIP. The code there "
           "loads the number into `rax` and executes `syscall`, which clobbers `rcx` and `r11`. Every "
           "other register that is not an output is preserved. `KernelInterface` is the instruction "
           "`lock; nop`: the kernel returns the KIP address in `rax`, the API version in `rcx`, the API "
           "flags in `rdx` and the kernel id in `rsi`.", "",
           "| call | number | KIP link | inputs | outputs |", "|---|---|---|---|---|"]
    for name, call in abi["syscalls"].items():
        ins = ", ".join(f"`{r}` {f}" for r, f in call["inputs"].items()) or "none"
        outs = ", ".join(f"`{r}` {f}" for r, f in call["outputs"].items()) or "none"
        out.append(f"| {name} | {call['number']} | {call['link']} | {ins} | {outs} |")
    for title, section in (("Error codes (UTCB ErrorCode after a failed call)", "errors"),
                           ("IPC error codes (ErrorCode = code << 1 | phase)", "ipc_errors"),
                           ("UTCB layout (byte offsets)", "utcb"), ("KIP layout (byte offsets)", "kip"),
                           ("Values", "values")):
        out += ["", f"## {title}", "", "| name | value |", "|---|---|"]
        out += [f"| {k} | {v:#x} |" if isinstance(v, int) else f"| {k} | {v} |" for k, v in abi[section].items()]
    return "\n".join(out) + "\n"


def main():
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    abi = tomllib.loads(source.read_text())
    check(abi)
    target.mkdir(parents=True, exist_ok=True)
    (target / "abi.h").write_text(constants_header(abi))
    (target / "syscall_frame.hpp").write_text(frame_header(abi))
    (target / "tern-syscalls.h").write_text(stubs_header(abi))
    (target / "abi.md").write_text(markdown(abi))


if __name__ == "__main__":
    main()
