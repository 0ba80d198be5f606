// SPDX-License-Identifier: MIT
// CPU exceptions raised by user code become IPC (X.2): a page fault is a call to the
// thread's pager, whose reply maps memory; any other exception is a call to the thread's
// exception handler, whose reply may set registers. `lock; nop` (which raises #UD) is the
// KernelInterface system call. A thread whose pager or handler is missing or fails is
// halted; the kernel carries on. The scheduler uses the same machinery for the X.2
// preemption protocol: a thread whose total quantum is exhausted calls its scheduler, and
// one that overran its delayed preemption may raise a preemption-fault exception.
//
// Page-fault message: label (-2 << 4) | rwx of the access, u = 2: fault address, fault IP.
// Exception message:  label (-5 << 4), u = 22: rip, rflags, vector, error code, rdi, rsi,
//                     rbp, rsp, rbx, rdx, rcx, rax, r8 .. r15, FS base, GS base. A reply
//                     of 20 or more words sets the general registers (rflags only in its
//                     user-modifiable bits), one of 22 also the FS and GS bases (the
//                     thread's TLS pointers, e.g. for a personality server's arch_prctl).
// Preemption message: label (-3 << 4), u = 2: the system clock, its upper word (0 here:
//                     X.2's layout of a 64-bit time, as Pistachio sends it), to the
//                     thread's scheduler; any reply lets it go on if it has quantum again.
// Preemption fault:   an exception message with vector 257 (Vectors::preemption_fault).
#pragma once

#include "abi_layout.hpp"
#include "exception_frame.hpp"

class Thread;

class User_exception {
public:
    static constexpr int64_t page_fault_label = Abi::page_fault_id;
    static constexpr int64_t exception_label = Abi::exception_id;
    static constexpr int64_t preemption_label = Abi::preemption_id;
    static constexpr unsigned preemption_words = 2;
    static constexpr unsigned general_register_words = 20;
    static constexpr unsigned exception_words = 22;

    static void handle(Thread &thread, Exception_frame &frame);
    // The current thread's total quantum is exhausted (timer tick, thread's frame holds its
    // user state): it sends the preemption message to its scheduler and waits for the
    // reply, again while the reply left it without quantum. Halted if the IPC fails.
    static void total_quantum_exhausted(Thread &thread);
    // The current thread overran its delayed preemption with the preemption-fault flag set.
    static void preemption_fault(Thread &thread);
    // A page-fault call of the current thread to its pager for address (access: Fpage
    // rights bits) with an X.2 timeout for both phases, e.g. during a string copy. Returns
    // the IPC error, 0 when the pager replied.
    static uint64_t page_fault_call(Thread &thread, uint64_t address, unsigned access, uint16_t timeout);

private:
    static void page_fault(Thread &thread, Exception_frame &frame, uint64_t address);
    static bool kernel_interface(Thread &thread, Exception_frame &frame);
    static void exception_ipc(Thread &thread, Exception_frame &frame);
};
