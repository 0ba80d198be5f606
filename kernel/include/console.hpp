// SPDX-License-Identifier: MIT
// The kernel console: formatted output to the architecture's Console_output.
#pragma once

#include <stdarg.h>

class Console {
public:
    static void print(const char *format, ...) __attribute__((format(printf, 1, 2)));
    static void print_v(const char *format, va_list arguments);
};
