// SPDX-License-Identifier: MIT
// Where every vector lands (called from entry.asm). Exceptions in kernel mode end in
// Exception_report; the timer goes to Timer; everything else is counted, never fatal.
#pragma once

#include "exception_frame.hpp"

class Interrupts {
public:
    static uint64_t spurious_count() { return spurious_; }
    static uint64_t unexpected_count() { return unexpected_; }

    static void dispatch(Exception_frame &frame);

private:
    static uint64_t spurious_;
    static uint64_t unexpected_;
};
