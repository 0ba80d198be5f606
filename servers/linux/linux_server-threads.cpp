// SPDX-License-Identifier: MIT
// Threads: clone of a thread into its process's space, a thread's exit, futexes, and the
// calls that signal or wait for signals as one thread (tgkill, rt_sigtimedwait).
// docs/linux.md, "Threads".
#include <l4/tern/system.h>
#include <l4/thread.h>
#include <stdio.h>
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"
#include "task.hpp"

using namespace linux_abi;

namespace {

// clone's flags (include/uapi/linux/sched.h).
constexpr uint64_t clone_vm = 0x100, clone_fs = 0x200, clone_files = 0x400, clone_sighand = 0x800,
                   clone_vfork = 0x4000, clone_thread = 0x10000, clone_sysvsem = 0x40000, clone_settls = 0x80000,
                   clone_parent_settid = 0x100000, clone_child_cleartid = 0x200000, clone_detached = 0x400000,
                   clone_child_settid = 0x1000000, exit_signal_mask = 0xff;
// What a thread of the same process shares: pthread_create's set. Tern makes threads and
// forks, nothing between (docs/linux.md).
constexpr uint64_t thread_sharing = clone_vm | clone_fs | clone_files | clone_sighand | clone_thread;
constexpr uint64_t known_flags = exit_signal_mask | thread_sharing | clone_vfork | clone_sysvsem | clone_settls |
                                 clone_parent_settid | clone_child_cleartid | clone_detached | clone_child_settid;

// futex operations (include/uapi/linux/futex.h).
constexpr uint32_t futex_wait = 0, futex_wake = 1, futex_requeue = 3, futex_cmp_requeue = 4, futex_wake_op = 5,
                   futex_wait_bitset = 9, futex_wake_bitset = 10, futex_private = 128, futex_clock_realtime = 256,
                   futex_command_mask = ~(futex_private | futex_clock_realtime);

constexpr uint64_t unblockable = Process::unblockable_signals;
uint64_t bit(int signal) { return uint64_t{1} << (signal - 1); }

// A wake's count, an int: Linux wakes at least one waiter however small it is (its loop
// counts after each wake).
uint64_t wake_count(uint32_t value)
{
    int32_t count = static_cast<int32_t>(value);
    return count <= 0 ? 1 : static_cast<uint64_t>(count);
}

// FUTEX_WAKE_OP's operation on the old value, and its comparison.
bool futex_operation(uint32_t encoded, int32_t old_value, int32_t &new_value, bool &compared)
{
    uint32_t operation = (encoded >> 28) & 7, comparison = (encoded >> 24) & 15;
    int32_t operand = static_cast<int32_t>(encoded << 8) >> 20;      // 12 bits, sign-extended
    int32_t comparand = static_cast<int32_t>(encoded << 20) >> 20;
    if ((encoded & 0x80000000) != 0) {                                  // FUTEX_OP_OPARG_SHIFT
        if (operand < 0 || operand > 31)
            return false;
        operand = static_cast<int32_t>(1u << operand);
    }
    switch (operation) {
    case 0: new_value = operand; break;                                  // SET
    case 1: new_value = static_cast<int32_t>(static_cast<uint32_t>(old_value) + static_cast<uint32_t>(operand)); break;
    case 2: new_value = old_value | operand; break;                      // OR
    case 3: new_value = old_value & ~operand; break;                     // ANDN
    case 4: new_value = old_value ^ operand; break;                      // XOR
    default: return false;
    }
    switch (comparison) {
    case 0: compared = old_value == comparand; break;
    case 1: compared = old_value != comparand; break;
    case 2: compared = old_value < comparand; break;
    case 3: compared = old_value <= comparand; break;
    case 4: compared = old_value > comparand; break;
    case 5: compared = old_value >= comparand; break;
    default: return false;
    }
    return true;
}

// A struct timespec of the process at address, in microseconds (rounded up, capped at about
// 146,000 years): 0, or the call's error (EFAULT, EINVAL for a negative or bad one).
int64_t timespec_us(Process_memory &memory, uint64_t address, uint64_t &us)
{
    uint64_t spec[2];
    Process_memory::Error copied = memory.copy_in(spec, address, sizeof spec);
    if (copied != Process_memory::Error::none)
        return memory_error(copied);
    if (static_cast<int64_t>(spec[0]) < 0 || spec[1] >= 1000000000)
        return error(Errno::inval);
    constexpr uint64_t longest_us = uint64_t{1} << 62;
    us = spec[0] >= longest_us / 1000000 ? longest_us : spec[0] * 1000000 + (spec[1] + 999) / 1000;
    return 0;
}

}  // namespace

