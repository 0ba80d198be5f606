// SPDX-License-Identifier: MIT
// The kernel's own address space layout (see memory_layout.hpp), built once at boot to
// replace the boot loader's 1 GiB window:
//   - the kernel image with the rights of each part: text read-only and executable,
//     read-only data, data/bss writable and not executable, a guard page under the boot
//     stack left unmapped;
//   - the direct map of RAM (usable and ACPI memory, 2 MiB pages where possible), not
//     executable and without the kernel image, so no writable alias of kernel text exists;
//   - device windows, uncached.
// There is no identity mapping: the lower half is free for user space.
#pragma once

#include "boot_info.hpp"
#include "page_table.hpp"

class Kernel_page_table {
public:
    static Phys_range kernel_image();

    // Builds the tables; panics if memory runs out (boot cannot go on without them).
    static void build(const Boot_info &info, Page_allocator &pages);
    static void activate();
    // Maps a device's registers uncached and returns their virtual address.
    static Virt_addr map_device(Phys_addr base, uint64_t size);

    static Page_table &table() { return table_; }

private:
    static void map_or_panic(Virt_addr virt, Phys_addr phys, uint64_t size, Page_table::Attributes attributes,
                             bool allow_large, const char *what);

    static Page_table table_;
    static Virt_addr next_device_address_;
};
