// SPDX-License-Identifier: MIT
// The kernel tick: the local APIC timer in periodic mode, calibrated at boot against the
// PIT (the one clock whose frequency is architectural). The TSC is calibrated at the same
// time for fine-grained time.
#pragma once

#include <stdint.h>

class Timer {
public:
    static constexpr unsigned frequency_hz = 100;

    // mmio: the mapped local APIC. Masks the legacy PIC; interrupts stay disabled.
    static void init(uintptr_t apic_mmio);
    static void handle_interrupt();

    static uint64_t ticks() { return ticks_; }
    // Microseconds since the calibration, from the TSC (the X.2 system clock).
    static uint64_t now_us();
    static uint64_t tsc_hz() { return tsc_hz_; }
    static uint64_t apic_timer_hz() { return apic_hz_; }

private:
    static volatile uint64_t ticks_;
    static uint64_t tsc_hz_;
    static uint64_t apic_hz_;
    static uint64_t tsc_start_;
};
