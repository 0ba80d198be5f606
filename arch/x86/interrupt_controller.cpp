// SPDX-License-Identifier: MIT
#include "interrupt_controller.hpp"

#include "io_apic.hpp"
#include "kernel_page_table.hpp"
#include "local_apic.hpp"
#include "vectors.hpp"

uint8_t Interrupt_controller::pin_of_line_[Interrupt_controller::lines];
uint32_t Interrupt_controller::level_lines_ = 0;

static_assert(Vectors::interrupt_lines_base + Interrupt_controller::lines <= Vectors::interrupt_lines_end,
              "every line has a vector");

bool Interrupt_controller::init()
{
    for (uint8_t &pin : pin_of_line_)
        pin = no_pin;
    unsigned pins = Io_apic::init(Kernel_page_table::map_device(Io_apic::default_base, page_size));
    if (pins == 0)
        return false;
    uint8_t destination = Local_apic::id();
    for (unsigned line = 0; line < lines; ++line) {
        if (line == 2)
            continue;  // the cascade of the two PICs: no device uses it
        unsigned pin = line == 0 ? 2 : line;
        if (pin >= pins)
            continue;
        bool pci_link = line == 5 || line == 9 || line == 10 || line == 11;
        bool pci_pin = line >= 16;
        Io_apic::route(pin, static_cast<uint8_t>(Vectors::interrupt_lines_base + line),
                       pci_link || pci_pin ? Io_apic::Trigger::level : Io_apic::Trigger::edge,
                       pci_pin ? Io_apic::Polarity::active_low : Io_apic::Polarity::active_high, destination);
        pin_of_line_[line] = static_cast<uint8_t>(pin);
        if (pci_link || pci_pin)
            level_lines_ |= 1u << line;
    }
    return true;
}

void Interrupt_controller::mask(unsigned line)
{
    if (exists(line))
        Io_apic::set_masked(pin_of_line_[line], true);
}

void Interrupt_controller::unmask(unsigned line)
{
    if (exists(line))
        Io_apic::set_masked(pin_of_line_[line], false);
}

unsigned Interrupt_controller::line_of_vector(uint64_t vector)
{
    if (vector < Vectors::interrupt_lines_base || vector >= Vectors::interrupt_lines_base + lines)
        return lines;
    return static_cast<unsigned>(vector - Vectors::interrupt_lines_base);
}

void Interrupt_controller::end_of_interrupt() { Local_apic::end_of_interrupt(); }
