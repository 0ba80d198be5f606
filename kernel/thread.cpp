// SPDX-License-Identifier: MIT
#include "thread.hpp"

#include <new>

#include "abi.h"
#include "interrupt_thread.hpp"
#include "kip.hpp"
#include "kernel_memory.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "user_mode.hpp"
#include "words.hpp"

namespace {

// Aligned to their size, so a kernel stack pointer identifies its thread by masking.
constinit Slab_cache thread_cache("thread", Thread::object_size, Thread::object_size);

}  // namespace

static_assert(TERN_UTCB_FLAGS == 0x30, "thread.hpp mirrors the UTCB layout");
static_assert(Thread::max_threads == 1u << TERN_THREAD_NUMBER_BITS, "the KIP's thread info gives the table's size");

const Slab_cache &Thread::cache() { return thread_cache; }

// The gate's bytes lie in its order (gate(), set_gate()).
void Thread::check_gate_layout()
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    constexpr size_t base = offsetof(Thread, state_);
    static_assert(offsetof(Thread, resume_at_frame_) == base + 1 && offsetof(Thread, halted_) == base + 2 &&
                  offsetof(Thread, fpu_owner_) == base + 3 && offsetof(Thread, timeout_armed_) == base + 4 &&
                  offsetof(Thread, general_switch_) == base + 5 && offsetof(Thread, senders_queued_) == base + 6 &&
                  offsetof(Thread, delay_running_) == base + 7 && sizeof(State) == 1,
                  "the gate is eight adjacent bytes");
#pragma GCC diagnostic pop
}

Thread *Thread::table_[Thread::max_threads];
size_t Thread::deepest_stack_;

void Thread::fill_stack()
{
    // Below the frame nothing is in use yet; enter_kernel_context_next writes beneath it.
    auto *words = reinterpret_cast<uint64_t *>(stack_begin());
    auto *end = reinterpret_cast<uint64_t *>(&frame());
    // (The fill runs to a multiple of eight words below the frame, the canary over its first.)
    size_t count = static_cast<size_t>(end - words) & ~size_t{7};
    fill_words(end - count, count, stack_fill);
    for (uint64_t *word = words; word < end - count; ++word)
        *word = stack_fill;
    words[0] = stack_canary_value;
}

size_t Thread::stack_high_water() const
{
    const auto *words = reinterpret_cast<const uint64_t *>(stack_begin());
    size_t count = (object_size - control_block_size()) / sizeof(uint64_t);
    size_t deepest = find_word_other_than(words, 1, count, stack_fill);  // (word 0 is the canary)
    return (count - deepest) * sizeof(uint64_t);
}

size_t Thread::deepest_stack()
{
    size_t deepest = deepest_stack_;
    for (Thread *thread : table_)
        if (thread != &nobody() && thread->stack_high_water() > deepest)
            deepest = thread->stack_high_water();
    return deepest;
}

void Thread::stack_overflowed() const
{
    panic("kernel stack overflow: thread %#llx ran over the %zu bytes of its kernel stack (canary %#llx)",
          static_cast<unsigned long long>(id_.raw()), stack_size(),
          static_cast<unsigned long long>(stack_canary()));
}

namespace {

alignas(Thread) uint8_t nobody_storage[sizeof(Thread)];

}  // namespace

Thread &Thread::nobody() { return *reinterpret_cast<Thread *>(nobody_storage); }

void Thread::init_table()
{
    new (nobody_storage) Thread();
    for (Thread *&slot : table_)
        slot = &nobody();
}

[[gnu::hot]] Thread *Thread::lookup_local(Thread_id id, const Thread *caller)
{
    // Local ids name threads of the caller's own space by UTCB address.
    if (id.is_local() && caller != nullptr && caller->space_ != nullptr)
        return caller->space_->thread_at_utcb(id.raw());
    return nullptr;
}

Thread *Thread::create(Thread_id id, Space *space, Thread_id scheduler, bool &out_of_memory)
{
    out_of_memory = false;
    void *memory = thread_cache.allocate(Kernel_memory::pages());
    if (memory == nullptr) {
        out_of_memory = true;
        return nullptr;
    }
    auto *thread = new (memory) Thread();
    thread->fill_stack();
    thread->id_ = id;
    thread->space_ = space;
    thread->scheduler_ = scheduler;
    space->add_thread();
    table_[id.number()] = thread;
    thread->enter_kernel_context_next();
    return thread;
}

