// SPDX-License-Identifier: MIT
#include "timer.hpp"

#include "cpu.hpp"
#include "legacy_pic.hpp"
#include "local_apic.hpp"
#include "panic.hpp"
#include "pit.hpp"
#include "scheduler.hpp"
#include "vectors.hpp"

volatile uint64_t Timer::ticks_ = 0;
uint64_t Timer::tsc_hz_ = 0;
uint64_t Timer::apic_hz_ = 0;
uint64_t Timer::tsc_start_ = 0;

void Timer::init(uintptr_t apic_mmio)
{
    Legacy_pic::remap_and_mask(Vectors::legacy_pic_base);
    Local_apic::init(apic_mmio, Vectors::apic_spurious);

    // Count APIC timer and TSC ticks across a 10 ms PIT interval.
    constexpr uint32_t interval_us = 10000;
    constexpr uint32_t start_count = 0xffffffff;
    Pit::start_countdown(interval_us);
    Local_apic::start_one_shot_count(start_count);
    uint64_t tsc_start = Cpu::read_tsc();
    while (!Pit::expired())
        asm volatile("pause");
    uint64_t tsc_elapsed = Cpu::read_tsc() - tsc_start;
    uint64_t apic_elapsed = start_count - Local_apic::current_count();

    tsc_start_ = tsc_start;
    apic_hz_ = apic_elapsed * (1000000 / interval_us);
    tsc_hz_ = tsc_elapsed * (1000000 / interval_us);
    if (apic_hz_ < frequency_hz)
        panic("local APIC timer did not run during calibration");
    if (tsc_hz_ == 0)
        panic("the TSC did not run during calibration");
    tsc_scale_ = Tick_scale(tsc_hz_);

    next_tick_us_ = now_us() + tick_us;
    program(next_tick_us_);
}

[[gnu::hot]] void Timer::program(uint64_t deadline_us)
{
    uint64_t now = now_us();
    // Never later than the next tick, so the wait is under a tick's counts (32 bits hold it).
    uint64_t wait_us = deadline_us > now ? deadline_us - now : 0;
    if (wait_us > tick_us)
        wait_us = tick_us;
    uint64_t count = (wait_us * apic_hz_ + 999999) / 1000000;  // up: never early, one interrupt a tick
    programmed_us_ = deadline_us;
    Local_apic::start_one_shot_timer(Vectors::apic_timer, count == 0 ? 1 : static_cast<uint32_t>(count));
}

[[gnu::hot]] void Timer::handle_interrupt()
{
    uint64_t now = now_us(), charged_us = 0;
    if (now >= next_tick_us_) {  // a tick (or more, if interrupts were off that long)
        uint64_t due = (now - next_tick_us_) / tick_us + 1;
        next_tick_us_ += due * tick_us;
        ticks_ = ticks_ + due;
        charged_us = due * tick_us;
    }
    Local_apic::end_of_interrupt();
    program(next_tick_us_);  // the scheduler moves it earlier for its next timeout
    Scheduler::tick(now, charged_us);
}