// A thread: a new L4 thread of the caller's space that starts, like a fork's child, at the
// caller's syscall instruction and is answered with the caller's registers, 0 in rax, its
// own stack and TLS. Anything else that shares (CLONE_VM without CLONE_THREAD: vfork's
// shape, posix_spawn's) is EINVAL: Tern does not share memory between processes.
int64_t Linux_server::sys_clone(Thread &thread, const Linux_registers &registers)
{
    Process &process = *thread.process;
    uint64_t flags = registers.arg(0), stack = registers.arg(1), parent_tid = registers.arg(2),
             child_tid = registers.arg(3), tls = registers.arg(4);
    if ((flags & ~known_flags) != 0)
        return error(Errno::inval);
    if ((flags & thread_sharing) == 0)
        return clone_process(thread, registers);
    if ((flags & thread_sharing) != thread_sharing || (flags & clone_vfork) != 0)
        return error(Errno::inval);
    if (tls >= Process_memory::user_limit && (flags & clone_settls) != 0)
        return error(Errno::perm);
    if (process.threads >= max_threads_per_process)
        return error(Errno::again);
    Thread *child = new_thread(process, next_pid_);
    if (child == nullptr)
        return error(Errno::again);
    child->blocked = thread.blocked;  // (no alternate stack: Linux clears it for CLONE_VM)
    child->clear_child_tid = (flags & clone_child_cleartid) != 0 ? child_tid : 0;
    child->saved = registers;
    child->saved.set_result(0);
    if (stack != 0)
        child->saved.set_sp(stack);
    if ((flags & clone_settls) != 0)
        child->saved.set_fs_base(tls);
    child->saved.set_all_on_reply();
    child->starting = true;
    if (!start_thread(*child, registers.ip() - 2, stack != 0 ? stack : registers.sp())) {
        free_thread(*child);
        return error(Errno::again);  // root had no thread number left in the space
    }
    // The ids, where asked; as in Linux, a word that cannot be written is not an error.
    int32_t tid = child->tid;
    if ((flags & clone_parent_settid) != 0)
        (void)process.memory.copy_out(parent_tid, &tid, sizeof tid);
    if ((flags & clone_child_settid) != 0)
        (void)process.memory.copy_out(child_tid, &tid, sizeof tid);
    return tid;
}

// A fork by clone (glibc's fork is one): the ids written where CLONE_PARENT_SETTID and
// CLONE_CHILD_SETTID say, the child's clear_child_tid set (CLONE_CHILD_CLEARTID).
int64_t Linux_server::clone_process(Thread &thread, const Linux_registers &registers)
{
    Process &process = *thread.process;
    uint64_t flags = registers.arg(0), parent_tid = registers.arg(2), child_tid = registers.arg(3);
    if ((flags & clone_settls) != 0)
        return error(Errno::inval);  // (a new process with a TLS of its own: no C library makes one)
    int64_t pid = sys_fork(thread, registers);
    if (pid < 0)
        return pid;
    int32_t id = static_cast<int32_t>(pid);
    for (Process *child : processes_)
        if (child != nullptr && child->state == Process::State::running && child->pid == pid) {
            if ((flags & clone_child_settid) != 0)
                (void)child->memory.copy_out(child_tid, &id, sizeof id);
            if (Thread *only = first_thread(*child); only != nullptr && (flags & clone_child_cleartid) != 0)
                only->clear_child_tid = child_tid;
        }
    if ((flags & clone_parent_settid) != 0)
        (void)process.memory.copy_out(parent_tid, &id, sizeof id);
    return pid;
}

void Linux_server::exit_thread(Thread &thread, int status)
{
    Process &process = *thread.process;
    if (process.threads <= 1) {
        terminate(process, status);  // the last thread's exit is the process's
        return;
    }
    // CLONE_CHILD_CLEARTID: the word goes to 0 and one waiter wakes (pthread_join's).
    if (thread.clear_child_tid != 0) {
        uint32_t zero = 0;
        if (process.memory.copy_out(thread.clear_child_tid, &zero, sizeof zero) == Process_memory::Error::none)
            (void)wake_futex(process, thread.clear_child_tid, 1, ~0u);
    }
    process.past_time_us += thread_time_us(thread);
    // The space's first thread names the space: it stays, never answered again, until the
    // space goes. Any other is deleted now.
    if (!L4_IsThreadEqual(thread.l4, process.space)) {
        tern::Message request(TERN_SYSTEM_SPACE_THREAD_DELETE);
        request.add(thread.l4.raw);
        request.add(L4_Word_t{0});
        (void)request.call(tern_root_thread());
    }
    free_thread(thread);
    complete_signals(process);  // the process's signals it would have taken go to another thread
}

