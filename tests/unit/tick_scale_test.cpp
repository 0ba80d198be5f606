// SPDX-License-Identifier: MIT
// Host tests of the clock's conversion of counter ticks to microseconds (tick_scale.hpp)
// against the exact quotient: by multiplication from just above 1 MHz to beyond any TSC's,
// by division at 1 MHz and below.
#include <gtest/gtest.h>

#include <random>

#include "tick_scale.hpp"

namespace {

__extension__ typedef unsigned __int128 wide;

uint64_t exact_us(uint64_t ticks, uint64_t hz) { return static_cast<uint64_t>(wide{ticks} * 1000000 / hz); }

constexpr uint64_t multiplied[] = {Tick_scale::min_multiplied_hz, 1000000007, 1193182, 2560000000, 3123456789,
                                   1000000000000ull, 0xffffffffffffffffull};
constexpr uint64_t divided[] = {1, 1000, 32768, 999999, 1000000};

// Small counts, counts of days and years, and the counter's whole range.
uint64_t random_ticks(std::mt19937_64 &random) { return random() >> (random() % 64); }

}  // namespace

TEST(Tick_scale, multiplied_is_the_exact_quotient_or_one_less_and_mostly_exact)
{
    std::mt19937_64 random(16);
    for (uint64_t hz : multiplied) {
        Tick_scale scale(hz);
        int exact_results = 0;
        constexpr int samples = 20000;
        for (int i = 0; i < samples; ++i) {
            uint64_t ticks = random_ticks(random);
            uint64_t exact = exact_us(ticks, hz), got = scale.microseconds(ticks);
            ASSERT_TRUE(got == exact || got + 1 == exact) << "hz " << hz << " ticks " << ticks << " got " << got
                                                          << " exact " << exact;
            exact_results += got == exact;
        }
        // One less only when ticks * 10^6 / hz is within ticks / 2^64 of an integer: rare.
        EXPECT_GT(exact_results, samples * 9 / 10) << "hz " << hz;
    }
}

TEST(Tick_scale, divided_is_exact)
{
    std::mt19937_64 random(3);
    for (uint64_t hz : divided) {
        Tick_scale scale(hz);
        for (int i = 0; i < 20000; ++i) {
            uint64_t ticks = random_ticks(random);
            if (ticks / hz > ~uint64_t{0} / 1000000)
                continue;  // (microseconds beyond 64 bits: the clock's range ends there)
            ASSERT_EQ(scale.microseconds(ticks), exact_us(ticks, hz)) << "hz " << hz << " ticks " << ticks;
        }
    }
}

TEST(Tick_scale, whole_seconds_are_exact_or_one_short)
{
    for (uint64_t hz : {uint64_t{2560000000}, uint64_t{1000000000}, uint64_t{3123456789}, uint64_t{4000000}}) {
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
    for (const uint64_t *set : {multiplied, divided}) {
        for (unsigned k = 0; k < 5; ++k) {
            uint64_t hz = set[k];
            Tick_scale scale(hz);
            uint64_t ticks = random() >> 24, previous = scale.microseconds(ticks);
            for (int i = 0; i < 100000; ++i) {
                ticks += random() % 5000;
                uint64_t now = scale.microseconds(ticks);
                ASSERT_GE(now, previous) << "hz " << hz << " ticks " << ticks;
                previous = now;
            }
        }
    }
}

TEST(Tick_scale, a_scale_without_a_frequency_reads_zero)
{
    EXPECT_EQ(Tick_scale().microseconds(123456789), 0u);
    EXPECT_EQ(Tick_scale(0).microseconds(123456789), 0u);
}
