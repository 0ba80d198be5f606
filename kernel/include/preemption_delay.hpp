// SPDX-License-Identifier: MIT
// X.2 delayed preemption of one thread (Schedule's preemption control): a thread that asks
// for it (UTCB flags bit 6) may keep the processor for up to its maximum delay when it
// would be preempted by a thread of at most its sensitive priority, so that it can finish a
// critical section and yield. One delay at a time: granting one consumes the budget; a
// delay that ends before its deadline (the thread yields or blocks) gives it back, an
// overrun forfeits it until the thread's next ThreadSwitch. The scheduler decides when a
// preemption is due and acts on the verdict; this class only keeps the state (no clock,
// no hardware), so it is unit-tested on the host.
#pragma once

#include <stdint.h>

class Preemption_delay {
public:
    enum class Verdict : uint8_t {
        preempt,        // no delay: preempt now
        delay_started,  // a delay begins now (the kernel sets the pending flag)
        delaying,       // a delay already running still has time
        overrun,        // a delay already running has passed its deadline
    };

    uint8_t sensitive_priority() const { return sensitive_priority_; }
    uint16_t max_delay_us() const { return max_delay_us_; }
    // New preemption control; the budget is full again. A running delay keeps its deadline.
    void configure(uint8_t sensitive_priority, uint16_t max_delay_us)
    {
        sensitive_priority_ = sensitive_priority;
        max_delay_us_ = max_delay_us;
        available_ = true;
    }

    bool running() const { return running_; }
    uint64_t deadline_us() const { return deadline_us_; }

    // The thread (of own_priority) would be preempted at now_us in favour of a thread of
    // competitor_priority; requested: the thread's UTCB asks for delayed preemption. A
    // competitor above the sensitive priority (never taken below the thread's own
    // priority) is never delayed, whatever runs.
    Verdict decide(uint64_t now_us, unsigned competitor_priority, unsigned own_priority, bool requested)
    {
        unsigned sensitive = sensitive_priority_ > own_priority ? sensitive_priority_ : own_priority;
        if (competitor_priority > sensitive)
            return Verdict::preempt;
        if (running_)
            return now_us < deadline_us_ ? Verdict::delaying : Verdict::overrun;
        if (!requested || max_delay_us_ == 0 || !available_)
            return Verdict::preempt;
        running_ = true;
        available_ = false;
        deadline_us_ = now_us + max_delay_us_;
        return Verdict::delay_started;
    }

    // The running delay ends: the thread gave up the processor (overran false: its budget
    // comes back) or was preempted at the deadline (overran true: the budget stays spent).
    void end(bool overran)
    {
        running_ = false;
        if (!overran)
            available_ = true;
    }

    // The thread yielded with ThreadSwitch: it cooperates, its budget is full again.
    void restore() { available_ = true; }
    // (A kernel-mode task's ThreadSwitch stub does what restore does, Syscall_stubs.)
    static constexpr size_t available_offset() { return offsetof(Preemption_delay, available_); }
    bool available() const { return available_; }

private:
    uint64_t deadline_us_ = 0;
    uint16_t max_delay_us_ = 0;  // 0: never delayed (the default)
    uint8_t sensitive_priority_ = 0;
    bool running_ = false;
    bool available_ = true;
};
