// SPDX-License-Identifier: MIT
// Per-CPU data, reached through the GS base while in the kernel (swapgs exchanges it with
// the user's GS base, which points at the running thread's UTCB). One CPU for now; the
// layout is per CPU so that SMP adds instances, not a redesign. entry.asm uses the
// offsets (exported by asm_offsets.cpp).
#pragma once

#include <stdint.h>

class Thread;

struct Cpu_local {
    Cpu_local *self;
    uint64_t kernel_stack_top;  // loaded on `syscall`; also TSS.rsp0
    uint64_t user_stack;        // scratch for the user rsp during syscall entry
    Thread *current;
    uint64_t user_fs_base;      // what MSR_FS_BASE holds now

    static Cpu_local &get()
    {
        Cpu_local *local;
        asm volatile("movq %%gs:0, %0" : "=r"(local));
        return *local;
    }
    static void install(Cpu_local &local);
};
