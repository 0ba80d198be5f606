// SPDX-License-Identifier: MIT
// The kernel's timer: the local APIC timer in one-shot mode, calibrated at boot against the
// PIT (the one clock whose frequency is architectural); the TSC, calibrated at the same
// time, is the clock. Each interrupt is programmed for the next tick (every 1/frequency_hz
// s: time slices, total quanta and processor time are counted in whole ticks) or the
// earliest IPC timeout, whichever comes first, so a timeout ends within microseconds of its
// deadline rather than at the tick after it, without a faster tick.
#pragma once

#include <stdint.h>

#include "cpu.hpp"
#include "tick_scale.hpp"

class Timer {
public:
    static constexpr unsigned frequency_hz = 100;
    static constexpr uint64_t tick_us = 1000000 / frequency_hz;

    // mmio: the mapped local APIC. Masks the legacy PIC; interrupts stay disabled.
    static void init(uintptr_t apic_mmio);
    static void handle_interrupt();
    // An interrupt at deadline_us (the clock's) if that is before the one programmed: the
    // scheduler's earliest timeout moved earlier. Interrupts must be disabled.
    static void wake_by(uint64_t deadline_us)
    {
        if (deadline_us < programmed_us_)
            program(deadline_us);
    }

    static uint64_t ticks() { return ticks_; }
    // Microseconds since the calibration, from the TSC (the X.2 system clock). Inline and
    // without a division: every IPC with a timeout reads it.
    static uint64_t now_us() { return tsc_scale_.microseconds(Cpu::read_tsc() - tsc_start_); }
    static uint64_t tsc_hz() { return tsc_hz_; }
    static uint64_t apic_timer_hz() { return apic_hz_; }

private:
    static void program(uint64_t deadline_us);

    static inline uint64_t next_tick_us_ = 0;   // when the next tick is due
    static inline uint64_t programmed_us_ = 0;  // when the timer fires next (0: not armed yet)
    static volatile uint64_t ticks_;
    static uint64_t tsc_hz_;
    static uint64_t apic_hz_;
    static uint64_t tsc_start_;
    static inline Tick_scale tsc_scale_;
};
