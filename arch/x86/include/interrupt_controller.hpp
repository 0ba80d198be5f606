// SPDX-License-Identifier: MIT
// The interrupt lines user-level drivers see, on the I/O APIC (the legacy PICs stay
// masked). Line n is interrupt thread n (kernel/include/interrupt_thread.hpp): lines 0-15
// the ISA IRQs, 16-23 the I/O APIC's PCI pins, wired as Interrupt_routing says (from the
// ACPI MADT, or the PC board defaults without one). Line n arrives at vector
// Vectors::interrupt_lines_base + n. A pin's line is masked while it has no handler.
//
// Lines 24-31 are message-signalled (MSI, MSI-X): no pin, edge-triggered, raised by a
// device's write of msi_data(line) to msi_address(), which whoever sets up the device reads
// from the KIP's feature "msi=FIRST,COUNT,ADDRESS,DATA" (line FIRST + i: DATA + i). Nothing
// masks them here: a device masks its own messages, and one without a handler is counted as
// unclaimed. Their interrupt costs one exit into the emulator (the local APIC's EOI), where
// a level-triggered pin's costs a mask and an unmask at the I/O APIC and the device's status
// read.
#pragma once

#include <stdint.h>

#include "interrupt_routing.hpp"

class Interrupt_controller {
public:
    static constexpr unsigned pin_lines = Interrupt_routing::lines;
    static constexpr unsigned first_msi_line = pin_lines, msi_lines = 8;
    static constexpr unsigned lines = pin_lines + msi_lines;

    // Maps the I/O APIC, routes every line (masked) to this CPU; false without one.
    static bool init(const Interrupt_routing &routing);
    static bool exists(unsigned line)
    {
        return line < pin_lines ? pin_of_line_[line] != no_pin : line < lines && msi_destination_ != no_destination;
    }
    static bool is_message_signalled(unsigned line) { return line >= first_msi_line && line < lines; }
    // What a device writes where to raise MSI line first_msi_line + i: msi_data(first_msi_line + i)
    // to msi_address() (fixed delivery to the boot CPU, edge).
    static uint64_t msi_address() { return uint64_t{0xfee00000} | uint64_t{msi_destination_} << 12; }
    static uint32_t msi_data(unsigned line);
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
    static constexpr uint16_t no_destination = 0xffff;
    static uint8_t pin_of_line_[pin_lines];
    static uint16_t msi_destination_;  // the boot CPU's local APIC id once init succeeded
    static uint32_t level_lines_;  // bit n: line n is level-triggered
};
