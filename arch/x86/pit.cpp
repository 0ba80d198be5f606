// SPDX-License-Identifier: MIT
#include "pit.hpp"

#include "io_port.hpp"

namespace {

constexpr uint16_t channel2_data = 0x42;
constexpr uint16_t command = 0x43;
constexpr uint16_t gate_control = 0x61;
constexpr uint8_t gate_on_speaker_off = 0x01;
constexpr uint8_t output_high = 0x20;
constexpr uint8_t channel2_mode0_lohi = 0xb0;

}  // namespace

void Pit::start_countdown(uint32_t microseconds)
{
    auto count = static_cast<uint16_t>(uint64_t{frequency_hz} * microseconds / 1000000);
    uint8_t control = Io_port::in8(gate_control);
    Io_port::out8(gate_control, static_cast<uint8_t>((control & ~0x02u) | gate_on_speaker_off));
    Io_port::out8(command, channel2_mode0_lohi);
    Io_port::out8(channel2_data, static_cast<uint8_t>(count));
    Io_port::out8(channel2_data, static_cast<uint8_t>(count >> 8));
}

bool Pit::expired() { return (Io_port::in8(gate_control) & output_high) != 0; }
