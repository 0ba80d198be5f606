// SPDX-License-Identifier: MIT
#include "multiboot.hpp"

namespace {

// Multiboot 1 information structure: byte offsets and flag bits from the specification.
namespace Info {
constexpr uint64_t size = 68;  // up to and including boot_loader_name
constexpr uint64_t flags = 0;
constexpr uint64_t mem_lower = 4;
constexpr uint64_t mem_upper = 8;
constexpr uint64_t cmdline = 16;
constexpr uint64_t mods_count = 20;
constexpr uint64_t mods_addr = 24;
constexpr uint64_t mmap_length = 44;
constexpr uint64_t mmap_addr = 48;
constexpr uint64_t boot_loader_name = 64;

constexpr uint32_t has_memory_bounds = 1u << 0;
constexpr uint32_t has_cmdline = 1u << 2;
constexpr uint32_t has_modules = 1u << 3;
constexpr uint32_t has_memory_map = 1u << 6;
constexpr uint32_t has_loader_name = 1u << 9;
}  // namespace Info

namespace Module_entry {
constexpr uint64_t size = 16;
constexpr uint64_t start = 0;
constexpr uint64_t end = 4;
constexpr uint64_t string = 8;
}  // namespace Module_entry

namespace Map_entry {
constexpr uint64_t min_size = 20;  // the "size" field does not count itself
constexpr uint64_t base = 4;
constexpr uint64_t length = 12;
constexpr uint64_t type = 20;
}  // namespace Map_entry

uint32_t read32(const uint8_t *p, uint64_t offset)
{
    return static_cast<uint32_t>(p[offset]) | static_cast<uint32_t>(p[offset + 1]) << 8 |
           static_cast<uint32_t>(p[offset + 2]) << 16 | static_cast<uint32_t>(p[offset + 3]) << 24;
}

uint64_t read64(const uint8_t *p, uint64_t offset)
{
    return read32(p, offset) | static_cast<uint64_t>(read32(p, offset + 4)) << 32;
}

Memory_type type_of(uint32_t multiboot_type)
{
    switch (multiboot_type) {
    case 1: return Memory_type::usable;
    case 3: return Memory_type::acpi_reclaimable;
    case 4: return Memory_type::acpi_nvs;
    case 5: return Memory_type::defective;
    default: return Memory_type::reserved;
    }
}

class Reader {
public:
    Reader(const Physical_window &window, Boot_info &out) : window_(window), out_(out) {}

    // Copies the NUL-terminated string at address into buffer (always terminated); the
    // terminator must be inside the window. Long strings are cut and flagged.
    bool copy_string(Phys_addr address, char *buffer, size_t capacity)
    {
        size_t length = 0;
        for (;; ++address) {
            const uint8_t *byte = window_.map(address, 1);
            if (byte == nullptr) {
                buffer[0] = '\0';
                return false;
            }
            if (*byte == '\0')
                break;
            if (length + 1 < capacity)
                buffer[length++] = static_cast<char>(*byte);
            else
                out_.strings_truncated = true;
        }
        buffer[length] = '\0';
        return true;
    }

    // The NUL-terminated string at address, left where it is: its terminator must be inside
    // the window. memory covers its bytes and terminator.
    bool find_string(Phys_addr address, const char *&text, Phys_range &memory) const
    {
        for (uint64_t length = 0;; ++length) {
            const uint8_t *byte = window_.map(address + length, 1);
            if (byte == nullptr)
                return false;
            if (*byte == '\0') {
                text = reinterpret_cast<const char *>(window_.map(address, length + 1));
                memory = {address, address + length + 1};
                return true;
            }
        }
    }

    Multiboot::Error read_memory_map(const uint8_t *info)
    {
        uint32_t length = read32(info, Info::mmap_length);
        Phys_addr address = read32(info, Info::mmap_addr);
        const uint8_t *map = window_.map(address, length);
        if (map == nullptr)
            return Multiboot::Error::memory_map_outside_window;
        for (uint64_t offset = 0; offset < length;) {
            if (length - offset < 4)
                return Multiboot::Error::memory_map_entry_malformed;
            uint64_t entry_size = read32(map, offset);
            if (entry_size < Map_entry::min_size || entry_size + 4 > length - offset)
                return Multiboot::Error::memory_map_entry_malformed;
            if (out_.region_count == Boot_info::max_regions)
                return Multiboot::Error::too_many_regions;
            out_.regions[out_.region_count++] = {read64(map, offset + Map_entry::base),
                                                 read64(map, offset + Map_entry::length),
                                                 type_of(read32(map, offset + Map_entry::type))};
            offset += entry_size + 4;
        }
        return Multiboot::Error::none;
    }