Thread *Thread::create_idle()
{
    void *memory = thread_cache.allocate(Kernel_memory::pages());
    if (memory == nullptr)
        return nullptr;
    auto *thread = new (memory) Thread();
    thread->fill_stack();
    thread->priority_ = 0;
    return thread;
}

Thread *Thread::create_interrupt_thread(Thread_id id, uint8_t priority)
{
    void *memory = thread_cache.allocate(Kernel_memory::pages());
    if (memory == nullptr)
        return nullptr;
    auto *thread = new (memory) Thread();
    thread->fill_stack();
    thread->id_ = id;
    thread->priority_ = priority;
    thread->started_ = true;
    thread->state_ = State::waiting_receive;  // until it first runs: made ready below
    table_[id.number()] = thread;
    thread->enter_kernel_context_next();  // which serves the line, for ever
    Scheduler::make_ready(thread);
    return thread;
}

void Thread::enter_kernel_context_next()
{
    // The switch "returns" into thread_first_entry with the stack at the frame; the six
    // zeros are the callee-saved registers context_switch pops.
    auto *stack = reinterpret_cast<uint64_t *>(&frame());
    *--stack = reinterpret_cast<uint64_t>(thread_first_entry);
    for (int i = 0; i < 6; ++i)
        *--stack = 0;
    saved_stack_pointer_ = reinterpret_cast<uint64_t>(stack);
}

bool Thread::set_utcb(uint64_t utcb_address)
{
    void *memory = space_->utcb_memory(utcb_address);
    if (memory == nullptr)
        return false;
    if (space_->thread_at_utcb(utcb_address) != nullptr)
        return false;  // another thread's UTCB
    copied_mrs_ = reinterpret_cast<uint64_t *>(static_cast<uint8_t *>(memory) + copied_mrs_offset);
    // A UTCB starts zeroed: nothing a thread that had this address before left there (its
    // exception handler, transfer timeouts, flags) applies to the new one.
    for (uint64_t offset = 0; offset < TERN_UTCB_SIZE; offset += 8)
        utcb_word(offset) = 0;
    utcb_address_ = utcb_address;
    space_->set_thread_at_utcb(utcb_address, this);
    gs_base_ = space_->user_gs_base();
    general_switch_ = fs_base_ != 0;
    utcb_word(TERN_UTCB_SELF) = utcb_address;
    utcb_word(TERN_UTCB_MY_GLOBAL_ID) = id_.raw();
    return true;
}

bool Thread::migrate(Space *target, uint64_t utcb)
{
    Space *source = space_;
    bool had_utcb = copied_mrs_ != nullptr;
    // The thread control registers the thread keeps across the move.
    constexpr uint64_t kept[] = {TERN_UTCB_USER_DEFINED_HANDLE, TERN_UTCB_PAGER, TERN_UTCB_EXCEPTION_HANDLER,
                                 TERN_UTCB_FLAGS, TERN_UTCB_ERROR_CODE, TERN_UTCB_TRANSFER_TIMEOUTS,
                                 TERN_UTCB_THREAD_WORD0, TERN_UTCB_THREAD_WORD1};
    uint64_t values[sizeof kept / sizeof kept[0]] = {};
    if (had_utcb) {
        void *memory = target->utcb_memory(utcb);
        if (memory == nullptr || target->thread_at_utcb(utcb) != nullptr)
            return false;
        cancel_ipc(Ipc_phase::send);
        cancel_ipc(Ipc_phase::receive);
        // Its local id names nothing in source any more: who waited for it by that id
        // fails now, as a closed wait for a thread that does not exist does.
        wake_closed_waiters(true);
        leave_closed_waiters();  // a local id it waited by would name another thread in target
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; ++i)
            values[i] = utcb_word(kept[i]);
        source->set_thread_at_utcb(utcb_address_, nullptr);
    }
    target->add_thread();
    space_ = target;
    if (started_) {  // (an unstarted thread's frame is made for its space when it starts)
        Exception_frame &moved = frame();
        if (!source->kip_area().is_nil() && !target->kip_area().is_nil())
            moved.rip = Kip::resume_address(moved.rip, source->kip_area().base(), source->kernel_mode(),
                                        target->kip_area().base(), target->kernel_mode());
        User_mode::set_ring(moved, target->kernel_mode());
    }
    if (had_utcb) {
        copied_mrs_ = nullptr;
        (void)set_utcb(utcb);  // cannot fail: the memory exists and the slot is free
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; ++i)
            utcb_word(kept[i]) = values[i];
    }
    if (source->remove_thread())
        source->destroy();
    return true;
}

