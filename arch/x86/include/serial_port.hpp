// SPDX-License-Identifier: MIT
// A 16550 UART driven by polling. The kernel keeps COM1 for its own messages (boot log,
// panics, the debugger); user-level drivers get the port through I/O flexpages later.
#pragma once

#include <stdint.h>

class Serial_port {
public:
    static constexpr uint16_t com1 = 0x3f8;

    explicit constexpr Serial_port(uint16_t base) : base_(base) {}

    void init(uint32_t baud) const;
    void put(char c) const;
    // The next received byte, if one is waiting (never blocks).
    bool try_get(char &c) const;
    // Waits until every byte written has left the transmitter (before the machine stops).
    void drain() const;

private:
    uint16_t base_;
};
