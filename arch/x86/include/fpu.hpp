// SPDX-License-Identifier: MIT
// x87, MMX and SSE state of user threads, switched lazily. The registers belong to one
// thread at a time (the owner); while any other thread runs, CR0.TS is set, so its first
// floating-point instruction raises #NM and take() moves the registers over: the owner's
// state is saved (FXSAVE) and the thread's restored, or the initial state loaded for a
// thread that never used them (so no values leak between threads). A thread's Fpu_state is
// allocated from its own slab cache at that first use, so threads that never touch the
// registers (most servers, every kernel thread) do not carry the 512-byte image. A thread
// switch costs one comparison of the leaving thread's state with the owner. AVX is not enabled (CR4.OSXSAVE stays
// clear, so CPUID tells programs not to use it). The kernel itself never uses these
// registers (-mgeneral-regs-only).
#pragma once

#include <stdint.h>

#include "cpu.hpp"

#include "cpu_local.hpp"
#include "slab_cache.hpp"

class alignas(16) Fpu_state {
    friend class Fpu;
    uint8_t image_[512];  // FXSAVE layout; written by the first save after allocation
};
static_assert(sizeof(Fpu_state) == 512, "eight images to a page");

class Fpu {
public:
    // Enables x87 and SSE with lazy switching on this CPU and records the initial state.
    static void init();
    // The thread owning state stops running: the next one must trap before it touches them.
    static void leave(const Fpu_state *state)
    {
        if (state != nullptr && Cpu_local::get().fpu_owner == state)
            set_task_switched();
    }
    // The thread owning state runs again: its registers are still in the CPU, so it may use
    // them without the trap that leave() armed (a Linux process's SSE code after every
    // reflected system call would take one).
    static void enter(const Fpu_state *state)
    {
        if (state != nullptr && Cpu_local::get().fpu_owner == state)
            asm volatile("clts" ::: "memory");
    }
    // Whether the CPU's registers hold this state (leaving its thread then costs a CR0 write).
    static bool owns_registers(const Fpu_state *state) { return state != nullptr && Cpu_local::get().fpu_owner == state; }
    // #NM from user mode: the registers go to the running thread's state, which is
    // allocated now if the thread has none. false (nothing changed, CR0.TS still set) when
    // there is no memory for it: the caller makes the fault the thread's exception.
    [[nodiscard]] static bool take(Fpu_state *&state);
    // A thread ends: its state no longer owns the registers, and its memory is freed.
    static void release(Fpu_state *&state);
    static const Slab_cache &cache();

private:
    static constexpr uint64_t cr0_task_switched = 1u << 3;
    static void set_task_switched() { Cpu::write_cr0(Cpu::read_cr0() | cr0_task_switched); }
};