void Thread::note_fpu_taken()
{
    if (fpu_thread_ != nullptr)
        fpu_thread_->fpu_owner_ = false;
    fpu_owner_ = true;
    fpu_thread_ = this;
}

void Thread::note_fpu_released()
{
    if (fpu_thread_ == this)
        fpu_thread_ = nullptr;
    fpu_owner_ = false;
}

[[gnu::hot]] void Thread::note_frame_rip(bool fresh)
{
    bool own_bases = fs_base_ != 0 || (space_ != nullptr && gs_base_ != space_->user_gs_base());
    general_switch_ = own_bases || (!fresh && !User_mode::is_user_address(frame().rip));
}

void Thread::set_segment_bases(uint64_t fs_base, uint64_t gs_base)
{
    fs_base_ = fs_base;
    gs_base_ = gs_base;
    note_frame_rip();
    if (Scheduler::current() == this)
        User_mode::switch_thread(stack_end(), fs_base_, gs_base_, utcb_address_);
}

void Thread::start(uint64_t ip, uint64_t sp)
{
    User_mode::prepare_frame(frame(), ip, sp, space_->kernel_mode());
    started_ = true;
    remaining_us_ = time_slice_us_;
    Scheduler::make_ready(this);
}

void Thread::wait_for_start()
{
    while (!started_) {
        kernel_message[0] = 0;
        Thread_id pager_id = pager();
        if (pager_id.is_nil()) {
            halt();
            Scheduler::schedule();
            continue;
        }
        ipc_.kernel = true;
        receive_phase(pager_id, 0 /* never */);
        ipc_.kernel = false;
        if (ipc_.error != 0 || started_)
            continue;  // cancelled, or started by ExchangeRegisters meanwhile
        uint64_t ip = kernel_message[1];
        uint64_t sp = kernel_message[2];
        if ((kernel_message[0] & 63) < 2 || !User_mode::is_user_address(ip) || !User_mode::is_user_address(sp))
            continue;  // not a start message: keep waiting
        // A third word names the thread's exception handler (a Tern extension): the pager
        // decides what the thread runs anyway, and a personality server's processes run
        // binaries that cannot set it themselves.
        if ((kernel_message[0] & 63) >= 3)
            utcb_word(TERN_UTCB_EXCEPTION_HANDLER) = kernel_message[3];
        User_mode::prepare_frame(frame(), ip, sp, space_->kernel_mode());
        started_ = true;
    }
}

void Thread::halt()
{
    halted_ = true;
    // A thread copying strings runs on until the copy is done and stops then (see
    // Thread::receive_until), so that its partner is not held.
    if (copies_strings())
        return;
    if (state_ == State::ready)
        Scheduler::remove(this);
    if (state_ == State::ready || state_ == State::running)
        state_ = State::halted;
}


void Thread::resume()
{
    if (!halted_)
        return;
    halted_ = false;
    if (state_ == State::halted)
        Scheduler::make_ready(this);
}

Exception_frame &Thread::enter_kernel_context()
{
    if (is_interrupt_thread())
        Interrupt_thread::serve(*this);
    if (continue_receive_) {
        continue_receive_ = false;
        ipc_.kernel = false;
        receive_until(ipc_.partner, ipc_.receive_deadline, nullptr);
        complete_user_ipc();
    } else {
        wait_for_start();
    }
    return frame();
}

extern "C" Exception_frame *thread_bootstrap() { return &Scheduler::current()->enter_kernel_context(); }

void Thread::destroy()
{
    break_transfer();
    abort_ipc();
    Interrupt_thread::handler_deleted(*this);
    Scheduler::remove(this);
    Scheduler::remove_timeout(this);
    Fpu::release(fpu_);
    note_fpu_released();
    check_stack();
    if (size_t used = stack_high_water(); used > deepest_stack_)
        deepest_stack_ = used;
    table_[id_.number()] = &nobody();
    if (copied_mrs_ != nullptr)
        space_->set_thread_at_utcb(utcb_address_, nullptr);
    if (space_->remove_thread())
        space_->destroy();
    this->~Thread();
    if (thread_cache.free(this) != Slab_cache::Error::none)
        panic("thread cache refused a thread it allocated");
}
