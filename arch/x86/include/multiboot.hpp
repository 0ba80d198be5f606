// SPDX-License-Identifier: MIT
// Reads the Multiboot (version 1) information structure into a Boot_info.
//
// The structure comes from the boot loader and is not trusted: every pointer in it is
// checked against the window of physical memory the kernel can see at that point, every
// length is bounded, and a malformed structure yields an Error instead of a wild read.
#pragma once

#include "boot_info.hpp"
#include "physical_window.hpp"


class Multiboot {
public:
    static constexpr uint32_t loader_magic = 0x2badb002;

    enum class Error {
        none,
        bad_magic,
        info_outside_window,
        no_memory_information,
        memory_map_outside_window,
        memory_map_entry_malformed,
        too_many_regions,
        modules_outside_window,
        too_many_modules,
        module_range_invalid,
        string_outside_window,
    };

    [[nodiscard]] static Error parse(uint32_t magic, Phys_addr info, const Physical_window &window, Boot_info &out);
    static const char *describe(Error error);
};
