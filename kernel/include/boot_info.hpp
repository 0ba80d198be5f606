// SPDX-License-Identifier: MIT
// What the boot loader told us, copied into kernel memory in a loader-independent form.
// The architecture's boot-protocol parser (multiboot on x86) fills it; generic code reads it.
// The command line and the loader's name are copied (cut to their buffers, and flagged), since
// the loader's memory is handed out once the kernel runs. A module's string is not copied: it
// says which module is which (sigma0, the root task), so it must never be cut. It stays where
// the loader put it, and that memory is kept out of usable memory like the module's image.
#pragma once

#include "types.hpp"

enum class Memory_type : uint8_t { usable, reserved, acpi_reclaimable, acpi_nvs, defective };

struct Memory_region {
    Phys_addr base;
    uint64_t size;
    Memory_type type;
};

struct Boot_module {
    Phys_range image;
    // The loader's module string, "path arguments", whole and NUL-terminated: readable for
    // the kernel's life through line (the boot window it was read through is the start of
    // the direct map), and line_memory (its bytes and terminator) is never handed out.
    const char *line;
    Phys_range line_memory;

    // The path is line's first word, the arguments are the rest, leading blanks removed.
    const char *path() const;
    size_t path_length() const;
    const char *arguments() const;
    size_t arguments_length() const { return static_cast<size_t>(line + line_memory.size() - 1 - arguments()); }
    // Whether the file the module came from is called name: its path without directories
    // ("/boot/sigma0 x" is called "sigma0").
    bool is_called(const char *name) const;
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
