// SPDX-License-Identifier: MIT
// Synchronous IPC, X.2 semantics. A send meets a receiver that already waits, or blocks in
// the receiver's send queue; a receive takes a queued sender or blocks. A call's receive
// phase is armed before its send completes, so the reply can never miss the caller.
// Errors are (code << 1 | phase) in the UTCB's ErrorCode and set E in the returned tag.
#include "abi.h"
#include "abi_layout.hpp"
#include "fpage.hpp"
#include "interrupt_thread.hpp"
#include "space_resources.hpp"
#include "mapper.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "syscall_frame.hpp"
#include "thread.hpp"
#include "timeout.hpp"
#include "timer.hpp"

namespace {

constexpr uint64_t ipc_error(uint64_t code, Thread::Ipc_phase phase)
{
    return code << 1 | static_cast<uint64_t>(phase);
}
constexpr uint64_t no_error = 0;
constexpr uint64_t woke_by_delivery = ~uint64_t{0};  // a blocked sender's message was taken

constexpr uint64_t expired = 0;
// A receiver woken to look at its send queue again (a sender with strings queued itself).
constexpr uint64_t retry_receive = ~uint64_t{0} - 1;

// Transfer errors from the receiver's view as the sender sees them: a transfer timeout in
// the one's space is one in the partner's space for the other.
uint64_t for_sender(uint64_t code)
{
    uint64_t kind = code & 7;
    if (kind == TERN_IPC_ERROR_TRANSFER_TIMEOUT_INVOKER)
        return (code & ~uint64_t{7}) | TERN_IPC_ERROR_TRANSFER_TIMEOUT_PARTNER;
    if (kind == TERN_IPC_ERROR_TRANSFER_TIMEOUT_PARTNER)
        return (code & ~uint64_t{7}) | TERN_IPC_ERROR_TRANSFER_TIMEOUT_INVOKER;
    return code;
}

// The deadline of an X.2 timeout, Timeout::never, or expired when it is due already. Reads
// the clock only for finite timeouts (most IPC waits forever).
uint64_t deadline_after(uint16_t timeout)
{
    if (timeout == 0)
        return Timeout::never;
    uint64_t now = Timer::now_us();
    uint64_t deadline = Timeout::deadline(timeout, now);
    return deadline <= now ? expired : deadline;
}

}  // namespace

uint64_t Thread::message_register(unsigned index)
{
    if (ipc_.kernel)
        return kernel_message[index];
    if (index < Sys_ipc::register_mrs)
        return Sys_ipc{frame()}.mr(index);
    return utcb_word(TERN_UTCB_MR + 8 * index);
}

void Thread::set_message_register(unsigned index, uint64_t value)
{
    if (ipc_.kernel) {
        kernel_message[index] = value;
        return;
    }
    if (index < Sys_ipc::register_mrs)
        Sys_ipc{frame()}.set_mr(index, value);
    else
        utcb_word(TERN_UTCB_MR + 8 * index) = value;
}

static_assert(TERN_UTCB_MR == 0x80 && TERN_UTCB_PAGER == 0x20, "thread.hpp mirrors the UTCB layout");

void Thread::enqueue_sender(Thread &sender, bool first)
{
    sender.ipc_.send_target = this;
    if (first)
        senders_.push_front(&sender);
    else
        senders_.push_back(&sender);
    senders_queued_ = true;
}

void Thread::dequeue_sender(Thread &sender)
{
    senders_.remove(&sender);
    senders_queued_ = !senders_.empty();
    sender.ipc_.send_target = nullptr;
}

[[gnu::hot]] Thread *Thread::take_sender(Thread_id from_specifier)
{
    Thread *sender =
        senders_.find([this, from_specifier](const Thread &candidate) { return matches(from_specifier, candidate); });
    if (sender != nullptr)
        dequeue_sender(*sender);
    return sender;
}

