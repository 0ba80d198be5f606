// SPDX-License-Identifier: MIT
// Multiboot v1 information built by hand inside a host buffer that stands for physical
// memory [0, size). The buffer is exactly the window, so any read outside the window
// is also an ASan error.
#include "multiboot.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr uint32_t flag_memory_bounds = 1u << 0;
constexpr uint32_t flag_cmdline = 1u << 2;
constexpr uint32_t flag_modules = 1u << 3;
constexpr uint32_t flag_memory_map = 1u << 6;
constexpr uint32_t flag_loader_name = 1u << 9;

class Fake_boot_memory {
public:
    static constexpr Phys_addr info = 0x1000;
    static constexpr Phys_addr map = 0x2000;
    static constexpr Phys_addr modules = 0x3000;
    static constexpr Phys_addr strings = 0x4000;
    static constexpr size_t size = 0x10000;

    Physical_window window() const { return {reinterpret_cast<uintptr_t>(bytes_.data()), bytes_.size()}; }

    void put8(Phys_addr address, uint8_t value) { bytes_.at(address) = value; }
    void put32(Phys_addr address, uint32_t value)
    {
        for (int i = 0; i < 4; ++i)
            put8(address + static_cast<unsigned>(i), static_cast<uint8_t>(value >> (8 * i)));
    }
    void put64(Phys_addr address, uint64_t value)
    {
        put32(address, static_cast<uint32_t>(value));
        put32(address + 4, static_cast<uint32_t>(value >> 32));
    }
    // Writes text and its terminator, returning where it was put.
    Phys_addr put_string(Phys_addr address, const std::string &text)
    {
        for (size_t i = 0; i < text.size(); ++i)
            put8(address + i, static_cast<uint8_t>(text[i]));
        put8(address + text.size(), 0);
        return address;
    }
    // Places a string in the string area and returns its address.
    uint32_t add_string(const std::string &text)
    {
        Phys_addr address = next_string_;
        put_string(address, text);
        next_string_ += text.size() + 1;
        return static_cast<uint32_t>(address);
    }

    void set_flags(uint32_t flags) { put32(info + 0, flags); }
    void set_memory_bounds(uint32_t lower_kib, uint32_t upper_kib)
    {
        put32(info + 4, lower_kib);
        put32(info + 8, upper_kib);
    }
    void set_cmdline(uint32_t address) { put32(info + 16, address); }
    void set_modules(uint32_t count, uint32_t address)
    {
        put32(info + 20, count);
        put32(info + 24, address);
    }
    void set_memory_map(uint32_t length, uint32_t address)
    {
        put32(info + 44, length);
        put32(info + 48, address);
    }
    void set_loader_name(uint32_t address) { put32(info + 64, address); }

    // Appends a map entry whose size field is entry_size (20 for a standard entry).
    void add_map_entry(uint64_t base, uint64_t length, uint32_t type, uint32_t entry_size = 20)
    {
        Phys_addr entry = map + map_length_;
        put32(entry, entry_size);
        put64(entry + 4, base);
        put64(entry + 12, length);
        put32(entry + 20, type);
        map_length_ += entry_size + 4;
        set_memory_map(map_length_, static_cast<uint32_t>(map));
    }
    uint32_t map_length() const { return map_length_; }

    void set_module(uint32_t index, uint32_t start, uint32_t end, uint32_t string)
    {
        Phys_addr entry = modules + 16 * index;
        put32(entry, start);
        put32(entry + 4, end);
        put32(entry + 8, string);
        put32(entry + 12, 0);
    }

private:
    std::vector<uint8_t> bytes_ = std::vector<uint8_t>(size, 0);
    uint32_t map_length_ = 0;
    Phys_addr next_string_ = strings;
};

// Parses the structure at Fake_boot_memory::info into out, which is filled with garbage
// first so that what parse(memory, out) leaves behind is really what it wrote.
Multiboot::Error parse(const Fake_boot_memory &memory, Boot_info &out)
{
    std::memset(static_cast<void *>(&out), 0xcc, sizeof out);
    return Multiboot::parse(Multiboot::loader_magic, Fake_boot_memory::info, memory.window(), out);
}

