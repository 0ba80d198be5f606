// SPDX-License-Identifier: MIT
#include "acpi_tables.hpp"

namespace {

constexpr uint32_t header_bytes = 36;      // every system description table's header
constexpr uint32_t max_table_bytes = 1u << 16;
constexpr uint32_t madt_entries_offset = 44;  // after the header, the local APIC address and flags

uint32_t read16(const uint8_t *p) { return static_cast<uint32_t>(p[0] | p[1] << 8); }
uint32_t read32(const uint8_t *p) { return static_cast<uint32_t>(p[0] | p[1] << 8 | p[2] << 16) | uint32_t{p[3]} << 24; }
uint64_t read64(const uint8_t *p) { return read32(p) | uint64_t{read32(p + 4)} << 32; }

bool sums_to_zero(const uint8_t *bytes, uint32_t length)
{
    uint8_t sum = 0;
    for (uint32_t i = 0; i < length; ++i)
        sum = static_cast<uint8_t>(sum + bytes[i]);
    return sum == 0;
}

bool has_signature(const uint8_t *bytes, const char *signature, unsigned length)
{
    for (unsigned i = 0; i < length; ++i)
        if (bytes[i] != static_cast<uint8_t>(signature[i]))
            return false;
    return true;
}

// A checked table at address: its bytes, or nullptr with error set; length gets its length.
const uint8_t *map_table(const Physical_window &window, Phys_addr address, uint32_t &length, Acpi_tables::Error &error)
{
    const uint8_t *header = window.map(address, header_bytes);
    if (header == nullptr) {
        error = Acpi_tables::Error::out_of_reach;
        return nullptr;
    }
    length = read32(header + 4);
    const uint8_t *table = length >= header_bytes && length <= max_table_bytes ? window.map(address, length) : nullptr;
    if (table == nullptr || !sums_to_zero(table, length)) {
        error = table == nullptr && length >= header_bytes && length <= max_table_bytes ? Acpi_tables::Error::out_of_reach
                                                                                      : Acpi_tables::Error::bad_table;
        return nullptr;
    }
    return table;
}

// The address of the RSDP in [begin, end) on 16-byte boundaries, or 0.
Phys_addr scan_for_rsdp(const Physical_window &window, Phys_addr begin, Phys_addr end)
{
    for (Phys_addr address = begin; address + 20 <= end; address += 16) {
        const uint8_t *candidate = window.map(address, 20);
        if (candidate != nullptr && has_signature(candidate, "RSD PTR ", 8) && sums_to_zero(candidate, 20))
            return address;
    }
    return 0;
}

}  // namespace

Acpi_tables::Error Acpi_tables::read_madt(const uint8_t *madt, uint32_t length, Interrupt_routing &out,
                                          unsigned &overrides)
{
    Interrupt_routing::Override found[max_overrides];
    unsigned count = 0;
    bool have_io_apic = false;
    Phys_addr io_apic = 0;
    for (uint32_t at = madt_entries_offset; at + 2 <= length;) {
        uint32_t type = madt[at], size = madt[at + 1];
        if (size < 2 || at + size > length)
            return Error::bad_table;
        const uint8_t *entry = madt + at;
        if (type == 1 && size >= 12 && read32(entry + 8) == 0 && !have_io_apic) {
            io_apic = read32(entry + 4);  // the I/O APIC whose pins start at interrupt 0
            have_io_apic = true;
        } else if (type == 2 && size >= 10 && entry[2] == 0 && count < max_overrides) {
            found[count++] = {entry[3], read32(entry + 4), static_cast<uint16_t>(read16(entry + 8))};  // bus 0: ISA
        }
        at += size;
    }
    if (!have_io_apic)
        return Error::no_io_apic;
    out = Interrupt_routing::with_overrides(io_apic, found, count);
    overrides = count;
    return Error::none;
}

Acpi_tables::Error Acpi_tables::find_interrupt_routing(const Physical_window &window, Interrupt_routing &out,
                                                       unsigned &overrides)
{
    // The EBDA's segment is in the BIOS data area at 0x40e; the RSDP may be in its first KiB.
    Phys_addr rsdp_address = 0;
    if (const uint8_t *segment = window.map(0x40e, 2)) {
        Phys_addr ebda = Phys_addr{read16(segment)} << 4;
        if (ebda >= 0x80000 && ebda < 0xa0000)
            rsdp_address = scan_for_rsdp(window, ebda, ebda + 1024);
    }
    if (rsdp_address == 0)
        rsdp_address = scan_for_rsdp(window, 0xe0000, 0x100000);
    const uint8_t *rsdp = rsdp_address != 0 ? window.map(rsdp_address, 20) : nullptr;
    if (rsdp == nullptr)
        return Error::no_rsdp;

    // ACPI 2.0 and later: the XSDT (64-bit entries) when its extended checksum holds; the
    // RSDT when the XSDT cannot be read.
    Error error = Error::no_madt;
    if (rsdp[15] >= 2) {
        const uint8_t *extended = window.map(rsdp_address, 36);
        if (extended != nullptr && read32(extended + 20) >= 36 && sums_to_zero(extended, 36) &&
            read64(extended + 24) != 0) {
            error = read_root(window, read64(extended + 24), 8, out, overrides);
            if (error == Error::none)
                return error;
        }
    }
    Error from_rsdt = read_root(window, read32(rsdp + 16), 4, out, overrides);
    return from_rsdt == Error::none || error == Error::no_madt ? from_rsdt : error;
}

Acpi_tables::Error Acpi_tables::read_root(const Physical_window &window, Phys_addr root, unsigned entry_bytes,
                                          Interrupt_routing &out, unsigned &overrides)
{
    uint32_t root_length = 0;
    Error error = Error::none;
    const uint8_t *root_table = map_table(window, root, root_length, error);
    if (root_table == nullptr)
        return error;
    if (!has_signature(root_table, entry_bytes == 8 ? "XSDT" : "RSDT", 4))
        return Error::bad_table;
    // A table that cannot be read is passed over; if the MADT is not found, that is why.
    Error unreadable = Error::no_madt;
    for (uint32_t at = header_bytes; at + entry_bytes <= root_length; at += entry_bytes) {
        Phys_addr address = entry_bytes == 8 ? read64(root_table + at) : read32(root_table + at);
        uint32_t length = 0;
        const uint8_t *table = map_table(window, address, length, error);
        if (table == nullptr)
            unreadable = error;
        else if (has_signature(table, "APIC", 4))
            return read_madt(table, length, out, overrides);
    }
    return unreadable;
}

const char *Acpi_tables::describe(Error error)
{
    switch (error) {
    case Error::none: return "found";
    case Error::no_rsdp: return "no ACPI RSDP";
    case Error::out_of_reach: return "ACPI tables above the boot window";
    case Error::bad_table: return "a malformed ACPI table";
    case Error::no_madt: return "no ACPI MADT";
    case Error::no_io_apic: return "no I/O APIC in the MADT";
    }
    return "?";
}
