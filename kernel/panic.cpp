// SPDX-License-Identifier: MIT
#include "panic.hpp"

#include "console.hpp"
#include "cpu.hpp"
#include "platform.hpp"

void panic(const char *format, ...)
{
    Cpu::disable_interrupts();
    va_list arguments;
    va_start(arguments, format);
    Console::print("\nPANIC: ");
    Console::print_v(format, arguments);
    Console::print("\n");
    va_end(arguments);
    Platform::shutdown(Exit_status::failure);
}