// A minimal valid structure: one usable region.
void minimal(Fake_boot_memory &memory)
{
    memory.set_flags(flag_memory_map);
    memory.add_map_entry(0x100000, 0x1000000, 1);
}

}  // namespace

TEST(Multiboot, parses_a_complete_structure)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map | flag_memory_bounds | flag_cmdline | flag_modules | flag_loader_name);
    memory.set_memory_bounds(639, 1000);  // ignored: the map wins
    memory.add_map_entry(0x0, 0x9fc00, 1);
    memory.add_map_entry(0x9fc00, 0x400, 2);
    memory.add_map_entry(0x100000, 0x7ee0000, 1);
    memory.add_map_entry(0x7fe0000, 0x20000, 3);
    memory.add_map_entry(0xfec00000, 0x1000, 4);
    memory.add_map_entry(0x100000000, 0x40000000, 5);
    memory.add_map_entry(0xfffc0000, 0x40000, 9);  // unknown type
    memory.set_cmdline(memory.add_string("/boot/tern.elf shutdown ticks=5"));
    memory.set_loader_name(memory.add_string("GRUB 2.06"));
    memory.set_module(0, 0x200000, 0x201234, memory.add_string("/boot/init  first second"));
    memory.set_module(1, 0x300000, 0x300000, memory.add_string("  ramdisk"));
    memory.set_modules(2, static_cast<uint32_t>(Fake_boot_memory::modules));

    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);

    ASSERT_EQ(out.region_count, 7u);
    struct {
        uint64_t base, size;
        Memory_type type;
    } const expected[] = {
        {0x0, 0x9fc00, Memory_type::usable},
        {0x9fc00, 0x400, Memory_type::reserved},
        {0x100000, 0x7ee0000, Memory_type::usable},
        {0x7fe0000, 0x20000, Memory_type::acpi_reclaimable},
        {0xfec00000, 0x1000, Memory_type::acpi_nvs},
        {0x100000000, 0x40000000, Memory_type::defective},
        {0xfffc0000, 0x40000, Memory_type::reserved},
    };
    for (size_t i = 0; i < 7; ++i) {
        EXPECT_EQ(out.regions[i].base, expected[i].base) << "region " << i;
        EXPECT_EQ(out.regions[i].size, expected[i].size) << "region " << i;
        EXPECT_EQ(out.regions[i].type, expected[i].type) << "region " << i;
    }
    EXPECT_STREQ(out.command_line, "/boot/tern.elf shutdown ticks=5");
    EXPECT_STREQ(out.loader_name, "GRUB 2.06");
    ASSERT_EQ(out.module_count, 2u);
    EXPECT_EQ(out.modules[0].image.begin, 0x200000u);
    EXPECT_EQ(out.modules[0].image.end, 0x201234u);
    EXPECT_STREQ(out.modules[0].line, "/boot/init  first second");
    EXPECT_EQ(std::string(out.modules[0].path(), out.modules[0].path_length()), "/boot/init");
    EXPECT_STREQ(out.modules[0].arguments(), "first second");
    EXPECT_EQ(out.modules[0].arguments_length(), 12u);
    EXPECT_TRUE(out.modules[0].is_called("init"));
    EXPECT_FALSE(out.modules[0].is_called("ini"));
    EXPECT_FALSE(out.modules[0].is_called("boot"));
    EXPECT_EQ(out.modules[1].image.begin, 0x300000u);
    EXPECT_EQ(out.modules[1].image.end, 0x300000u);
    EXPECT_EQ(std::string(out.modules[1].path(), out.modules[1].path_length()), "ramdisk");
    EXPECT_STREQ(out.modules[1].arguments(), "");
    EXPECT_EQ(out.modules[1].arguments_length(), 0u);
    EXPECT_TRUE(out.modules[1].is_called("ramdisk"));
    EXPECT_FALSE(out.modules[1].is_called("ramdisks"));
    EXPECT_EQ(out.info_structures.begin, Fake_boot_memory::info);
    EXPECT_GE(out.info_structures.end, Fake_boot_memory::info + 68);
    EXPECT_FALSE(out.strings_truncated);
}

