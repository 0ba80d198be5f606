// SPDX-License-Identifier: MIT
// The IPC fast path: call and reply-and-wait in their common case, in one straight line.
// Untyped words go to a partner blocked in its own final receive and accepting us; we then
// block for the answer with no timeout while nobody else waits to send to us. The result is
// exactly what the general path (thread-ipc.cpp) produces; only the detours are left out.
//
// Three parts, in this order: guards, each of which may send the call to the general path
// having changed nothing; the point of no return; the commit, which hands the processor to
// the partner and leaves the kernel as it (ipc_fast_exit, entry_fast.asm).
//
// The system-call entry (syscall_entry_fast) calls ipc_fast_path() for Ipc and Lipc with
// only rsp, rip, rflags, rbx and rbp saved. This file is compiled so that it never touches r8-r10,
// which carry MR0-MR2 from sender to receiver, and saves no callee-saved register (see
// arch/x86/meson.build): so it may call nothing, and define nothing but ipc_fast_path.
#include "scheduler.hpp"
#include "space.hpp"
#include "syscall_frame.hpp"
#include "thread.hpp"
#include "timeout.hpp"

static_assert(TERN_SYSCALL_IPC == 0 && TERN_SYSCALL_LIPC == 1, "syscall_entry_fast tells Ipc by number <= 1");

// MR0 (the tag) as the sender left it: r8 is reserved in this file (see above).
register uint64_t mr0_register asm("r8");
static_assert(Sys_ipc::register_mrs == 3, "MR0-MR2 travel in r8-r10, the rest is copied from UTCB to UTCB");

namespace {

// Typed items and the tag's flags (propagation) are the general path's.
constexpr uint64_t untyped_only_mask = uint64_t{0xffc0};

// Leaves the kernel as receiver, through the exit of its ring (entry_fast.asm): sysretq to
// ring 3, iretq to a kernel-mode task.
template <Thread::Privilege ring>
[[noreturn, gnu::always_inline]] inline void leave_as(Thread &receiver, Thread_id seen_as)
{
    constexpr uintptr_t frame_offset = Thread::object_size - sizeof(Exception_frame);
    if constexpr (ring == Thread::Privilege::user)
        asm volatile("lea %c1(%0), %%rsp\n\tjmp ipc_fast_exit"
                     :
                     : "r"(&receiver), "i"(frame_offset), "a"(seen_as.raw())
                     : "memory");
    else
        asm volatile("lea %c1(%0), %%rsp\n\tjmp ipc_fast_exit_kernel_task"
                     :
                     : "r"(&receiver), "i"(frame_offset), "a"(seen_as.raw())
                     : "memory");
    __builtin_unreachable();
}

// A guard failed: the general path takes the call, and finds in the frame what the entry
// left in registers. (Saved here, not on the way in, so that the fast case saves nothing.)
[[gnu::always_inline]] inline void to_general_path(Exception_frame &frame, Thread_id to, Thread_id from_specifier,
                                                   uint64_t timeouts)
{
    Sys_ipc_entry::save_arguments(frame, to.raw(), from_specifier.raw(), timeouts);
}

// The tag's bits read where they are, in r8 (a copy would cost an instruction each time).
[[gnu::always_inline]] inline bool tag_has(uint64_t mask)
{
    bool any;
    asm("test %[mask], %k[tag]" : "=@ccnz"(any) : [tag] "r"(mr0_register), [mask] "i"(mask));
    return any;
}

[[gnu::always_inline]] inline bool tag_words_above(uint16_t words)
{
    bool above;
    asm("cmpw %[words], %w[tag]" : "=@cca"(above) : [tag] "r"(mr0_register), [words] "i"(words));
    return above;
}

[[gnu::always_inline]] inline uint64_t untyped_words()
{
    uint64_t words;
    asm("movzwl %w[tag], %k[words]" : [words] "=r"(words) : [tag] "r"(mr0_register));
    return words;
}

}  // namespace

