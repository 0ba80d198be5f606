// SPDX-License-Identifier: MIT
// The interrupt lines user-level drivers see, on the I/O APIC (the legacy PICs stay
// masked). Line n is interrupt thread n (kernel/include/interrupt_thread.hpp): lines 0-15
// the ISA IRQs, 16-23 the I/O APIC's PCI pins, wired as Interrupt_routing says (from the
// ACPI MADT, or the PC board defaults without one). Line n arrives at vector
// Vectors::interrupt_lines_base + n. A line is masked while it has no handler.
#pragma once

#include <stdint.h>

#include "interrupt_routing.hpp"

class Interrupt_controller {
public:
    static constexpr unsigned lines = Interrupt_routing::lines;

    // Maps the I/O APIC, routes every line (masked) to this CPU; false without one.
    static bool init(const Interrupt_routing &routing);
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
