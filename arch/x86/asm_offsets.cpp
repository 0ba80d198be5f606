// SPDX-License-Identifier: MIT
// Compiled to assembly only: tools/asm_offsets.py turns the markers into offsets.inc for
// NASM, so assembly never hand-copies a structure offset or a layout constant.
#include <stddef.h>

#include "abi.h"
#include "exception_frame.hpp"
#include "cpu_local.hpp"
#include "gdt.hpp"
#include "memory_layout.hpp"
#include "user_mode.hpp"
#include "vectors.hpp"

#define EXPORT(name, value) asm volatile("\n.ascii \"@asm_offset " #name " %0\"" : : "i"(value))

void export_offsets();
void export_offsets()
{
    EXPORT(FRAME_RAX, offsetof(Exception_frame, rax));
    EXPORT(FRAME_RCX, offsetof(Exception_frame, rcx));
    EXPORT(FRAME_R8, offsetof(Exception_frame, r8));
    EXPORT(FRAME_R9, offsetof(Exception_frame, r9));
    EXPORT(FRAME_R10, offsetof(Exception_frame, r10));
    EXPORT(FRAME_R11, offsetof(Exception_frame, r11));
    EXPORT(FRAME_R12, offsetof(Exception_frame, r12));
    EXPORT(FRAME_R13, offsetof(Exception_frame, r13));
    EXPORT(FRAME_R14, offsetof(Exception_frame, r14));
    EXPORT(FRAME_R15, offsetof(Exception_frame, r15));
    EXPORT(FRAME_RBX, offsetof(Exception_frame, rbx));
    EXPORT(FRAME_RBP, offsetof(Exception_frame, rbp));
    EXPORT(FRAME_RFLAGS, offsetof(Exception_frame, rflags));
    EXPORT(FRAME_RSP, offsetof(Exception_frame, rsp));
    EXPORT(FRAME_VECTOR, offsetof(Exception_frame, vector));
    EXPORT(FRAME_ERROR_CODE, offsetof(Exception_frame, error_code));
    EXPORT(FRAME_RIP, offsetof(Exception_frame, rip));
    EXPORT(FRAME_CS, offsetof(Exception_frame, cs));
    EXPORT(FRAME_SIZE, sizeof(Exception_frame));
    EXPORT(CPU_LOCAL_KERNEL_STACK_TOP, offsetof(Cpu_local, tss) + Tss::rsp0_offset);
    EXPORT(CPU_LOCAL_FAST_SYSCALL_ENTRY, offsetof(Cpu_local, fast_syscall_entry));
    EXPORT(CPU_LOCAL_USER_STACK, offsetof(Cpu_local, user_stack));

    EXPORT(CPU_LOCAL_FATAL_STACK_TOP, offsetof(Cpu_local, tss) + Tss::ist_offset(Tss::double_fault));
    EXPORT(FIRST_INTERRUPT_VECTOR, Vectors::exceptions_end);
    EXPORT(SYSCALL_VECTOR, Vectors::syscall);
    EXPORT(SYSCALL_IPC, TERN_SYSCALL_IPC);
    EXPORT(SYSCALL_LIPC, TERN_SYSCALL_LIPC);
    EXPORT(RFLAGS_INTERRUPTS, User_mode::rflags_interrupt);
    EXPORT(RFLAGS_FIXED, User_mode::rflags_fixed);
    EXPORT(KERNEL_OFFSET, Memory_layout::kernel_offset);
    EXPORT(DIRECT_MAP_BASE, Memory_layout::direct_map_base);
    EXPORT(BOOT_WINDOW_SIZE, Memory_layout::boot_window_size);
}
