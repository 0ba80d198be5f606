// SPDX-License-Identifier: MIT
#include "cmos_clock.hpp"

#include <l4/arch.h>
#include <l4/ipc.h>
#include <l4/tern/system.hpp>

#include "calendar.hpp"

namespace {

constexpr unsigned index_port = 0x70, data_port = 0x71;
constexpr uint8_t seconds_register = 0, minutes_register = 2, hours_register = 4, day_register = 7,
                  month_register = 8, year_register = 9, status_a = 0x0a, status_b = 0x0b, century_register = 0x32;
constexpr uint8_t update_in_progress = 0x80, binary_mode = 0x04, hours_24 = 0x02, hour_pm = 0x80;

uint8_t cmos(uint8_t index)
{
    uint8_t value;
    __asm__ __volatile__("outb %0, %w1" : : "a"(index), "Nd"(index_port));
    __asm__ __volatile__("inb %w1, %0" : "=a"(value) : "Nd"(data_port));
    return value;
}

struct Reading {
    uint8_t second, minute, hour, day, month, year, century;
    bool operator==(const Reading &) const = default;
};

Reading take()
{
    for (unsigned wait = 0; wait < 100000 && (cmos(status_a) & update_in_progress) != 0; ++wait) {
    }
    return {cmos(seconds_register), cmos(minutes_register), cmos(hours_register), cmos(day_register),
            cmos(month_register), cmos(year_register), cmos(century_register)};
}

}  // namespace

bool Cmos_clock::read(uint64_t &seconds)
{
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    tern::Message reply;
    tern::Status status = tern::system::call(TERN_SYSTEM_IO_PORTS, L4_IoFpage(index_port, 2).raw, &reply);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != tern::Status::ok || reply.typed() != 2)
        return false;
    // Two equal readings in a row: no update fell between the registers' reads.
    Reading reading = take();
    for (unsigned tries = 0; tries < 10; ++tries) {
        Reading again = take();
        if (again == reading)
            break;
        reading = again;
    }
    uint8_t mode = cmos(status_b);
    bool pm = (reading.hour & hour_pm) != 0;
    reading.hour = static_cast<uint8_t>(reading.hour & ~hour_pm);
    auto value = [mode](uint8_t field) -> unsigned {
        return (mode & binary_mode) != 0 ? field : (field >> 4) * 10u + (field & 0x0fu);
    };
    unsigned hour = value(reading.hour);
    if ((mode & hours_24) == 0)
        hour = hour % 12 + (pm ? 12 : 0);
    unsigned century = value(reading.century);
    unsigned year = (century >= 19 && century <= 99 ? century : 20) * 100 + value(reading.year);
    return calendar::epoch_seconds(year, value(reading.month), value(reading.day), hour, value(reading.minute),
                    value(reading.second), seconds);
}
