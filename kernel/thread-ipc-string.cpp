// SPDX-License-Identifier: MIT
// String items (X.2 long IPC): bytes copied from the sender's space into the receiver's
// buffer strings, page by page through the kernel's direct map.
//
// Who copies: always the receiver, in its own context, with the sender blocked and locked
// to it (State::transferring). A sender that finds its receiver already waiting queues
// itself first in line and wakes the receiver, which takes the message like any queued
// one (a receiver blocked at its frame gets a kernel context for that).
//
// Page faults during the copy: each side's memory is paged by that side's own pager. A
// missing page of the receiver is a page-fault IPC the receiver makes itself; one of the
// sender is asked of the sender, which runs, makes the IPC to its pager and switches back.
// Both wait at most the transfer timeout (the sooner of the sender's send and the
// receiver's receive XferTimeouts), then the transfer ends with X.2's transfer-timeout
// errors and the number of bytes copied (of all the message's strings, as for every error
// that cuts a message: X.2's offset counts the bytes transferred before the error).
// Every page is translated again right before its bytes are copied, and never across a
// wait, so memory unmapped meanwhile is simply faulted on again: a copy can never touch a
// frame the space no longer maps.
#include "abi.h"
#include "abi_layout.hpp"
#include "fault_ipc.hpp"
#include "memory_layout.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "timeout.hpp"
#include "timer.hpp"

namespace {

constexpr uint64_t ipc_error(uint64_t code, Thread::Ipc_phase phase) { return code << 1 | static_cast<uint64_t>(phase); }
constexpr unsigned max_buffer_registers = TERN_UTCB_BR_COUNT;

// The substrings of one string item, unit by unit: a unit is a header word (length 63..10,
// c 9: another unit follows, j 8..4: j + 1 substrings, 0 in bit 3) and j + 1 addresses.
class Substrings {
public:
    using Reader = uint64_t (*)(Thread &thread, unsigned index);

    Substrings(Thread &thread, Reader read, unsigned first, unsigned end)
        : thread_(thread), read_(read), unit_(first), end_(end)
    {
    }

    // The next substring; false at the end of the item or when it is malformed (then
    // malformed() says so).
    bool next(uint64_t &address, uint64_t &length)
    {
        for (;;) {
            if (in_unit_ < substrings_) {
                address = read_(thread_, unit_ + 1 + in_unit_++);
                length = unit_length_;
                return true;
            }
            if (started_ && !continues_)
                return false;
            if (started_)
                unit_ += 1 + substrings_;
            if (unit_ >= end_) {
                malformed_ = true;
                return false;
            }
            uint64_t header = read_(thread_, unit_);
            substrings_ = static_cast<unsigned>(Abi::String_item::substrings_minus_one.get(header)) + 1;
            if (Abi::String_item::not_string.is_set(header) || unit_ + substrings_ >= end_) {
                malformed_ = true;
                return false;
            }
            unit_length_ = Abi::String_item::length.get(header);
            continues_ = Abi::String_item::continued.is_set(header);
            in_unit_ = 0;
            started_ = true;
        }
    }
    // The word after the item (valid once next() returned false without malformed()).
    unsigned end_of_item() const { return unit_ + 1 + substrings_; }
    bool malformed() const { return malformed_; }

private:
    Thread &thread_;
    Reader read_;
    unsigned unit_;
    unsigned end_;
    unsigned substrings_ = 0;
    unsigned in_unit_ = 0;
    uint64_t unit_length_ = 0;
    bool continues_ = false;
    bool started_ = false;
    bool malformed_ = false;
};

uint64_t read_message(Thread &thread, unsigned index) { return thread.message_register(index); }
uint64_t read_buffer(Thread &thread, unsigned index) { return thread.utcb_word(TERN_UTCB_BR + 8 * uint64_t{index}); }

bool is_string_item(uint64_t word) { return !Abi::String_item::not_string.is_set(word); }

// The fault IPC's result as a transfer error of the copier: a timeout is X.2's transfer
// timeout in whose space it happened, anything else (cancelled, no pager) aborts.
uint64_t transfer_error(uint64_t ipc_result, bool in_copier_space)
{
    if (Abi::Ipc_error::code.get(ipc_result) == TERN_IPC_ERROR_TIMEOUT)
        return in_copier_space ? TERN_IPC_ERROR_TRANSFER_TIMEOUT_INVOKER : TERN_IPC_ERROR_TRANSFER_TIMEOUT_PARTNER;
    return TERN_IPC_ERROR_ABORTED;
}

uint16_t remaining(uint64_t deadline)
{
    if (deadline == Timeout::never)
        return 0;  // "never"
    uint64_t now = Timer::now_us();
    return Timeout::encode_period(deadline > now ? deadline - now : 0);
}

}  // namespace

bool Thread::sends_strings()
{
    Message_tag tag(message_register(0));
    unsigned end = tag.untyped() + tag.typed() + 1;
    if (end > Message_tag::max_words + 1)
        return false;
    for (unsigned i = tag.untyped() + 1; i + 1 < end;) {
        uint64_t word = message_register(i);
        if (is_string_item(word))
            return true;
        i += 2;
    }
    return false;
}

[[gnu::hot]] bool Thread::accepts_strings() { return !ipc_.kernel && Abi::Acceptor::strings.is_set(utcb_word(TERN_UTCB_BR)); }

// A nested IPC (the page-fault call) reuses this thread's IPC state; the outer IPC's is
// put back afterwards. The nested call leaves no queue links behind (it has either
// completed or failed), so the state saved is exactly the state restored.
uint64_t Thread::string_fault_call(uint64_t address, unsigned access, uint16_t timeout)
{
    Ipc_state outer = ipc_;
    uint64_t result = Fault_ipc::page_fault_call(*this, address, access, timeout);
    ipc_ = outer;
    resume_at_frame_ = false;
    return result;
}

