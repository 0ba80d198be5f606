// SPDX-License-Identifier: MIT
// COM1 for the console server. Transmission waits for the transmit holding register to
// be empty (one byte at a time; QEMU's UART empties it at once). Reception reads the
// receive buffer while the line status says data is ready; with the interrupt, the UART
// raises IRQ 4 when a byte arrives (receive-data interrupt, FIFO trigger level 1).
#include <l4/kdebug.h>

#include "serial.hpp"

namespace {

enum Register : unsigned { DATA = 0, INTERRUPT_ENABLE = 1, FIFO_CONTROL = 2, MODEM_CONTROL = 4, LINE_STATUS = 5 };
enum Line_status : unsigned char { DATA_READY = 0x01, TRANSMIT_EMPTY = 0x20 };

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
    out8(com1_base + FIFO_CONTROL, 0x07);  // FIFOs on and cleared, interrupt at every byte
    if (mode_ == TERN_CONSOLE_UART_IRQ) {
        out8(com1_base + MODEM_CONTROL, 0x0b);  // DTR, RTS, OUT2: OUT2 connects the IRQ line
        out8(com1_base + INTERRUPT_ENABLE, 0x01);
    } else {
        out8(com1_base + MODEM_CONTROL, 0x03);
        out8(com1_base + INTERRUPT_ENABLE, 0x00);
    }
}

void Serial::put(char c) const
{
    if (mode_ == TERN_CONSOLE_KDB) {
        L4_KDB_PrintChar(c);
        return;
    }
    // An absent UART reads 0xff, "empty": this never spins for ever.
    while ((in8(com1_base + LINE_STATUS) & TRANSMIT_EMPTY) == 0)
        __asm__ __volatile__("pause");
    out8(com1_base + DATA, static_cast<unsigned char>(c));
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
    unsigned char status = in8(com1_base + LINE_STATUS);
    if (status == 0xff || (status & DATA_READY) == 0)
        return false;
    c = static_cast<char>(in8(com1_base + DATA));
    return true;
}
