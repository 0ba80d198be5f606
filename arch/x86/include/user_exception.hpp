// SPDX-License-Identifier: MIT
// CPU exceptions raised by user code become IPC (X.2): a page fault is a call to the
// thread's pager, whose reply maps memory; any other exception is a call to the thread's
// exception handler, whose reply may set registers. `lock; nop` (which raises #UD) is the
// KernelInterface system call. A thread whose pager or handler is missing or fails is
// halted; the kernel carries on.
//
// Page-fault message: label (-2 << 4) | rwx of the access, u = 2: fault address, fault IP.
// Exception message:  label (-5 << 4), u = 22: rip, rflags, vector, error code, rdi, rsi,
//                     rbp, rsp, rbx, rdx, rcx, rax, r8 .. r15, FS base, GS base. A reply
//                     of 20 or more words sets the general registers (rflags only in its
//                     user-modifiable bits), one of 22 also the FS and GS bases (the
//                     thread's TLS pointers, e.g. for a personality server's arch_prctl).
#pragma once

#include "exception_frame.hpp"

class Thread;

class User_exception {
public:
    static constexpr int64_t page_fault_label = -2;
    static constexpr int64_t exception_label = -5;
    static constexpr unsigned general_register_words = 20;
    static constexpr unsigned exception_words = 22;

    static void handle(Thread &thread, Exception_frame &frame);

private:
    static void page_fault(Thread &thread, Exception_frame &frame, uint64_t address);
    static bool kernel_interface(Thread &thread, Exception_frame &frame);
    static void exception_ipc(Thread &thread, Exception_frame &frame);
};
