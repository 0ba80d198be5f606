// SPDX-License-Identifier: MIT
// The root task's PCI walk (servers/root/pci_bus.cpp) against a model of configuration
// space: functions that answer, multi-function devices, bridges (and a bridge that points
// back), BARs of every kind sized and left as they were, decoding turned off meanwhile.
#include "../../servers/root/pci_bus.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

constexpr uint8_t multi_function() { return 0x80; }  // the header type's bit

class Model_config final : public Pci_config {
public:
    struct Function {
        uint32_t registers[64] = {};
        uint32_t bar_masks[6] = {};  // the bits of each BAR that take a write (0: none there)
        bool decoding_seen_on_while_sizing = false;
    };

    Function &add(uint8_t bus, uint8_t device, uint8_t function, uint16_t vendor, uint16_t id, uint32_t class_code,
                  uint8_t header_type)
    {
        Function &f = functions_[key(bus, device, function)];
        f.registers[0] = uint32_t{id} << 16 | vendor;
        f.registers[2] = class_code << 8 | 0x03;  // revision 3
        f.registers[3] = uint32_t{header_type} << 16;
        f.registers[1] = 0x0007;                   // I/O, memory, bus master on
        f.registers[15] = 0x010b;                  // INTA, line 11
        return f;
    }
    uint32_t read(uint32_t address) override
    {
        ++reads;
        auto found = functions_.find(address & ~uint32_t{0xff});
        if (found == functions_.end())
            return 0xffffffff;
        return found->second.registers[(address & 0xff) / 4];
    }
    void write(uint32_t address, uint32_t value) override
    {
        auto found = functions_.find(address & ~uint32_t{0xff});
        if (found == functions_.end())
            return;
        Function &f = found->second;
        unsigned index = (address & 0xff) / 4;
        if (index >= 4 && index < 10) {
            unsigned bar = index - 4;
            uint32_t fixed = f.registers[index] & ~f.bar_masks[bar];  // type bits and unwritable ones
            f.registers[index] = fixed | (value & f.bar_masks[bar]);
            if ((f.registers[1] & 3) != 0 && value == 0xffffffff)
                f.decoding_seen_on_while_sizing = true;
            return;
        }
        if (index == 1) {  // (the status half is not written: it reads what the function says)
            f.registers[1] = (f.registers[1] & 0xffff0000) | (value & 0xffff);
            return;
        }
        f.registers[index] = value;
    }
    Function &at(uint8_t bus, uint8_t device, uint8_t function) { return functions_[key(bus, device, function)]; }
    unsigned reads = 0;

private:
    static uint32_t key(uint8_t bus, uint8_t device, uint8_t function)
    {
        return uint32_t{bus} << 16 | uint32_t{device} << 11 | uint32_t{function} << 8;
    }
    std::map<uint32_t, Function> functions_;
};

// A 32-bit memory BAR of size bytes at base; an I/O BAR of size ports; a 64-bit one.
void memory_bar(Model_config::Function &f, unsigned bar, uint32_t base, uint32_t size, bool prefetchable = false)
{
    f.registers[4 + bar] = base | (prefetchable ? 8u : 0u);
    f.bar_masks[bar] = ~(size - 1);
}

void io_bar(Model_config::Function &f, unsigned bar, uint32_t base, uint32_t size)
{
    f.registers[4 + bar] = base | 1;
    f.bar_masks[bar] = 0xffff & ~(size - 1);  // (16 decoded bits, the upper half reads 0)
}

void wide_bar(Model_config::Function &f, unsigned bar, uint64_t base, uint64_t size)
{
    f.registers[4 + bar] = static_cast<uint32_t>(base) | 0x4 | 0x8;
    f.registers[5 + bar] = static_cast<uint32_t>(base >> 32);
    uint64_t mask = ~(size - 1);
    f.bar_masks[bar] = static_cast<uint32_t>(mask) & ~0xfu;
    f.bar_masks[bar + 1] = static_cast<uint32_t>(mask >> 32);
}