int64_t Linux_server::wake_futex(Process &process, uint64_t address, uint64_t count, uint32_t bits)
{
    int64_t woken = 0;
    while (static_cast<uint64_t>(woken) < count && process.state == Process::State::running) {
        Thread *first = nullptr;
        for (Thread &waiter : live_threads())
            if (waiter.state == Thread::State::running && waiter.process == &process &&
                waiter.waiting == Thread::Wait::futex && waiter.futex_address == address &&
                (waiter.futex_bits & bits) != 0 && (first == nullptr || waiter.futex_order < first->futex_order))
                first = &waiter;
        if (first == nullptr)
            break;
        first->waiting = Thread::Wait::none;
        first->wake_us = 0;
        Linux_registers registers = first->saved;
        registers.set_result(0);
        ++woken;
        if (deliver_signals(*first, registers))
            answer(*first, registers);
    }
    return woken;
}

// Futex keys are the process and the address, as Linux keys a private futex and a shared
// one in a private mapping: Tern's processes share no writable memory, so a shared futex
// is one of a process's threads as well (docs/linux.md).
int64_t Linux_server::sys_futex(Thread &thread, const Linux_registers &registers)
{
    Process &process = *thread.process;
    uint64_t address = registers.arg(0), timeout = registers.arg(3), address2 = registers.arg(4);
    uint32_t operation = static_cast<uint32_t>(registers.arg(1)), value = static_cast<uint32_t>(registers.arg(2)),
             value3 = static_cast<uint32_t>(registers.arg(5));
    uint32_t command = operation & futex_command_mask;
    if ((operation & futex_clock_realtime) != 0 && command != futex_wait_bitset)
        return error(Errno::nosys);
    if ((address & 3) != 0)
        return error(Errno::inval);
    switch (command) {
    case futex_wait:
    case futex_wait_bitset: {
        uint32_t bits = command == futex_wait ? ~0u : value3;
        if (bits == 0)
            return error(Errno::inval);
        uint64_t now = L4_SystemClock().raw, deadline = thread.wake_us;  // (kept through a restart)
        if (timeout != 0 && deadline == 0) {
            uint64_t us;
            if (int64_t bad = timespec_us(process.memory, timeout, us); bad != 0)
                return bad;
            if (command == futex_wait) {
                deadline = now + us;  // relative, on CLOCK_MONOTONIC
            } else {
                uint64_t epoch_us = (operation & futex_clock_realtime) != 0 ? epoch_seconds_ * 1000000 : 0;
                deadline = us > epoch_us ? us - epoch_us : 0;  // absolute, on the clock named
                if (deadline == 0)
                    deadline = 1;  // (0 says "none")
            }
        }
        uint32_t word;
        Process_memory::Error copied = process.memory.copy_in(&word, address, sizeof word);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        if (word != value)
            return error(Errno::again);
        if (deadline != 0 && now >= deadline) {
            thread.wake_us = 0;
            return error(Errno::timedout);
        }
        thread.futex_address = address;
        thread.futex_bits = bits;
        thread.futex_order = ++futex_order_;
        thread.waiting = Thread::Wait::futex;
        if (deadline != 0)
            wake_at(thread, deadline);
        return blocked;
    }
    case futex_wake:
    case futex_wake_bitset: {
        uint32_t bits = command == futex_wake ? ~0u : value3;
        if (bits == 0)
            return error(Errno::inval);
        // As in Linux, a count of 0 wakes one; a negative int counts as very large.
        return wake_futex(process, address, wake_count(value), bits);
    }
    case futex_requeue:
    case futex_cmp_requeue: {
        int32_t wake_count = static_cast<int32_t>(value), move_count = static_cast<int32_t>(timeout);
        if (wake_count < 0 || move_count < 0 || (address2 & 3) != 0)
            return error(Errno::inval);
        if (command == futex_cmp_requeue) {
            uint32_t word;
            Process_memory::Error copied = process.memory.copy_in(&word, address, sizeof word);
            if (copied != Process_memory::Error::none)
                return memory_error(copied);
            if (word != value3)
                return error(Errno::again);
        }
        int64_t done = wake_count > 0 ? wake_futex(process, address, static_cast<uint64_t>(wake_count), ~0u) : 0;
        if (address2 == address) {
            // A move onto the same queue changes nothing: the waiters it would move are counted.
            int32_t waiting = 0;
            for (const Thread &waiter : live_threads())
                waiting += waiter.state == Thread::State::running && waiter.process == &process &&
                           waiter.waiting == Thread::Wait::futex && waiter.futex_address == address;
            return done + (waiting < move_count ? waiting : move_count);
        }
        // The rest, first come first, move to the second word's queue (keeping their order).
        for (int32_t moved = 0; moved < move_count; ++moved) {
            Thread *first = nullptr;
            for (Thread &waiter : live_threads())
                if (waiter.state == Thread::State::running && waiter.process == &process &&
                    waiter.waiting == Thread::Wait::futex && waiter.futex_address == address &&
                    (first == nullptr || waiter.futex_order < first->futex_order))
                    first = &waiter;
            if (first == nullptr)
                break;
            first->futex_address = address2;
            ++done;
        }
        return done;
    }
    case futex_wake_op: {
        if ((address2 & 3) != 0)
            return error(Errno::inval);
        uint32_t old_word;
        Process_memory::Error copied = process.memory.copy_in(&old_word, address2, sizeof old_word);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        int32_t new_word;
        bool compared;
        if (!futex_operation(value3, static_cast<int32_t>(old_word), new_word, compared))
            return error(Errno::nosys);
        copied = process.memory.copy_out(address2, &new_word, sizeof new_word);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        int64_t woken = wake_futex(process, address, wake_count(value), ~0u);
        if (compared)
            woken += wake_futex(process, address2, wake_count(static_cast<uint32_t>(timeout)), ~0u);
        return woken;
    }
    default:
        // FUTEX_FD (gone from Linux) and the priority-inheritance operations.
        return error(Errno::nosys);
    }
}

