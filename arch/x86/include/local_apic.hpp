// SPDX-License-Identifier: MIT
// The local APIC of the boot CPU, in xAPIC (MMIO) mode: its timer drives the kernel
// tick, and every interrupt it delivers (except spurious ones) needs an EOI.
#pragma once

#include <stdint.h>

class Local_apic {
public:
    // mmio: where the kernel mapped the APIC's 4 KiB register page (uncached).
    static void init(uintptr_t mmio, uint8_t spurious_vector);
    static uint64_t physical_base();
    static bool present();
    // This CPU's APIC id, the destination the I/O APIC sends interrupts to.
    static uint8_t id();

    static void end_of_interrupt();
    static void start_periodic_timer(uint8_t vector, uint32_t initial_count);
    // Counts initial_count down once and raises vector at 0.
    static void start_one_shot_timer(uint8_t vector, uint32_t initial_count);
    static void start_one_shot_count(uint32_t initial_count);
    static uint32_t current_count();

private:
    static uint32_t read(uint32_t reg);
    static void write(uint32_t reg, uint32_t value);

    static volatile uint32_t *registers_;
};