const Pci_device *find(const Pci_bus &bus, uint8_t b, uint8_t d, uint8_t f)
{
    for (unsigned i = 0; i < bus.count(); ++i)
        if (bus.device(i).bus == b && bus.device(i).device == d && bus.device(i).function == f)
            return &bus.device(i);
    return nullptr;
}

TEST(PciBus, FindsDevicesFunctionsAndBridges)
{
    Model_config config;
    config.add(0, 0, 0, 0x8086, 0x1237, 0x060000, 0);                  // host bridge
    config.add(0, 1, 0, 0x8086, 0x7000, 0x060100, multi_function());  // ISA bridge, multi-function
    config.add(0, 1, 3, 0x8086, 0x7113, 0x068000, 0);                  // its function 3
    auto &nic = config.add(0, 3, 0, 0x8086, 0x100e, 0x020000, 0);      // e1000
    memory_bar(nic, 0, 0xfebc0000, 128 << 10);
    io_bar(nic, 1, 0xc000, 64);
    config.add(0, 4, 2, 0x1af4, 0x1000, 0x020000, 0);  // function 2 of a one-function device: not there
    auto &bridge = config.add(0, 5, 0, 0x1b36, 0x0001, 0x060400, 1);
    bridge.registers[6] = 0x00020100;  // primary 0, secondary 1, subordinate 2
    auto &behind = config.add(1, 0, 0, 0x1af4, 0x1041, 0x020000, 0);
    wide_bar(behind, 0, 0x800000000, 16 << 20);
    auto &loop = config.add(1, 2, 0, 0x1b36, 0x0001, 0x060400, 1);
    loop.registers[6] = 0x00000001;  // a bridge whose secondary bus is 0 again: not walked twice

    Pci_bus bus(config);
    ASSERT_EQ(bus.scan(), 7u);
    EXPECT_NE(find(bus, 0, 1, 3), nullptr);
    EXPECT_EQ(find(bus, 0, 4, 2), nullptr);

    const Pci_device *e1000 = find(bus, 0, 3, 0);
    ASSERT_NE(e1000, nullptr);
    EXPECT_EQ(e1000->vendor, 0x8086);
    EXPECT_EQ(e1000->id, 0x100e);
    EXPECT_EQ(e1000->class_code, 0x020000u);
    EXPECT_EQ(e1000->revision, 3);
    EXPECT_EQ(e1000->interrupt_line, 11);
    EXPECT_EQ(e1000->interrupt_pin, 1);
    EXPECT_EQ(e1000->location(), 0x18u);
    EXPECT_EQ(e1000->bars[0].kind, Pci_bar::Kind::memory32);
    EXPECT_EQ(e1000->bars[0].base, 0xfebc0000u);
    EXPECT_EQ(e1000->bars[0].size, 128u << 10);
    EXPECT_EQ(e1000->bars[1].kind, Pci_bar::Kind::io);
    EXPECT_EQ(e1000->bars[1].base, 0xc000u);
    EXPECT_EQ(e1000->bars[1].size, 64u);
    EXPECT_EQ(e1000->bars[2].kind, Pci_bar::Kind::none);

    const Pci_device *wide = find(bus, 1, 0, 0);
    ASSERT_NE(wide, nullptr);
    EXPECT_EQ(wide->bars[0].kind, Pci_bar::Kind::memory64);
    EXPECT_TRUE(wide->bars[0].prefetchable);
    EXPECT_EQ(wide->bars[0].base, 0x800000000u);
    EXPECT_EQ(wide->bars[0].size, uint64_t{16} << 20);
    EXPECT_EQ(wide->bars[1].kind, Pci_bar::Kind::none);  // the upper half

    const Pci_device *pci_bridge = find(bus, 0, 5, 0);
    ASSERT_NE(pci_bridge, nullptr);
    EXPECT_EQ(pci_bridge->header_type, 1);

    // What the walk changed it put back, and no BAR was sized with decoding on.
    EXPECT_EQ(config.at(0, 3, 0).registers[4], 0xfebc0000u);
    EXPECT_EQ(config.at(0, 3, 0).registers[5], 0xc001u);
    EXPECT_EQ(config.at(0, 3, 0).registers[1], 0x0007u);
    EXPECT_EQ(config.at(1, 0, 0).registers[5], 0x8u);
    EXPECT_FALSE(config.at(0, 3, 0).decoding_seen_on_while_sizing);
    EXPECT_FALSE(config.at(1, 0, 0).decoding_seen_on_while_sizing);
}

