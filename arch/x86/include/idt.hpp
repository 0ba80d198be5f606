// SPDX-License-Identifier: MIT
// The interrupt descriptor table: every vector enters through its stub in entry.asm and
// reaches interrupt_dispatch() with an Exception_frame.
#pragma once

#include <stdint.h>

class Idt {
public:
    static constexpr unsigned vectors = 256;

    static void load();

private:
    struct Gate {
        uint16_t offset_low;
        uint16_t selector;
        uint8_t ist;
        uint8_t type;
        uint16_t offset_middle;
        uint32_t offset_high;
        uint32_t reserved;
    };
    static_assert(sizeof(Gate) == 16, "hardware layout");

    static Gate table_[vectors];
};