// Copies the message from sender to receiver and acts on its typed items. Returns the
// error code (without phase) or no_error; on error nothing beyond the tag is delivered.
[[gnu::hot]] uint64_t Thread::transfer(Thread &sender, Thread &receiver)
{
    Message_tag tag(sender.message_register(0));
    unsigned words = tag.untyped() + tag.typed();
    if (words > Message_tag::max_words)
        return TERN_IPC_ERROR_MESSAGE_OVERFLOW;
    // The first MRs may be registers; after them both sides are arrays (UTCB or kernel buffer).
    constexpr unsigned in_registers = Sys_ipc::register_mrs;
    if (!sender.ipc_.kernel && !receiver.ipc_.kernel) {
        Sys_ipc from{sender.frame()};
        Sys_ipc to{receiver.frame()};
        for (unsigned i = 1; i <= words && i < in_registers; ++i)
            to.set_mr(i, from.mr(i));
    } else {
        for (unsigned i = 1; i <= words && i < in_registers; ++i)
            receiver.set_message_register(i, sender.message_register(i));
    }
    if (words >= in_registers) {
        const uint64_t *from = sender.message_array();
        uint64_t *to = receiver.message_array();
        // (Unrolled: an exception message's 22 words are the common long copy.)
#pragma GCC unroll 8
        for (unsigned i = in_registers; i <= words; ++i)
            to[i] = from[i];
    }
    receiver.set_message_register(0, Message_tag::make(tag.label(), tag.untyped(), tag.typed()).raw());
    return tag.typed() == 0 ? no_error : transfer_items(sender, receiver, tag);
}

// Acts on the typed items of a message whose words are already copied: map and grant items
// (two words each, delivered as sent) and string items (copied; delivered as a simple
// string item with the received length and the first buffer address). The receiver's
// tag gets the typed words it really received. An error that cuts the message carries
// the bytes of its strings copied before it (X.2's ErrorCode offset, above the code here).
uint64_t Thread::transfer_items(Thread &sender, Thread &receiver, Message_tag tag)
{
    uint64_t transferred = 0;
    auto overflow = [&transferred] { return TERN_IPC_ERROR_MESSAGE_OVERFLOW | transferred << 3; };
    unsigned end = tag.untyped() + tag.typed() + 1;
    // A kernel message's reply (page fault, exception) may map anywhere; an interrupt
    // thread has no space to map into.
    Fpage window = receiver.space_ == nullptr ? Fpage()
                   : receiver.ipc_.kernel     ? Fpage::make(0, 1, 7)
                                              : Fpage(receiver.utcb_word(TERN_UTCB_BR) & Abi::Acceptor::window.mask());
    unsigned out = tag.untyped() + 1;
    unsigned buffer = 1;  // the receiver's next buffer string (BR index)
    uint64_t until = 0;
    bool deadline_known = false;
    for (unsigned i = tag.untyped() + 1; i < end;) {
        uint64_t descriptor = sender.message_register(i);
        if (!Abi::String_item::not_string.is_set(descriptor)) {
            // Strings are copied by the receiver (see thread-ipc-string.cpp).
            if (!receiver.accepts_strings() || Scheduler::current() != &receiver)
                return overflow();
            if (!deadline_known) {
                uint64_t now = Timer::now_us();
                uint64_t from_sender = Timeout::deadline(Timeout::send_part(sender.utcb_word(TERN_UTCB_TRANSFER_TIMEOUTS)), now);
                uint64_t from_receiver = Timeout::deadline(Timeout::receive_part(receiver.utcb_word(TERN_UTCB_TRANSFER_TIMEOUTS)), now);
                until = from_sender < from_receiver ? from_sender : from_receiver;
                deadline_known = true;
            }
            uint64_t length, address;
            unsigned next;
            uint64_t result =
                transfer_string(sender, receiver, i, end, next, buffer, until, transferred, length, address);
            if (result != no_error)
                return result;
            receiver.set_message_register(out++, Abi::String_item::length.make(length));
            receiver.set_message_register(out++, address);
            i = next;
            continue;
        }
        uint64_t type = Abi::Typed_item::type.get(descriptor);
        bool grant = type == Abi::Typed_item::type_grant;
        if ((type != Abi::Typed_item::type_map && !grant) || i + 1 >= end)
            return overflow();  // control-transfer items are not supported
        // X.2: a nil receive window accepts no map or grant items, so the message does not
        // fit the receiver, as a string item does not when strings are not accepted. An
        // interrupt thread (no space) takes any message of its handler as the answer.
        if (window.is_nil() && receiver.space_ != nullptr)
            return overflow();
        Fpage fpage(sender.message_register(i + 1));
        receiver.set_message_register(out++, descriptor);
        receiver.set_message_register(out++, fpage.raw());
        i += 2;
        if (window.is_nil())
            continue;
        if (Resource_mapper::handles(fpage.raw())) {
            Resource_mapper::map(*sender.space_, *receiver.space_, fpage.raw(), window.raw(), grant);
            continue;
        }
        // Memory goes only into a memory window (not, say, an I/O fpage window).
        if ((!fpage.is_valid_region() && !fpage.is_complete()) || (!window.is_valid_region() && !window.is_complete()))
            continue;
        uint64_t window_base = window.is_complete() ? 0 : window.base();
        uint64_t window_size = window.is_complete() ? Space::user_end : window.size();
        uint64_t fpage_base = fpage.is_complete() ? 0 : fpage.base();
        uint64_t fpage_size = fpage.is_complete() ? Space::user_end : fpage.size();
        uint64_t hint = descriptor & Abi::Typed_item::hint.mask();
        uint64_t source = fpage_base;
        uint64_t target = window_base;
        uint64_t length = fpage_size;
        if (length <= window_size) {
            target = window_base + (hint & (window_size - 1) & ~(length - 1));
        } else {
            source = fpage_base + (hint & (length - 1) & ~(window_size - 1));
            length = window_size;
        }
        Mapper::map(*sender.space_, source, *receiver.space_, target, length, fpage.rights(), grant);
    }
    receiver.set_message_register(0, Message_tag::make(tag.label(), tag.untyped(), out - tag.untyped() - 1).raw());
    return no_error;
}