TEST(Multiboot, absent_optional_parts_are_left_empty)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_cmdline(memory.add_string("must not be read"));
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_EQ(out.region_count, 1u);
    EXPECT_EQ(out.module_count, 0u);
    EXPECT_STREQ(out.command_line, "");
    EXPECT_STREQ(out.loader_name, "");
    EXPECT_FALSE(out.strings_truncated);
}

TEST(Multiboot, map_entries_with_a_larger_size_field_are_stepped_over)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    memory.add_map_entry(0x1000, 0x2000, 1, 24);
    memory.add_map_entry(0x5000, 0x6000, 2, 40);
    memory.add_map_entry(0x100000, 0x100000, 1, 20);
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    ASSERT_EQ(out.region_count, 3u);
    EXPECT_EQ(out.regions[1].base, 0x5000u);
    EXPECT_EQ(out.regions[1].type, Memory_type::reserved);
    EXPECT_EQ(out.regions[2].base, 0x100000u);
    EXPECT_EQ(out.regions[2].size, 0x100000u);
}

TEST(Multiboot, falls_back_to_memory_bounds_without_a_map)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_bounds);
    memory.set_memory_bounds(639, 130048);
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    ASSERT_EQ(out.region_count, 2u);
    EXPECT_EQ(out.regions[0].base, 0u);
    EXPECT_EQ(out.regions[0].size, 639u * 1024);
    EXPECT_EQ(out.regions[0].type, Memory_type::usable);
    EXPECT_EQ(out.regions[1].base, 0x100000u);
    EXPECT_EQ(out.regions[1].size, uint64_t{130048} * 1024);
    EXPECT_EQ(out.regions[1].type, Memory_type::usable);

    // Sizes are computed in 64 bits.
    memory.set_memory_bounds(640, 0xffffffff);
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_EQ(out.regions[1].size, uint64_t{0xffffffff} * 1024);
}

TEST(Multiboot, bad_magic_is_refused_and_output_cleared)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    EXPECT_EQ(Multiboot::parse(0x1badb002, Fake_boot_memory::info, memory.window(), out), Multiboot::Error::bad_magic);
    EXPECT_EQ(out.region_count, 0u);
    EXPECT_EQ(out.module_count, 0u);
    EXPECT_STREQ(out.command_line, "");
    EXPECT_STREQ(out.loader_name, "");
    EXPECT_FALSE(out.strings_truncated);
}

TEST(Multiboot, info_outside_window_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, Fake_boot_memory::size, memory.window(), out),
              Multiboot::Error::info_outside_window);
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, 0xfffffff0, memory.window(), out),
              Multiboot::Error::info_outside_window);
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, ~Phys_addr{0} - 8, memory.window(), out),
              Multiboot::Error::info_outside_window);
    EXPECT_EQ(out.region_count, 0u);

    Physical_window narrow = memory.window();
    narrow.limit = Fake_boot_memory::info + 50;
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, Fake_boot_memory::info, narrow, out),
              Multiboot::Error::info_outside_window);
}

TEST(Multiboot, info_straddling_window_end_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    // A structure ending exactly at the window's end is fine; one cut by it is not.
    Phys_addr last_fit = Fake_boot_memory::size - 72;
    memory.put32(last_fit, flag_memory_bounds);
    memory.put32(last_fit + 8, 1024);
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, last_fit, memory.window(), out), Multiboot::Error::none);
    EXPECT_EQ(out.region_count, 2u);
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, Fake_boot_memory::size - 60, memory.window(), out),
              Multiboot::Error::info_outside_window);
    EXPECT_EQ(Multiboot::parse(Multiboot::loader_magic, Fake_boot_memory::size - 4, memory.window(), out),
              Multiboot::Error::info_outside_window);
}

TEST(Multiboot, no_memory_information_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_cmdline | flag_loader_name);
    memory.set_cmdline(memory.add_string("x"));
    memory.set_loader_name(memory.add_string("y"));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::no_memory_information);
}

TEST(Multiboot, empty_memory_map_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    memory.set_memory_map(0, static_cast<uint32_t>(Fake_boot_memory::map));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::no_memory_information);
}

