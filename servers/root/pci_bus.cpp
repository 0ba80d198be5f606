// SPDX-License-Identifier: MIT
#include "pci_bus.hpp"

namespace {

// Configuration registers (PCI Local Bus Specification 3.0, 6.1).
constexpr uint32_t id_register = 0x00, command_register = 0x04, class_register = 0x08, header_register = 0x0c,
                   first_bar = 0x10, bridge_buses = 0x18, capabilities_register = 0x34, interrupt_register = 0x3c;
constexpr uint32_t has_capabilities = 1u << 20;  // the status register's (upper half of 0x04) bit 4
constexpr uint8_t msix_capability_id = 0x11;
// A capability list longer than configuration space can hold is a loop (or a lie).
constexpr unsigned max_capabilities = 48;
constexpr uint32_t decode_io_and_memory = 0x3;  // the command register's I/O and memory space bits
constexpr uint8_t multi_function = 0x80;
constexpr uint32_t bridge_class = 0x0604;  // class 06 (bridge), subclass 04 (PCI-to-PCI)

}  // namespace

uint32_t Pci_bus::read(uint8_t bus, uint8_t device, uint8_t function, uint32_t reg)
{
    return config_.read(uint32_t{bus} << 16 | uint32_t{device} << 11 | uint32_t{function} << 8 | reg);
}

void Pci_bus::write(uint8_t bus, uint8_t device, uint8_t function, uint32_t reg, uint32_t value)
{
    config_.write(uint32_t{bus} << 16 | uint32_t{device} << 11 | uint32_t{function} << 8 | reg, value);
}

unsigned Pci_bus::scan()
{
    count_ = 0;
    for (bool &seen : bus_seen_)
        seen = false;
    scan_bus(0, 0);
    // A multi-function host bridge at 0:0 has a host controller per function, each its own
    // bus numbered by the function (the PCI firmware convention).
    if ((read(0, 0, 0, id_register) & 0xffff) != 0xffff &&
        ((read(0, 0, 0, header_register) >> 16) & multi_function) != 0)
        for (uint8_t function = 1; function < 8; ++function)
            if ((read(0, 0, function, id_register) & 0xffff) != 0xffff)
                scan_bus(function, 0);
    return count_;
}

void Pci_bus::scan_bus(uint8_t bus, unsigned depth)
{
    if (bus_seen_[bus] || depth > max_bus_depth)
        return;
    bus_seen_[bus] = true;
    for (uint8_t device = 0; device < 32; ++device) {
        if ((read(bus, device, 0, id_register) & 0xffff) == 0xffff)
            continue;  // nothing answers: all ones
        bool several = ((read(bus, device, 0, header_register) >> 16) & multi_function) != 0;
        for (uint8_t function = 0; function < (several ? 8 : 1); ++function)
            if ((read(bus, device, function, id_register) & 0xffff) != 0xffff)
                add_function(bus, device, function, depth);
    }
}

void Pci_bus::add_function(uint8_t bus, uint8_t device, uint8_t function, unsigned depth)
{
    uint32_t ids = read(bus, device, function, id_register), classes = read(bus, device, function, class_register);
    uint8_t header = static_cast<uint8_t>((read(bus, device, function, header_register) >> 16) & 0x7f);  // (less multi_function)
    if (count_ < max_devices) {
        Pci_device &found = devices_[count_++];
        found = Pci_device();
        found.bus = bus;
        found.device = device;
        found.function = function;
        found.header_type = header;
        found.vendor = static_cast<uint16_t>(ids);
        found.id = static_cast<uint16_t>(ids >> 16);
        found.revision = static_cast<uint8_t>(classes);
        found.class_code = classes >> 8;
        uint32_t interrupt = read(bus, device, function, interrupt_register);
        found.interrupt_line = static_cast<uint8_t>(interrupt);
        found.interrupt_pin = static_cast<uint8_t>(interrupt >> 8);
        // A device has six BARs, a PCI-to-PCI bridge two; a CardBus bridge's are not read.
        size_bars(found, header == 0 ? 6 : header == 1 ? 2 : 0);
        if (header == 0)
            find_msix(found);
    }
    if (header == 1 && (classes >> 16) == bridge_class) {
        uint8_t secondary = static_cast<uint8_t>(read(bus, device, function, bridge_buses) >> 8);
        if (secondary != 0)
            scan_bus(secondary, depth + 1);
    }
}

