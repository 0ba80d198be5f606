// SPDX-License-Identifier: MIT
// What the boot loader told us, copied into kernel memory in a loader-independent form.
// The architecture's boot-protocol parser (multiboot on x86) fills it; generic code reads it.
// The loader's name is copied (cut to its buffer, and flagged), since the loader's memory is
// handed out once the kernel runs. The command line and the modules' strings are not copied:
// they decide what boots (options, which module is sigma0 or the root task), so they must
// never be cut. They stay where the loader put them, read through the boot window (the start
// of the direct map, so the pointers stay valid for the kernel's life), and their memory is
// kept out of usable memory like the modules' images.
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
    // The loader's module string, "path arguments", whole and NUL-terminated; line_memory
    // holds its bytes and terminator.
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
    static constexpr size_t loader_name_capacity = 64;

    Memory_region regions[max_regions];
    size_t region_count;
    Boot_module modules[max_modules];
    size_t module_count;
    const char *command_line;         // whole and NUL-terminated ("" when the loader gave none)
    Phys_range command_line_memory;   // its bytes and terminator (empty when the loader gave none)
    char loader_name[loader_name_capacity];
    Phys_range info_structures;  // where the loader's own tables lay (for the record only)
    bool strings_truncated;      // the loader's name did not fit its buffer and was cut

    void clear();
    static const char *type_name(Memory_type type);
};
