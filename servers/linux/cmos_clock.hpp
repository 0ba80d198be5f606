// SPDX-License-Identifier: MIT
// The wall clock at boot from the PC's CMOS real-time clock (ports 0x70 and 0x71, which the
// boot configuration grants), for a Linux personality started without "epoch=".
#ifndef LINUX_CMOS_CLOCK_HPP
#define LINUX_CMOS_CLOCK_HPP

#include <stdint.h>

class Cmos_clock {
public:
    // Seconds since 1970-01-01 00:00 UTC (the RTC is taken to keep UTC, as QEMU's does by
    // default); false when the ports are not granted or the clock reads as no valid date.
    static bool read(uint64_t &seconds);
};

#endif
