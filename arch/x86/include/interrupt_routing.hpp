// SPDX-License-Identifier: MIT
// How the board wires its interrupt lines to the I/O APIC (Interrupt_controller): where the
// I/O APIC is and, per line, its pin, trigger mode and polarity. Lines 0-15 are the ISA
// IRQs: pin n, edge-triggered, active high, unless an interrupt source override (ACPI
// MADT) moves or reconfigures one; a pin another ISA IRQ is moved to is no line of its own.
// Lines 16-23 are the PCI pins of the I/O APIC: level-triggered, active low.
#pragma once

#include <stdint.h>

#include "types.hpp"

struct Interrupt_routing {
    static constexpr unsigned lines = 24;
    static constexpr unsigned isa_lines = 16;
    static constexpr uint8_t no_pin = 0xff;
    // ACPI MPS INTI flags: polarity in bits 1..0, trigger mode in bits 3..2 (0: the bus's
    // default; 1: active high / edge; 3: active low / level).
    static constexpr uint16_t active_high = 1, active_low = 3, edge = 1 << 2, level = 3 << 2;

    struct Override {
        uint8_t isa_irq;
        uint32_t pin;
        uint16_t flags;
    };

    Phys_addr io_apic = 0xfec00000;  // the MP specification's default
    uint8_t pin[lines];
    bool is_level[lines];
    bool is_active_low[lines];

    // The ISA and PCI defaults with these overrides applied (later ones win).
    static Interrupt_routing with_overrides(Phys_addr io_apic, const Override *overrides, unsigned count);
    // What the ACPI MADT of QEMU's and Bochs' i440FX/PIIX boards says: the PIT's IRQ 0 on
    // pin 2, the PCI-link and ACPI IRQs 5, 9, 10, 11 level-triggered, active high.
    static Interrupt_routing pc_default();
};