// The MSI-X capability, if the function lists one whose table lies in one of its memory
// BARs (PCI Local Bus Specification 3.0, 6.8.2): where it is, how many entries, which BAR and
// where in it. Pointers are masked to dwords and checked to lie past the header.
void Pci_bus::find_msix(Pci_device &found)
{
    uint8_t bus = found.bus, device = found.device, function = found.function;
    if ((read(bus, device, function, command_register) & has_capabilities) == 0)
        return;
    uint32_t at = read(bus, device, function, capabilities_register) & 0xfc;
    for (unsigned n = 0; n < max_capabilities && at >= 0x40; ++n) {
        uint32_t header = read(bus, device, function, at);
        if ((header & 0xff) == msix_capability_id) {
            if (at > 0x100 - 12)
                return;  // (its 12 bytes would run past the function's configuration space)
            uint32_t table = read(bus, device, function, at + 4);
            unsigned bar = table & 7;
            if (bar >= Pci_device::max_bars || (found.bars[bar].kind != Pci_bar::Kind::memory32 &&
                                                found.bars[bar].kind != Pci_bar::Kind::memory64))
                return;
            found.msix.capability = static_cast<uint8_t>(at);
            found.msix.entries = static_cast<uint16_t>(((header >> 16) & 0x7ff) + 1);
            found.msix.table_bar = static_cast<uint8_t>(bar);
            found.msix.table_offset = table & ~uint32_t{7};
            return;
        }
        at = (header >> 8) & 0xfc;
    }
}

// Each BAR's size: write all ones, read which bits stuck, put the old value back; the
// device's decoding is off meanwhile, so that no access lands at the all-ones address.
void Pci_bus::size_bars(Pci_device &found, unsigned count)
{
    uint8_t bus = found.bus, device = found.device, function = found.function;
    uint32_t command = read(bus, device, function, command_register) & 0xffff;
    if (count != 0)
        write(bus, device, function, command_register, command & ~decode_io_and_memory);
    for (unsigned i = 0; i < count; ++i) {
        uint32_t reg = first_bar + 4 * i;
        uint32_t original = read(bus, device, function, reg);
        write(bus, device, function, reg, 0xffffffff);
        uint32_t sized = read(bus, device, function, reg);
        write(bus, device, function, reg, original);
        if (sized == 0)
            continue;  // the function has no such BAR
        Pci_bar &bar = found.bars[i];
        if ((original & 1) != 0) {
            bar.kind = Pci_bar::Kind::io;
            bar.base = original & ~uint32_t{3};
            bar.size = (~((sized & ~uint32_t{3}) | 0xffff0000) + 1) & 0xffff;  // (16 bits of ports)
            continue;
        }
        bar.prefetchable = (original & 8) != 0;
        bool wide = ((original >> 1) & 3) == 2;
        if (wide && i + 1 < count) {
            uint32_t original_high = read(bus, device, function, reg + 4);
            write(bus, device, function, reg + 4, 0xffffffff);
            uint32_t sized_high = read(bus, device, function, reg + 4);
            write(bus, device, function, reg + 4, original_high);
            uint64_t mask = uint64_t{sized_high} << 32 | (sized & ~uint32_t{0xf});
            bar.kind = Pci_bar::Kind::memory64;
            bar.base = uint64_t{original_high} << 32 | (original & ~uint32_t{0xf});
            bar.size = ~mask + 1;
            ++i;  // the next register is this one's upper half
        } else {
            bar.kind = Pci_bar::Kind::memory32;
            bar.base = original & ~uint32_t{0xf};
            bar.size = static_cast<uint32_t>(~(sized & ~uint32_t{0xf}) + 1);
        }
    }
    if (count != 0)
        write(bus, device, function, command_register, command);
}
