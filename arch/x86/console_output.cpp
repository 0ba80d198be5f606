// SPDX-License-Identifier: MIT
#include "console_output.hpp"

#include "io_port.hpp"
#include "serial_port.hpp"

namespace {

constexpr Serial_port com1{Serial_port::com1};
constexpr uint16_t debug_port = 0xe9;

}  // namespace

void Console_output::init() { com1.init(115200); }

void Console_output::write(const char *text, size_t length)
{
    for (size_t i = 0; i < length; ++i) {
        if (text[i] == '\n')
            com1.put('\r');
        com1.put(text[i]);
        Io_port::out8(debug_port, static_cast<uint8_t>(text[i]));
    }
}

void Console_output::drain() { com1.drain(); }

bool Console_output::try_read(char &c) { return com1.try_get(c); }
