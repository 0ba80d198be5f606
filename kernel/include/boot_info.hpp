// SPDX-License-Identifier: MIT
// What the boot loader told us, copied into kernel memory in a loader-independent form.
// The architecture's boot-protocol parser (multiboot on x86) fills it; generic code reads it.
// Strings are copied because the loader's memory is handed out once the kernel runs.
#pragma once

#include "types.hpp"

enum class Memory_type : uint8_t { usable, reserved, acpi_reclaimable, acpi_nvs, defective };

struct Memory_region {
    Phys_addr base;
    uint64_t size;
    Memory_type type;
};

struct Boot_module {
    static constexpr size_t name_capacity = 64;
    static constexpr size_t arguments_capacity = 192;

    Phys_range image;
    char name[name_capacity];            // first word of the loader's module string
    char arguments[arguments_capacity];  // the rest, leading blanks removed
};

struct Boot_info {
    static constexpr size_t max_regions = 128;
    static constexpr size_t max_modules = 16;
    static constexpr size_t command_line_capacity = 256;
    static constexpr size_t loader_name_capacity = 64;

    Memory_region regions[max_regions];
    size_t region_count;
    Boot_module modules[max_modules];
    size_t module_count;
    char command_line[command_line_capacity];
    char loader_name[loader_name_capacity];
    Phys_range info_structures;  // where the loader's own tables lay (for the record only)
    bool strings_truncated;      // some string did not fit its buffer and was cut

    void clear();
    static const char *type_name(Memory_type type);
};
