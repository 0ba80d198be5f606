// SPDX-License-Identifier: MIT
// The Linux personality's calendar (servers/linux/calendar.hpp), which turns the CMOS
// clock's date into the wall clock's seconds since the epoch.
#include <gtest/gtest.h>
#include <time.h>

#include "calendar.hpp"

namespace {

uint64_t seconds(unsigned year, unsigned month, unsigned day, unsigned hour = 0, unsigned minute = 0,
                 unsigned second = 0)
{
    uint64_t result = ~uint64_t{0};
    EXPECT_TRUE(calendar::epoch_seconds(year, month, day, hour, minute, second, result));
    return result;
}

}  // namespace

TEST(Calendar, KnownDates)
{
    EXPECT_EQ(seconds(1970, 1, 1), 0u);
    EXPECT_EQ(seconds(1970, 1, 1, 0, 0, 1), 1u);
    EXPECT_EQ(seconds(2000, 3, 1), 951868800u);   // after the leap day of a year divisible by 400
    EXPECT_EQ(seconds(2038, 1, 19, 3, 14, 8), 2147483648u);  // one past 32-bit time_t
    EXPECT_EQ(seconds(2100, 3, 1), 4107542400u);  // 2100 has no 29 February
}

TEST(Calendar, AgreesWithTheHostsTimegmEveryDayFor200Years)
{
    for (unsigned year = 1970; year < 2170; ++year)
        for (unsigned month = 1; month <= 12; ++month)
            for (unsigned day = 1; day <= calendar::days_in_month(year, month); ++day) {
                struct tm date = {};
                date.tm_year = static_cast<int>(year) - 1900;
                date.tm_mon = static_cast<int>(month) - 1;
                date.tm_mday = static_cast<int>(day);
                date.tm_hour = 13;
                date.tm_min = 5;
                date.tm_sec = 59;
                ASSERT_EQ(seconds(year, month, day, 13, 5, 59), static_cast<uint64_t>(timegm(&date)))
                    << year << "-" << month << "-" << day;
            }
}

TEST(Calendar, FieldsOutOfRangeAreRefused)
{
    uint64_t result = 7;
    EXPECT_FALSE(calendar::epoch_seconds(1969, 12, 31, 23, 59, 59, result));
    EXPECT_FALSE(calendar::epoch_seconds(2023, 2, 29, 0, 0, 0, result));
    EXPECT_TRUE(calendar::epoch_seconds(2024, 2, 29, 0, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(1900 + 200, 2, 29, 0, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 0, 1, 0, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 13, 1, 0, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 1, 0, 0, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 4, 31, 0, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 1, 1, 24, 0, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 1, 1, 0, 60, 0, result));
    EXPECT_FALSE(calendar::epoch_seconds(2024, 1, 1, 0, 0, 60, result));
    EXPECT_FALSE(calendar::epoch_seconds(10000, 1, 1, 0, 0, 0, result));
}
