// SPDX-License-Identifier: MIT
#include "serial_port.hpp"

#include "io_port.hpp"

namespace {

enum Register : uint16_t {
    data = 0,
    interrupt_enable = 1,
    fifo_control = 2,
    line_control = 3,
    modem_control = 4,
    line_status = 5,
};

constexpr uint8_t line_8n1 = 0x03;
constexpr uint8_t divisor_latch = 0x80;
constexpr uint8_t data_ready = 0x01;
constexpr uint8_t transmit_empty = 0x20;
constexpr uint8_t transmitter_idle = 0x40;
constexpr uint32_t uart_clock = 115200;

}  // namespace

void Serial_port::init(uint32_t baud) const
{
    auto divisor = static_cast<uint16_t>(uart_clock / baud);
    Io_port::out8(static_cast<uint16_t>(base_ + interrupt_enable), 0);
    Io_port::out8(static_cast<uint16_t>(base_ + line_control), divisor_latch);
    Io_port::out8(static_cast<uint16_t>(base_ + data), static_cast<uint8_t>(divisor));
    Io_port::out8(static_cast<uint16_t>(base_ + interrupt_enable), static_cast<uint8_t>(divisor >> 8));
    Io_port::out8(static_cast<uint16_t>(base_ + line_control), line_8n1);
    Io_port::out8(static_cast<uint16_t>(base_ + fifo_control), 0xc7);  // enable, clear, 14-byte trigger
    Io_port::out8(static_cast<uint16_t>(base_ + modem_control), 0x03);  // DTR, RTS
}

void Serial_port::put(char c) const
{
    // An absent UART reads 0xff, which has the "empty" bit set: this never spins forever.
    while ((Io_port::in8(static_cast<uint16_t>(base_ + line_status)) & transmit_empty) == 0)
        asm volatile("pause");
    Io_port::out8(static_cast<uint16_t>(base_ + data), static_cast<uint8_t>(c));
}

void Serial_port::drain() const
{
    for (unsigned spins = 0; spins < 1000000; ++spins)
        if ((Io_port::in8(static_cast<uint16_t>(base_ + line_status)) & transmitter_idle) != 0)
            return;
}

bool Serial_port::try_get(char &c) const
{
    uint8_t status = Io_port::in8(static_cast<uint16_t>(base_ + line_status));
    // An absent UART reads 0xff: treat that as "nothing received".
    if (status == 0xff || (status & data_ready) == 0)
        return false;
    c = static_cast<char>(Io_port::in8(static_cast<uint16_t>(base_ + data)));
    return true;
}
