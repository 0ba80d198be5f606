// SPDX-License-Identifier: MIT
#include "kernel_page_table.hpp"

#include "cpu.hpp"
#include "device_memory.hpp"
#include "memory_layout.hpp"
#include "panic.hpp"

extern "C" char __boot_start[], __kernel_text_start[], __kernel_text_end[], __kernel_rodata_start[],
    __kernel_rodata_end[], __kernel_data_start[], __kernel_data_end[], __kernel_end[], boot_stack_guard[];

namespace {

Virt_addr address(const char *symbol) { return reinterpret_cast<Virt_addr>(symbol); }
Phys_addr physical(const char *symbol) { return address(symbol) - Memory_layout::kernel_offset; }

constexpr Page_table::Attributes text{false, true, false, true, false};
constexpr Page_table::Attributes read_only{false, false, false, true, false};
constexpr Page_table::Attributes read_write{true, false, false, true, false};
constexpr Page_table::Attributes device{true, false, false, true, true};

bool is_ram(Memory_type type)
{
    return type == Memory_type::usable || type == Memory_type::acpi_reclaimable || type == Memory_type::acpi_nvs;
}

}  // namespace

Page_table Kernel_page_table::table_;
Virt_addr Kernel_page_table::next_device_address_ = Memory_layout::device_window_base;

Phys_range Kernel_page_table::kernel_image()
{
    return {reinterpret_cast<Phys_addr>(__boot_start), physical(__kernel_end)};
}

void Kernel_page_table::map_or_panic(Virt_addr virt, Phys_addr phys, uint64_t size, Page_table::Attributes attributes,
                                     bool allow_large, const char *what)
{
    Page_table::Error error = table_.map(virt, phys, size, attributes, allow_large);
    if (error != Page_table::Error::none)
        panic("kernel page table: cannot map %s at %#llx (error %d)", what, static_cast<unsigned long long>(virt),
              static_cast<int>(error));
}

void Kernel_page_table::build(const Boot_info &info, Page_allocator &pages)
{
    if (table_.create(pages) != Page_table::Error::none)
        panic("kernel page table: no memory for the root table");

    auto map_image_part = [](const char *begin, const char *end, Page_table::Attributes attributes, const char *what) {
        map_or_panic(address(begin), physical(begin), address(end) - address(begin), attributes, false, what);
    };
    map_image_part(__kernel_text_start, __kernel_text_end, text, "kernel text");
    map_image_part(__kernel_rodata_start, __kernel_rodata_end, read_only, "kernel read-only data");
    map_image_part(__kernel_data_start, boot_stack_guard, read_write, "kernel data");
    map_image_part(boot_stack_guard + page_size, __kernel_data_end, read_write, "kernel data");

    Range_set ram;
    for (size_t i = 0; i < info.region_count; ++i) {
        const Memory_region &region = info.regions[i];
        if (!is_ram(region.type))
            continue;
        Phys_range range{align_up(region.base, page_size), align_down(region.base + region.size, page_size)};
        if (range.end > Memory_layout::direct_map_size)
            range.end = Memory_layout::direct_map_size;
        if (ram.insert(range) != Range_set::Error::none)
            panic("kernel page table: memory map too fragmented");
    }
    // The command line and the module strings are read in place for the kernel's life
    // (boot_info.hpp); a loader may leave them in a partial page of RAM or outside it.
    auto add_pages = [&ram](Phys_range range) {
        if (!range.empty() && ram.insert({align_down(range.begin, page_size), align_up(range.end, page_size)}) !=
                                  Range_set::Error::none)
            panic("kernel page table: memory map too fragmented");
    };
    add_pages(info.command_line_memory);
    for (size_t i = 0; i < info.module_count; ++i)
        add_pages(info.modules[i].line_memory);
    Phys_range image = kernel_image();
    if (ram.remove({align_down(image.begin, page_size), align_up(image.end, page_size)}) != Range_set::Error::none)
        panic("kernel page table: memory map too fragmented");
    for (size_t i = 0; i < ram.count(); ++i)
        map_or_panic(Memory_layout::direct_map_base + ram[i].begin, ram[i].begin, ram[i].size(), read_write, true,
                     "the direct map");
}

void Kernel_page_table::activate() { Cpu::write_cr3(table_.root()); }

Virt_addr Kernel_page_table::map_device(Phys_addr base, uint64_t size)
{
    Phys_addr first = align_down(base, page_size);
    uint64_t bytes = align_up(base + size, page_size) - first;
    if (next_device_address_ + bytes > Memory_layout::device_window_base + Memory_layout::device_window_size)
        panic("kernel page table: device window full");
    Virt_addr virt = next_device_address_;
    map_or_panic(virt, first, bytes, device, false, "a device");
    Device_memory::reserve({first, first + bytes});  // the kernel's: never a user's too
    next_device_address_ += bytes;
    return virt + (base - first);
}
