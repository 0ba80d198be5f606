// SPDX-License-Identifier: MIT
// Interrupt vector assignment. 0-31 are CPU exceptions; the legacy PIC is remapped to
// 32-47 and masked so that its spurious interrupts cannot look like exceptions.
#pragma once

#include "abi.h"

namespace Vectors {

enum : unsigned {
    divide_error = 0,
    debug = 1,
    nmi = 2,
    breakpoint = 3,
    overflow = 4,
    bound_range = 5,
    invalid_opcode = 6,
    device_not_available = 7,
    double_fault = 8,
    invalid_tss = 10,
    segment_not_present = 11,
    stack_fault = 12,
    general_protection = 13,
    page_fault = 14,
    x87_error = 16,
    alignment_check = 17,
    machine_check = 18,
    simd_error = 19,
    virtualization = 20,
    control_protection = 21,
    exceptions_end = 32,

    legacy_pic_base = 32,
    legacy_pic_end = 48,
    apic_timer = 48,
    // The I/O APIC's lines (Interrupt_controller): vector = base + line.
    interrupt_lines_base = 64,
    interrupt_lines_end = 96,
    apic_spurious = 255,

    // Not a hardware vector: marks frames saved by the `syscall` entry.
    syscall = TERN_VECTOR_SYSCALL,
    // Not a hardware vector: the exception IPC of a thread that overran its delayed
    // preemption with the preemption-fault flag set (docs/kernel.md, Scheduling).
    preemption_fault = TERN_VECTOR_PREEMPTION_FAULT,
};

}  // namespace Vectors
