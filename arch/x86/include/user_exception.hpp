// SPDX-License-Identifier: MIT
// CPU exceptions raised by user code become IPC (X.2): a page fault is a call to the
// thread's pager (Fault_ipc::page_fault); any other exception is a call to the thread's
// exception handler, whose reply may set registers. `lock; nop` (which raises #UD) is the
// KernelInterface system call. A thread whose handler is missing or fails is halted; the
// kernel carries on. The scheduler raises a preemption-fault exception here for a thread
// that overran its delayed preemption (the preemption IPC itself is Fault_ipc's).
//
// Exception message:  label (-5 << 4), u = 22: rip, rflags, vector, error code, rdi, rsi,
//                     rbp, rsp, rbx, rdx, rcx, rax, r8 .. r15, FS base, GS base. A reply
//                     of 20 or more words sets the general registers (rflags only in its
//                     user-modifiable bits), one of 22 also the FS and GS bases (the
//                     thread's TLS pointers, e.g. for a personality server's arch_prctl).
// Preemption fault:   an exception message with vector 257 (Vectors::preemption_fault).
// Non-canonical rip:  no user code runs at one: `iretq` to it would fault in ring 0 (Intel),
//                     so entry.asm never returns there and the thread takes #GP(0) with
//                     that rip instead, as the CPU would have raised it in user mode.
#pragma once

#include "abi.h"
#include "abi_layout.hpp"
#include "exception_frame.hpp"

class Thread;

class User_exception {
public:
    static constexpr int64_t exception_label = Abi::exception_id;
    static constexpr unsigned general_register_words = TERN_EXCEPTION_GENERAL_WORDS;
    static constexpr unsigned exception_words = TERN_EXCEPTION_WORDS;
    static constexpr unsigned result_words = TERN_EXCEPTION_RESULT_WORDS;

    static void handle(Thread &thread, Exception_frame &frame);
    // The current thread overran its delayed preemption with the preemption-fault flag set.
    static void preemption_fault(Thread &thread);
    // The thread would return at a rip it must not run at (ExchangeRegisters stores any IP):
    // a non-canonical one, or for a kernel-mode task any outside the user half (it would run
    // kernel code). It takes #GP(0) there, as exception IPC, which is what the CPU raises for
    // a non-canonical rip in ring 3.
    static void rip_not_allowed(Thread &thread, Exception_frame &frame);

    // Sets the registers of thread's frame as the exception reply m (tag, words) says.
    // Returns why it refuses the reply, having changed nothing, or nullptr.
    static const char *apply_reply(Thread &thread, Exception_frame &frame, const uint64_t *m);

private:
    static void page_fault(Thread &thread, Exception_frame &frame, uint64_t address);
    static bool kernel_interface(Thread &thread, Exception_frame &frame);
    static void exception_ipc(Thread &thread, Exception_frame &frame);
};