void Thread::complete_user_ipc()
{
    Sys_ipc result{frame()};
    // X.2 defines ErrorCode only for a failed IPC (E set in the tag): success leaves it.
    if (ipc_.error != no_error) {
        utcb_word(TERN_UTCB_ERROR_CODE) = ipc_.error;
        result.set_mr0(Message_tag::error_flag);
        result.set_from(Thread_id::nil().raw());
    } else {
        result.set_from(ipc_.from.raw());
    }
}

[[gnu::hot]] void Thread::wake(uint64_t error, bool queue)
{
    ipc_.error = error;
    if (resume_at_frame_)
        complete_user_ipc();
    Scheduler::remove_timeout(this);
    if (queue)
        Scheduler::make_ready(this);
    else
        state_ = State::ready;  // the waker hands the CPU over or queues it (Scheduler::hand_off)
}

[[gnu::hot]] void Thread::finish_receive(const Thread &sender, uint64_t error, bool queue)
{
    ipc_.from = sender_id(sender);
    wake(error, queue);
}

[[gnu::hot]] uint64_t Thread::block(State state, Thread_id partner, uint64_t wake_deadline)
{
    state_ = state;
    ipc_.partner = partner;
    ipc_.error = no_error;
    if (wake_deadline != Timeout::never)
        Scheduler::add_timeout(this, wake_deadline);
    Thread *next = ipc_.hand_off;
    ipc_.hand_off = nullptr;
    if (next != nullptr)
        Scheduler::hand_off(next);
    else
        Scheduler::schedule();
    // A sender whose strings are being copied may be asked to have its pager resolve a
    // fault (thread-ipc-string.cpp); it then runs here until the copy is done.
    while (string_fault_.pending) {
        if (!serve_string_fault()) {
            ipc_.error = ipc_error(TERN_IPC_ERROR_ABORTED, Ipc_phase::send);
            break;
        }
    }
    return ipc_.error;
}

void Thread::wait_for_line()
{
    ipc_.kernel = true;
    (void)block(State::waiting_receive, Thread_id::nil(), Timeout::never);
}

[[gnu::hot]] bool Thread::take_interrupt(const Thread &sender, Message_tag tag)
{
    // As the IPC direct path delivers: the whole result goes into the frame it resumes at.
    if (state_ != State::waiting_receive || !resume_at_frame_ || halted_ || !matches(ipc_.partner, sender))
        return false;
    Sys_ipc result{frame()};
    result.set_mr0(tag.raw());
    result.set_from(sender.id_.raw());
    Scheduler::remove_timeout(this);
    Scheduler::make_ready(this);
    return true;
}

void Thread::timeout_expired()
{
    Ipc_phase phase = state_ == State::waiting_send ? Ipc_phase::send : Ipc_phase::receive;
    if (ipc_.send_target != nullptr)
        ipc_.send_target->dequeue_sender(*this);
    wake(ipc_error(TERN_IPC_ERROR_TIMEOUT, phase));
}

void Thread::fail(Ipc_phase phase, uint64_t code)
{
    ipc_.error = ipc_error(code, phase);
}

