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
#include "syscall_frame.hpp"
#include "thread.hpp"
#include "timeout.hpp"

[[gnu::always_inline]] inline void Thread::ipc_direct(Thread_id to, Thread_id from_specifier, uint64_t timeouts,
                                                     Message_tag tag, uint64_t mr1)
{
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
    // It must accept us; it learns our local id if we share its space (X.2).
    Thread_id waits_for = receiver->ipc_.partner;
    bool same_space = receiver->space_ == space_;
    if (waits_for != id_ && !waits_for.is_any() &&
        !(same_space && (waits_for.is_any_local() || waits_for.raw() == utcb_address_)))
        return;
    Thread_id seen_as = same_space ? local_id() : id_;

    // Deliver: the receiver's whole system-call result goes into its frame.
    Sys_ipc result{receiver->frame()};
    unsigned words = tag.untyped();
    static_assert(Sys_ipc::register_mrs == 3, "MR1 and MR2 are copied below");
    if (words >= 1) [[likely]]  // (keeps the copy in line: calls carry words)
        result.set_mr1(mr1);
    if (words >= 2)
        result.set_mr2(Sys_ipc{frame()}.mr2());
    if (words >= Sys_ipc::register_mrs) {
        const uint64_t *source = &utcb_word(utcb_mr_offset);
        uint64_t *target = &receiver->utcb_word(utcb_mr_offset);
        for (unsigned i = Sys_ipc::register_mrs; i <= words; ++i)
            target[i] = source[i];
    }
    result.set_mr0(tag.without_flags().raw());
    result.set_from(seen_as.raw());

    // Wait for the answer, resuming at our frame when it comes (whoever answers writes
    // the results there, so ipc_.from and ipc_.error are not needed).
    state_ = State::waiting_receive;
    ipc_.partner = from_specifier;
    resume_at_frame_ = true;
    Scheduler::switch_to_frame_of(this, receiver);
}

// The arguments are the first six C argument registers as the system-call entry left them
// (Sys_ipc_entry says which of Ipc's inputs they hold).
extern "C" void ipc_direct_path(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    Thread *self = Scheduler::current();
    Sys_ipc_entry call{{a0, a1, a2, a3, a4, a5}, self->frame()};
    self->ipc_direct(Thread_id(call.to()), Thread_id(call.from_specifier()), call.timeouts(), Message_tag(call.mr0()),
                     call.mr1());
}
