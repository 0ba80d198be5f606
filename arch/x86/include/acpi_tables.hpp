// SPDX-License-Identifier: MIT
// Reads the interrupt wiring out of the firmware's ACPI tables: the RSDP (found where the
// ACPI specification says, the first KiB of the EBDA and the BIOS area 0xe0000-0xfffff),
// the RSDT or XSDT it points to, and the MADT ("APIC") they list: the first I/O APIC's
// address (the one whose pins start at interrupt 0) and the ISA interrupt source overrides.
//
// The tables come from the firmware and are not trusted: every table is read through the
// window (Physical_window) with its length bounded and its checksum checked, and anything
// malformed yields an Error; the caller then keeps the board defaults. The kernel reads them
// through the 32-bit boot code's window of the first GiB: tables above it are out of reach
// (docs/kernel.md, Known limits).
#pragma once

#include "interrupt_routing.hpp"
#include "physical_window.hpp"

class Acpi_tables {
public:
    enum class Error { none, no_rsdp, out_of_reach, bad_table, no_madt, no_io_apic };

    static constexpr unsigned max_overrides = 16;

    // out.pin etc. are set only with Error::none; overrides counts what was applied.
    [[nodiscard]] static Error find_interrupt_routing(const Physical_window &window, Interrupt_routing &out,
                                                      unsigned &overrides);
    static const char *describe(Error error);

    // Finds the MADT through the RSDT (entry_bytes 4) or XSDT (8) at root and reads it.
    [[nodiscard]] static Error read_root(const Physical_window &window, Phys_addr root, unsigned entry_bytes,
                                         Interrupt_routing &out, unsigned &overrides);
    // Reads the MADT at madt (its header checked already) into out.
    [[nodiscard]] static Error read_madt(const uint8_t *madt, uint32_t length, Interrupt_routing &out,
                                         unsigned &overrides);
};