[[gnu::hot]] uint64_t Thread::send_phase(Thread_id to, uint16_t timeout, bool then_receive, Thread_id from_specifier,
                            uint16_t receive_timeout)
{
    Thread *receiver = lookup(to, this);
    if (receiver == nullptr || receiver == this || !receiver->is_active())
        return ipc_error(TERN_IPC_ERROR_NO_PARTNER, Ipc_phase::send);

    bool direct = receiver->state_ == State::waiting_receive && receiver->matches(receiver->ipc_.partner, *this);
    if (direct && !ipc_.kernel && receiver->accepts_strings() && sends_strings()) {
        // The receiver copies string items itself: queue first in line and let it look again.
        receiver->ipc_.receive_deadline = Scheduler::has_timeout(receiver) ? receiver->deadline() : Timeout::never;
        Scheduler::remove_timeout(receiver);
        receiver->enqueue_sender(*this, true);
        if (receiver->resume_at_frame_) {
            receiver->continue_receive_in_kernel();
            Scheduler::make_ready(receiver);
        } else {
            receiver->wake(retry_receive);
        }
        direct = false;
        uint64_t deadline_us = deadline_after(timeout);
        ipc_.call_pending = then_receive;
        ipc_.call_from = from_specifier;
        ipc_.call_timeout = receive_timeout;
        uint64_t result = block(State::waiting_send, receiver->id_, deadline_us == expired ? Timeout::never : deadline_us);
        ipc_.call_pending = false;
        return result == woke_by_delivery ? no_error : result;
    }
    if (direct) {
        uint64_t code = transfer(*this, *receiver);
        // A call hands the CPU to the receiver when it blocks for the reply, without queueing it.
        bool hand_over = then_receive && code == no_error && !receiver->halted();
        receiver->finish_receive(*this, code == no_error ? no_error : ipc_error(code, Ipc_phase::receive), !hand_over);
        if (code != no_error)
            return ipc_error(code, Ipc_phase::send);
        if (then_receive) {
            ipc_.hand_off = receiver;
            receive_phase(from_specifier, receive_timeout, receiver);
            if (ipc_.hand_off != nullptr) {  // the receive did not block: the receiver waits in the queue
                Scheduler::make_ready(ipc_.hand_off);
                ipc_.hand_off = nullptr;
            }
            return ipc_.error;
        }
        Scheduler::preempt_if_higher(receiver);
        return no_error;
    }

    // An interrupt thread waits only for its handler's answer (interrupt_thread.hpp).
    if (receiver->is_interrupt_thread()) {
        if (!Interrupt_thread::answer(*receiver, *this))
            return ipc_error(TERN_IPC_ERROR_NO_PARTNER, Ipc_phase::send);
        if (!then_receive) {
            // The answer may have woken it to send an edge that came meanwhile.
            if (receiver->state_ == State::ready)
                Scheduler::preempt_if_higher(receiver);
            return no_error;
        }
        receive_phase(from_specifier, receive_timeout);
        return ipc_.error;
    }
    uint64_t deadline_us = deadline_after(timeout);
    if (deadline_us == expired)
        return ipc_error(TERN_IPC_ERROR_TIMEOUT, Ipc_phase::send);
    receiver->enqueue_sender(*this);
    ipc_.call_pending = then_receive;
    ipc_.call_from = from_specifier;
    ipc_.call_timeout = receive_timeout;
    uint64_t result = block(State::waiting_send, receiver->id_, deadline_us);
    ipc_.call_pending = false;
    if (result == woke_by_delivery)
        return no_error;
    return result;
}

void Thread::receive_phase(Thread_id from_specifier, uint16_t timeout, const Thread *known_partner)
{
    uint64_t deadline_us = deadline_after(timeout);
    receive_until(from_specifier, deadline_us == expired ? expired : deadline_us, known_partner);
}

