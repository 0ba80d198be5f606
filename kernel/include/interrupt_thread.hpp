// SPDX-License-Identifier: MIT
// X.2 interrupt threads. Interrupt line n (Interrupt_controller) is the thread with global
// id (n, version 1). A privileged task makes a user thread its handler with ThreadControl
// (the interrupt thread's "pager" becomes the handler; the interrupt thread itself as the
// pager detaches it). Then, per interrupt:
//
//   the line is masked and acknowledged at the CPU; the interrupt thread (a kernel thread
//   of priority 255 with no address space) sends the handler a message with label -1 << 4
//   and no words, and waits for the handler's reply; the reply unmasks the line.
//
// When the handler already waits for the interrupt at its frame (the common case: a driver
// loop in L4_ReplyWait or L4_Call to the interrupt thread), the interrupt entry delivers
// the message itself and the answer is taken right in the handler's send: the interrupt
// thread does not run at all. Otherwise the interrupt thread runs and sends the message
// like any sender, queueing until the handler receives.
//
// So at most one interrupt per line is outstanding, and a handler that is not waiting
// finds the interrupt queued like any sender. A level-triggered line is masked at the
// interrupt controller until the answer; an edge-triggered one stays open (an I/O APIC
// drops edges that arrive at a masked pin) and an edge that arrives before the answer is
// remembered, and delivered once the answer has come (several such edges make one). A pin's
// line is masked whenever it has no handler, or its level-triggered interrupt has not been
// answered; a message-signalled line (Interrupt_controller) is never masked here: its
// messages without a handler are counted as unclaimed. The handler's reply is any IPC to the
// interrupt thread; one that arrives when no interrupt is outstanding succeeds and does
// nothing; other threads' messages to an interrupt thread fail (no partner).
//
// Interrupt threads are made on the first association (they cost a thread object each)
// and never deleted. Interrupts on lines without a handler are counted as unclaimed and
// leave their line masked.
#pragma once

#include "abi_layout.hpp"
#include "interrupt_controller.hpp"
#include "thread_id.hpp"

class Thread;

class Interrupt_thread {
public:
    enum class Error { none, invalid_thread, invalid_handler, out_of_memory };

    static constexpr unsigned lines = Interrupt_controller::lines;
    static constexpr uint32_t version = 1;
    // The label of the interrupt message (X.2: -1 << 4, in the 48 bits of a label).
    static constexpr uint64_t message_label = Abi::interrupt_label;
    static constexpr uint8_t priority = 255;

    // Whether id names an interrupt line of this machine.
    static bool names_line(Thread_id id)
    {
        return id.is_global() && id.version() == version && Interrupt_controller::exists(id.number());
    }

    // ThreadControl on an interrupt thread: handler (a user thread as caller names it)
    // becomes the handler of line id, or, when handler is id itself, the line loses its
    // handler. An interrupt being delivered to a previous handler is withdrawn.
    static Error associate(Thread_id id, Thread_id handler, const Thread &caller);

    // The hardware raised line (interrupt context; the line is masked and acknowledged).
    static void raise(unsigned line);
    // sender's message to interrupt thread `thread`, which does not wait for it in a kernel
    // call: the handler's answer to a directly delivered interrupt, or one with nothing
    // outstanding. False when sender is not the handler.
    static bool answer(const Thread &thread, const Thread &sender);
    // The handler thread is being deleted: its lines lose their handler.
    static void handler_deleted(const Thread &handler);

    // The body of interrupt thread self: delivers its line's interrupts, one at a time.
    [[noreturn]] static void serve(Thread &self);

    struct Counters {
        uint64_t raised;     // interrupts that arrived on the line
        uint64_t delivered;  // and were answered by a handler
    };
    static Counters counters(unsigned line) { return {lines_[line].raised, lines_[line].delivered}; }
    static uint64_t unclaimed() { return unclaimed_; }

private:
    struct Line {
        Thread *thread = nullptr;
        Thread_id handler;
        bool in_flight = false;        // one is with the handler or on its way, unanswered
        bool direct = false;           // that one was delivered directly (answer() ends it)
        bool pending = false;          // for the interrupt thread to send (after in_flight's answer)
        bool waits_for_line = false;   // the thread is blocked until raise, associate or answer
        uint64_t raised = 0;
        uint64_t delivered = 0;
    };

    static void wake(Line &line);
    static void reset(unsigned number, Thread_id handler);
    // The handler answered the interrupt in flight: the next one, or the line reopened.
    static void answered(unsigned number);

    static Line lines_[lines];
    static uint64_t unclaimed_;
};
