// SPDX-License-Identifier: MIT
// A window of physical memory the kernel can read at some point of its start (the boot
// window of the 32-bit boot code): what the boot loader and the firmware left there is
// read through it, every access checked against its limit.
#pragma once

#include "types.hpp"

// Physical memory [0, limit) visible at virtual address physical + offset.
struct Physical_window {
    uintptr_t offset;
    Phys_addr limit;

    // The virtual address of [address, address + size), or nullptr if any of it is outside.
    const uint8_t *map(Phys_addr address, uint64_t size) const
    {
        if (address > limit || size > limit - address)
            return nullptr;
        return reinterpret_cast<const uint8_t *>(address + offset);
    }
};
