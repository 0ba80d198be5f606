// SPDX-License-Identifier: MIT
// The kernel console: formatted output to the architecture's Console_output.
#pragma once

#include <stdarg.h>

#include "byte_log.hpp"

class Console {
public:
    static void print(const char *format, ...) __attribute__((format(printf, 1, 2)));
    static void print_v(const char *format, va_list arguments);
    // What the console printed, the last 16 KiB of it (the kernel_log system call).
    static const Byte_log<16384> &log() { return log_; }

private:
    static inline Byte_log<16384> log_;
    friend struct Console_chunk;
};
