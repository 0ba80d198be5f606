// SPDX-License-Identifier: MIT
// The 8254 programmable interval timer, used only to measure a known interval at boot.
#pragma once

#include <stdint.h>

class Pit {
public:
    static constexpr uint32_t frequency_hz = 1193182;

    // Starts channel 2 counting down `microseconds` (at most 50000); expired() turns true
    // when it has. Channel 2's gate is software-controlled and it raises no interrupt.
    static void start_countdown(uint32_t microseconds);
    static bool expired();
};
