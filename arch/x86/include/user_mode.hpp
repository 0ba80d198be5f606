// SPDX-License-Identifier: MIT
// Entering and leaving user mode: the SYSCALL MSRs, the per-thread state the CPU holds
// (kernel stack in the TSS and Cpu_local, FS base, the user's GS base) and the first
// return of a new thread to user mode.
#pragma once

#include <stdint.h>

#include "cpu.hpp"
#include "cpu_local.hpp"
#include "exception_frame.hpp"
#include "tss.hpp"


// entry.asm
extern "C" void syscall_entry_general();
extern "C" void syscall_entry_fast();
// entry_fast.asm: a kernel-mode task's Ipc, by the fast path or the general one.
extern "C" void kernel_task_ipc_entry_fast();
extern "C" void kernel_task_ipc_entry_general();

class User_mode {
public:
    static constexpr uint32_t msr_fs_base = 0xc0000100;
    static constexpr uint32_t msr_gs_base = 0xc0000101;
    static constexpr uint32_t msr_kernel_gs_base = 0xc0000102;
    static constexpr uint32_t msr_lstar = 0xc0000082;
    static constexpr uint64_t rflags_interrupt = 1u << 9;
    static constexpr uint64_t rflags_fixed = 1u << 1;  // always set

    static void init();
    // Whether init turned SMEP on (the CPU has it).
    static bool smep() { return smep_; }

    // Makes the CPU enter the kernel on this stack and gives user mode these bases. Inline:
    // it is part of every IPC hand-off.
    // utcb: the thread's UTCB address, which %gs:0 yields (through the KIP's UTCB pointer
    // word, where the default GS base points).
    static void switch_thread(uint64_t kernel_stack_top, uint64_t fs_base, uint64_t gs_base, uint64_t utcb)
    {
        Cpu_local &local = Cpu_local::get();
        Cpu_local::set_kernel_stack(kernel_stack_top);
        // MSR writes are slow; most switches keep both bases (threads rarely set them, and
        // spaces usually have their KIP at one address).
        if (!Cpu_local::user_fs_base_is(fs_base)) {
            Cpu::write_msr(msr_fs_base, fs_base);
            local.user_fs_base = fs_base;
        }
        // In the kernel the user's GS base waits in KERNEL_GS_BASE until swapgs.
        if (local.user_gs_base != gs_base) {
            Cpu::write_msr(msr_kernel_gs_base, gs_base);
            local.user_gs_base = gs_base;
        }
        *local.utcb_pointer = utcb;
    }

    // Whether Ipc and Lipc may take the IPC fast path, or go the general way (spaces whose
    // system calls are reflected, and the boot option ipc=general). Every switch to a thread
    // of another space asks. LSTAR stays syscall_entry_fast, which tests this byte: a byte
    // store here, two instructions there, where an MSR write would cost each switch between
    // a Linux process and its server hundreds of cycles.
    static void select_syscall_entry(bool fast)
    {
        Cpu_local &local = Cpu_local::get();
        if (local.fast_syscall_entry == fast)
            return;
        local.fast_syscall_entry = fast;
        set_kernel_task_ipc_entry(local);
    }

    // The KIP word kernel-mode tasks' Ipc stubs jump through follows LSTAR's choice.
    static void set_kernel_task_ipc_entry(Cpu_local &local)
    {
        void (*entry)() = local.fast_syscall_entry ? kernel_task_ipc_entry_fast : kernel_task_ipc_entry_general;
        if (local.kernel_task_ipc_entry != nullptr)
            *local.kernel_task_ipc_entry = reinterpret_cast<uint64_t>(entry);
    }

    // The part of switch_thread the IPC fast path needs: both threads have the default FS
    // base (0) and the same default GS base (spaces with equal fast_switch_key).
    static void switch_kernel_stack_and_utcb(uint64_t kernel_stack_top, uint64_t utcb)
    {
        Cpu_local::set_kernel_stack(kernel_stack_top);
        Cpu_local::set_user_utcb(utcb);
    }

    // A frame that starts user code at ip with stack sp, interrupts enabled: in ring 3, or in
    // ring 0 for a kernel-mode task. Its code and stack selectors stay what this sets for the
    // thread's life (the entries never write them), so they tell every return which ring.
    static void prepare_frame(Exception_frame &frame, uint64_t ip, uint64_t sp, bool kernel_mode);
    // The ring of a thread that moves to a space of the other mode (ThreadControl).
    static void set_ring(Exception_frame &frame, bool kernel_mode);

    // RFLAGS bits user code may set through ExchangeRegisters or an exception reply:
    // CF PF AF ZF SF TF DF OF and AC (never IF, IOPL or anything else privileged).
    static constexpr uint64_t user_settable_rflags = 0x40dd5;

    // The user-visible registers that ExchangeRegisters reads and writes.
    static uint64_t stack_pointer(const Exception_frame &frame) { return frame.rsp; }
    static uint64_t instruction_pointer(const Exception_frame &frame) { return frame.rip; }
    static uint64_t flags(const Exception_frame &frame) { return frame.rflags; }
    static void set_stack_pointer(Exception_frame &frame, uint64_t sp) { frame.rsp = sp; }
    static void set_instruction_pointer(Exception_frame &frame, uint64_t ip) { frame.rip = ip; }
    // Only the user-settable bits change; a kernel-mode task's trap flag stays clear: it would
    // trap in the kernel's first instructions of its next system call, which a stub enters
    // with the task's flags (docs/kernel.md, "Kernel-mode tasks").
    static void set_flags(Exception_frame &frame, uint64_t flags)
    {
        uint64_t settable = (frame.cs & 3) != 0 ? user_settable_rflags : user_settable_rflags & ~rflags_trap;
        frame.rflags = (frame.rflags & ~settable) | (flags & settable);
    }
    static constexpr uint64_t rflags_trap = 1u << 8;
    // Turns a system-call frame into that of the exception an unknown system call raises:
    // an invalid opcode, as if the instruction did not exist.
    static void make_invalid_opcode(Exception_frame &frame)
    {
        frame.vector = 6;
        frame.error_code = 0;
    }

    static bool is_canonical(uint64_t address)
    {
        return address < 0x0000800000000000 || address >= 0xffff800000000000;
    }
    static bool is_user_address(uint64_t address) { return address < 0x0000800000000000; }

private:
    static inline bool smep_ = false;
};

// entry.asm
extern "C" [[noreturn]] void return_to_user(Exception_frame *frame);
// The same, inline (one move and a jump), for the IPC hand-off: frame returns to user mode.
[[noreturn, gnu::always_inline]] inline void leave_kernel_through(Exception_frame *frame)
{
    asm volatile("mov %0, %%rsp\n\tjmp restore_user_frame" : : "r"(frame) : "memory");
    __builtin_unreachable();
}
// Saves the callee-saved registers on the current stack, stores the stack pointer in
// *save and continues on next (a stack prepared by context_switch or by new threads).
extern "C" void context_switch(uint64_t *save, uint64_t next);
extern "C" void thread_first_entry();
// Like context_switch, but continues by returning to user mode from frame (on its stack).
extern "C" void switch_to_frame(uint64_t *save, Exception_frame *frame);
