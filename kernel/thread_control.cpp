// SPDX-License-Identifier: MIT
// ThreadControl (X.2): make, configure, move and delete threads, and associate interrupt
// threads with their handlers. docs/kernel.md, "Threads" and "Interrupts", says what each
// combination of arguments does.
#include "thread_control.hpp"

#include "abi.h"
#include "fpage.hpp"
#include "interrupt_thread.hpp"
#include "kernel_memory.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "user_mode.hpp"

namespace {

bool is_user_thread_number(uint32_t number)
{
    return number >= TERN_USER_BASE && number < Thread::max_threads;
}

// A UTCB area may be larger than the slots a space keeps: a location beyond them is refused
// (invalid UTCB), since the space could not tell which thread has it.
bool utcb_fits(const Space &space, uint64_t utcb)
{
    Fpage area = space.utcb_area();
    return (utcb & (TERN_UTCB_SIZE - 1)) == 0 && area.contains(utcb) && area.contains(utcb + TERN_UTCB_SIZE - 1) &&
           space.has_utcb_slot(utcb);
}

// Whether a thread may take the UTCB at utcb in space now.
bool utcb_free(Space &space, uint64_t utcb)
{
    return space.is_initialized() && utcb_fits(space, utcb) && space.thread_at_utcb(utcb) == nullptr;
}

}  // namespace

Syscall_error Thread_control::decode(Thread &caller, Sys_thread_control call, Thread_control &plan)
{
    if (!caller.space()->privileged())
        return Syscall_error::no_privilege;
    Thread_id dest(call.dest());
    Thread_id space_specifier(call.space_specifier());
    Thread_id scheduler(call.scheduler());
    Thread_id pager(call.pager());
    uint64_t utcb = call.utcb_location();
    plan.dest_ = dest;
    plan.scheduler_ = scheduler;
    plan.pager_ = pager;

    // X.2 interrupt association: ThreadControl(irq, irq, nilthread, handler, -1); the handler
    // irq itself detaches. An interrupt thread cannot be made, moved or deleted like a user
    // thread (invalid thread), nor given a scheduler or a UTCB (invalid parameter).
    if (Interrupt_thread::names_line(dest)) {
        if (space_specifier != dest || pager.is_nil())
            return Syscall_error::invalid_thread;
        if (!scheduler.is_nil() || utcb != no_utcb_change)
            return Syscall_error::invalid_parameter;
        plan.kind_ = Kind::associate_interrupt;
        return Syscall_error::none;
    }
    if (!dest.is_global() || !is_user_thread_number(dest.number()))
        return Syscall_error::invalid_thread;
    Thread *existing = Thread::by_number(dest.number());
    plan.thread_ = existing;

    if (space_specifier.is_nil()) {
        if (existing == nullptr || existing->id() != dest || existing == &caller)
            return Syscall_error::invalid_thread;
        plan.kind_ = Kind::destroy;
        return Syscall_error::none;
    }

    plan.kind_ = Kind::configure;
    if (existing != nullptr && existing->id() != dest)
        return Syscall_error::invalid_thread;  // number in use with another version
    Thread *space_owner = space_specifier == dest ? existing : Thread::lookup(space_specifier, &caller);
    if (space_specifier != dest && space_owner == nullptr)
        return Syscall_error::invalid_space;
    // X.2: a thread being made needs a scheduler (nilthread is invalid there); an existing
    // one keeps its own when given none.
    if (existing == nullptr && scheduler.is_nil())
        return Syscall_error::invalid_scheduler;
    if (!scheduler.is_nil() && Thread::lookup(scheduler, &caller) == nullptr)
        return Syscall_error::invalid_scheduler;
    if (space_owner != nullptr && space_owner->is_interrupt_thread())
        return Syscall_error::invalid_space;  // it has none
    Space *space = space_owner != nullptr ? space_owner->space() : nullptr;
    plan.space_ = space;
    bool active = existing != nullptr && existing->is_active();
    plan.active_ = active;
    plan.migrates_ = existing != nullptr && space != nullptr && space != existing->space();
    if (plan.migrates_) {
        // Moving a thread to another space. An active one keeps its UTCB address (its code
        // may hold the UTCB pointer), which must be free in the target's UTCB area.
        if (existing == &caller)
            return Syscall_error::invalid_thread;
        if (active) {
            if (utcb != no_utcb_change && utcb != existing->utcb_address())
                return Syscall_error::invalid_utcb;
            if (!utcb_free(*space, existing->utcb_address()))
                return Syscall_error::invalid_utcb;
            plan.utcb_ = existing->utcb_address();
            return Syscall_error::none;
        }
        // An inactive thread given a UTCB needs it in the target space now.
        if (utcb != no_utcb_change && !utcb_free(*space, utcb))
            return Syscall_error::invalid_utcb;
    }
    // X.2 activation: a thread becomes active once its space is initialised and it has both
    // a UTCB location and a pager, which earlier calls may have given.
    if (utcb != no_utcb_change &&
        (active || (utcb & (TERN_UTCB_SIZE - 1)) != 0 || !User_mode::is_user_address(utcb)))
        return Syscall_error::invalid_utcb;
    uint64_t location = utcb != no_utcb_change ? utcb : existing != nullptr ? existing->pending_utcb() : no_utcb_change;
    Thread_id new_pager = !pager.is_nil() ? pager : existing != nullptr ? existing->pending_pager() : Thread_id::nil();
    plan.activates_ = !active && location != no_utcb_change && !new_pager.is_nil() && space != nullptr &&
                      space->is_initialized();
    if (plan.activates_ && !utcb_free(*space, location))
        return Syscall_error::invalid_utcb;
    plan.utcb_ = location;
    plan.pending_pager_ = new_pager;
    return Syscall_error::none;
}