TEST(Multiboot, memory_map_outside_window_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    memory.set_memory_map(24, 0x20000);
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_outside_window);
    memory.set_memory_map(48, static_cast<uint32_t>(Fake_boot_memory::size - 24));  // straddles the end
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_outside_window);
    memory.set_memory_map(0xffffffff, static_cast<uint32_t>(Fake_boot_memory::map));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_outside_window);
}

TEST(Multiboot, map_entry_of_size_zero_is_malformed)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    memory.add_map_entry(0x100000, 0x100000, 1);
    memory.set_memory_map(4 * 24, static_cast<uint32_t>(Fake_boot_memory::map));  // the rest is zeroes
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_entry_malformed);
}

TEST(Multiboot, map_entry_smaller_than_twenty_is_malformed)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    memory.add_map_entry(0x100000, 0x100000, 1);
    memory.add_map_entry(0x200000, 0x100000, 1, 19);
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_entry_malformed);
}

TEST(Multiboot, map_entry_running_past_map_length_is_malformed)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    memory.add_map_entry(0x100000, 0x100000, 1);
    memory.add_map_entry(0x200000, 0x100000, 1);
    memory.set_memory_map(memory.map_length() - 1, static_cast<uint32_t>(Fake_boot_memory::map));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_entry_malformed);

    // A tail too short even for the size field.
    memory.set_memory_map(24 + 3, static_cast<uint32_t>(Fake_boot_memory::map));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_entry_malformed);

    // An entry size that would wrap around if added carelessly.
    memory.put32(Fake_boot_memory::map + 24, 0xffffffff);
    memory.set_memory_map(48, static_cast<uint32_t>(Fake_boot_memory::map));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::memory_map_entry_malformed);
}

TEST(Multiboot, map_with_more_than_max_regions_entries_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    memory.set_flags(flag_memory_map);
    for (uint64_t i = 0; i < Boot_info::max_regions; ++i)
        memory.add_map_entry(i * 0x10000, 0x8000, 1);
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_EQ(out.region_count, Boot_info::max_regions);
    EXPECT_EQ(out.regions[Boot_info::max_regions - 1].base, (Boot_info::max_regions - 1) * 0x10000);

    memory.add_map_entry(0x10000000, 0x8000, 1);
    EXPECT_EQ(parse(memory, out), Multiboot::Error::too_many_regions);
    EXPECT_LE(out.region_count, Boot_info::max_regions);
}

TEST(Multiboot, too_many_modules_are_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_modules);
    uint32_t name = memory.add_string("m");
    for (uint32_t i = 0; i <= Boot_info::max_modules; ++i)
        memory.set_module(i, 0x200000 + i * 0x1000, 0x200000 + i * 0x1000 + 0x800, name);
    memory.set_modules(static_cast<uint32_t>(Boot_info::max_modules + 1), static_cast<uint32_t>(Fake_boot_memory::modules));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::too_many_modules);

    memory.set_modules(static_cast<uint32_t>(Boot_info::max_modules), static_cast<uint32_t>(Fake_boot_memory::modules));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_EQ(out.module_count, Boot_info::max_modules);

    memory.set_modules(0xffffffff, static_cast<uint32_t>(Fake_boot_memory::modules));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::too_many_modules);
}

TEST(Multiboot, module_list_outside_window_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_modules);
    memory.set_modules(1, 0x10000);
    EXPECT_EQ(parse(memory, out), Multiboot::Error::modules_outside_window);
    memory.set_modules(2, static_cast<uint32_t>(Fake_boot_memory::size - 20));  // second entry straddles
    EXPECT_EQ(parse(memory, out), Multiboot::Error::modules_outside_window);
}

TEST(Multiboot, module_ending_before_it_starts_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_modules);
    uint32_t name = memory.add_string("m");
    memory.set_module(0, 0x200000, 0x201000, name);
    memory.set_module(1, 0x300000, 0x2fffff, name);
    memory.set_modules(2, static_cast<uint32_t>(Fake_boot_memory::modules));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::module_range_invalid);
    EXPECT_LE(out.module_count, 1u);
}

TEST(Multiboot, module_string_outside_window_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_modules);
    memory.set_module(0, 0x200000, 0x201000, 0x7ffff000);
    memory.set_modules(1, static_cast<uint32_t>(Fake_boot_memory::modules));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::string_outside_window);
}

