// SPDX-License-Identifier: MIT
// The IPC direct path: call and reply-and-wait in their common case, in one straight line.
// Untyped words go to a partner blocked in its own final receive and accepting us; we then
// block for the answer with no timeout while nobody else waits to send to us. The result is
// exactly what the general path (thread-ipc.cpp) produces; only the detours are left out.
//
// The system-call entry calls ipc_direct_path() for Ipc and Lipc before anything else. It
// returns, having changed nothing, when the case does not apply; otherwise it leaves the
// kernel as the partner. Since the entry has saved every user register in the frame and
// reloads them from there, this file is compiled without preserving callee-saved
// registers (see kernel/meson.build): it must define no function that other code calls.
#include "scheduler.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "timeout.hpp"

[[gnu::always_inline]] inline void Thread::ipc_direct(Thread_id to, Thread_id from_specifier, uint64_t timeouts,
                                                     Message_tag tag, uint64_t mr1)
{
    Exception_frame &from = frame();
    // The answer is awaited from the partner itself (call) or from anyone (reply-and-wait):
    // a closed wait for some other thread goes the general way, which checks it exists.
    // A queued sender would have to be taken first.
    // A delayed preemption we run in ends with this IPC: the general path does that.
    if (!space_->takes_direct_ipc() || tag.typed() != 0 || Timeout::receive_part(timeouts) != 0 ||
        !senders_.empty() || preemption_delay_.running())
        return;
    // A call waits closed for its partner: only when it is among the partner's closed
    // waiters already (the general path puts it there, once per partner).
    if (from_specifier == to ? to != closed_for_ : !from_specifier.is_any() && !from_specifier.is_any_local())
        return;

    // A global id names any thread (its version must match), a local one (Lipc) a thread of
    // this space by its UTCB address.
    Thread *receiver;
    if ((to.raw() & 63) != 0) {
        // Global, or anythread, whose thread number is beyond the table.
        receiver = by_number(to.number());
        if (receiver == nullptr || receiver->id_ != to)
            return;
    } else if (to.is_local()) {
        receiver = space_->thread_at_utcb(to.raw());
        if (receiver == nullptr)
            return;
    } else {
        return;
    }
    // It must wait in its final receive (so that it resumes at its frame), not be halted,
    // and may run now without passing over a higher-priority ready thread.
    // (This excludes ourselves: we are running.) A pending receive timeout would have to be
    // cancelled: left to the general path, so that this one calls nothing.
    if (receiver->state_ != State::waiting_receive || !receiver->resume_at_frame_ || receiver->halted_ ||
        !Scheduler::may_run_now(receiver) || Scheduler::has_timeout(receiver))
        return;
    // It must accept us; it learns our local id if it waited for a local one (X.2).
    Thread_id waits_for = receiver->ipc_.partner;
    Thread_id seen_as = id_;
    if (waits_for != id_ && !waits_for.is_any()) {
        if (receiver->space_ != space_ || !(waits_for.is_any_local() || waits_for.raw() == utcb_address_))
            return;
        seen_as = local_id();
    }

    // Deliver: the receiver's whole system-call result goes into its frame.
    Exception_frame &to_frame = receiver->frame();
    unsigned words = tag.untyped();
    if (words >= 1)
        to_frame.r9 = mr1;
    if (words >= 2)
        to_frame.r12 = from.r12;
    if (words >= 3) {
        const uint64_t *source = &utcb_word(utcb_mr_offset);
        uint64_t *target = &receiver->utcb_word(utcb_mr_offset);
        for (unsigned i = 3; i <= words; ++i)
            target[i] = source[i];
    }
    to_frame.r8 = tag.without_flags().raw();
    to_frame.rax = seen_as.raw();

    // Wait for the answer, resuming at our frame when it comes (whoever answers writes
    // the results there, so ipc_.from and ipc_.error are not needed).
    state_ = State::waiting_receive;
    ipc_.partner = from_specifier;
    resume_at_frame_ = true;
    Scheduler::switch_to_frame_of(this, receiver);
}

// The arguments are the system call's registers as the entry left them: rdi, rsi, rdx, then
// rcx (the user's rip, unused), r8 (MR0) and r9 (MR1).
extern "C" void ipc_direct_path(uint64_t to, uint64_t from_specifier, uint64_t timeouts, uint64_t, uint64_t mr0,
                                uint64_t mr1)
{
    Scheduler::current()->ipc_direct(Thread_id(to), Thread_id(from_specifier), timeouts, Message_tag(mr0), mr1);
}
