// SPDX-License-Identifier: MIT
// COM1 for the console server. Transmission waits for the transmit holding register to
// be empty (one byte at a time; QEMU's UART empties it at once). Reception reads the
// receive buffer while the line status says data is ready; with the interrupt, the UART
// raises IRQ 4 when a byte arrives (receive-data interrupt, FIFO trigger level 1).
#include <l4/kdebug.h>

#include "serial.hpp"

namespace {

// The 16550's registers, as offsets from its base port, and the line status bits.
namespace uart {
constexpr unsigned data = 0, interrupt_enable = 1, fifo_control = 2, modem_control = 4, line_status = 5;
constexpr unsigned char data_ready = 0x01, transmit_empty = 0x20;
}  // namespace uart

unsigned char in8(unsigned port)
{
    unsigned char value;
    __asm__ __volatile__("inb %w1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

void out8(unsigned port, unsigned char value)
{
    __asm__ __volatile__("outb %0, %w1" : : "a"(value), "Nd"(port));
}

}  // namespace

void Serial::init() const
{
    if (mode_ == TERN_CONSOLE_KDB)
        return;
    out8(com1_base + uart::fifo_control, 0x07);  // FIFOs on and cleared, interrupt at every byte
    if (mode_ == TERN_CONSOLE_UART_IRQ) {
        out8(com1_base + uart::modem_control, 0x0b);  // DTR, RTS, OUT2: OUT2 connects the IRQ line
        out8(com1_base + uart::interrupt_enable, 0x01);
    } else {
        out8(com1_base + uart::modem_control, 0x03);
        out8(com1_base + uart::interrupt_enable, 0x00);
    }
}

void Serial::put(char c) const
{
    if (mode_ == TERN_CONSOLE_KDB) {
        L4_KDB_PrintChar(c);
        return;
    }
    // An absent UART reads 0xff, "empty": this never spins for ever.
    while ((in8(com1_base + uart::line_status) & uart::transmit_empty) == 0)
        __asm__ __volatile__("pause");
    out8(com1_base + uart::data, static_cast<unsigned char>(c));
}

bool Serial::get(char &c) const
{
    if (mode_ == TERN_CONSOLE_KDB) {
        char byte = L4_KDB_ReadChar();
        if (byte == 0)
            return false;
        c = byte;
        return true;
    }
    unsigned char status = in8(com1_base + uart::line_status);
    if (status == 0xff || (status & uart::data_ready) == 0)
        return false;
    c = static_cast<char>(in8(com1_base + uart::data));
    return true;
}
