// SPDX-License-Identifier: MIT
// The kernel's one printf-style formatting engine. It writes through a sink callback so
// that the console, fixed buffers and the unit tests share exactly the same code.
//
// Conversions: %% %c %s %d %i %u %x %X %o %p; flags - 0 + space #; width and precision
// as numbers or '*'; length modifiers hh h l ll z t j. Anything else is printed verbatim
// (never read as an argument), so a bad format cannot walk off the argument list.
#pragma once

#include <stdarg.h>
#include <stddef.h>

class Formatter {
public:
    using Sink = void (*)(void *context, char c);

    // Returns the number of characters sent to the sink.
    static size_t format(Sink sink, void *context, const char *format, va_list arguments);

    // snprintf semantics: writes at most size - 1 characters plus a terminating NUL
    // (nothing when size is 0) and returns the length the full output would have had.
    static size_t to_buffer(char *buffer, size_t size, const char *format, ...)
        __attribute__((format(printf, 3, 4)));
    static size_t to_buffer_v(char *buffer, size_t size, const char *format, va_list arguments);
};
