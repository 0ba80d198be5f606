// SPDX-License-Identifier: MIT
// ACPI tables built by hand inside a host buffer that stands for physical memory
// [0, size): an RSDP in the BIOS area, an RSDT or XSDT, a MADT. Reads outside the buffer
// would be ASan errors; the window is exactly the buffer.
#include "acpi_tables.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

constexpr Phys_addr rsdp_at = 0xf0000;
constexpr Phys_addr rsdt_at = 0x10000;
constexpr Phys_addr xsdt_at = 0x11000;
constexpr Phys_addr madt_at = 0x12000;
constexpr Phys_addr other_at = 0x13000;

class Fake_firmware {
public:
    static constexpr size_t size = 0x100000;

    Physical_window window() const { return {reinterpret_cast<uintptr_t>(bytes_.data()), bytes_.size()}; }

    void put(Phys_addr at, uint64_t value, unsigned bytes)
    {
        for (unsigned i = 0; i < bytes; ++i)
            bytes_.at(at + i) = static_cast<uint8_t>(value >> (8 * i));
    }
    void put_text(Phys_addr at, const char *text)
    {
        for (; *text != '\0'; ++text)
            bytes_.at(at++) = static_cast<uint8_t>(*text);
    }
    uint8_t &at(Phys_addr address) { return bytes_.at(address); }
    // Sets the byte at checksum_at so that [begin, begin + length) sums to zero.
    void fix_checksum(Phys_addr begin, uint32_t length, Phys_addr checksum_at)
    {
        bytes_.at(checksum_at) = 0;
        uint8_t sum = 0;
        for (uint32_t i = 0; i < length; ++i)
            sum = static_cast<uint8_t>(sum + bytes_.at(begin + i));
        bytes_.at(checksum_at) = static_cast<uint8_t>(-sum);
    }

    void rsdp(Phys_addr at, Phys_addr rsdt, Phys_addr xsdt = 0)
    {
        put_text(at, "RSD PTR ");
        put(at + 15, xsdt != 0 ? 2 : 0, 1);
        put(at + 16, rsdt, 4);
        fix_checksum(at, 20, at + 8);
        if (xsdt != 0) {
            put(at + 20, 36, 4);
            put(at + 24, xsdt, 8);
            fix_checksum(at, 36, at + 32);
        }
    }
    // A table: signature, the header's length, then body bytes; checksum fixed.
    void table(Phys_addr at, const char *signature, const std::vector<uint8_t> &body)
    {
        put_text(at, signature);
        uint32_t length = static_cast<uint32_t>(36 + body.size());
        put(at + 4, length, 4);
        for (size_t i = 0; i < body.size(); ++i)
            bytes_.at(at + 36 + i) = body[i];
        fix_checksum(at, length, at + 9);
    }
    void root(Phys_addr at, const char *signature, const std::vector<Phys_addr> &entries, unsigned entry_bytes)
    {
        std::vector<uint8_t> body;
        for (Phys_addr entry : entries)
            for (unsigned i = 0; i < entry_bytes; ++i)
                body.push_back(static_cast<uint8_t>(entry >> (8 * i)));
        table(at, signature, body);
    }

private:
    std::vector<uint8_t> bytes_ = std::vector<uint8_t>(size);
};

