// SPDX-License-Identifier: MIT
// Exception IPC's common case in a short path of its own: a reflected system call (or any
// exception) goes to a handler that waits at its frame, written straight into the
// handler's message registers (User_exception::exception_ipc), and the handler's reply, sent to
// the thread while it waits for it, is applied to the thread's frame at once. Both ends
// are what the general path (kernel_call, send_phase, receive_until) makes of the same
// IPC; only its detours are left out. Anything else (a handler that does not wait, a
// reply with typed items or one the thread must not resume with, a timeout, a queued
// sender) takes the general path, having changed nothing.
#include "abi.h"
#include "scheduler.hpp"
#include "syscall_frame.hpp"
#include "thread.hpp"
#include "user_exception.hpp"

namespace {

constexpr uint64_t no_error = 0;
// Typed items and the tag's flags are the general path's.
constexpr uint64_t untyped_only_mask = uint64_t{0xffc0};

}  // namespace

[[gnu::hot]] Thread *Thread::exception_handler_waiting(Thread_id handler_id)
{
    Thread *handler = lookup(handler_id, this);
    // The handler waits in its final receive at its frame and takes us; nobody waits to
    // send to us (a receive would take them first).
    if (handler == nullptr || handler == this || handler->space_ == nullptr ||
        handler->state_ != State::waiting_receive || !handler->resume_at_frame_ || handler->halted_ ||
        handler->copies_strings() || !handler->matches(handler->ipc_.partner, *this) || senders_queued_)
        return nullptr;
    return handler;
}

bool Thread::exception_call(Thread_id handler_id, unsigned words)
{
    awaits_exception_reply_ = true;
    bool replied = kernel_call(handler_id, words);
    awaits_exception_reply_ = false;
    return replied;
}

[[gnu::hot]] bool Thread::deliver_exception(Thread &handler, Thread_id handler_id, unsigned words)
{
    // The message is in the handler's MRs from MR0 (its UTCB); the first three belong in
    // its frame's registers.
    uint64_t *handler_mrs = handler.message_array();
    handler_mrs[0] = Message_tag::make(Message_tag(handler_mrs[0]).label(), words, 0).raw();
    Sys_ipc delivered{handler.frame()};
    for (unsigned i = 0; i < Sys_ipc::register_mrs; ++i)
        delivered.set_mr(i, handler_mrs[i]);
    handler.finish_receive(*this, no_error, false);
    // We wait for the handler's reply, as kernel_call's receive phase would: closed, no
    // timeout, the message registers our kernel buffer.
    ipc_.kernel = true;
    awaits_exception_reply_ = true;
    ipc_.error = no_error;
    ipc_.partner = handler_id;
    state_ = State::waiting_receive;
    wait_closed_for(handler, handler_id);
    Scheduler::hand_off(&handler);
    // Woken here only by the general path (a reply is applied by reply_to_exception without
    // coming back), with the reply in kernel_message or an error.
    awaits_exception_reply_ = false;
    ipc_.kernel = false;
    return ipc_.error == no_error;
}

[[gnu::hot]] Thread *Thread::exception_caller(Thread_id to)
{
    Thread *caller = lookup(to, this);
    if (caller == nullptr || !caller->awaits_exception_reply_ || caller->state_ != State::waiting_receive ||
        caller->resume_at_frame_ || caller->halted_ || !caller->matches(caller->ipc_.partner, *this))
        return nullptr;
    // The reply's tag: untyped words only.
    if ((Sys_ipc{frame()}.mr0() & untyped_only_mask) != 0)
        return nullptr;
    return caller;
}

[[gnu::hot]] bool Thread::reply_to_exception(Thread &caller, Thread_id from_specifier, uint16_t receive_timeout)
{
    // The reply's words as the general path's transfer would leave them in the caller's
    // kernel buffer, then applied to its frame (unless it refuses them: the general path
    // then delivers them again, and the caller is halted where it reads them).
    Sys_ipc reply{frame()};
    Message_tag tag(reply.mr0());
    unsigned words = tag.untyped();
    uint64_t *m = caller.kernel_message;
    m[0] = Message_tag::make(tag.label(), words, 0).raw();
    for (unsigned i = 1; i <= words && i < Sys_ipc::register_mrs; ++i)
        m[i] = reply.mr(i);
    const uint64_t *our_mrs = message_array();
    for (unsigned i = Sys_ipc::register_mrs; i <= words; ++i)
        m[i] = our_mrs[i];
    if (User_exception::apply_reply(caller, caller.frame(), m) != nullptr)
        return false;
    // Its exception call is over: what is left of it on its kernel stack would do what was
    // just done, so it resumes at its frame, as a thread does after a user IPC.
    caller.awaits_exception_reply_ = false;
    caller.ipc_.kernel = false;
    caller.ipc_.error = no_error;
    caller.resume_at_frame_ = true;
    Scheduler::remove_timeout(&caller);
    if (from_specifier.is_nil()) {
        // A send: the caller runs when its priority says.
        Scheduler::make_ready(&caller);
        Scheduler::preempt_if_higher(&caller);
        return true;
    }
    caller.state_ = State::ready;
    ipc_.hand_off = &caller;
    if (receive_timeout != 0 || senders_queued_ || !(from_specifier.is_any() || from_specifier.is_any_local()))
        return true;  // any other receive is the general path's (ipc), the caller handed the processor
    // Reply and wait from anyone, without timeout: block at our frame, the caller runs.
    // Whoever sends to us next writes the results into the frame (complete_user_ipc).
    ipc_.hand_off = nullptr;
    ipc_.partner = from_specifier;
    ipc_.error = no_error;
    resume_at_frame_ = true;
    state_ = State::waiting_receive;
    Scheduler::hand_off(&caller);
    return true;  // (not reached: we resume at our frame)
}
