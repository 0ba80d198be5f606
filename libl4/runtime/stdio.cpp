// SPDX-License-Identifier: MIT
// libl4 runtime: console output for user programs (the functions of <l4io.h>), formatted
// by the kernel's Formatter and written one character at a time with L4_KDB_PrintChar.
// Weak, so that a program may replace any of them.
#include <stdarg.h>
#include <stddef.h>

#include <l4/kdebug.h>
#include <l4io.h>

#include "formatter.hpp"

namespace {

void console_sink(void *, char c)
{
    L4_KDB_PrintChar(c);
}

int as_int(size_t count)
{
    constexpr size_t int_max = 0x7fffffff;
    return static_cast<int>(count > int_max ? int_max : count);
}

}  // namespace

extern "C" {

__attribute__((weak)) int vprintf(const char *fmt, va_list ap)
{
    return as_int(Formatter::format(console_sink, nullptr, fmt, ap));
}

__attribute__((weak)) int printf(const char *fmt, ...)
{
    va_list arguments;
    va_start(arguments, fmt);
    int count = vprintf(fmt, arguments);
    va_end(arguments);
    return count;
}

__attribute__((weak)) int vsnprintf(char *str, L4_Size_t size, const char *fmt, va_list ap)
{
    return as_int(Formatter::to_buffer_v(str, size, fmt, ap));
}

__attribute__((weak)) int snprintf(char *str, L4_Size_t size, const char *fmt, ...)
{
    va_list arguments;
    va_start(arguments, fmt);
    int count = vsnprintf(str, size, fmt, arguments);
    va_end(arguments);
    return count;
}

__attribute__((weak)) int puts(const char *s)
{
    L4_KDB_PrintString(s);
    L4_KDB_PrintChar('\n');
    return 0;
}

__attribute__((weak)) int putchar(int c)
{
    L4_KDB_PrintChar(static_cast<char>(c));
    return static_cast<unsigned char>(c);
}

__attribute__((weak)) void putc(int c)
{
    L4_KDB_PrintChar(static_cast<char>(c));
}

// The next character typed on the kernel console; waits for one.
__attribute__((weak)) int getc(void)
{
    return static_cast<unsigned char>(L4_KDB_ReadChar_Blocked());
}

}  // extern "C"