void add32(std::vector<uint8_t> &body, uint32_t value)
{
    for (int i = 0; i < 4; ++i)
        body.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

std::vector<uint8_t> io_apic_entry(uint32_t address, uint32_t gsi_base)
{
    std::vector<uint8_t> entry = {1, 12, 0, 0};
    add32(entry, address);
    add32(entry, gsi_base);
    return entry;
}

std::vector<uint8_t> override_entry(uint8_t irq, uint32_t gsi, uint16_t flags, uint8_t bus = 0)
{
    std::vector<uint8_t> entry = {2, 10, bus, irq};
    add32(entry, gsi);
    entry.push_back(static_cast<uint8_t>(flags));
    entry.push_back(static_cast<uint8_t>(flags >> 8));
    return entry;
}

// A MADT body: local APIC address and flags, then the entries.
std::vector<uint8_t> madt_body(const std::vector<std::vector<uint8_t>> &entries)
{
    std::vector<uint8_t> body;
    add32(body, 0xfee00000);
    add32(body, 1);
    for (const auto &entry : entries)
        body.insert(body.end(), entry.begin(), entry.end());
    return body;
}

// QEMU's i440FX board: one I/O APIC, the PIT moved to pin 2, the PCI links level-triggered.
std::vector<uint8_t> qemu_madt()
{
    constexpr uint16_t level_high = Interrupt_routing::level | Interrupt_routing::active_high;
    return madt_body({io_apic_entry(0xfec00000, 0), override_entry(0, 2, 0), override_entry(5, 5, level_high),
                      override_entry(9, 9, level_high), override_entry(10, 10, level_high),
                      override_entry(11, 11, level_high)});
}

void expect_same(const Interrupt_routing &a, const Interrupt_routing &b)
{
    EXPECT_EQ(a.io_apic, b.io_apic);
    for (unsigned line = 0; line < Interrupt_routing::lines; ++line) {
        EXPECT_EQ(a.pin[line], b.pin[line]) << "line " << line;
        EXPECT_EQ(a.is_level[line], b.is_level[line]) << "line " << line;
        EXPECT_EQ(a.is_active_low[line], b.is_active_low[line]) << "line " << line;
    }
}

Acpi_tables::Error find(const Fake_firmware &firmware, Interrupt_routing &routing, unsigned &overrides)
{
    return Acpi_tables::find_interrupt_routing(firmware.window(), routing, overrides);
}

}  // namespace

TEST(AcpiTables, QemuBoardGivesThePcDefaults)
{
    Fake_firmware firmware;
    firmware.table(madt_at, "APIC", qemu_madt());
    firmware.table(other_at, "FACP", {1, 2, 3});
    firmware.root(rsdt_at, "RSDT", {other_at, madt_at}, 4);
    firmware.rsdp(rsdp_at, rsdt_at);
    Interrupt_routing routing{};
    unsigned overrides = 0;
    ASSERT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::none);
    EXPECT_EQ(overrides, 5u);
    expect_same(routing, Interrupt_routing::pc_default());
    EXPECT_EQ(routing.pin[0], 2);
    EXPECT_EQ(routing.pin[2], Interrupt_routing::no_pin);
    EXPECT_FALSE(routing.is_level[4]);
    EXPECT_TRUE(routing.is_level[9]);
    EXPECT_FALSE(routing.is_active_low[9]);
    EXPECT_TRUE(routing.is_level[16] && routing.is_active_low[16]);
}

TEST(AcpiTables, RsdpInTheEbdaAndTheXsdtArePreferred)
{
    Fake_firmware firmware;
    constexpr Phys_addr ebda = 0x9fc00;
    firmware.put(0x40e, ebda >> 4, 2);
    firmware.table(madt_at, "APIC", madt_body({io_apic_entry(0xfec01000, 0)}));
    firmware.root(rsdt_at, "RSDT", {other_at}, 4);  // no MADT listed here
    firmware.root(xsdt_at, "XSDT", {madt_at}, 8);
    firmware.rsdp(ebda + 0x20, rsdt_at, xsdt_at);
    Interrupt_routing routing{};
    unsigned overrides = 7;
    ASSERT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::none);
    EXPECT_EQ(routing.io_apic, 0xfec01000u);
    EXPECT_EQ(overrides, 0u);
    EXPECT_EQ(routing.pin[0], 0);  // no override: ISA identity
}

TEST(AcpiTables, OverridesMoveAndReconfigureLines)
{
    constexpr uint16_t level_low = Interrupt_routing::level | Interrupt_routing::active_low;
    Interrupt_routing::Override overrides[] = {{3, 7, level_low}, {4, 30, 0}, {20, 1, 0}};
    Interrupt_routing routing = Interrupt_routing::with_overrides(0xfec00000, overrides, 3);
    EXPECT_EQ(routing.pin[3], 7);
    EXPECT_TRUE(routing.is_level[3] && routing.is_active_low[3]);
    EXPECT_EQ(routing.pin[7], Interrupt_routing::no_pin);  // its pin is line 3's now
    EXPECT_EQ(routing.pin[4], Interrupt_routing::no_pin);  // a pin the I/O APIC cannot have
    EXPECT_EQ(routing.pin[1], 1);                          // not an ISA IRQ: ignored
    EXPECT_FALSE(routing.is_level[1]);
}

