// SPDX-License-Identifier: MIT
// Host tests of the clock's conversion of counter ticks to microseconds (tick_scale.hpp)
// against the exact quotient, over frequencies from just above 1 MHz to beyond any TSC's.
#include <gtest/gtest.h>

#include <random>

#include "tick_scale.hpp"

namespace {

__extension__ typedef unsigned __int128 wide;

uint64_t exact_us(uint64_t ticks, uint64_t hz) { return static_cast<uint64_t>(wide{ticks} * 1000000 / hz); }

constexpr uint64_t frequencies[] = {Tick_scale::min_hz, 1000000007, 1193182, 2560000000, 3123456789,
                                    1000000000000ull, 0xffffffffffffffffull};

}  // namespace

TEST(Tick_scale, is_the_exact_quotient_or_one_less)
{
    std::mt19937_64 random(16);
    for (uint64_t hz : frequencies) {
        Tick_scale scale(hz);
        for (int i = 0; i < 20000; ++i) {
            // Small counts, counts of days and years, and the counter's whole range.
            uint64_t ticks = random() >> (random() % 64);
            uint64_t exact = exact_us(ticks, hz), got = scale.microseconds(ticks);
            ASSERT_TRUE(got == exact || got + 1 == exact) << "hz " << hz << " ticks " << ticks << " got " << got
                                                          << " exact " << exact;
        }
    }
}

TEST(Tick_scale, whole_seconds_are_exact_or_one_short)
{
    for (uint64_t hz : {uint64_t{2560000000}, uint64_t{1000000000}, uint64_t{3123456789}}) {
        Tick_scale scale(hz);
        for (uint64_t seconds : {1ull, 60ull, 3600ull, 86400ull, 86400ull * 365 * 10}) {
            uint64_t got = scale.microseconds(hz * seconds);
            EXPECT_GE(got + 1, seconds * 1000000) << hz;
            EXPECT_LE(got, seconds * 1000000) << hz;
        }
    }
}

TEST(Tick_scale, never_goes_back)
{
    std::mt19937_64 random(7);
    for (uint64_t hz : frequencies) {
        Tick_scale scale(hz);
        uint64_t ticks = random() >> 8, previous = scale.microseconds(ticks);
        for (int i = 0; i < 100000; ++i) {
            ticks += random() % 5000;
            uint64_t now = scale.microseconds(ticks);
            ASSERT_GE(now, previous) << "hz " << hz << " ticks " << ticks;
            previous = now;
        }
    }
}

TEST(Tick_scale, a_default_scale_reads_zero)
{
    EXPECT_EQ(Tick_scale().microseconds(123456789), 0u);
}
