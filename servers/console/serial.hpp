// SPDX-License-Identifier: MIT
// The console's device: COM1's 16550 UART through its I/O ports, or, when the root task
// could not give the ports, the kernel's debug console (polled, output through the
// kernel). The mode is chosen once at start (console.cpp).
#ifndef SERIAL_HPP
#define SERIAL_HPP

#include <l4/tern/console.h>

class Serial
{
public:
    static constexpr unsigned com1_base = 0x3f8;
    static constexpr unsigned com1_ports = 8;
    static constexpr unsigned com1_irq = 4;

    // TERN_CONSOLE_UART_IRQ, _UART_POLLED or _KDB.
    L4_Word_t mode() const { return mode_; }
    void set_mode(L4_Word_t mode) { mode_ = mode; }

    // Prepares the UART for the mode: receive interrupts on or off.
    void init() const;
    void put(char c) const;
    // The next received byte, if one is waiting.
    bool get(char &c) const;

private:
    L4_Word_t mode_ = TERN_CONSOLE_KDB;
};

#endif
