// SPDX-License-Identifier: MIT
// The I/O APIC: routes the board's interrupt pins to vectors of the boot CPU's local APIC.
// Every pin starts masked; Interrupt_controller decides which pin is which line and when
// it may interrupt. The low word of each redirection entry is shadowed, and so is the index
// last put into IOREGSEL (only this class touches it, on the one CPU, with interrupts off),
// so masking and unmasking a level-triggered line (once each per interrupt, the same pin)
// costs one write each where the index is already there: each write is an exit into the
// emulator, about 2 us under QEMU's TCG (docs/performance.md).
#pragma once

#include <stdint.h>

#include "types.hpp"

class Io_apic {
public:
    enum class Trigger : uint8_t { edge, level };
    enum class Polarity : uint8_t { active_high, active_low };

    // Where boards put the first I/O APIC (the MP specification's default; QEMU and Bochs).
    static constexpr Phys_addr default_base = 0xfec00000;
    static constexpr unsigned max_pins = 64;

    // mmio: the kernel's uncached mapping of its registers. Masks every pin. Returns the
    // number of pins, 0 if nothing sensible answers there.
    static unsigned init(uintptr_t mmio);
    static unsigned pins() { return pins_; }

    // Sends pin to vector on the CPU with local APIC id destination; the pin stays masked.
    static void route(unsigned pin, uint8_t vector, Trigger trigger, Polarity polarity, uint8_t destination);
    static void set_masked(unsigned pin, bool masked);

private:
    static constexpr uint32_t none_selected = ~uint32_t{0};  // (not a register's index)

    static void select(uint32_t reg);
    static uint32_t read(uint32_t reg);
    static void write(uint32_t reg, uint32_t value);

    static volatile uint32_t *registers_;
    static unsigned pins_;
    static uint32_t selected_;  // what IOREGSEL holds, none_selected if not known
    static uint32_t low_words_[max_pins];
};
