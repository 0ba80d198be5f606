// SPDX-License-Identifier: MIT
// Per-CPU data, reached through the GS base while in the kernel (swapgs exchanges it with
// the user's GS base, which points at the running thread's UTCB). One CPU for now; the
// layout is per CPU so that SMP adds instances, not a redesign. entry.asm uses the
// offsets (exported by asm_offsets.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "tss.hpp"

class Thread;
class Fpu_state;

struct Cpu_local {
    Cpu_local *self;
    uint64_t user_stack;        // scratch for the user rsp during syscall entry
    Thread *current;
    uint64_t user_fs_base;      // what MSR_FS_BASE holds now
    uint64_t user_gs_base;      // what user mode's GS base will be (KERNEL_GS_BASE while in the kernel)
    uint64_t *utcb_pointer;     // this processor's UTCB pointer word in the KIP (kernel address)
    Fpu_state *fpu_owner;       // whose state the FPU/SSE registers hold (Fpu)
    const uint8_t *io_loaded;   // the Io_space key whose bitmap the TSS holds (nullptr: none)
    bool fast_syscall_entry;    // the running space takes the IPC fast path (syscall_entry_fast tests it)
    uint64_t *kernel_task_ipc_entry;  // the KIP word a kernel-mode task's Ipc stub jumps through
    // This CPU's TSS. Its rsp0, the running thread's kernel stack top, is where both
    // interrupts from user mode and `syscall` (entry.asm) enter.
    Tss tss;
    // The Io_space key whose bitmap bytes the TSS holds, in use or not (nullptr: none
    // known): a space without ports only switches the bitmap off, and the next switch back
    // to the one whose bytes are there switches it on again without a copy (Io_space::load).
    const uint8_t *io_cached;

    // The fields the IPC fast path uses come first: they share a page with the scheduler's
    // hot word (linker.ld, which assumes at most 128 bytes).
    static constexpr size_t fast_path_bytes = 128;

    static Cpu_local &get()
    {
        Cpu_local *local;
        // Not volatile: the GS base is fixed while in the kernel, so reads may be merged.
        asm("movq %%gs:0, %0" : "=r"(local));
        return *local;
    }
    static void install(Cpu_local &local);

    // The running thread, in one GS-relative access each.
    static Thread *current_thread();
    static void set_current_thread(Thread *thread);
    static void set_kernel_stack(uint64_t top);
    // The KIP's UTCB pointer word of this processor (what %gs:0 yields in user mode).
    static void set_user_utcb(uint64_t utcb);
    static bool user_fs_base_is(uint64_t base);
    static bool io_loaded_is(const uint8_t *key);
};

// Volatile: current changes, so reads must not be merged, nor moved across the write.
inline Thread *Cpu_local::current_thread()
{
    Thread *thread;
    asm volatile("movq %%gs:%c1, %0" : "=r"(thread) : "i"(offsetof(Cpu_local, current)));
    return thread;
}

inline void Cpu_local::set_current_thread(Thread *thread)
{
    asm volatile("movq %0, %%gs:%c1" : : "r"(thread), "i"(offsetof(Cpu_local, current)) : "memory");
}

inline void Cpu_local::set_kernel_stack(uint64_t top)
{
    asm volatile("movq %0, %%gs:%c1" : : "r"(top), "i"(offsetof(Cpu_local, tss) + Tss::rsp0_offset) : "memory");
}

inline void Cpu_local::set_user_utcb(uint64_t utcb)
{
    uint64_t *word;
    asm volatile("movq %%gs:%c1, %0" : "=r"(word) : "i"(offsetof(Cpu_local, utcb_pointer)));
    *word = utcb;
}

inline bool Cpu_local::user_fs_base_is(uint64_t base)
{
    bool equal;
    // A compiler barrier, so that it is ordered with the plain stores to user_fs_base.
    asm volatile("cmpq %1, %%gs:%c2" : "=@cce"(equal) : "r"(base), "i"(offsetof(Cpu_local, user_fs_base)) : "memory");
    return equal;
}

inline bool Cpu_local::io_loaded_is(const uint8_t *key)
{
    bool equal;
    asm volatile("cmpq %1, %%gs:%c2" : "=@cce"(equal) : "r"(key), "i"(offsetof(Cpu_local, io_loaded)) : "memory");
    return equal;
}

static_assert(offsetof(Cpu_local, tss) + Tss::rsp0_offset + sizeof(uint64_t) <= Cpu_local::fast_path_bytes,
              "the fast path's Cpu_local fields must stay in the first bytes (linker.ld)");
