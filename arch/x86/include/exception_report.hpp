// SPDX-License-Identifier: MIT
// What the kernel says when the CPU faults in kernel mode: the exception's name, error
// code decoded, CR2, every register and a frame-pointer backtrace; then the machine
// stops with a failure status. A fault in the kernel is always a kernel bug.
#pragma once

#include "exception_frame.hpp"

class Exception_report {
public:
    [[noreturn]] static void kernel_fault(const Exception_frame &frame);
    static const char *name(uint64_t vector);
};