TEST(Multiboot, unterminated_string_running_off_the_window_is_refused)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_cmdline);
    Phys_addr tail = Fake_boot_memory::size - 5;
    for (Phys_addr a = tail; a < Fake_boot_memory::size; ++a)
        memory.put8(a, 'x');
    memory.set_cmdline(static_cast<uint32_t>(tail));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::string_outside_window);
    EXPECT_EQ(out.command_line[0], '\0');

    memory.set_flags(flag_memory_map | flag_loader_name);
    memory.set_loader_name(static_cast<uint32_t>(tail));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::string_outside_window);
    EXPECT_EQ(out.loader_name[0], '\0');

    memory.set_flags(flag_memory_map | flag_cmdline);
    memory.set_cmdline(static_cast<uint32_t>(Fake_boot_memory::size));  // starts right past the end
    EXPECT_EQ(parse(memory, out), Multiboot::Error::string_outside_window);

    // Terminated by the window's very last byte: fine.
    memory.put8(Fake_boot_memory::size - 1, 0);
    memory.set_cmdline(static_cast<uint32_t>(Fake_boot_memory::size - 4));
    EXPECT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_STREQ(out.command_line, "xxx");
}

TEST(Multiboot, long_loader_name_is_truncated_and_long_command_line_kept_whole)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_cmdline | flag_loader_name);
    // A loader name that just fits is copied whole and not flagged.
    std::string loader(Boot_info::loader_name_capacity - 1, 'L');
    memory.set_loader_name(memory.add_string(loader));
    // QEMU puts the kernel's path first: a clone deep in a file system makes it long, and the
    // options after it must still count.
    std::string line = "/" + std::string(1000, 'c') + "/tern.elf32 shutdown ticks=5";
    uint32_t at = memory.add_string(line);
    memory.set_cmdline(at);
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_EQ(std::string(out.command_line), line);
    EXPECT_EQ(out.command_line_memory.begin, at);
    EXPECT_EQ(out.command_line_memory.size(), line.size() + 1);
    EXPECT_EQ(std::string(out.loader_name), loader);
    EXPECT_FALSE(out.strings_truncated);

    // One character more: cut to capacity - 1, terminated, flagged.
    loader += "X";
    memory.set_loader_name(memory.add_string(loader));
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    EXPECT_EQ(std::string(out.loader_name), loader.substr(0, Boot_info::loader_name_capacity - 1));
    EXPECT_TRUE(out.strings_truncated);
}

TEST(Multiboot, module_strings_of_any_length_are_kept_whole)
{
    Fake_boot_memory memory;
    Boot_info out;
    minimal(memory);
    memory.set_flags(flag_memory_map | flag_modules);
    // Paths over 255 characters (a clone deep in a file system) still name sigma0 and the
    // root task: the file name at the end of the path decides, never a cut prefix.
    std::string directory = "/" + std::string(300, 'd') + "/";
    std::string long_arguments(700, 'a');
    uint32_t first = memory.add_string(directory + "sigma0 " + long_arguments);
    memory.set_module(0, 0x200000, 0x201000, first);
    memory.set_module(1, 0x300000, 0x301000, memory.add_string(directory + "roottask"));
    memory.set_modules(2, static_cast<uint32_t>(Fake_boot_memory::modules));
    ASSERT_EQ(parse(memory, out), Multiboot::Error::none);
    ASSERT_EQ(out.module_count, 2u);
    EXPECT_TRUE(out.modules[0].is_called("sigma0"));
    EXPECT_TRUE(out.modules[1].is_called("roottask"));
    EXPECT_EQ(std::string(out.modules[0].path(), out.modules[0].path_length()), directory + "sigma0");
    EXPECT_EQ(std::string(out.modules[0].arguments()), long_arguments);
    EXPECT_EQ(out.modules[0].arguments_length(), long_arguments.size());
    // The string's memory, terminator included, is reported so that it is kept.
    EXPECT_EQ(out.modules[0].line_memory.begin, first);
    EXPECT_EQ(out.modules[0].line_memory.size(), directory.size() + 7 + long_arguments.size() + 1);
    EXPECT_FALSE(out.strings_truncated);
}
