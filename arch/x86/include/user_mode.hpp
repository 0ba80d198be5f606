// SPDX-License-Identifier: MIT
// Entering and leaving user mode: the SYSCALL MSRs, the per-thread state the CPU holds
// (kernel stack in the TSS and Cpu_local, FS base, the user's GS base) and the first
// return of a new thread to user mode.
#pragma once

#include <stdint.h>

#include "exception_frame.hpp"

class Tss;

class User_mode {
public:
    static void init(Tss &tss);

    // Makes the CPU enter the kernel on this stack and gives user mode these bases.
    static void switch_thread(uint64_t kernel_stack_top, uint64_t fs_base, uint64_t gs_base);

    // A frame that starts user code at ip with stack sp, interrupts enabled.
    static void prepare_frame(Exception_frame &frame, uint64_t ip, uint64_t sp);

    // RFLAGS bits user code may set through ExchangeRegisters or an exception reply:
    // CF PF AF ZF SF TF DF OF and AC (never IF, IOPL or anything else privileged).
    static constexpr uint64_t user_settable_rflags = 0x40dd5;

    static bool is_canonical(uint64_t address)
    {
        return address < 0x0000800000000000 || address >= 0xffff800000000000;
    }
    static bool is_user_address(uint64_t address) { return address < 0x0000800000000000; }
};

// entry.asm
extern "C" void syscall_entry();
extern "C" [[noreturn]] void return_to_user(Exception_frame *frame);
// Saves the callee-saved registers on the current stack, stores the stack pointer in
// *save and continues on next (a stack prepared by context_switch or by new threads).
extern "C" void context_switch(uint64_t *save, uint64_t next);
extern "C" void thread_first_entry();
// Like context_switch, but continues by returning to user mode from frame (on its stack).
extern "C" void switch_to_frame(uint64_t *save, Exception_frame *frame);
