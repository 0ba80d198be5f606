// SPDX-License-Identifier: MIT
// Dates of the Gregorian calendar as seconds since the Unix epoch (1970-01-01 00:00 UTC).
#ifndef LINUX_CALENDAR_HPP
#define LINUX_CALENDAR_HPP

#include <stdint.h>

namespace calendar {

constexpr unsigned days_in_month(unsigned year, unsigned month)
{
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return days[month - 1] + (month == 2 && leap ? 1 : 0);
}

// The seconds since the epoch of a date and time, UTC; false for a field out of its range
// or a date before 1970 or after 9999.
constexpr bool epoch_seconds(unsigned year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                             unsigned second, uint64_t &seconds)
{
    if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return false;
    // Days counted from 0000-03-01, so that February (and its leap day) ends each year,
    // then moved to 1970-01-01 (day 719468 of that count).
    unsigned y = month <= 2 ? year - 1 : year;
    unsigned m = month <= 2 ? month + 9 : month - 3;
    uint64_t days = uint64_t{365} * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + day - 1;
    seconds = (days - 719468) * 86400 + hour * 3600 + minute * 60 + second;
    return true;
}

}  // namespace calendar

#endif
