// SPDX-License-Identifier: MIT
// The X.2 ThreadControl system call in two steps (seL4's decode and invoke): decode checks
// every argument against the current state and records what the call will do; invoke does
// it and cannot fail half-way. Its only failure is running out of memory, which it meets
// before it changes anything (a new space or thread it made is then destroyed again).
#pragma once

#include <stdint.h>

#include "syscall_table.hpp"
#include "thread_id.hpp"

class Space;
class Thread;

class Thread_control {
public:
    // UtcbLocation all ones: leave it as it is.
    static constexpr uint64_t no_utcb_change = ~uint64_t{0};

    [[nodiscard]] static Syscall_error decode(Thread &caller, Sys_thread_control call, Thread_control &plan);
    [[nodiscard]] Syscall_error invoke(Thread &caller) const;

private:
    enum class Kind { associate_interrupt, destroy, configure };

    Syscall_error invoke_configure() const;

    Kind kind_ = Kind::configure;
    Thread_id dest_;
    Thread_id scheduler_;        // nil: unchanged (never nil for a new thread)
    Thread_id pager_;            // nil: unchanged; for an interrupt: its handler
    Thread *thread_ = nullptr;   // the existing thread, or nullptr: a new one is made
    Space *space_ = nullptr;     // its space after the call; nullptr: a new space
    bool migrates_ = false;      // into space_
    bool active_ = false;        // active already: only the scheduler and pager change
    bool activates_ = false;     // becomes active with utcb_ and pending_pager_
    uint64_t utcb_ = no_utcb_change;  // its UTCB (active, activating) or pending UTCB
    Thread_id pending_pager_;
};
