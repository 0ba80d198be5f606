// SPDX-License-Identifier: MIT
// The PCI devices the root task found at boot: a walk of configuration space from bus 0
// through the PCI-to-PCI bridges, each function's identity, class, interrupt and base
// address registers (their kind and size found by the usual write of all ones). Root owns
// configuration space (docs/system.md, "PCI"); drivers learn their device from it.
// Configuration space is reached through Pci_config, so the walk runs against a model in
// the host unit tests (tests/unit/pci_bus_test.cpp).
#ifndef ROOT_PCI_BUS_HPP
#define ROOT_PCI_BUS_HPP

#include <stdint.h>

// Configuration space by address: bus << 16 | device << 11 | function << 8 | register
// (a multiple of 4), the layout of configuration mechanism #1 without its enable bit.
class Pci_config {
public:
    virtual uint32_t read(uint32_t address) = 0;
    virtual void write(uint32_t address, uint32_t value) = 0;

protected:
    ~Pci_config() = default;
};

struct Pci_bar {
    enum class Kind : uint8_t { none, io, memory32, memory64 };
    Kind kind = Kind::none;
    bool prefetchable = false;
    uint64_t base = 0;  // an I/O port or a physical address
    uint64_t size = 0;  // bytes (or ports)
};

// Where a function's MSI-X capability and table are (capability 0: it has none).
struct Pci_msix {
    uint8_t capability = 0;     // its offset in configuration space
    uint16_t entries = 0;       // the table's size
    uint8_t table_bar = 0;      // a memory BAR of the function
    uint32_t table_offset = 0;  // in that BAR; 8-byte aligned
};

struct Pci_device {
    uint8_t bus = 0, device = 0, function = 0;
    uint8_t header_type = 0;  // 0 a device, 1 a PCI-to-PCI bridge (bit 7, multi-function, cleared)
    uint16_t vendor = 0, id = 0;
    uint32_t class_code = 0;  // class << 16 | subclass << 8 | programming interface
    uint8_t revision = 0;
    uint8_t interrupt_line = 0xff, interrupt_pin = 0;  // line: the PIC's input (0xff none); pin 1-4 INTA-INTD
    static constexpr unsigned max_bars = 6;
    Pci_bar bars[max_bars];  // a 64-bit BAR takes two registers: the second reads Kind::none
    Pci_msix msix;

    uint32_t location() const { return uint32_t{bus} << 8 | uint32_t{device} << 3 | function; }
};

class Pci_bus {
public:
    static constexpr unsigned max_devices = 32;

    explicit Pci_bus(Pci_config &config) : config_(config) {}
    // Walks configuration space once; how many functions it found (at most max_devices).
    unsigned scan();
    unsigned count() const { return count_; }
    const Pci_device &device(unsigned index) const { return devices_[index]; }

private:
    static constexpr unsigned max_bus_depth = 8;  // bridges behind bridges

    uint32_t read(uint8_t bus, uint8_t device, uint8_t function, uint32_t reg);
    void write(uint8_t bus, uint8_t device, uint8_t function, uint32_t reg, uint32_t value);
    void scan_bus(uint8_t bus, unsigned depth);
    void add_function(uint8_t bus, uint8_t device, uint8_t function, unsigned depth);
    void size_bars(Pci_device &found, unsigned count);
    void find_msix(Pci_device &found);

    Pci_config &config_;
    Pci_device devices_[max_devices];
    unsigned count_ = 0;
    bool bus_seen_[256] = {};  // each bus is walked once, whatever the bridges claim
};

#endif