[[gnu::hot]] void Thread::receive_until(Thread_id from_specifier, uint64_t deadline_us, const Thread *known_partner)
{
    for (;;) {
        if (Thread *sender = take_sender(from_specifier)) {
            take_message(*sender);
            // Halted during a string copy (ExchangeRegisters), it ran only to finish the
            // copy and release the sender; now it stops.
            if (halted_) {
                state_ = State::halted;
                Scheduler::schedule();
                return;
            }
            // A sender whose IPC this receive ended (a send, not a call) waited longer: it
            // runs first, unless its priority is lower, and the receiver queues behind it.
            // X.2 leaves the order open; X.2 programs written for Pistachio, where the
            // sender copies the message and goes on, rely on it (docs/kernel.md).
            if (sender->state_ == State::ready && !sender->ipc_.kernel && !ipc_.kernel &&
                sender->priority_ >= priority_) {
                Scheduler::make_ready(this);
                Scheduler::switch_to(sender);
            }
            return;
        }
        // A closed wait for a thread that does not exist could never end. A closed wait for
        // oneself ends only by its timeout: that is how X.2 sleeps (L4_Sleep).
        Thread *partner = nullptr;
        if (from_specifier.is_global() || from_specifier.is_local()) {
            partner = known_partner != nullptr && from_specifier == known_partner->id_
                          ? const_cast<Thread *>(known_partner)
                          : lookup(from_specifier, this);
            if (partner == nullptr) {
                fail(Ipc_phase::receive, TERN_IPC_ERROR_NO_PARTNER);
                return;
            }
        }
        if (deadline_us == expired || (deadline_us != Timeout::never && deadline_us <= Timer::now_us())) {
            fail(Ipc_phase::receive, TERN_IPC_ERROR_TIMEOUT);
            return;
        }
        // The last phase of a user IPC: nothing is left to do on this stack after the wake-up,
        // unless string items arrive (then the receiver copies them, see thread-ipc-string.cpp).
        resume_at_frame_ = !ipc_.kernel;
        if (partner != nullptr)
            wait_closed_for(*partner, from_specifier);
        if (block(State::waiting_receive, from_specifier, deadline_us) != retry_receive)
            return;
    }
}

// Takes the message of a sender that was queued for us. The sender is locked to us while
// its string items are copied (the copy may wait for page faults).
void Thread::take_message(Thread &sender)
{
    Scheduler::remove_timeout(&sender);
    // A caller this thread just replied to runs before any wait of the copy below.
    if (ipc_.hand_off != nullptr) {
        Scheduler::make_ready(ipc_.hand_off);
        ipc_.hand_off = nullptr;
    }
    // A user message with string items may wait for page faults while it is copied: the
    // sender is locked to us meanwhile (kernel messages, e.g. a page fault of a thread
    // that is itself part of a copy, carry no strings and must not touch that lock).
    bool copies = !sender.ipc_.kernel && !ipc_.kernel && sender.sends_strings();
    if (copies) {
        sender.state_ = State::transferring;
        sender.transfer_partner_ = this;
        transfer_partner_ = &sender;
        copy_ = Copy_role::copying;
    }
    uint64_t code = transfer(sender, *this);
    if (copies) {
        bool sender_gone = copy_ == Copy_role::sender_gone;
        copy_ = Copy_role::none;
        transfer_partner_ = nullptr;
        if (sender_gone) {
            fail(Ipc_phase::receive, TERN_IPC_ERROR_ABORTED);
            return;
        }
        sender.transfer_partner_ = nullptr;
    }
    if (code != no_error) {
        sender.wake(ipc_error(for_sender(code), Ipc_phase::send));
        fail(Ipc_phase::receive, code);
        return;
    }
    ipc_.from = sender_id(sender);
    ipc_.error = no_error;
    if (sender.ipc_.call_pending) {
        // The caller's receive phase starts now, atomically with its send; with a zero
        // receive timeout it ends at once, since no reply can be there yet. Like any closed
        // receive, it fails at once when its partner does not exist.
        Thread_id from = sender.ipc_.call_from;
        Thread *partner = from.is_global() || from.is_local() ? lookup(from, &sender) : nullptr;
        if ((from.is_global() || from.is_local()) && partner == nullptr) {
            sender.wake(ipc_error(TERN_IPC_ERROR_NO_PARTNER, Ipc_phase::receive));
            return;
        }
        uint64_t deadline_us = deadline_after(sender.ipc_.call_timeout);
        if (deadline_us == expired) {
            sender.wake(ipc_error(TERN_IPC_ERROR_TIMEOUT, Ipc_phase::receive));
            return;
        }
        if (partner != nullptr)
            sender.wait_closed_for(*partner, from);
        sender.ipc_.error = woke_by_delivery;
        sender.state_ = State::waiting_receive;
        sender.ipc_.partner = sender.ipc_.call_from;
        // Its final receive: it resumes at its frame like any receiver blocked there (and a
        // reply with strings gives it a kernel context again).
        sender.resume_at_frame_ = !sender.ipc_.kernel;
        sender.ipc_.call_pending = false;
        if (deadline_us != Timeout::never)
            Scheduler::add_timeout(&sender, deadline_us);
    } else {
        sender.wake(woke_by_delivery);
    }
}