TEST(AcpiTables, NoRsdpOrABadChecksumIsNoRsdp)
{
    Fake_firmware firmware;
    Interrupt_routing routing = Interrupt_routing::pc_default();
    unsigned overrides = 0;
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::no_rsdp);
    firmware.rsdp(rsdp_at, rsdt_at);
    ++firmware.at(rsdp_at + 16);
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::no_rsdp);
    expect_same(routing, Interrupt_routing::pc_default());  // untouched
}

TEST(AcpiTables, MalformedTablesAreRefused)
{
    Fake_firmware firmware;
    firmware.table(madt_at, "APIC", qemu_madt());
    firmware.root(rsdt_at, "RSDT", {madt_at}, 4);
    firmware.rsdp(rsdp_at, rsdt_at);
    Interrupt_routing routing{};
    unsigned overrides = 0;
    ++firmware.at(rsdt_at + 20);  // the root table's checksum fails
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::bad_table);
    firmware.root(rsdt_at, "RSDP", {madt_at}, 4);  // a checksummed table with the wrong signature
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::bad_table);
    firmware.root(rsdt_at, "RSDT", {madt_at}, 4);
    firmware.table(madt_at, "APIC", madt_body({{1, 0}}));  // an entry of length 0 would never end
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::bad_table);
    firmware.table(madt_at, "APIC", madt_body({{2, 200, 0, 0}}));  // an entry past the table's end
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::bad_table);
    firmware.put(madt_at + 4, 0x7fffffff, 4);  // an absurd length
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::bad_table);
}

TEST(AcpiTables, MissingMadtOrIoApic)
{
    Fake_firmware firmware;
    firmware.table(other_at, "FACP", {});
    firmware.root(rsdt_at, "RSDT", {other_at}, 4);
    firmware.rsdp(rsdp_at, rsdt_at);
    Interrupt_routing routing{};
    unsigned overrides = 0;
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::no_madt);
    // Only an I/O APIC whose pins start at interrupt 24 (not the first one).
    firmware.table(madt_at, "APIC", madt_body({io_apic_entry(0xfec10000, 24), override_entry(0, 2, 0)}));
    firmware.root(rsdt_at, "RSDT", {madt_at}, 4);
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::no_io_apic);
}

TEST(AcpiTables, TablesOutsideTheWindowAreOutOfReach)
{
    Fake_firmware firmware;
    firmware.root(rsdt_at, "RSDT", {0x7fff0000}, 4);  // far beyond the 1 MiB window
    firmware.rsdp(rsdp_at, rsdt_at);
    Interrupt_routing routing{};
    unsigned overrides = 0;
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::out_of_reach);
    firmware.rsdp(rsdp_at, 0xfffffff0);
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::out_of_reach);
}

TEST(AcpiTables, AnIdentityOverrideOfATakenPinGivesNoPin)
{
    Interrupt_routing::Override overrides[] = {{0, 2, 0}, {2, 2, 0}};
    Interrupt_routing routing = Interrupt_routing::with_overrides(0xfec00000, overrides, 2);
    EXPECT_EQ(routing.pin[0], 2);
    EXPECT_EQ(routing.pin[2], Interrupt_routing::no_pin);
}

TEST(AcpiTables, AnUnreadableXsdtFallsBackToTheRsdt)
{
    Fake_firmware firmware;
    firmware.table(madt_at, "APIC", qemu_madt());
    firmware.root(rsdt_at, "RSDT", {madt_at}, 4);
    firmware.root(xsdt_at, "XSDT", {madt_at}, 8);
    ++firmware.at(xsdt_at + 20);  // the XSDT's checksum fails
    firmware.rsdp(rsdp_at, rsdt_at, xsdt_at);
    Interrupt_routing routing{};
    unsigned overrides = 0;
    ASSERT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::none);
    expect_same(routing, Interrupt_routing::pc_default());
    firmware.rsdp(rsdp_at, 0x7fff0000, 0x7ff00000);  // neither is in reach
    EXPECT_EQ(find(firmware, routing, overrides), Acpi_tables::Error::out_of_reach);
}