    void read_memory_bounds(const uint8_t *info)
    {
        out_.regions[0] = {0, uint64_t{read32(info, Info::mem_lower)} * 1024, Memory_type::usable};
        out_.regions[1] = {0x100000, uint64_t{read32(info, Info::mem_upper)} * 1024, Memory_type::usable};
        out_.region_count = 2;
    }

    Multiboot::Error read_modules(const uint8_t *info)
    {
        uint32_t count = read32(info, Info::mods_count);
        if (count > Boot_info::max_modules)
            return Multiboot::Error::too_many_modules;
        const uint8_t *modules = window_.map(read32(info, Info::mods_addr), uint64_t{count} * Module_entry::size);
        if (modules == nullptr)
            return Multiboot::Error::modules_outside_window;
        for (uint32_t i = 0; i < count; ++i) {
            const uint8_t *entry = modules + uint64_t{i} * Module_entry::size;
            Boot_module &module = out_.modules[i];
            module.image = {read32(entry, Module_entry::start), read32(entry, Module_entry::end)};
            if (module.image.end < module.image.begin)
                return Multiboot::Error::module_range_invalid;
            if (!find_string(read32(entry, Module_entry::string), module.line, module.line_memory))
                return Multiboot::Error::string_outside_window;
            out_.module_count = i + 1;
        }
        return Multiboot::Error::none;
    }

private:
    const Physical_window &window_;
    Boot_info &out_;
};

}  // namespace

Multiboot::Error Multiboot::parse(uint32_t magic, Phys_addr info_address, const Physical_window &window, Boot_info &out)
{
    out.clear();
    if (magic != loader_magic)
        return Error::bad_magic;
    const uint8_t *info = window.map(info_address, Info::size);
    if (info == nullptr)
        return Error::info_outside_window;
    out.info_structures = {info_address, info_address + Info::size};

    Reader reader(window, out);
    uint32_t flags = read32(info, Info::flags);

    if ((flags & Info::has_memory_map) != 0) {
        if (Error error = reader.read_memory_map(info); error != Error::none)
            return error;
        if (out.region_count == 0)
            return Error::no_memory_information;
    } else if ((flags & Info::has_memory_bounds) != 0) {
        reader.read_memory_bounds(info);
    } else {
        return Error::no_memory_information;
    }

    if ((flags & Info::has_cmdline) != 0 &&
        !reader.find_string(read32(info, Info::cmdline), out.command_line, out.command_line_memory))
        return Error::string_outside_window;
    if ((flags & Info::has_loader_name) != 0 &&
        !reader.copy_string(read32(info, Info::boot_loader_name), out.loader_name, sizeof out.loader_name))
        return Error::string_outside_window;
    if ((flags & Info::has_modules) != 0)
        return reader.read_modules(info);
    return Error::none;
}

const char *Multiboot::describe(Error error)
{
    switch (error) {
    case Error::none: return "no error";
    case Error::bad_magic: return "not started by a multiboot loader (bad magic)";
    case Error::info_outside_window: return "information structure outside the boot window";
    case Error::no_memory_information: return "loader gave no memory map and no memory bounds";
    case Error::memory_map_outside_window: return "memory map outside the boot window";
    case Error::memory_map_entry_malformed: return "memory map entry malformed";
    case Error::too_many_regions: return "more memory regions than the kernel keeps";
    case Error::modules_outside_window: return "module list outside the boot window";
    case Error::too_many_modules: return "more boot modules than the kernel keeps";
    case Error::module_range_invalid: return "a module ends before it starts";
    case Error::string_outside_window: return "a string runs outside the boot window";
    }
    return "unknown error";
}
