// SPDX-License-Identifier: MIT
// x87, MMX and SSE state of user threads, switched lazily. The registers belong to one
// thread at a time (the owner); while any other thread runs, CR0.TS is set, so its first
// floating-point instruction raises #NM and take() moves the registers over: the owner's
// state is saved (FXSAVE) and the thread's restored, or the initial state loaded for a
// thread that never used them (so no values leak between threads). A thread switch costs
// one test of the leaving thread's owner flag. AVX is not enabled (CR4.OSXSAVE stays
// clear, so CPUID tells programs not to use it). The kernel itself never uses these
// registers (-mgeneral-regs-only).
#pragma once

#include <stdint.h>

#include "cpu.hpp"

class alignas(16) Fpu_state {
    friend class Fpu;
    uint8_t image_[512];  // FXSAVE layout; meaningful once used_
    bool used_ = false;   // has had registers (else it starts from the initial state)
    bool owner_ = false;  // the CPU's registers hold this state
};

class Fpu {
public:
    // Enables x87 and SSE with lazy switching on this CPU and records the initial state.
    static void init();
    // The thread owning state stops running: the next one must trap before it touches them.
    static void leave(const Fpu_state &state)
    {
        if (state.owner_)
            set_task_switched();
    }
    // Whether the CPU's registers hold this state (leaving its thread then costs a CR0 write).
    static bool owns_registers(const Fpu_state &state) { return state.owner_; }
    // #NM from user mode: the registers go to the running thread's state.
    static void take(Fpu_state &state);
    // A thread ends: its state no longer owns the registers.
    static void release(Fpu_state &state);

private:
    static constexpr uint64_t cr0_task_switched = 1u << 3;
    static void set_task_switched() { Cpu::write_cr0(Cpu::read_cr0() | cr0_task_switched); }
};
