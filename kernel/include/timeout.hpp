// SPDX-License-Identifier: MIT
// X.2 timeouts (16 bits):
//   relative period  [0 | e:5 | m:10]  m * 2^e microseconds; raw 0 is "never", m = 0 with
//                                      e != 0 is "zero" (L4_ZeroTime is 0x0400)
//   absolute point   [1 | e:4 | c:1 | m:10]  the next clock value whose bits e+10..e equal m
//                                      (bit e+10 of the clock compared with c decides
//                                      whether the point is in this or the next period)
// The IPC timeouts word holds the send timeout in bits 31..16 and the receive timeout in
// bits 15..0.
#pragma once

#include <stdint.h>

class Timeout {
public:
    static constexpr uint64_t never = ~uint64_t{0};

    // The absolute deadline in microseconds of system clock, now being the current clock;
    // never for "never", now for "zero". (A period inline: IPCs with timeouts ask each time.)
    static uint64_t deadline(uint16_t encoded, uint64_t now)
    {
        if (!is_period(encoded))
            return point_deadline(encoded, now);
        if (encoded == 0)
            return never;
        uint64_t period = uint64_t{encoded & 0x3ffu} << (encoded >> 10 & 31);
        return now + period < now ? never : now + period;
    }

    // The X.2 relative period closest to microseconds from below (m * 2^e, m < 1024);
    // 0 microseconds is "zero" (0x0400), never is 0.
    static uint16_t encode_period(uint64_t microseconds);

    // Whether encoded is a relative period (not an absolute point), and its length in
    // microseconds: never for "never", 0 for "zero".
    static bool is_period(uint16_t encoded) { return (encoded & 0x8000) == 0; }
    static uint64_t period_us(uint16_t encoded);

    static uint16_t send_part(uint64_t timeouts) { return static_cast<uint16_t>(timeouts >> 16); }
    static uint16_t receive_part(uint64_t timeouts) { return static_cast<uint16_t>(timeouts); }

private:
    static uint64_t point_deadline(uint16_t encoded, uint64_t now);
};
