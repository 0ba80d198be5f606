// SPDX-License-Identifier: MIT
// Page-fault and preemption IPC on a thread's behalf (see fault_ipc.hpp).
#include "fault_ipc.hpp"

#include "abi.h"
#include "abi_layout.hpp"
#include "console.hpp"
#include "scheduler.hpp"
#include "thread.hpp"
#include "timer.hpp"

[[gnu::hot]] uint64_t Fault_ipc::tag(int64_t label, unsigned low_bits)
{
    return Abi::Message_tag::label.make(Abi::label_of(label, low_bits));
}

void Fault_ipc::halt(Thread &thread, const char *why)
{
    Console::print("thread %#llx halted: %s\n", static_cast<unsigned long long>(thread.id().raw()), why);
    thread.halt();
    Scheduler::schedule();
}

void Fault_ipc::page_fault(Thread &thread, uint64_t address, unsigned access, uint64_t ip)
{
    thread.kernel_message[0] = tag(page_fault_label, access);
    thread.kernel_message[1] = address;
    thread.kernel_message[2] = ip;
    Thread_id pager = thread.pager();
    if (pager.is_nil())
        return halt(thread, "page fault without a pager");
    uint64_t error = thread.kernel_call(pager, 2, 0 /* never */);
    if (error == 0)
        return;
    // X.2: the page fault is an IPC the thread makes; ExchangeRegisters cancelling or
    // aborting it ends that IPC like any other, and the thread goes on where it was: at
    // the faulting instruction, which faults again if the page is still missing. Any other
    // failure (no pager, a reply the kernel cannot take) is one X.2 leaves open: halted.
    uint64_t code = Abi::Ipc_error::code.get(error);
    if (code == TERN_IPC_ERROR_CANCELED || code == TERN_IPC_ERROR_ABORTED)
        return;
    halt(thread, "page-fault IPC to the pager failed");
}

uint64_t Fault_ipc::page_fault_call(Thread &thread, uint64_t address, unsigned access, uint16_t timeout)
{
    constexpr uint64_t no_partner = uint64_t{TERN_IPC_ERROR_NO_PARTNER} << 1;
    thread.kernel_message[0] = tag(page_fault_label, access);
    thread.kernel_message[1] = address;
    thread.kernel_message[2] = thread.frame().ip();
    Thread_id pager = thread.pager();
    if (pager.is_nil())
        return no_partner;
    return thread.kernel_call(pager, 2, timeout);
}

void Fault_ipc::total_quantum_exhausted(Thread &thread)
{
    // X.2 preemption protocol: the thread runs only while it has quantum; a reply that
    // granted none is answered with the next message at once.
    while (thread.total_quantum_us() == 0) {
        uint64_t *m = thread.kernel_message;
        m[0] = tag(preemption_label, 0);
        m[1] = Timer::now_us();
        m[2] = 0;
        if (!thread.kernel_call(thread.scheduler(), preemption_words))
            halt(thread, "preemption IPC to the scheduler failed");
    }
}
