// SPDX-License-Identifier: MIT
// A counter's ticks in microseconds by one multiplication: the high 64 bits of
// ticks * factor, factor = floor(2^64 * 10^6 / hz). The clock is read on every IPC with a
// timeout, and a 64-bit division costs tens of cycles on hardware and a helper call under
// QEMU's TCG; the factor's one division is made once, at calibration.
//
// The result is floor(ticks * 10^6 / hz) or one less, never more (a deadline is never seen
// early): ticks * factor / 2^64 falls short of ticks * 10^6 / hz by less than
// ticks / 2^64 < 1. It never decreases as ticks grow.
#pragma once

#include <stdint.h>

class Tick_scale {
public:
    // The slowest counter it scales: at 10^6 Hz and below the factor would not fit 64 bits.
    static constexpr uint64_t min_hz = 1000001;

    Tick_scale() = default;
    // hz >= min_hz (the caller checks: a slower counter is not a clock to keep microseconds by).
    explicit Tick_scale(uint64_t hz) : factor_(static_cast<uint64_t>((wide{1000000} << 64) / hz)) {}

    uint64_t microseconds(uint64_t ticks) const { return static_cast<uint64_t>((wide{ticks} * factor_) >> 64); }

private:
    __extension__ typedef unsigned __int128 wide;

    uint64_t factor_ = 0;
};
