// SPDX-License-Identifier: MIT
// PCI configuration space through configuration mechanism #1: the address (with its
// enable bit) to port 0xcf8, the register's dword at port 0xcfc. Root holds both ports (it
// asks sigma0 for them before the walk); x86 only, as everything with port I/O.
#ifndef ROOT_PORT_PCI_CONFIG_HPP
#define ROOT_PORT_PCI_CONFIG_HPP

#include "pci_bus.hpp"

class Port_pci_config final : public Pci_config {
public:
    static constexpr uint16_t address_port = 0xcf8, data_port = 0xcfc, ports = 8;

    uint32_t read(uint32_t address) override
    {
        select(address);
        uint32_t value;
        __asm__ __volatile__("inl %1, %0" : "=a"(value) : "Nd"(data_port));
        return value;
    }
    void write(uint32_t address, uint32_t value) override
    {
        select(address);
        __asm__ __volatile__("outl %0, %1" : : "a"(value), "Nd"(data_port));
    }

private:
    static void select(uint32_t address)
    {
        uint32_t enabled = 0x80000000 | address;
        __asm__ __volatile__("outl %0, %1" : : "a"(enabled), "Nd"(address_port));
    }
};

#endif
