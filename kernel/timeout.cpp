// SPDX-License-Identifier: MIT
#include "timeout.hpp"

uint64_t Timeout::point_deadline(uint16_t encoded, uint64_t now)
{
    uint64_t mantissa = encoded & 0x3ff;
    unsigned exponent = encoded >> 11 & 15;
    uint64_t c = encoded >> 10 & 1;
    uint64_t period_bit = uint64_t{1} << (exponent + 10);
    uint64_t point = (now & ~(period_bit - 1)) | (mantissa << exponent);
    // c names the parity of the period that holds the point; the clock's bit says which
    // period "now" is in.
    if (((now & period_bit) != 0) != (c != 0))
        point += period_bit;
    return point < now ? now : point;
}

uint64_t Timeout::period_us(uint16_t encoded)
{
    if (encoded == 0)
        return never;
    return uint64_t{encoded & 0x3ffu} << (encoded >> 10 & 31);
}

uint16_t Timeout::encode_period(uint64_t microseconds)
{
    if (microseconds == never)
        return 0;
    if (microseconds == 0)
        return 0x0400;
    unsigned exponent = 0;
    while (microseconds >= 1024 && exponent < 31) {
        microseconds >>= 1;
        ++exponent;
    }
    if (microseconds >= 1024)
        microseconds = 1023;
    return static_cast<uint16_t>(exponent << 10 | microseconds);
}
