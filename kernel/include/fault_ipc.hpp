// SPDX-License-Identifier: MIT
// The IPC the kernel makes on a thread's behalf when the thread cannot go on by itself
// (X.2): a page fault is a call to the thread's pager, whose reply maps memory, and a
// thread whose total quantum is exhausted calls its scheduler (the preemption protocol).
// A thread whose pager or scheduler is missing or fails is halted; the kernel carries on
// (a page-fault IPC that ExchangeRegisters cancels is retried instead, see page_fault).
// The architecture decodes its faults into these calls (x86: User_exception) and sends
// its own exception message, whose layout is its registers', through the same helpers.
//
// Page-fault message: label (-2 << 4) | rwx of the access, u = 2: fault address, fault IP.
// Preemption message: label (-3 << 4), u = 2: the system clock, its upper word (0 here:
//                     X.2's layout of a 64-bit time, as Pistachio sends it), to the
//                     thread's scheduler; any reply lets it go on if it has quantum again.
#pragma once

#include <stdint.h>

#include "abi_layout.hpp"

class Thread;

class Fault_ipc {
public:
    static constexpr int64_t page_fault_label = Abi::page_fault_id;
    static constexpr int64_t preemption_label = Abi::preemption_id;
    static constexpr unsigned preemption_words = 2;

    // MR0 of a kernel message with this protocol label and these low label bits (the
    // untyped word count is added by Thread::kernel_call).
    static uint64_t tag(int64_t label, unsigned low_bits);

    // The page fault of the current thread at address (access: Fpage rights bits) at ip:
    // returns once the pager replied or ExchangeRegisters cancelled the IPC (the access is
    // then retried), or with the thread halted (no pager, any other IPC failure) and
    // resumed by ExchangeRegisters.
    static void page_fault(Thread &thread, uint64_t address, unsigned access, uint64_t ip);
    // The same call with an X.2 timeout for both phases and no halt, e.g. during a string
    // copy; the fault IP is the thread's user IP. Returns the IPC error, 0 when the pager
    // replied.
    static uint64_t page_fault_call(Thread &thread, uint64_t address, unsigned access, uint16_t timeout);
    // The current thread's total quantum is exhausted (timer tick, its frame holds its user
    // state): it sends the preemption message to its scheduler and waits for the reply,
    // again while the reply left it without quantum. Halted if the IPC fails.
    static void total_quantum_exhausted(Thread &thread);
    // Halts the current thread for why (reported on the console) and returns when
    // ExchangeRegisters resumes it, usually with a new IP and SP; the thread then continues
    // from its (possibly changed) frame.
    static void halt(Thread &thread, const char *why);
};