Syscall_error Thread_control::invoke(Thread &caller) const
{
    switch (kind_) {
    case Kind::associate_interrupt:
        switch (Interrupt_thread::associate(dest_, pager_, caller)) {
        case Interrupt_thread::Error::none: return Syscall_error::none;
        case Interrupt_thread::Error::out_of_memory: return Syscall_error::out_of_memory;
        case Interrupt_thread::Error::invalid_handler: return Syscall_error::invalid_parameter;
        case Interrupt_thread::Error::invalid_thread: break;
        }
        return Syscall_error::invalid_thread;
    case Kind::destroy:
        thread_->destroy();
        return Syscall_error::none;
    case Kind::configure: break;
    }
    return invoke_configure();
}

Syscall_error Thread_control::invoke_configure() const
{
    // Memory first: a new space, the UTCB's page, the thread. The UTCB page a failure leaves
    // behind belongs to the space's UTCB area, where a later thread uses it.
    Space *space = space_;
    bool new_space = space == nullptr;
    if (new_space) {
        Space::Error space_error = Space::Error::none;
        if ((space = Space::create(Kernel_memory::pages(), space_error)) == nullptr)
            return Syscall_error::out_of_memory;
    }
    bool takes_utcb = activates_ || (migrates_ && active_);
    if (takes_utcb && space->utcb_memory(utcb_) == nullptr)
        return Syscall_error::out_of_memory;  // (a new space is never initialised: takes_utcb is false)
    Thread *thread = thread_;
    if (thread == nullptr) {
        bool out_of_memory = false;
        thread = Thread::create(dest_, space, scheduler_, out_of_memory);
        if (thread == nullptr) {
            if (new_space)
                space->destroy();
            return Syscall_error::out_of_memory;
        }
    } else if (!scheduler_.is_nil()) {
        thread->set_scheduler(scheduler_);
    }

    // From here on nothing can fail: the memory is there and decode checked the rest.
    if (migrates_)
        (void)thread->migrate(space, active_ ? utcb_ : 0);
    if (active_) {
        if (!pager_.is_nil())
            thread->set_pager(pager_);
        return Syscall_error::none;
    }
    thread->set_pending(utcb_, pending_pager_);
    if (activates_) {
        // A thread with a UTCB in an initialised space exists for real; it waits for its
        // pager's start message (or an ExchangeRegisters start).
        (void)thread->set_utcb(utcb_);
        thread->set_pager(pending_pager_);
        Scheduler::make_ready(thread);
    }
    return Syscall_error::none;
}