uint64_t Thread::resolve_string_fault(Thread &owner, uint64_t address, unsigned access, uint64_t until)
{
    uint16_t timeout = remaining(until);
    if (timeout == Timeout::encode_period(0))
        return ipc_error(TERN_IPC_ERROR_TIMEOUT, Ipc_phase::send);
    if (&owner == this)
        return string_fault_call(address, access, timeout);
    owner.string_fault_ = {true, address, access, timeout, 0};
    state_ = State::transferring;
    Scheduler::switch_to(&owner);
    if (transfer_partner_ == nullptr)  // the sender was deleted meanwhile
        return ipc_error(TERN_IPC_ERROR_ABORTED, Ipc_phase::send);
    return owner.string_fault_.error;
}

bool Thread::serve_string_fault()
{
    // Taken off first: the fault IPC blocks in block() too, which must not serve it again.
    string_fault_.pending = false;
    copy_ = Copy_role::serving_fault;
    string_fault_.error = string_fault_call(string_fault_.address, string_fault_.access, string_fault_.timeout);
    copy_ = Copy_role::none;
    Thread *copier = transfer_partner_;
    if (copier == nullptr)
        return false;  // the receiver was deleted meanwhile
    state_ = State::transferring;
    Scheduler::switch_to(copier);
    return true;
}

void Thread::break_transfer()
{
    Thread *partner = transfer_partner_;
    if (partner == nullptr)
        return;
    transfer_partner_ = nullptr;
    partner->transfer_partner_ = nullptr;
    // Only the copier (the receiver) needs to know: it must not touch the sender again.
    // A sender whose copier is gone is woken with "aborted" or sees its partner gone.
    if (partner->copy_ == Copy_role::copying)
        partner->copy_ = Copy_role::sender_gone;
    if (partner->state_ == State::transferring)
        partner->wake(ipc_error(TERN_IPC_ERROR_ABORTED, Ipc_phase::send));
}

uint64_t Thread::transfer_string(Thread &sender, Thread &receiver, unsigned item, unsigned end, unsigned &next_item,
                                 unsigned &buffer, uint64_t until, uint64_t &transferred, uint64_t &out_length,
                                 uint64_t &out_address)
{
    out_length = 0;
    out_address = 0;
    Substrings source(sender, read_message, item, end);
    if (buffer >= max_buffer_registers)
        return TERN_IPC_ERROR_MESSAGE_OVERFLOW | transferred << 3;
    // The receiver's buffer strings follow the acceptor; C in a string's first word says
    // whether another one follows it.
    bool more_buffers = Abi::Buffer_string::more.is_set(read_buffer(receiver, buffer));
    Substrings target(receiver, read_buffer, buffer, max_buffer_registers);
    uint64_t copied = 0;
    uint64_t from = 0, from_left = 0, to = 0, to_left = 0;
    bool first_target = true;
    for (;;) {
        if (from_left == 0) {
            if (!source.next(from, from_left)) {
                if (source.malformed())
                    return TERN_IPC_ERROR_MESSAGE_OVERFLOW | transferred << 3;
                break;
            }
            continue;
        }
        if (to_left == 0) {
            if (!target.next(to, to_left))
                return TERN_IPC_ERROR_MESSAGE_OVERFLOW | transferred << 3;
            if (first_target) {
                out_address = to;
                first_target = false;
            }
            continue;
        }
        uint64_t chunk = from_left < to_left ? from_left : to_left;
        uint64_t from_page_left = page_size - (from & (page_size - 1));
        uint64_t to_page_left = page_size - (to & (page_size - 1));
        chunk = chunk < from_page_left ? chunk : from_page_left;
        chunk = chunk < to_page_left ? chunk : to_page_left;
        Phys_addr source_frame = from < Space::user_end ? sender.space_->translate(from, false) : 0;
        if (source_frame == 0) {
            uint64_t result = receiver.resolve_string_fault(sender, from, 4, until);
            if (receiver.copy_ == Copy_role::sender_gone)
                return TERN_IPC_ERROR_ABORTED | transferred << 3;
            if (result != 0)
                return transfer_error(result, false) | transferred << 3;
            continue;
        }
        Phys_addr target_frame = to < Space::user_end ? receiver.space_->translate(to, true) : 0;
        if (target_frame == 0) {
            uint64_t result = receiver.resolve_string_fault(receiver, to, 2, until);
            if (receiver.copy_ == Copy_role::sender_gone)  // the sender was deleted during our fault IPC
                return TERN_IPC_ERROR_ABORTED | transferred << 3;
            if (result != 0)
                return transfer_error(result, true) | transferred << 3;
            continue;
        }
        const auto *bytes_from = Memory_layout::direct_map<uint8_t>(source_frame);
        auto *bytes_to = Memory_layout::direct_map<uint8_t>(target_frame);
        for (uint64_t i = 0; i < chunk; ++i)
            bytes_to[i] = bytes_from[i];
        copied += chunk;
        transferred += chunk;
        from += chunk;
        from_left -= chunk;
        to += chunk;
        to_left -= chunk;
    }
    next_item = source.end_of_item();
    // The next sender string goes into the next buffer string, if this one says there is one.
    if (!target.malformed() && more_buffers) {
        uint64_t dummy_address, dummy_length;
        while (target.next(dummy_address, dummy_length)) {
        }
        buffer = target.malformed() ? max_buffer_registers : target.end_of_item();
    } else {
        buffer = max_buffer_registers;
    }
    out_length = copied;
    if (first_target)
        out_address = 0;
    return 0;
}

void Thread::continue_receive_in_kernel()
{
    resume_at_frame_ = false;
    continue_receive_ = true;
    enter_kernel_context_next();
}
