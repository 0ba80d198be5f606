// SPDX-License-Identifier: MIT
// A counter's ticks in microseconds. For a counter above 1 MHz (any TSC on hardware or
// QEMU) by one multiplication: the high 64 bits of ticks * factor, factor =
// floor(2^64 * 10^6 / hz). The clock is read on every IPC with a timeout, and a 64-bit
// division costs tens of cycles on hardware and a helper call under QEMU's TCG; the
// factor's one division is made once, at calibration. The result is then
// floor(ticks * 10^6 / hz) or one less, never more (a deadline is never seen early):
// ticks * factor / 2^64 falls short of ticks * 10^6 / hz by less than ticks / 2^64 < 1.
// It never decreases as ticks grow.
//
// A counter of 1 MHz or less (Bochs's TSC runs at a few MHz; its factor would not fit 64
// bits) is divided, exactly. A scale made without a frequency reads 0.
#pragma once

#include <stdint.h>

class Tick_scale {
public:
    // The slowest counter scaled by multiplication.
    static constexpr uint64_t min_multiplied_hz = 1000001;

    Tick_scale() = default;
    explicit Tick_scale(uint64_t hz)
        : hz_(hz), factor_(hz >= min_multiplied_hz ? static_cast<uint64_t>((wide{1000000} << 64) / hz) : 0)
    {
    }

    uint64_t microseconds(uint64_t ticks) const
    {
        if (factor_ != 0) [[likely]]
            return static_cast<uint64_t>((wide{ticks} * factor_) >> 64);
        if (hz_ == 0)
            return 0;
        // (Split so that ticks * 10^6 cannot overflow: the remainder is below hz_ <= 10^6.)
        return ticks / hz_ * 1000000 + ticks % hz_ * 1000000 / hz_;
    }

private:
    __extension__ typedef unsigned __int128 wide;

    uint64_t hz_ = 0;
    uint64_t factor_ = 0;  // 0: divide
};
