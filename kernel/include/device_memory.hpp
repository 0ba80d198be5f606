// SPDX-License-Identifier: MIT
// Device memory: physical addresses that are neither RAM nor the kernel's, such as a
// framebuffer, PCI BARs or a ROM. sigma0 owns it like all memory, but it has no node until
// sigma0 first maps a page of it: then the kernel makes an uncached (PCD and PWT) root
// there in sigma0's idempotent space (Mapper), and every mapping derived from it keeps the
// cache bits. See docs/kernel.md, "Device memory".
//
// Not device memory: RAM of every kind the firmware reports (usable, ACPI, NVS, defective:
// the kernel maps the first three cached in its direct map, and a second, uncached
// mapping of RAM would alias memory types), every range the kernel maps for itself as a
// device (the local APIC page, registered by Kernel_page_table::map_device), and all
// addresses at or beyond the CPU's physical address width. The KIP describes all of that as
// reserved memory (next to sigma0's conventional memory), so sigma0 can refuse requests the
// kernel would not map anyway.
#pragma once

#include "boot_info.hpp"
#include "range_set.hpp"
#include "types.hpp"

class Device_memory {
public:
    // At boot, before sigma0 runs: the firmware's memory map and the physical address width.
    static void init(const Boot_info &info, unsigned physical_address_bits);
    // A range the kernel maps for itself; never handed out. May come before init.
    static void reserve(Phys_range range);
    // Whether [range) holds no device memory at all (one scan of a short list).
    static bool none_in(Phys_range range);
    // Whether the 4 KiB frame at frame is device memory.
    static bool is_device(Phys_addr frame);
    // Describes everything that is not device memory, less owned (sigma0's conventional
    // memory, described already), as reserved memory in the KIP.
    static void describe_in_kip(const Range_set &owned);

private:
    static Range_set not_device_;
    static Phys_addr limit_;
    static bool too_fragmented_;
};
