// SPDX-License-Identifier: MIT
// The register state saved on every interrupt and exception entry (entry.asm builds it:
// the CPU pushes ss..rip, the stub pushes the error code and vector, then the common
// path pushes the general registers, rax first). asm_offsets.cpp exports the offsets.
#pragma once

#include <stdint.h>

struct Exception_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;  // 0 for vectors where the CPU pushes none
    uint64_t rip, cs, rflags, rsp, ss;

    // Whether a task was interrupted: ring 3, or a kernel-mode task in ring 0, whose code
    // lies in the lower half (entry.asm's jump_if_task; frames are canonical).
    bool from_user() const { return (cs & 3) != 0 || (rip >> 63) == 0; }
    // The instruction pointer, for generic code (a fault message's fault IP).
    uint64_t ip() const { return rip; }
};

static_assert(sizeof(Exception_frame) % 16 == 0, "entry.asm keeps the stack 16-byte aligned");
