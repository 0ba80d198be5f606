// SPDX-License-Identifier: MIT
// The interrupt lines user-level drivers see, on the I/O APIC (the legacy PICs stay
// masked). Line n is interrupt thread n (kernel/include/interrupt_thread.hpp):
//
//   lines 0-15   the ISA IRQs, edge-triggered, active high; line 0 (the PIT) arrives on
//                pin 2, line 2 (the PICs' cascade) does not exist; 5, 9, 10 and 11 are the
//                PCI link and ACPI lines of the i440FX/PIIX board of QEMU and Bochs, level-
//                triggered, active high
//   lines 16-23  the PCI pins INTA-D of the I/O APIC, level-triggered, active low
//
// This is the routing the ACPI MADT of QEMU's and Bochs' PC boards describes; the kernel
// does not read the MADT yet (docs/kernel.md, Interrupts). Line n arrives at vector
// Vectors::interrupt_lines_base + n. A line is masked while it has no handler.
#pragma once

#include <stdint.h>

class Interrupt_controller {
public:
    static constexpr unsigned lines = 24;

    // Finds the I/O APIC, routes every line (masked) to this CPU; false without one.
    static bool init();
    static bool exists(unsigned line) { return line < lines && pin_of_line_[line] != no_pin; }
    static void mask(unsigned line);
    static void unmask(unsigned line);
    // An interrupt arrived on line: a level-triggered line is masked until release, so that
    // it does not fire again at once; an edge-triggered one stays open (an I/O APIC drops
    // edges at a masked pin; the kernel remembers them instead, Interrupt_thread).
    static void hold(unsigned line)
    {
        if (is_level(line))
            mask(line);
    }
    static void release(unsigned line)
    {
        if (is_level(line))
            unmask(line);
    }
    static bool is_level(unsigned line) { return line < lines && (level_lines_ & (1u << line)) != 0; }
    // The line an interrupt vector belongs to, lines if it is none.
    static unsigned line_of_vector(uint64_t vector);
    // Acknowledges the interrupt being handled at the local APIC (after masking its line).
    static void end_of_interrupt();

private:
    static constexpr uint8_t no_pin = 0xff;
    static uint8_t pin_of_line_[lines];
    static uint32_t level_lines_;  // bit n: line n is level-triggered
};