int64_t Linux_server::sys_tgkill(Process &process, int64_t group, int64_t tid, int64_t signal)
{
    if (signal < 0 || signal > static_cast<int64_t>(Process::signals) || tid <= 0 || group == 0 || group < -1)
        return error(Errno::inval);
    for (Thread &target : live_threads()) {
        if (target.state != Thread::State::running || target.tid != tid ||
            target.process->state != Process::State::running || (group != -1 && target.process->pid != group))
            continue;
        if (signal != 0)
            send_thread_signal(target, static_cast<int>(signal), -6 /* SI_TKILL */, process.pid);
        return 0;
    }
    return error(Errno::srch);
}

// sigwait and sigtimedwait: a signal of set that is pending is taken without its handler;
// while the thread waits, the signals of set count as unblocked for it (so that a signal
// sent to its process chooses it, as Linux's real_blocked does).
int64_t Linux_server::sys_rt_sigtimedwait(Thread &thread, uint64_t set_address, uint64_t info, uint64_t timeout,
                                          uint64_t size)
{
    Process &process = *thread.process;
    if (size != 8)
        return error(Errno::inval);
    uint64_t set;
    Process_memory::Error copied = process.memory.copy_in(&set, set_address, sizeof set);
    if (copied != Process_memory::Error::none)
        return memory_error(copied);
    set &= ~unblockable;
    uint64_t now = L4_SystemClock().raw, deadline = thread.wake_us;
    bool immediate = false;
    if (timeout != 0 && deadline == 0) {
        uint64_t us;
        if (int64_t bad = timespec_us(process.memory, timeout, us); bad != 0)
            return bad;
        immediate = us == 0;
        deadline = now + us;
    }
    uint64_t ready = (thread.pending | process.pending) & set;
    if (ready != 0) {
        int signal = __builtin_ctzll(ready) + 1;
        if (info != 0) {
            const Process::Signal_info &about = process.info[signal - 1];
            int32_t words[32] = {signal, 0, about.code, 0, about.pid, 0, about.status};
            copied = process.memory.copy_out(info, words, sizeof words);
            if (copied != Process_memory::Error::none)
                return memory_error(copied);
        }
        if ((thread.pending & bit(signal)) != 0)
            thread.pending &= ~bit(signal);
        else
            process.pending &= ~bit(signal);
        thread.wake_us = 0;
        thread.waited_signals = 0;
        return signal;
    }
    if (immediate || (deadline != 0 && now >= deadline)) {
        thread.wake_us = 0;
        thread.waited_signals = 0;
        return error(Errno::again);
    }
    thread.waited_signals = set;
    thread.waiting = Thread::Wait::signal;
    if (deadline != 0)
        wake_at(thread, deadline);
    return blocked;
}
