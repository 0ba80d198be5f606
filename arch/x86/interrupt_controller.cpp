// SPDX-License-Identifier: MIT
#include "interrupt_controller.hpp"

#include "io_apic.hpp"
#include "kernel_page_table.hpp"
#include "local_apic.hpp"
#include "vectors.hpp"

uint8_t Interrupt_controller::pin_of_line_[Interrupt_controller::pin_lines];
uint32_t Interrupt_controller::level_lines_ = 0;
uint16_t Interrupt_controller::msi_destination_ = Interrupt_controller::no_destination;

static_assert(Vectors::interrupt_lines_base + Interrupt_controller::lines <= Vectors::interrupt_lines_end,
              "every line has a vector");

bool Interrupt_controller::init(const Interrupt_routing &routing)
{
    for (uint8_t &pin : pin_of_line_)
        pin = no_pin;
    level_lines_ = 0;
    unsigned pins = Io_apic::init(Kernel_page_table::map_device(routing.io_apic, page_size));
    if (pins == 0)
        return false;
    uint8_t destination = Local_apic::id();
    msi_destination_ = destination;
    for (unsigned line = 0; line < pin_lines; ++line) {
        unsigned pin = routing.pin[line];
        if (pin == Interrupt_routing::no_pin || pin >= pins)
            continue;
        Io_apic::route(pin, static_cast<uint8_t>(Vectors::interrupt_lines_base + line),
                       routing.is_level[line] ? Io_apic::Trigger::level : Io_apic::Trigger::edge,
                       routing.is_active_low[line] ? Io_apic::Polarity::active_low : Io_apic::Polarity::active_high,
                       destination);
        pin_of_line_[line] = static_cast<uint8_t>(pin);
        if (routing.is_level[line])
            level_lines_ |= 1u << line;
    }
    return true;
}

[[gnu::hot]] void Interrupt_controller::mask(unsigned line)
{
    if (line < pin_lines && exists(line))
        Io_apic::set_masked(pin_of_line_[line], true);
}

[[gnu::hot]] void Interrupt_controller::unmask(unsigned line)
{
    if (line < pin_lines && exists(line))
        Io_apic::set_masked(pin_of_line_[line], false);
}

[[gnu::hot]] unsigned Interrupt_controller::line_of_vector(uint64_t vector)
{
    if (vector < Vectors::interrupt_lines_base || vector >= Vectors::interrupt_lines_base + lines)
        return lines;
    return static_cast<unsigned>(vector - Vectors::interrupt_lines_base);
}

[[gnu::hot]] void Interrupt_controller::end_of_interrupt() { Local_apic::end_of_interrupt(); }

uint32_t Interrupt_controller::msi_data(unsigned line)
{
    return static_cast<uint32_t>(Vectors::interrupt_lines_base + line);  // fixed delivery, edge
}