[[gnu::hot]] void Thread::ipc(Thread_id to, Thread_id from_specifier, uint64_t timeouts)
{
    ipc_.kernel = false;
    ipc_.error = no_error;
    ipc_.from = Thread_id::nil();
    uint64_t error = no_error;
    if (!to.is_nil()) {
        // A reply to a thread's exception message (a reflected system call's answer) is
        // applied to its frame at once; the receive phase follows as after a call's send.
        if (Thread *caller = exception_caller(to);
            caller != nullptr && reply_to_exception(*caller, from_specifier, Timeout::receive_part(timeouts))) {
            if (!from_specifier.is_nil()) {
                receive_phase(from_specifier, Timeout::receive_part(timeouts));
                if (ipc_.hand_off != nullptr) {
                    Scheduler::make_ready(ipc_.hand_off);
                    ipc_.hand_off = nullptr;
                }
                error = ipc_.error;
            }
        } else {
            error = send_phase(to, Timeout::send_part(timeouts), !from_specifier.is_nil(), from_specifier,
                               Timeout::receive_part(timeouts));
            // A call whose send completed has run its receive phase already.
            if (error == no_error && !from_specifier.is_nil())
                error = ipc_.error;
        }
    } else if (!from_specifier.is_nil()) {
        receive_phase(from_specifier, Timeout::receive_part(timeouts));
        error = ipc_.error;
    }
    Sys_ipc result{frame()};
    if (error != no_error) {
        utcb_word(TERN_UTCB_ERROR_CODE) = error;
        result.set_mr0(Message_tag::error_flag);
        result.set_from(Thread_id::nil().raw());
        return;
    }
    result.set_from(from_specifier.is_nil() ? Thread_id::nil().raw() : ipc_.from.raw());
}

bool Thread::kernel_call(Thread_id handler, unsigned words) { return kernel_call(handler, words, 0 /* never */) == no_error; }

uint64_t Thread::kernel_call(Thread_id handler, unsigned words, uint16_t timeout)
{
    ipc_.kernel = true;
    kernel_message[0] = Abi::Message_tag::untyped.with(Abi::Message_tag::typed.with(kernel_message[0], 0), words);
    uint64_t error = send_phase(handler, timeout, true, handler, timeout);
    if (error == no_error)
        error = ipc_.error;
    ipc_.kernel = false;
    return error;
}

void Thread::abort_ipc()
{
    if (ipc_.send_target != nullptr)
        ipc_.send_target->dequeue_sender(*this);
    while (!senders_.empty()) {
        Thread *sender = senders_.front();
        dequeue_sender(*sender);
        sender->wake(ipc_error(TERN_IPC_ERROR_NO_PARTNER, Ipc_phase::send));
    }
    leave_closed_waiters();
    wake_closed_waiters(false);
}

void Thread::wake_closed_waiters(bool local_only)
{
    // Every thread waiting closed for this one is in the ring (with some that waited for
    // it earlier: they are dropped here too), so the cost is the ring's length, not the
    // thread table's.
    Ring<Thread, &Thread::waiter_link_> waiters;
    while (Thread *waiter = closed_waiters_.front()) {
        closed_waiters_.remove(waiter);
        waiters.push_back(waiter);
    }
    while (Thread *waiter = waiters.front()) {
        waiters.remove(waiter);
        waiter->waits_for_ = nullptr;
        waiter->closed_for_ = Thread_id::nil();
        bool by_local_id = waiter->space_ == space_ && copied_mrs_ != nullptr && waiter->ipc_.partner == local_id();
        if (waiter != this && waiter->state_ == State::waiting_receive &&
            (by_local_id || (!local_only && waiter->ipc_.partner == id_)))
            waiter->wake(ipc_error(TERN_IPC_ERROR_NO_PARTNER, Ipc_phase::receive));
        else if (local_only)
            waiter->wait_closed_for(*this, id_);  // it may still wait for this thread's global id
    }
}

bool Thread::cancel_ipc(Ipc_phase phase)
{
    State waiting = phase == Ipc_phase::send ? State::waiting_send : State::waiting_receive;
    if (state_ != waiting)
        return false;
    if (ipc_.send_target != nullptr)
        ipc_.send_target->dequeue_sender(*this);
    ipc_.call_pending = false;
    wake(ipc_error(TERN_IPC_ERROR_CANCELED, phase));
    return true;
}