template <Thread::Privilege sender_ring>
[[gnu::always_inline]] inline void Thread::ipc_fast(Thread_id to, Thread_id from_specifier, uint64_t timeouts)
{
    // --- guards ---
    // No typed items, no flags, and a receive phase without timeout (X.2's 0 is never).
    if (tag_has(untyped_only_mask) || Timeout::receive_part(timeouts) != 0)
        return to_general_path(frame(), to, from_specifier, timeouts);
    // The answer is awaited from the partner itself (call) or from anyone (reply-and-wait):
    // a closed wait for some other thread goes the general way, which checks it exists. A
    // call waits closed for its partner only when it is among the partner's closed
    // waiters already (the general path puts it there, once per partner).
    if (from_specifier == to ? to != closed_for_ : !from_specifier.is_any() && !from_specifier.is_any_local())
        return to_general_path(frame(), to, from_specifier, timeouts);
    // Our gate names the rest: a queued sender would have to be taken first, a delayed
    // preemption we run in ends with this IPC, FS or GS bases of our own need MSR writes,
    // and the FPU registers we own must trap the receiver (Fpu::leave). All the general path's.
    if (gate() != running)
        return to_general_path(frame(), to, from_specifier, timeouts);

    // A global id names any thread (its version must match), a local one a thread of this
    // space by its UTCB address.
    Thread *receiver;
    if ((to.raw() & 63) != 0) {
        receiver = table_[to.number() & (max_threads - 1)];
        if (receiver->id_ != to)  // (a free number holds nobody(), whose nil id matches none)
            return to_general_path(frame(), to, from_specifier, timeouts);
    } else {
        receiver = space_->thread_at_utcb(to.raw());
        if (receiver == nullptr)
            return to_general_path(frame(), to, from_specifier, timeouts);
    }
    // It must wait in its final receive, at its frame, not halted, with no receive timeout
    // to cancel and FS and GS bases as ours (its gate), and may run now without passing
    // over a higher-priority ready thread. (This excludes ourselves: we are running.)
    if (receiver->gate() != waiting_at_frame || !Scheduler::may_run_now(receiver))
        return to_general_path(frame(), to, from_specifier, timeouts);
    // It must accept us; it learns our local id if we share its space (X.2).
    Thread_id waits_for = receiver->ipc_.partner;
    bool same_space = receiver->space_ == space_;
    if (waits_for != id_ && !waits_for.is_any() &&
        !(same_space && (waits_for.is_any_local() || waits_for.raw() == utcb_address_)))
        return to_general_path(frame(), to, from_specifier, timeouts);
    // Another space must take the fast path too (its threads enter through the entry that
    // leads here), with our default GS base (equal keys: its KIP where ours is). Its ring
    // may differ from ours (the one bit the keys may differ in): then its exit is the other.
    // (Each commit is compiled for its case: no test is made twice.)
    Space *target = receiver->space_;
    if (same_space)
        commit_fast<sender_ring, true>(*receiver, target, from_specifier);
    if (target->fast_switch_key() == space_->fast_switch_key())
        commit_fast<sender_ring, false>(*receiver, target, from_specifier);
    // (Read the keys again here: kept in registers for this, they would cost the common
    // case above a load.)
    asm volatile("" : : : "memory");
    if ((target->fast_switch_key() ^ space_->fast_switch_key()) != Space::fast_switch_key_ring_bit)
        return to_general_path(frame(), to, from_specifier, timeouts);
    constexpr Privilege other = sender_ring == Privilege::user ? Privilege::kernel_task : Privilege::user;
    commit_fast<other, false>(*receiver, target, from_specifier);
}

// The point of no return and the hand-over, to a receiver in the given ring.
template <Thread::Privilege receiver_ring, bool same_space>
[[noreturn, gnu::always_inline]] inline void Thread::commit_fast(Thread &receiver, Space *target,
                                                                 Thread_id from_specifier)
{
    // We wait for the answer at our frame: whoever answers writes the results there.
    ipc_.partner = from_specifier;
    set_gate(waiting_at_frame);
    receiver.set_gate(running);
    Thread_id seen_as = same_space ? local_id() : id_;
    (void)target;
    // The guards leave only u in the tag's low 16 bits.
    if (tag_words_above(Sys_ipc::register_mrs - 1)) {
        static_assert(copied_mrs_offset == utcb_mr_offset + Sys_ipc::register_mrs * 8);
        uint64_t *source = copied_mrs_;
        uint64_t *target_words = receiver.copied_mrs_;
        uint64_t count = untyped_words() + 1 - Sys_ipc::register_mrs;
        asm volatile("rep movsq" : "+S"(source), "+D"(target_words), "+c"(count) : : "memory");
    }
    Cpu_local::set_current_thread(&receiver);
    // Another space: its page table, and its I/O bitmap if it is not the loaded one (one
    // comparison between spaces without ports; a driver's copy is inline, no call).
    if constexpr (!same_space)
        target->activate();
    // Neither has bases of its own (the gates): FS and GS bases stay, %gs:0 gives its UTCB.
    User_mode::switch_kernel_stack_and_utcb(receiver.stack_end(), receiver.utcb_address_);
    leave_as<receiver_ring>(receiver, seen_as);
}

// The entry's registers: to, from specifier and timeouts in the first three, the tag in
// r8. Returns only when the general path must take the call, having saved for it what the
// entry left in registers.
// In the page of the entry and the exit (linker.ld).
extern "C" [[gnu::section(".text.ipc_fast")]] void ipc_fast_path(uint64_t to, uint64_t from_specifier,
                                                                 uint64_t timeouts)
{
    Scheduler::current()->ipc_fast<Thread::Privilege::user>(Thread_id(to), Thread_id(from_specifier), timeouts);
}

// The same for a kernel-mode task's call (kernel_task_entry_fast).
extern "C" [[gnu::section(".text.ipc_fast")]] void ipc_fast_path_kernel_task(uint64_t to, uint64_t from_specifier,
                                                                             uint64_t timeouts)
{
    Scheduler::current()->ipc_fast<Thread::Privilege::kernel_task>(Thread_id(to), Thread_id(from_specifier), timeouts);
}