TEST(PciBus, EmptyBusAndAFullTable)
{
    Model_config none;
    Pci_bus empty(none);
    EXPECT_EQ(empty.scan(), 0u);

    Model_config crowded;
    for (uint8_t device = 0; device < 32; ++device)
        crowded.add(0, device, 0, 0x1234, device, 0xff0000, multi_function());
    for (uint8_t device = 0; device < 32; ++device)
        crowded.add(0, device, 1, 0x1234, 0x100 + device, 0xff0000, 0);
    Pci_bus bus(crowded);
    EXPECT_EQ(bus.scan(), Pci_bus::max_devices);  // 64 functions, the table keeps the first 32
    EXPECT_EQ(bus.scan(), Pci_bus::max_devices);  // a second walk starts again
}

// The MSI-X capability: found behind another capability, its table in a memory BAR; a
// list that loops, one whose table names an I/O BAR and a function that lists no
// capabilities give none.
TEST(PciBus, FindsTheMsixCapabilityAndWhereItsTableIs)
{
    Model_config config;
    constexpr uint32_t capabilities = 1u << 20;  // the status register's bit 4
    Model_config::Function &card = config.add(0, 3, 0, 0x1af4, 0x1000, 0x020000, 0);
    io_bar(card, 0, 0xc000, 32);
    memory_bar(card, 1, 0xfebd1000, 0x1000);
    card.registers[1] |= capabilities;
    card.registers[0x34 / 4] = 0x40;
    card.registers[0x40 / 4] = 0x50 << 8 | 0x09;            // vendor-specific, next at 0x50
    card.registers[0x50 / 4] = 2u << 16 | 0x00 << 8 | 0x11;  // MSI-X, 3 entries, the list's end
    card.registers[0x54 / 4] = 0x800 | 1;                    // table at 0x800 in BAR 1

    Model_config::Function &looping = config.add(0, 4, 0, 0x1234, 0x0001, 0xff0000, 0);
    looping.registers[1] |= capabilities;
    looping.registers[0x34 / 4] = 0x40;
    looping.registers[0x40 / 4] = 0x40 << 8 | 0x05;  // MSI, pointing at itself

    Model_config::Function &io_table = config.add(0, 5, 0, 0x1234, 0x0002, 0xff0000, 0);
    io_bar(io_table, 0, 0xc100, 32);
    io_table.registers[1] |= capabilities;
    io_table.registers[0x34 / 4] = 0x60;
    io_table.registers[0x60 / 4] = 0x11;
    io_table.registers[0x64 / 4] = 0;  // table in BAR 0, an I/O BAR

    Model_config::Function &plain = config.add(0, 6, 0, 0x1234, 0x0003, 0xff0000, 0);
    plain.registers[0x34 / 4] = 0x40;  // (a pointer, but the status says there is no list)
    plain.registers[0x40 / 4] = 0x11;

    Pci_bus bus(config);
    ASSERT_EQ(bus.scan(), 4u);
    const Pci_device *virtio = find(bus, 0, 3, 0);
    ASSERT_NE(virtio, nullptr);
    EXPECT_EQ(virtio->msix.capability, 0x50u);
    EXPECT_EQ(virtio->msix.entries, 3u);
    EXPECT_EQ(virtio->msix.table_bar, 1u);
    EXPECT_EQ(virtio->msix.table_offset, 0x800u);
    EXPECT_EQ(virtio->bars[1].base, 0xfebd1000u);
    EXPECT_EQ(find(bus, 0, 4, 0)->msix.capability, 0u);
    EXPECT_EQ(find(bus, 0, 5, 0)->msix.capability, 0u);
    EXPECT_EQ(find(bus, 0, 6, 0)->msix.capability, 0u);
}

}  // namespace
