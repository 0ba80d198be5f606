#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates Tern's ABI artefacts from abi/x86_64.toml (the one source of truth).

Usage: abi_gen.py ABI.toml OUTPUT_DIR
Writes OUTPUT_DIR/abi.h (constants and bit-field accessors, C and C++),
OUTPUT_DIR/syscall_frame.hpp (register views, kernel), OUTPUT_DIR/abi_layout.hpp (bit-field
accessors, kernel), OUTPUT_DIR/syscall_table.hpp (the system-call table, kernel),
OUTPUT_DIR/tern-syscalls.h (libl4 entry stubs) and OUTPUT_DIR/abi.md (documentation)."""
import sys
import tomllib
from pathlib import Path

ARGUMENT_REGISTERS = ["rdi", "rsi", "rdx", "r10", "r8", "r9", "r12", "r13"]
OUTPUT_REGISTERS = ["rax"] + ARGUMENT_REGISTERS
# The registers of the first six C arguments (System V): the system-call entry calls the IPC
# direct path without touching them, so Ipc's inputs there arrive as its arguments (rcx holds
# the user's rip after `syscall` and carries no input).
C_ARGUMENT_REGISTERS = ["rdi", "rsi", "rdx", "rcx", "r8", "r9"]
LABEL_BITS = 48
LABEL_PROTOCOL_SHIFT = 4
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
    ipc, lipc = abi["syscalls"]["ipc"], abi["syscalls"]["lipc"]
    fast_path_registers = {"rdi": "to", "rsi": "from_specifier", "rdx": "timeouts", "r8": "mr0", "r9": "mr1",
                           "r10": "mr2"}
    if ipc["inputs"] != fast_path_registers or ipc["number"] != 0 or lipc["number"] != 1:
        sys.exit("abi: the IPC fast path (arch/x86/entry.asm) takes Ipc 0 and Lipc 1 with "
                 f"{fast_path_registers}")
    if ipc["inputs"] != lipc["inputs"] or ipc["outputs"] != lipc["outputs"]:
        sys.exit("abi: ipc and lipc must use the same registers (the kernel has one view for both)")
    for direction in ("inputs", "outputs"):
        mrs = message_register_fields(ipc[direction])
        if [index for index, _ in mrs] != list(range(len(mrs))):
            sys.exit(f"abi: ipc {direction}: message registers in registers must be mr0..mrN without gaps")
    if len(message_register_fields(ipc["inputs"])) != len(message_register_fields(ipc["outputs"])):
        sys.exit("abi: ipc must pass as many message registers in registers as it returns")
    for name, layout in abi["layouts"].items():
        used = 0
        for field, (low, width) in layout["fields"].items():
            bits = ((1 << width) - 1) << low
            if width < 1 or low + width > 64 or used & bits:
                sys.exit(f"abi: layout {name}: field {field} overlaps another or leaves the word")
            used |= bits
    for name, values in abi.get("layout_values", {}).items():
        for field, named in values.items():
            low, width = abi["layouts"][name]["fields"][field]
            if any(value >> width for value in named.values()):
                sys.exit(f"abi: layout {name}: a value of {field} does not fit its width")
    for name, label in abi["labels"].items():
        if not -(1 << (LABEL_BITS - LABEL_PROTOCOL_SHIFT - 1)) <= label < 0:
            sys.exit(f"abi: label {name} must be a small negative number")
    exception = abi["exception_message"]
    if (len(exception["registers"]) != exception["words"] or exception["general_words"] > exception["words"] or
            exception["result_words"] >= exception["general_words"]):
        sys.exit("abi: the exception message's registers do not match its word counts")
    utcb = abi["utcb"]
    if utcb["mr"] + 8 * utcb["mr_count"] > utcb["br"] or utcb["br"] + 8 * utcb["br_count"] > utcb["size"]:
        sys.exit("abi: UTCB registers overlap or overflow the UTCB")


def message_register_fields(registers):
    """The (index, register) pairs of fields named mrN, by index."""
    fields = [(int(f[2:]), r) for r, f in registers.items() if f.startswith("mr") and f[2:].isdigit()]
    return sorted(fields)


def label_value(label):
    return (label << LABEL_PROTOCOL_SHIFT) & ((1 << LABEL_BITS) - 1)


def low_mask(width):
    return (1 << width) - 1


def layout_name(name):
    return name[0].upper() + name[1:]


def constants_header(abi):
    lines = [HEADER, "#ifndef TERN_ABI_H", "#define TERN_ABI_H", "", "#include <stdint.h>", ""]
    lines.append("/* System-call numbers (in rax at `syscall`). */")
    for name, call in abi["syscalls"].items():
        lines.append(f"#define TERN_SYSCALL_{name.upper()} {call['number']}u")
    for section, prefix in (("errors", "TERN_ERROR_"), ("ipc_errors", "TERN_IPC_ERROR_"),
                            ("utcb", "TERN_UTCB_"), ("kip", "TERN_KIP_"), ("values", "TERN_")):
        lines.append("")
        for key, value in abi[section].items():
            lines.append(f"#define {prefix}{key.upper()} {value:#x}u" if isinstance(value, int)
                         else f"#define {prefix}{key.upper()} {value}")
    exception = abi["exception_message"]
    lines += ["", "/* The exception message: the MR index of each register, its length, and the shortest"
              " reply that sets the registers. */"]
    for index, register in enumerate(exception["registers"], 1):
        lines.append(f"#define TERN_EXCEPTION_MR_{register.upper()} {index}u")
    lines.append(f"#define TERN_EXCEPTION_WORDS {exception['words']}u")
    lines.append(f"#define TERN_EXCEPTION_GENERAL_WORDS {exception['general_words']}u")
    lines.append(f"#define TERN_EXCEPTION_RESULT_WORDS {exception['result_words']}u")
    lines += ["", "/* Tern's own exception vectors (beyond the CPU's 0..255). */"]
    for name, vector in abi["vectors"].items():
        lines.append(f"#define TERN_VECTOR_{name.upper()} {vector}u")
    lines += ["", "/* Protocol labels: id << 4 in the 48 bits of a label; the low 4 bits carry data. */"]
    lines.append(f"#define TERN_LABEL_BITS {LABEL_BITS}u")
    lines.append(f"#define TERN_LABEL_PROTOCOL_SHIFT {LABEL_PROTOCOL_SHIFT}u")
    for name, label in abi["labels"].items():
        lines.append(f"#define TERN_LABEL_{name.upper()} {label_value(label):#x}ul /* {label} << 4 */")
    # constexpr only where the language has it: X.2 programs are often C++98 (Pistachio's are).
    lines += ["", "#if defined(__cplusplus) && __cplusplus >= 201103L", "#define TERN_ABI_INLINE constexpr inline",
              "#elif defined(__cplusplus)", "#define TERN_ABI_INLINE inline", "#else",
              "#define TERN_ABI_INLINE static inline", "#endif", "",
              "/* The label of a message without the protocol's low data bits. */",
              "TERN_ABI_INLINE uint64_t tern_protocol_label(uint64_t label)",
              f"{{ return label & {low_mask(LABEL_BITS):#x}ul & ~{low_mask(LABEL_PROTOCOL_SHIFT):#x}ul; }}"]
    values = abi.get("layout_values", {})
    for name, layout in abi["layouts"].items():
        prefix = f"TERN_{name.upper()}"
        lines += ["", f"/* {layout['doc']} */"]
        for field, (low, width) in layout["fields"].items():
            f = f"{prefix}_{field.upper()}"
            lines.append(f"#define {f}_SHIFT {low}u")
            lines.append(f"#define {f}_WIDTH {width}u")
            lines.append(f"#define {f}_MASK {low_mask(width) << low:#x}ul")
            for value_name, value in values.get(name, {}).get(field, {}).items():
                lines.append(f"#define {f}_{value_name.upper()} {value}ul")
            lines.append(f"TERN_ABI_INLINE uint64_t tern_{name}_{field}(uint64_t word) "
                         f"{{ return word >> {low} & {low_mask(width):#x}ul; }}")
            lines.append(f"TERN_ABI_INLINE uint64_t tern_{name}_with_{field}(uint64_t word, uint64_t value)")
            lines.append(f"{{ return (word & ~{f}_MASK) | (value & {low_mask(width):#x}ul) << {low}; }}")
        every = 0
        for low, width in layout["fields"].values():
            every |= low_mask(width) << low
        lines.append(f"#define {prefix}_FIELDS {every:#x}ul")
    lines += ["", "#endif", ""]
    return "\n".join(lines)


def layout_header(abi):
    """The bit layouts for the kernel: constexpr fields in namespace Abi."""
    lines = [HEADER.replace("/*", "//").replace(" */", ""),
             "// Bit layouts of ABI words as constexpr shift/mask accessors (abi/x86_64.toml [layouts]).",
             "#pragma once", "", "#include <stdint.h>", "",
             "// A field of an ABI word: width bits from bit shift up.",
             "struct Abi_field {",
             "    unsigned shift;",
             "    unsigned width;",
             "",
             "    constexpr uint64_t low_mask() const { return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1; }",
             "    // The field's bits in place.",
             "    constexpr uint64_t mask() const { return low_mask() << shift; }",
             "    constexpr uint64_t get(uint64_t word) const { return word >> shift & low_mask(); }",
             "    constexpr bool is_set(uint64_t word) const { return (word & mask()) != 0; }",
             "    // value in the field's place (value is cut to the field's width).",
             "    constexpr uint64_t make(uint64_t value) const { return (value & low_mask()) << shift; }",
             "    constexpr uint64_t with(uint64_t word, uint64_t value) const { return (word & ~mask()) | make(value); }",
             "};", "", "namespace Abi {", "",
             "// X.2 protocol labels (abi/x86_64.toml [labels]): id << 4 in the 48 bits of a label.",
             f"constexpr Abi_field label_data{{0, {LABEL_PROTOCOL_SHIFT}}};",
             f"constexpr uint64_t label_mask = {low_mask(LABEL_BITS):#x};",
             "constexpr uint64_t protocol_label(uint64_t label) { return label & label_mask & ~label_data.mask(); }"]
    for name, label in abi["labels"].items():
        lines.append(f"constexpr int64_t {name}_id = {label};")
        lines.append(f"constexpr uint64_t {name}_label = {label_value(label):#x};  // {name}_id << 4")
    lines += ["// The label of a protocol message with data in its low bits.",
              "constexpr uint64_t label_of(int64_t id, uint64_t data)",
              "{",
              "    return (static_cast<uint64_t>(id) << label_data.width | label_data.get(data)) & label_mask;",
              "}"]
    values = abi.get("layout_values", {})
    for name, layout in abi["layouts"].items():
        lines += ["", f"// {layout['doc'][0].upper()}{layout['doc'][1:]}.", f"namespace {layout_name(name)} {{"]
        every = 0
        for field, (low, width) in layout["fields"].items():
            lines.append(f"constexpr Abi_field {field}{{{low}, {width}}};")
            every |= low_mask(width) << low
            for value_name, value in values.get(name, {}).get(field, {}).items():
                lines.append(f"constexpr uint64_t {field}_{value_name} = {value};")
        lines.append(f"constexpr uint64_t fields = {every:#x};  // every bit some field covers")
        lines.append(f"}}  // namespace {layout_name(name)}")
    lines += ["", "}  // namespace Abi", ""]
    return "\n".join(lines)


def frame_header(abi):
    lines = [HEADER.replace("/*", "//").replace(" */", ""),
             "// Typed views of a system call's registers in the saved Exception_frame: handlers",
             "// read named inputs and set named outputs, never raw registers. Generic kernel code",
             "// names no register; this file and arch/x86/ are the only places that do.",
             "#pragma once", "", '#include "exception_frame.hpp"', ""]
    number = abi["entry"]["number_register"]
    lines += ["// The system-call number the caller passed.",
              f"inline uint64_t syscall_number(const Exception_frame &frame) {{ return frame.{number}; }}", ""]
    for name, call in abi["syscalls"].items():
        type_name = "Sys_" + name
        lines.append(f"struct {type_name} {{")
        lines.append("    Exception_frame &frame;")
        for register, field in call["inputs"].items():
            lines.append(f"    uint64_t {field}() const {{ return frame.{register}; }}")
        for register, field in call["outputs"].items():
            lines.append(f"    void set_{field}(uint64_t value) {{ frame.{register} = value; }}")
        if call["outputs"]:
            lines.append("    // A failed call returns 0 in every output (docs/abi.md).")
            lines.append("    void clear_outputs() { " + " ".join(f"frame.{r} = 0;" for r in call["outputs"]) + " }")
        else:
            lines.append("    void clear_outputs() {}")
        inputs, outputs = message_register_fields(call["inputs"]), message_register_fields(call["outputs"])
        if inputs:
            lines.append(f"    // MR0..MR{len(inputs) - 1} travel in registers, the others in the UTCB.")
            lines.append(f"    static constexpr unsigned register_mrs = {len(inputs)};")
            lines.append("    // index < register_mrs.")
            lines.append("    uint64_t mr(unsigned index) const")
            lines.append("    {")
            lines.append("        switch (index) {")
            for index, register in inputs[:-1]:
                lines.append(f"        case {index}: return frame.{register};")
            lines.append(f"        default: return frame.{inputs[-1][1]};")
            lines.append("        }")
            lines.append("    }")
            lines.append("    void set_mr(unsigned index, uint64_t value)")
            lines.append("    {")
            lines.append("        switch (index) {")
            for index, register in outputs[:-1]:
                lines.append(f"        case {index}: frame.{register} = value; break;")
            lines.append(f"        default: frame.{outputs[-1][1]} = value; break;")
            lines.append("        }")
            lines.append("    }")
        lines.append("};")
        lines.append("")
    ipc = abi["syscalls"]["ipc"]
    lines += ["// Ipc's inputs as the system-call entry hands them to the IPC direct path: it calls the",
              "// path with the registers as the caller left them, so inputs in C argument registers",
              "// arrive as the arguments (argument[i], System V order); the others are read from the frame.",
              "struct Sys_ipc_entry {",
              f"    uint64_t argument[{len(C_ARGUMENT_REGISTERS)}];",
              "    Exception_frame &frame;"]
    for register, field in ipc["inputs"].items():
        if register in C_ARGUMENT_REGISTERS:
            lines.append(f"    uint64_t {field}() const {{ return argument[{C_ARGUMENT_REGISTERS.index(register)}]; }}")
        else:
            lines.append(f"    uint64_t {field}() const {{ return frame.{register}; }}")
    # What the fast path hands the general path: the inputs it received as C arguments
    # (the entry saves none of them), back into the frame.
    saved = [(register, field) for register, field in ipc["inputs"].items() if register in C_ARGUMENT_REGISTERS[:3]]
    lines.append("    // The inputs the fast path received as its first three arguments, back into the frame")
    lines.append("    // for the general path.")
    lines.append("    static void save_arguments(Exception_frame &frame, " +
                 ", ".join(f"uint64_t {field}" for _, field in saved) + ")")
    lines.append("    {")
    lines += [f"        frame.{register} = {field};" for register, field in saved]
    lines.append("    }")
    lines += ["};", ""]
    return "\n".join(lines)


def table_header(abi):
    lines = [HEADER.replace("/*", "//").replace(" */", ""),
             "// The system calls by number (abi/x86_64.toml). Each handler checks everything before it",
             "// changes anything; it returns Syscall_error::none with its outputs set, or an error",
             "// having changed nothing. syscall_entry then does what every failure does: 0 in every",
             "// output, the error in the UTCB's ErrorCode (syscall_failed, kernel/syscalls.cpp).",
             "#pragma once", "", '#include "syscall_frame.hpp"', "", "class Thread;", "",
             "// abi/x86_64.toml [errors].",
             "enum class Syscall_error : uint64_t {", "    none = 0,"]
    lines += [f"    {name} = {value}," for name, value in abi["errors"].items()]
    lines += ["};", "", "void syscall_failed(Thread &caller, Syscall_error error);", "",
              "namespace Syscall_handlers {"]
    tabled = {n: c for n, c in abi["syscalls"].items() if c.get("table", True)}
    for name in tabled:
        lines.append(f"[[nodiscard]] Syscall_error {name}(Thread &caller, Sys_{name} call);")
    lines += ["}  // namespace Syscall_handlers", "",
              "template <typename View, Syscall_error (*handler)(Thread &, View)>",
              "void syscall_entry(Thread &caller, Exception_frame &frame)",
              "{",
              "    View call{frame};",
              "    Syscall_error error = handler(caller, call);",
              "    if (error != Syscall_error::none) {",
              "        call.clear_outputs();",
              "        syscall_failed(caller, error);",
              "    }",
              "}", "",
              "using Syscall_entry = void (*)(Thread &caller, Exception_frame &frame);", ""]
    size = max(c["number"] for c in abi["syscalls"].values()) + 1
    entries = ["nullptr"] * size
    for name, call in tabled.items():
        entries[call["number"]] = f"&syscall_entry<Sys_{name}, &Syscall_handlers::{name}>"
    lines += ["// By number; nullptr: no such call (or one with a path of its own: Ipc, Lipc).",
              f"constexpr Syscall_entry syscall_table[{size}] = {{"]
    lines += [f"    {entry},  // {number}" for number, entry in enumerate(entries)]
    lines += ["};", ""]
    return "\n".join(lines)


# Registers a call that preserves only rsp and rbp may change; each is an operand or a
# clobber of its stub (rbx carries the return address in).
ONLY_RSP_CLOBBERS = ["rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]


def only_rsp_stub_body(name, inputs, outputs, entry_operand):
    lines = []
    used = []
    for register in ["rax"] + ONLY_RSP_CLOBBERS:
        if register in inputs or register in outputs:
            init = f" = {inputs[register]}" if register in inputs else ""
            lines.append(f"    register L4_Word_t __{register} __asm__(\"{register}\"){init};")
            used.append(register)
    # Inputs are changed too (they are not preserved): all are in-out operands.
    out_ops = [f"\"{'+' if r in inputs else '='}r\"(__{r})" for r in used]
    clobbers = [f"\"{r}\"" for r in ONLY_RSP_CLOBBERS if r not in used] + ["\"memory\"", "\"cc\""]
    if "rax" not in used:
        clobbers.insert(0, "\"rax\"")
    # Entered with a jump, the return address in rbx: no stack is touched (so neither the
    # red zone nor rbp needs saving; the kernel keeps rbp).
    lines.append("    __asm__ __volatile__(\"lea 1f(%%rip), %%rbx\\n\\tjmp *%[entry]\\n1:\"")
    lines.append(f"                         : {', '.join(out_ops)}")
    lines.append(f"                         : {entry_operand}")
    lines.append(f"                         : {', '.join(clobbers)});")
    for register, field in outputs.items():
        lines.append(f"    *__out_{field} = __{register};")
    return lines


# The C calling convention's argument registers a c_call input may use, in order (the
# fourth, rcx, is `syscall`'s).
C_CALL_INPUTS = ["rdi", "rsi", "rdx"]


def check_c_call(name, call):
    inputs, outputs = list(call["inputs"]), list(call["outputs"])
    if inputs != C_CALL_INPUTS[:len(inputs)] or outputs not in ([], ["rax"]) or \
            call.get("preserves_only_rsp"):
        sys.exit(f"abi_gen: {name} is marked c_call but its registers are not C's")


def c_call_type(call):
    result = "L4_Word_t" if call["outputs"] else "void"
    params = ", ".join(f"L4_Word_t {f}" for f in call["inputs"].values()) or "void"
    return result, params


def stubs_header(abi):
    lines = [HEADER, "#ifndef TERN_L4_SYSCALLS_H", "#define TERN_L4_SYSCALLS_H", "",
             "/* Entry stubs: each calls the KIP's system-call link. The stack pointer steps over the",
             "   128-byte red zone first, so code compiled with a red zone stays safe; code compiled",
             "   with -mno-red-zone defines TERN_NO_RED_ZONE and saves those 128 bytes of stack (libl4's",
             "   runtime does, so that printf fits the small stacks of X.2 programs). */",
             "#ifdef TERN_NO_RED_ZONE",
             "#define __TERN_RED_ZONE_ENTER \"\"",
             "#define __TERN_RED_ZONE_LEAVE \"\"",
             "#else",
             "#define __TERN_RED_ZONE_ENTER \"lea -128(%%rsp), %%rsp\\n\\t\"",
             "#define __TERN_RED_ZONE_LEAVE \"\\n\\tlea 128(%%rsp), %%rsp\"",
             "#endif", ""]
    linked = [name for name, call in abi["syscalls"].items() if call.get("preserves_only_rsp")]
    if linked:
        lines += ["/* The KIP links of the calls that preserve only rsp (Ipc, Lipc), resolved once: KIP base",
                  "   + link, which libl4's __L4_Init stores before main (X.2's libl4 initialisation, which",
                  "   start-up code calls), so a call costs one memory-indirect jump. */",
                  "#ifdef __cplusplus", "extern \"C\" {", "#endif"]
        lines += [f"extern L4_Word_t __tern_link_{name};" for name in linked]
        lines += ["#ifdef __cplusplus", "}", "#endif", ""]
    c_calls = [name for name, call in abi["syscalls"].items() if call.get("c_call")]
    if c_calls:
        lines += ["/* The calls whose links keep the C calling convention (c_call in the ABI file): libl4",
                  "   calls them as C functions through these cached links, which start at libl4's",
                  "   resolvers (__tern_resolve_<name>): the first call stores KIP base + link. */",
                  "#ifdef __cplusplus", "extern \"C\" {", "#endif"]
        for name in c_calls:
            check_c_call(name, abi["syscalls"][name])
            result, params = c_call_type(abi["syscalls"][name])
            lines.append(f"typedef {result} (*__tern_c_{name}_t)({params});")
            lines.append(f"extern __tern_c_{name}_t __tern_link_{name};")
        lines += ["#ifdef __cplusplus", "}", "#endif", ""]
    for name, call in abi["syscalls"].items():
        inputs, outputs = call["inputs"], call["outputs"]
        params = ["L4_Word_t __entry"] + [f"L4_Word_t {f}" for f in inputs.values()] + \
                 [f"L4_Word_t *__out_{f}" for f in outputs.values()]
        lines.append(f"static inline __attribute__((always_inline)) void __tern_syscall_{name}({', '.join(params)})")
        lines.append("{")
        used = []
        for register in OUTPUT_REGISTERS:
            if (register in inputs or register in outputs) and not call.get("preserves_only_rsp"):
                init = f" = {inputs[register]}" if register in inputs else ""
                lines.append(f"    register L4_Word_t __{register} __asm__(\"{register}\"){init};")
                used.append(register)
        out_ops = [f"\"{'+' if r in inputs else '='}r\"(__{r})" for r in used if r in outputs]
        in_ops = [f"\"r\"(__{r})" for r in used if r in inputs and r not in outputs]
        in_ops.append("[entry] \"r\"(__entry)")
        clobbers = ["\"rcx\"", "\"r11\"", "\"memory\"", "\"cc\""]
        if "rax" not in outputs:
            clobbers.insert(0, "\"rax\"")
        if call.get("preserves_only_rsp"):
            lines += only_rsp_stub_body(name, inputs, outputs, "[entry] \"r\"(__entry)")
        else:
            lines.append("    __asm__ __volatile__(__TERN_RED_ZONE_ENTER \"call *%[entry]\" __TERN_RED_ZONE_LEAVE")
            lines.append(f"                         : {', '.join(out_ops)}")
            lines.append(f"                         : {', '.join(in_ops)}")
            lines.append(f"                         : {', '.join(clobbers)});")
            for register, field in outputs.items():
                lines.append(f"    *__out_{field} = __{register};")
        lines.append("}")
        lines.append("")
        if call.get("preserves_only_rsp"):
            # The variant libl4 uses: the entry is the cached link in __tern_link_<name>.
            cached = [f"L4_Word_t {f}" for f in inputs.values()] + [f"L4_Word_t *__out_{f}" for f in outputs.values()]
            lines.append(f"static inline __attribute__((always_inline)) void __tern_syscall_{name}_linked({', '.join(cached)})")
            lines.append("{")
            lines += only_rsp_stub_body(name, inputs, outputs, f"[entry] \"m\"(__tern_link_{name})")
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
           "other register that is not an output is preserved, except in the calls marked *rsp only* "
           "(Ipc and Lipc). Their links are entered with a jump, the return address in `rbx` "
           "(the stub there ends `jmp *%rbx`); they preserve `rsp` and `rbp`, and every other register "
           "that is not an output holds on return the caller's own value (one it had in some register "
           "before) or zero, never a value of another thread or of the kernel. The calls marked *C call* "
           "keep the C calling convention of x86-64 (System V): inputs in its argument registers, the "
           "output in `rax`, no callee-saved register changed; their links may be called as C functions, "
           "as libl4 does. `KernelInterface` is the instruction "
           "`lock; nop`: the kernel returns the KIP address in `rax`, the API version in `rcx`, the API "
           "flags in `rdx` and the kernel id in `rsi`.", "",
           "| call | number | KIP link | inputs | outputs |", "|---|---|---|---|---|"]
    for name, call in abi["syscalls"].items():
        ins = ", ".join(f"`{r}` {f}" for r, f in call["inputs"].items()) or "none"
        outs = ", ".join(f"`{r}` {f}" for r, f in call["outputs"].items()) or "none"
        if call.get("preserves_only_rsp"):
            outs += " (*rsp only*)"
        if call.get("c_call"):
            outs += " (*C call*)"
        out.append(f"| {name} | {call['number']} | {call['link']} | {ins} | {outs} |")
    for title, section in (("Error codes (UTCB ErrorCode after a failed call)", "errors"),
                           ("IPC error codes (ErrorCode = code << 1 | phase)", "ipc_errors"),
                           ("UTCB layout (byte offsets)", "utcb"), ("KIP layout (byte offsets)", "kip"),
                           ("Values", "values")):
        out += ["", f"## {title}", "", "| name | value |", "|---|---|"]
        out += [f"| {k} | {v:#x} |" if isinstance(v, int) else f"| {k} | {v} |" for k, v in abi[section].items()]
    out += ["", "## Failed system calls", "",
            "A failed system call other than Ipc and Lipc changes nothing, returns 0 in every output "
            "register of the table above and leaves the error code in the UTCB's ErrorCode. The kernel "
            "dispatches calls from a table generated from this file (syscall_table.hpp); Ipc and Lipc "
            "take a path of their own."]
    exception = abi["exception_message"]
    out += ["", "## Exception message", "",
            f"Label `exception`, {exception['words']} untyped words: the interrupted thread's registers. A reply "
            f"with at least {exception['general_words']} untyped words sets `rip` to `r15` (`rflags` only in its "
            f"user-modifiable bits); one with {exception['words']} also the FS and GS bases. A reply of exactly "
            f"{exception['result_words']} untyped word sets `rax` alone to it (a reflected system call's result: "
            "rcx and r11 already hold the return address and flags, as after `syscall`); any other shorter reply "
            "leaves every register as it was. abi.h names each "
            "index `TERN_EXCEPTION_MR_<REGISTER>`.", "", "| MR | register |", "|---|---|"]
    out += [f"| {index} | {register} |" for index, register in enumerate(exception["registers"], 1)]
    out += ["", "Tern's own vectors beyond the CPU's 0..255: " +
            ", ".join(f"{vector} {name} (`TERN_VECTOR_{name.upper()}`)" for name, vector in abi["vectors"].items()) + "."]
    out += ["", "## Protocol labels", "",
            f"Kernel messages carry a label `id << {LABEL_PROTOCOL_SHIFT}` in the {LABEL_BITS} bits of a "
            f"label; the low {LABEL_PROTOCOL_SHIFT} bits carry data of the message (the access of a page "
            "fault). `tern_protocol_label(label)` (abi.h) clears them.", "",
            "| protocol | id | label | abi.h |", "|---|---|---|---|"]
    out += [f"| {name} | {label} | `{label_value(label):#x}` | `TERN_LABEL_{name.upper()}` |"
            for name, label in abi["labels"].items()]
    out += ["", "## Bit layouts", "",
            "Fields are given as bits high..low; bits no field covers are zero. abi.h defines, per field, "
            "`TERN_<LAYOUT>_<FIELD>_SHIFT`, `_WIDTH` and `_MASK` (the bits in place) and the accessors "
            "`tern_<layout>_<field>(word)` and `tern_<layout>_with_<field>(word, value)`; the kernel uses "
            "the same fields as `Abi::<Layout>::<field>` (abi_layout.hpp)."]
    values = abi.get("layout_values", {})
    for name, layout in abi["layouts"].items():
        out += ["", f"### {name}", "", layout["doc"][0].upper() + layout["doc"][1:] + ".", "", "```"]
        out += diagram(layout["fields"])
        out.append("```")
        for field, named in values.get(name, {}).items():
            out += ["", f"Values of {field}: " + ", ".join(f"{v} {n}" for n, v in named.items()) + "."]
    return "\n".join(out) + "\n"


def diagram(fields):
    """An ASCII picture of a 64-bit word: one cell per field (or run of zero bits), high bits left."""
    cells = []
    covered = sorted(((low, width, name) for name, (low, width) in fields.items()), reverse=True)
    top = 63
    for low, width, name in covered:
        high = low + width - 1
        if high < top:
            cells.append((top, high + 1, "0"))
        cells.append((high, low, name))
        top = low - 1
    if top >= 0:
        cells.append((top, 0, "0"))
    numbers, boxes = "", ""
    for high, low, name in cells:
        label = f"{high}" if high == low else f"{high}..{low}"
        width = max(len(name), len(label)) + 2
        numbers += " " + label.ljust(width)
        boxes += "|" + name.center(width)
    rule = "".join("+" + "-" * (max(len(n), len(f"{h}" if h == l else f"{h}..{l}")) + 2) for h, l, n in cells) + "+"
    return [numbers.rstrip(), rule, boxes + "|", rule]


def main():
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    abi = tomllib.loads(source.read_text())
    check(abi)
    target.mkdir(parents=True, exist_ok=True)
    (target / "abi.h").write_text(constants_header(abi))
    (target / "syscall_frame.hpp").write_text(frame_header(abi))
    (target / "abi_layout.hpp").write_text(layout_header(abi))
    (target / "syscall_table.hpp").write_text(table_header(abi))
    (target / "tern-syscalls.h").write_text(stubs_header(abi))
    (target / "abi.md").write_text(markdown(abi))


if __name__ == "__main__":
    main()
