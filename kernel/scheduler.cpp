// SPDX-License-Identifier: MIT
#include "scheduler.hpp"

#include "kip.hpp"

#include "cpu_local.hpp"
#include "space.hpp"
#include "timer.hpp"
#include "fault_ipc.hpp"
#include "user_exception.hpp"
#include "user_mode.hpp"

namespace {

Ring<Thread, &Thread::ready_link> ready[Scheduler::priorities];
Thread *idle_thread = nullptr;
bool started = false;

}  // namespace

void Scheduler::mark_nonempty(unsigned priority)
{
    nonempty_[priority / 64] |= uint64_t{1} << (priority % 64);
    nonempty_words_ |= uint64_t{1} << (priority / 64);
    if (static_cast<int>(priority) > highest_ready_)
        highest_ready_ = static_cast<int>(priority);
}

[[gnu::hot]] void Scheduler::mark_empty(unsigned priority)
{
    nonempty_[priority / 64] &= ~(uint64_t{1} << (priority % 64));
    if (nonempty_[priority / 64] == 0)
        nonempty_words_ &= ~(uint64_t{1} << (priority / 64));
    if (static_cast<int>(priority) == highest_ready_) {
        unsigned highest = highest_set();
        highest_ready_ = highest == priorities ? -1 : static_cast<int>(highest);
    }
}

void Scheduler::init(Thread *idle)
{
    idle_thread = idle;
    idle->set_state(Thread::State::running);
    Cpu_local::set_current_thread(idle);
}

void Scheduler::start() { started = true; }

[[gnu::hot]] void Scheduler::make_ready(Thread *thread)
{
    // A halted thread does not run, unless it is copying strings: it finishes that first,
    // so that its partner is not held (Thread::take_message halts it afterwards).
    if (thread->halted() && !thread->copies_strings()) {
        thread->set_state(Thread::State::halted);
        return;
    }
    thread->set_state(Thread::State::ready);
    if (thread->is_idle())
        return;
    unsigned priority = thread->priority();
    if (thread->ready_link.linked())
        return;
    ready[priority].push_back(thread);
    mark_nonempty(priority);
}

void Scheduler::remove(Thread *thread)
{
    if (!thread->ready_link.linked())
        return;
    unsigned priority = thread->priority();
    ready[priority].remove(thread);
    if (ready[priority].empty())
        mark_empty(priority);
}

Thread *Scheduler::highest_ready()
{
    unsigned priority = highest_set();
    return priority < priorities ? ready[priority].front() : nullptr;
}

[[gnu::hot]] void Scheduler::switch_to(Thread *next)
{
    Thread *previous = current();
    previous->check_stack();  // it leaves its deepest point for now: catch an overflow here
    remove(next);
    next->set_state(Thread::State::running);
    if (next == previous)
        return;
    if (previous->preemption_delay().running())
        end_delay(previous, false);
    Cpu_local::set_current_thread(next);
    Fpu::leave(previous->fpu());
    Fpu::enter(next->fpu());
    // Kernel threads (idle, interrupt threads) run in whatever space was active.
    if (Space *space = next->space()) {
        if (previous->space() != space)
            space->activate_unless_loaded();
        User_mode::select_syscall_entry(space->takes_direct_ipc());
        User_mode::switch_thread(next->stack_end(), next->fs_base(), next->gs_base(), next->utcb_address());
    }
    if (next->take_resume_at_frame())
        switch_to_frame(previous->saved_stack_pointer(), &next->frame());
    else
        context_switch(previous->saved_stack_pointer(), *next->saved_stack_pointer());
}

[[gnu::hot]] void Scheduler::schedule()
{
    Thread *next = highest_ready();
    switch_to(next != nullptr ? next : idle_thread);
}

[[gnu::hot]] void Scheduler::hand_off(Thread *partner)
{
    if (partner->state() == Thread::State::ready) {
        unsigned highest = highest_set();
        if (highest == priorities || partner->priority() >= highest) {
            switch_to(partner);
            return;
        }
        if (!partner->ready_link.linked())
            make_ready(partner);
    }
    schedule();
}

