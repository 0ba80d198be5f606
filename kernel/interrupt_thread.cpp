// SPDX-License-Identifier: MIT
#include "interrupt_thread.hpp"

#include "scheduler.hpp"
#include "thread.hpp"

Interrupt_thread::Line Interrupt_thread::lines_[Interrupt_thread::lines];
uint64_t Interrupt_thread::unclaimed_ = 0;

Interrupt_thread::Error Interrupt_thread::associate(Thread_id id, Thread_id handler, const Thread &caller)
{
    if (!names_line(id))
        return Error::invalid_thread;
    unsigned number = id.number();
    Line &line = lines_[number];
    Thread_id new_handler = Thread_id::nil();
    if (handler != id) {
        // The handler is a user thread (it has a space); it is kept by its global id.
        // It must be able to receive: an active thread.
        const Thread *thread = Thread::lookup(handler, &caller);
        if (thread == nullptr || thread->space() == nullptr || !thread->is_active())
            return Error::invalid_handler;
        new_handler = thread->id();
    }
    if (line.thread == nullptr) {
        if (new_handler.is_nil())
            return Error::none;  // detaching a line that never had a handler
        line.thread = Thread::create_interrupt_thread(id, priority);
        if (line.thread == nullptr)
            return Error::out_of_memory;
    }
    if (new_handler == line.handler)
        return Error::none;
    // An interrupt on its way to (or waiting for the answer of) the old handler is
    // withdrawn; the new handler starts with the line open and nothing outstanding.
    if (!line.waits_for_line) {
        line.thread->cancel_ipc(Thread::Ipc_phase::send);
        line.thread->cancel_ipc(Thread::Ipc_phase::receive);
    }
    reset(number, new_handler);
    return Error::none;
}

void Interrupt_thread::reset(unsigned number, Thread_id handler)
{
    Line &line = lines_[number];
    line.handler = handler;
    line.in_flight = line.direct = line.pending = false;
    if (handler.is_nil())
        Interrupt_controller::mask(number);
    else
        Interrupt_controller::unmask(number);
}

void Interrupt_thread::handler_deleted(const Thread &handler)
{
    // An interrupt thread in a kernel call to it is woken by the deletion (no partner).
    for (unsigned number = 0; number < lines; ++number)
        if (lines_[number].handler == handler.id())
            reset(number, Thread_id::nil());
}

[[gnu::hot]] void Interrupt_thread::answered(unsigned number)
{
    Line &line = lines_[number];
    ++line.delivered;
    line.in_flight = line.direct = false;
    if (line.pending) {
        line.in_flight = true;  // an edge came meanwhile: the interrupt thread sends it
        wake(line);
    } else {
        Interrupt_controller::release(number);
    }
}

[[gnu::hot]] bool Interrupt_thread::answer(const Thread &thread, const Thread &sender)
{
    unsigned number = thread.id().number();
    Line &line = lines_[number];
    if (line.handler != sender.id())
        return false;
    if (line.direct)
        answered(number);
    return true;
}

void Interrupt_thread::wake(Line &line)
{
    if (!line.waits_for_line)
        return;
    line.waits_for_line = false;
    Scheduler::make_ready(line.thread);
}

[[gnu::hot]] void Interrupt_thread::raise(unsigned number)
{
    if (number >= lines || lines_[number].handler.is_nil()) {
        ++unclaimed_;  // a pin's line stays masked until a handler is associated
        return;
    }
    Line &line = lines_[number];
    ++line.raised;
    if (line.in_flight) {
        line.pending = true;  // an edge before the answer (a level-triggered line is held)
        return;
    }
    line.in_flight = true;
    if (line.waits_for_line) {
        Thread *handler = Thread::lookup(line.handler, nullptr);
        if (handler != nullptr && handler->take_interrupt(*line.thread, Message_tag::make(message_label, 0, 0))) {
            line.direct = true;
            Scheduler::preempt_if_higher(handler);
            return;
        }
    }
    line.pending = true;
    if (line.waits_for_line) {
        wake(line);
        Scheduler::preempt_if_higher(line.thread);
    }
}

void Interrupt_thread::serve(Thread &self)
{
    unsigned number = self.id().number();
    Line &line = lines_[number];
    for (;;) {
        if (!line.pending || line.handler.is_nil()) {
            line.waits_for_line = true;
            self.wait_for_line();
            continue;
        }
        line.pending = false;
        Thread_id handler = line.handler;
        self.kernel_message[0] = Message_tag::make(message_label, 0, 0).raw();
        (void)self.kernel_call(handler, 0);
        // A call that failed because a new association or the handler's deletion withdrew
        // it has had the line set up anew. Otherwise the handler answered: any message
        // from it counts, as in answer(), also one whose words or items do not fit the
        // interrupt thread (which makes the call fail with message overflow).
        if (line.handler == handler)
            answered(number);
    }
}
