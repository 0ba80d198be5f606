// SPDX-License-Identifier: MIT
#include "legacy_pic.hpp"

#include "io_port.hpp"

namespace {

constexpr uint16_t master_command = 0x20;
constexpr uint16_t master_data = 0x21;
constexpr uint16_t slave_command = 0xa0;
constexpr uint16_t slave_data = 0xa1;
constexpr uint8_t init_with_icw4 = 0x11;
constexpr uint8_t mode_8086 = 0x01;

}  // namespace

void Legacy_pic::remap_and_mask(uint8_t vector_base)
{
    Io_port::out8(master_command, init_with_icw4);
    Io_port::out8(slave_command, init_with_icw4);
    Io_port::out8(master_data, vector_base);
    Io_port::out8(slave_data, static_cast<uint8_t>(vector_base + 8));
    Io_port::out8(master_data, 1u << 2);  // slave on IRQ 2
    Io_port::out8(slave_data, 2);         // cascade identity
    Io_port::out8(master_data, mode_8086);
    Io_port::out8(slave_data, mode_8086);
    Io_port::out8(master_data, 0xff);
    Io_port::out8(slave_data, 0xff);
}