void Scheduler::yield()
{
    Thread *self = current();
    Thread *next = highest_ready();
    if (next == nullptr || (!self->is_idle() && next->priority() < self->priority()))
        return;
    make_ready(self);
    switch_to(next);
}

[[gnu::hot]] void Scheduler::preempt_if_higher(Thread *woken)
{
    Thread *self = current();
    if (!self->is_idle() && woken->priority() <= self->priority())
        return;
    // A delay, once granted, is enforced by the tick (which also raises the preemption
    // fault): this only starts or continues one.
    const Preemption_delay &delay = self->preemption_delay();
    if ((delay.running() || delay.max_delay_us() != 0) &&
        delay_verdict(self, woken->priority(), Timer::now_us()) != Preemption_delay::Verdict::preempt)
        return;
    make_ready(self);
    switch_to(woken);
}

Preemption_delay::Verdict Scheduler::delay_verdict(Thread *self, unsigned competitor, uint64_t now_us)
{
    bool requested = (self->utcb_flags() & delay_preemption_flag) != 0;
    Preemption_delay::Verdict verdict =
        self->preemption_delay().decide(now_us, competitor, self->priority(), requested);
    self->note_preemption_delay();
    if (verdict == Preemption_delay::Verdict::delay_started)
        self->set_utcb_flags(self->utcb_flags() | preemption_pending_flag);
    return verdict;
}

// The preemption is no longer pending once the delay ends; a slice used up meanwhile is
// renewed, as a preemption would have.
void Scheduler::end_delay(Thread *thread, bool overran)
{
    thread->preemption_delay().end(overran);
    thread->note_preemption_delay();
    thread->set_utcb_flags(thread->utcb_flags() & ~preemption_pending_flag);
    if (thread->remaining_us() == 0)
        thread->remaining_us() = thread->time_slice_us();
}

void Scheduler::thread_switched(Thread *self)
{
    if (self->preemption_delay().running())
        end_delay(self, false);
    self->preemption_delay().restore();
}

[[gnu::hot]] void Scheduler::tick(uint64_t now_us, uint64_t elapsed_us)
{
    if (!started)
        return;
    while (Timeout_list::Entry *expired = timeouts_.take_expired(now_us)) {
        auto *thread = static_cast<Thread *>(expired);
        thread->set_timeout_armed(false);
        thread->timeout_expired();
    }
    if (!timeouts_.empty())
        Timer::wake_by(timeouts_.earliest());
    Thread *self = current();
    self->charge_time(elapsed_us);
    if (self->is_idle()) {
        Kip::count_idle_time(0, elapsed_us);
        schedule();
        return;
    }
    // The whole tick is charged to the thread it interrupts (so quanta and slices are
    // counted in ticks; an interrupt for a timeout between ticks charges nothing). The
    // thread runs on only once its scheduler granted more quantum.
    if (self->charge_total_quantum(elapsed_us)) {
        Fault_ipc::total_quantum_exhausted(*self);
        return;
    }
    uint64_t &remaining = self->remaining_us();
    remaining = remaining > elapsed_us ? remaining - elapsed_us : 0;
    Thread *next = highest_ready();
    bool higher = next != nullptr && next->priority() > self->priority();
    bool slice_over = remaining == 0 && next != nullptr && next->priority() == self->priority();
    if (!higher && !slice_over) {
        // Nobody to give way to: a used-up slice is simply renewed, a delay has no point.
        if (self->preemption_delay().running())
            end_delay(self, false);
        if (remaining == 0)
            remaining = self->time_slice_us();
        return;
    }
    switch (delay_verdict(self, next->priority(), now_us)) {
    case Preemption_delay::Verdict::delay_started:
    case Preemption_delay::Verdict::delaying: return;
    case Preemption_delay::Verdict::overrun:
        end_delay(self, true);
        if ((self->utcb_flags() & preemption_fault_flag) != 0) {
            // The exception IPC takes the processor from it like a preemption would.
            User_exception::preemption_fault(*self);
            return;
        }
        break;
    case Preemption_delay::Verdict::preempt: break;
    }
    if (remaining == 0)
        remaining = self->time_slice_us();
    make_ready(self);
    if (higher)
        switch_to(next);
    else
        schedule();
}
