// SPDX-License-Identifier: MIT
// A Linux thread: one L4 thread in its process's space (Process), paged by the personality
// server and reporting to it as its exception handler. What Linux keeps per thread is here
// (its id, signal mask, thread-directed signals, alternate stack, a blocked call's state,
// clear_child_tid); what its threads share (memory, files, signal actions, ids) is the
// process's. docs/linux.md, "Threads".
#ifndef LINUX_THREAD_HPP
#define LINUX_THREAD_HPP

#include <l4/types.h>
#include <stdint.h>

#include "linux_registers.hpp"

class Process;

class Thread {
public:
    enum class State { free, running };
    // What a thread blocked in a system call waits for; the call is retried when that may
    // have changed (Linux_server::wake_blocked). A futex waiter is not retried: a wake or
    // its deadline ends its call (Linux_server::wake_futex).
    enum class Wait { none, pipe, child, sleep, poll, signal, console, futex, socket };

    Thread() = default;
    Thread(const Thread &) = delete;
    Thread &operator=(const Thread &) = delete;

    State state = State::free;
    int tid = 0;                          // the leader's is the process's pid
    L4_ThreadId_t l4 = L4_nilthread;      // its L4 thread
    Process *process = nullptr;

    uint64_t blocked = 0;                 // bit n - 1: signal n is blocked
    uint64_t pending = 0;                 // signals sent to this thread (tgkill), not to its process
    uint64_t alt_stack = 0, alt_stack_size = 0;  // sigaltstack; size 0: none
    uint64_t clear_child_tid = 0;         // set_tid_address, CLONE_CHILD_CLEARTID: zeroed and woken at exit

    Wait waiting = Wait::none;
    uint64_t wake_us = 0;        // sleep, poll, futex: when the call ends (SystemClock), 0 without a deadline
    Linux_registers saved;       // the registers of the blocked call, or of a new thread
    // A futex wait: the word's address (in the process's memory) and the bits a wake must
    // share; futex_order: when it began waiting (wakes go first come, first served).
    uint64_t futex_address = 0;
    // Wait::socket on an AF_INET socket: its number in the network server, whose events say
    // when to try again (-1: an AF_UNIX socket, woken as pipes are).
    int32_t wait_inet_socket = -1;
    uint32_t futex_bits = 0;
    uint64_t futex_order = 0;
    // rt_sigtimedwait: the set waited for.
    uint64_t waited_signals = 0;

    // A signal for a thread running in user mode: the server sets its ip to a non-canonical
    // address (ExchangeRegisters, which its pager's space may use), so it comes back at
    // once with an exception carrying every register, interrupted_ip in place of its real
    // one (Linux_server::interrupt).
    bool interrupting = false;
    uint64_t interrupted_ip = 0;
    // rt_sigsuspend: the mask to restore when the handler returns (its frame's).
    bool suspended = false;
    uint64_t suspended_mask = 0;
    // In the FPU trampoline (fpu_trampoline.S): the registers its closing call is answered
    // with, the signal handler's or those rt_sigreturn restored.
    bool in_fpu_trampoline = false;
    Linux_registers after_fpu_trampoline;
    bool starting = false;       // a new thread before its first instruction (saved holds its registers)
    // Stopped with its process (job control): saved holds where it goes on at SIGCONT.
    bool parked = false;
    // A blocked call a signal without a handler interrupted was set to run again (its ip at
    // the syscall instruction). If a handler runs before it does, it ends with EINTR
    // instead, unless it is one SA_RESTART restarts and the handler asked for that (Linux's
    // -ERESTARTSYS and -ERESTARTNOHAND). A new call clears it.
    bool call_restarting = false;
    bool call_restartable = false;
};

#endif
