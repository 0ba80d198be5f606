// SPDX-License-Identifier: MIT
#include "io_apic.hpp"

namespace {

// Registers are reached indirectly: the index goes to IOREGSEL, the value through IOWIN.
constexpr unsigned select_offset = 0x00 / 4;
constexpr unsigned window_offset = 0x10 / 4;

constexpr uint32_t version_register = 0x01;
constexpr uint32_t redirection_base = 0x10;  // two registers per pin: low, then high word

constexpr uint32_t masked_bit = 1u << 16;
constexpr uint32_t level_bit = 1u << 15;
constexpr uint32_t active_low_bit = 1u << 13;

}  // namespace

volatile uint32_t *Io_apic::registers_ = nullptr;
unsigned Io_apic::pins_ = 0;
uint32_t Io_apic::selected_ = Io_apic::none_selected;
uint32_t Io_apic::low_words_[Io_apic::max_pins];

void Io_apic::select(uint32_t reg)
{
    if (reg == selected_)
        return;
    registers_[select_offset] = reg;
    selected_ = reg;
}

uint32_t Io_apic::read(uint32_t reg)
{
    select(reg);
    return registers_[window_offset];
}

void Io_apic::write(uint32_t reg, uint32_t value)
{
    select(reg);
    registers_[window_offset] = value;
}

unsigned Io_apic::init(uintptr_t mmio)
{
    registers_ = reinterpret_cast<volatile uint32_t *>(mmio);
    selected_ = none_selected;
    uint32_t version = read(version_register);
    // Bits 7..0: the version (0x1x or 0x20 for an integrated APIC); bits 23..16: the last pin.
    // Nothing behind the address reads as all ones.
    if (version == ~uint32_t{0} || (version & 0xff) < 0x10)
        return pins_ = 0;
    unsigned pins = ((version >> 16) & 0xff) + 1;
    pins_ = pins < max_pins ? pins : max_pins;
    for (unsigned pin = 0; pin < pins_; ++pin) {
        low_words_[pin] = masked_bit;
        write(redirection_base + 2 * pin, masked_bit);
    }
    return pins_;
}

void Io_apic::route(unsigned pin, uint8_t vector, Trigger trigger, Polarity polarity, uint8_t destination)
{
    if (pin >= pins_)
        return;
    // Fixed delivery, physical destination mode: bits 10..8 and 11 stay zero.
    uint32_t low = masked_bit | vector | (trigger == Trigger::level ? level_bit : 0) |
                   (polarity == Polarity::active_low ? active_low_bit : 0);
    low_words_[pin] = low;
    write(redirection_base + 2 * pin, low);
    write(redirection_base + 2 * pin + 1, uint32_t{destination} << 24);
}

[[gnu::hot]] void Io_apic::set_masked(unsigned pin, bool masked)
{
    if (pin >= pins_)
        return;
    uint32_t low = masked ? low_words_[pin] | masked_bit : low_words_[pin] & ~masked_bit;
    if (low == low_words_[pin])
        return;
    low_words_[pin] = low;
    write(redirection_base + 2 * pin, low);
}
