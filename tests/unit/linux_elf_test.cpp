// SPDX-License-Identifier: MIT
// Linux_elf (servers/linux) against images built here with the host's <elf.h>, shaped like
// Debian's busybox-static: four PT_LOADs (R, R X, R, R W with bss), PT_NOTE, PT_TLS,
// PT_GNU_PROPERTY, PT_GNU_STACK, PT_GNU_RELRO and no PT_PHDR. Every parse() gets an exactly
// sized heap copy, so a read past its end is an ASan failure.
#include "linux_elf.hpp"

#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr uint64_t user_end = Linux_elf::default_user_space_end;
constexpr uint64_t base = 0x400000;
constexpr uint64_t entry_address = 0x401100;
constexpr uint64_t file_bytes = 0x3000;
constexpr uint64_t data_end = 0x2708 + 0x100;  // the last file byte any load needs

#ifndef PT_GNU_PROPERTY
#define PT_GNU_PROPERTY 0x6474e553
#endif

class Image {
public:
    Image()
    {
        std::memset(&header, 0, sizeof header);
        std::memcpy(header.e_ident, ELFMAG, SELFMAG);
        header.e_ident[EI_CLASS] = ELFCLASS64;
        header.e_ident[EI_DATA] = ELFDATA2LSB;
        header.e_ident[EI_VERSION] = EV_CURRENT;
        header.e_ident[EI_OSABI] = ELFOSABI_GNU;
        header.e_type = ET_EXEC;
        header.e_machine = EM_X86_64;
        header.e_version = EV_CURRENT;
        header.e_entry = entry_address;
        header.e_phoff = sizeof(Elf64_Ehdr);
        header.e_ehsize = sizeof(Elf64_Ehdr);
        header.e_phentsize = sizeof(Elf64_Phdr);
        headers = {load(base, 0, 0x300, 0x300, PF_R),
                   load(base + 0x1000, 0x1000, 0x800, 0x800, PF_R | PF_X),
                   load(base + 0x2000, 0x2000, 0x400, 0x400, PF_R),
                   load(base + 0x3708, 0x2708, 0x100, 0x1450, PF_R | PF_W),
                   other(PT_NOTE, 0x270, base + 0x270, 0x20, PF_R),
                   other(PT_TLS, 0x2708, base + 0x3708, 0x28, PF_R),
                   other(PT_GNU_PROPERTY, 0x270, base + 0x270, 0x20, PF_R),
                   other(PT_GNU_STACK, 0, 0, 0, PF_R | PF_W),
                   other(PT_GNU_RELRO, 0x2708, base + 0x3708, 0x8f8, PF_R)};
    }

    static Elf64_Phdr load(uint64_t address, uint64_t offset, uint64_t file_size, uint64_t memory_size,
                           uint32_t flags, uint64_t alignment = 0x1000)
    {
        Elf64_Phdr segment = {};
        segment.p_type = PT_LOAD;
        segment.p_flags = flags;
        segment.p_offset = offset;
        segment.p_vaddr = address;
        segment.p_paddr = address;
        segment.p_filesz = file_size;
        segment.p_memsz = memory_size;
        segment.p_align = alignment;
        return segment;
    }

    static Elf64_Phdr other(uint32_t type, uint64_t offset, uint64_t address, uint64_t size, uint32_t flags)
    {
        Elf64_Phdr segment = load(address, offset, size, size, flags, 8);
        segment.p_type = type;
        return segment;
    }

    // Nonsense in every field but the type: parse() must not care.
    static Elf64_Phdr junk(uint32_t type)
    {
        Elf64_Phdr segment = load(~uint64_t{0} - 5, ~uint64_t{0} - 7, ~uint64_t{0}, 3, PF_X, 3);
        segment.p_type = type;
        return segment;
    }

    Elf64_Phdr &text() { return headers[1]; }
    Elf64_Phdr &data() { return headers[3]; }
    Elf64_Phdr &stack() { return headers[7]; }

    std::vector<uint8_t> bytes() const
    {
        std::vector<uint8_t> file(size);
        for (size_t i = 0; i < file.size(); ++i)
            file[i] = static_cast<uint8_t>(i * 7 + 3);
        Elf64_Ehdr written = header;
        if (!keep_phnum)
            written.e_phnum = static_cast<uint16_t>(headers.size());
        std::memcpy(file.data(), &written, std::min<size_t>(sizeof written, file.size()));
        for (size_t i = 0; i < headers.size(); ++i) {
            uint64_t at = header.e_phoff + i * sizeof(Elf64_Phdr);
            if (header.e_phoff <= file.size() && at <= file.size() && file.size() - at >= sizeof(Elf64_Phdr))
                std::memcpy(file.data() + at, &headers[i], sizeof(Elf64_Phdr));
        }
        return file;
    }

    Elf64_Ehdr header;
    std::vector<Elf64_Phdr> headers;
    uint64_t size = file_bytes;
    bool keep_phnum = false;
};

Linux_elf::Error parse(Linux_elf &elf, const std::vector<uint8_t> &file, uint64_t end = user_end)
{
    std::unique_ptr<uint8_t[]> exact(new uint8_t[file.empty() ? 1 : file.size()]);
    if (!file.empty())
        std::memcpy(exact.get(), file.data(), file.size());
    return elf.parse(exact.get(), file.size(), end);
}

Linux_elf::Error parse(const Image &image, uint64_t end = user_end)
{
    Linux_elf elf;
    return parse(elf, image.bytes(), end);
}

using Error = Linux_elf::Error;

}  // namespace

void PrintTo(Linux_elf::Error error, std::ostream *out) { *out << '"' << Linux_elf::describe(error) << '"'; }

TEST(Linux_elf, busybox_shaped_image_yields_everything_the_loader_needs)
{
    Image image;
    Linux_elf elf;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.entry(), entry_address);
    EXPECT_EQ(elf.program_headers_address(), base + sizeof(Elf64_Ehdr));
    EXPECT_EQ(elf.program_header_size(), sizeof(Elf64_Phdr));
    EXPECT_EQ(elf.program_header_count(), 9u);
    EXPECT_FALSE(elf.executable_stack());
    EXPECT_EQ(elf.break_start(), 0x405000u);  // 0x403708 + 0x1450 = 0x404b58, rounded up

    ASSERT_EQ(elf.load_count(), 4u);
    struct Expected {
        uint64_t address, memory_size, offset, file_size;
        bool r, w, x;
    };
    const Expected expected[] = {{base, 0x300, 0, 0x300, true, false, false},
                                 {base + 0x1000, 0x800, 0x1000, 0x800, true, false, true},
                                 {base + 0x2000, 0x400, 0x2000, 0x400, true, false, false},
                                 {base + 0x3708, 0x1450, 0x2708, 0x100, true, true, false}};
    for (size_t i = 0; i < 4; ++i) {
        const Linux_elf::Load &load = elf.load(i);
        EXPECT_EQ(load.virtual_address, expected[i].address) << i;
        EXPECT_EQ(load.memory_size, expected[i].memory_size) << i;
        EXPECT_EQ(load.file_offset, expected[i].offset) << i;
        EXPECT_EQ(load.file_size, expected[i].file_size) << i;
        EXPECT_EQ(load.readable, expected[i].r) << i;
        EXPECT_EQ(load.writable, expected[i].w) << i;
        EXPECT_EQ(load.executable, expected[i].x) << i;
    }
    for (size_t index : {size_t{4}, Linux_elf::max_loads, ~size_t{0}}) {
        const Linux_elf::Load &none = elf.load(index);
        EXPECT_EQ(none.memory_size, 0u);
        EXPECT_FALSE(none.readable || none.writable || none.executable);
    }
}

TEST(Linux_elf, stack_executability_follows_pt_gnu_stack)
{
    Image image;
    image.stack().p_flags = PF_R | PF_W | PF_X;
    Linux_elf elf;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_TRUE(elf.executable_stack());
    // Without PT_GNU_STACK a 64-bit program's stack is not executable.
    image.stack().p_type = PT_NULL;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_FALSE(elf.executable_stack());
    image.stack() = Image::junk(PT_GNU_STACK);  // PF_X, and nonsense elsewhere
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_TRUE(elf.executable_stack());
}

TEST(Linux_elf, program_headers_anywhere_in_a_loads_file_part)
{
    // In the text segment: AT_PHDR is where that file offset lands.
    Image image;
    image.header.e_phoff = 0x1100;
    Linux_elf elf;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.program_headers_address(), base + 0x1100);
    // Ending at the last file byte of the first load.
    image = Image();
    image.headers[0].p_filesz = image.headers[0].p_memsz = 0x40 + 9 * sizeof(Elf64_Phdr);
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.program_headers_address(), base + 0x40);
    // In the data segment, whose address is not page-aligned.
    image = Image();
    image.header.e_phoff = 0x2710;
    image.data().p_filesz = 0x300;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.program_headers_address(), base + 0x3710);
}

TEST(Linux_elf, what_the_rules_allow)
{
    // EI_OSABI is not looked at.
    for (uint8_t abi : {uint8_t{ELFOSABI_SYSV}, uint8_t{ELFOSABI_GNU}, uint8_t{ELFOSABI_FREEBSD}}) {
        Image image;
        image.header.e_ident[EI_OSABI] = abi;
        EXPECT_EQ(parse(image), Error::none) << int{abi};
    }
    // A load ending exactly at the user space end, and the end inside a page.
    Image image;
    image.data() = Image::load(user_end - 0x1000 + 0x708, 0x2708, 0x100, 0x8f8, PF_R | PF_W);
    Linux_elf elf;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.break_start(), user_end);
    image.data() = Image::load(0x600708, 0x2708, 0x100, 0x8f8, PF_R | PF_W);
    EXPECT_EQ(parse(image, 0x601000 + 0xfff), Error::none);
    // Alignment 0 and 1: page congruence is still what counts.
    for (uint64_t alignment : {uint64_t{0}, uint64_t{1}, uint64_t{8}, uint64_t{0x1000}, uint64_t{0x200000}}) {
        image = Image();
        image.data().p_align = alignment;
        if (alignment == 0x200000) {  // the offset must now agree with the address modulo 2 MiB
            image.data().p_vaddr = 0x602708;
            image.data().p_offset = 0x2708;
        }
        EXPECT_EQ(parse(image), Error::none) << alignment;
    }
    // Pure bss: no file bytes, so the offset may lie beyond the file (congruence still holds).
    image = Image();
    image.data().p_filesz = 0;
    image.data().p_offset = 0x7fff'f000'0708;
    EXPECT_EQ(parse(image), Error::none);
    // Loads sharing a page (but no byte), out of address order; the highest end wins.
    image = Image();
    image.headers[2] = Image::load(base + 0x3000, 0x2000, 0x400, 0x400, PF_R);  // ends before 0x403708
    image.data().p_vaddr = base + 0x3708;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    std::swap(image.headers[0], image.headers[3]);
    image.header.e_phoff = 0x40;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.break_start(), 0x405000u);
    EXPECT_EQ(elf.load(0).virtual_address, base + 0x3708);  // program header order is kept
    // A load without memory is ignored, however odd its fields; it does not count.
    image = Image();
    Elf64_Phdr empty = Image::load(~uint64_t{0}, ~uint64_t{0}, 0, 0, PF_X, 3);
    image.headers.push_back(empty);
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.load_count(), 4u);
    EXPECT_EQ(elf.program_header_count(), 10u);
    // The entry at the last byte of the text.
    image = Image();
    image.header.e_entry = base + 0x17ff;
    EXPECT_EQ(parse(image), Error::none);
}

TEST(Linux_elf, failed_parse_keeps_the_previous_result)
{
    Linux_elf elf;
    EXPECT_EQ(elf.load_count(), 0u);
    EXPECT_EQ(elf.break_start(), 0u);
    Image image;
    image.stack().p_flags |= PF_X;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    Image bad;
    bad.header.e_entry = base + 0x3708;
    bad.headers.resize(2);
    EXPECT_EQ(parse(elf, bad.bytes()), Error::entry_not_executable);
    EXPECT_EQ(elf.entry(), entry_address);
    EXPECT_EQ(elf.load_count(), 4u);
    EXPECT_EQ(elf.program_header_count(), 9u);
    EXPECT_TRUE(elf.executable_stack());
    EXPECT_EQ(elf.break_start(), 0x405000u);
}

// Every prefix of the file: too small for the header, then the program headers, then the
// loads' file parts; from the end of the last file part on, it is whole.
TEST(Linux_elf, truncated_at_every_byte)
{
    const std::vector<uint8_t> full = Image().bytes();
    const uint64_t table_end = sizeof(Elf64_Ehdr) + 9 * sizeof(Elf64_Phdr);
    Linux_elf elf;
    for (size_t length = 0; length <= full.size(); ++length) {
        std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(length));
        Error expected = length < sizeof(Elf64_Ehdr) ? Error::too_small
                         : length < table_end        ? Error::bad_program_headers
                         : length < data_end         ? Error::load_outside_file
                                                     : Error::none;
        EXPECT_EQ(parse(elf, prefix), expected) << length;
    }
    EXPECT_EQ(elf.parse(nullptr, 0, user_end), Error::too_small);
    EXPECT_EQ(elf.parse(nullptr, 4096, user_end), Error::too_small);
}

TEST(Linux_elf, identification)
{
    for (size_t byte = 0; byte < SELFMAG; ++byte) {
        Image image;
        image.header.e_ident[byte] ^= 0x20;
        EXPECT_EQ(parse(image), Error::bad_magic) << byte;
    }
    for (uint8_t elf_class : {uint8_t{ELFCLASSNONE}, uint8_t{ELFCLASS32}, uint8_t{3}}) {
        Image image;
        image.header.e_ident[EI_CLASS] = elf_class;
        EXPECT_EQ(parse(image), Error::not_64_bit) << int{elf_class};
    }
    for (uint8_t data : {uint8_t{ELFDATANONE}, uint8_t{ELFDATA2MSB}, uint8_t{3}}) {
        Image image;
        image.header.e_ident[EI_DATA] = data;
        EXPECT_EQ(parse(image), Error::not_little_endian) << int{data};
    }
    for (uint8_t version : {uint8_t{EV_NONE}, uint8_t{2}}) {
        Image image;
        image.header.e_ident[EI_VERSION] = version;
        EXPECT_EQ(parse(image), Error::bad_version) << int{version};
    }
    for (uint32_t version : {uint32_t{EV_NONE}, uint32_t{2}, uint32_t{0x01000001}}) {
        Image image;
        image.header.e_version = version;
        EXPECT_EQ(parse(image), Error::bad_version) << version;
    }
    for (uint16_t machine : {uint16_t{EM_NONE}, uint16_t{EM_386}, uint16_t{EM_AARCH64}, uint16_t{EM_X86_64 | 0x100}}) {
        Image image;
        image.header.e_machine = machine;
        EXPECT_EQ(parse(image), Error::not_x86_64) << machine;
    }
    for (uint16_t type : {uint16_t{ET_NONE}, uint16_t{ET_REL}, uint16_t{ET_CORE}, uint16_t{0x0102}, uint16_t{0xfe00}}) {
        Image image;
        image.header.e_type = type;
        EXPECT_EQ(parse(image), Error::not_executable) << type;
    }
}

TEST(Linux_elf, position_independent_and_dynamic)
{
    Image image;
    image.header.e_type = ET_DYN;  // a static-pie
    EXPECT_EQ(parse(image), Error::position_independent);
    // PT_INTERP anywhere in the table, in ET_EXEC and ET_DYN: dynamic wins over PIE.
    for (uint16_t type : {uint16_t{ET_EXEC}, uint16_t{ET_DYN}})
        for (size_t where : {size_t{0}, size_t{4}, size_t{9}}) {
            image = Image();
            image.header.e_type = type;
            image.headers.insert(image.headers.begin() + static_cast<std::ptrdiff_t>(where), Image::junk(PT_INTERP));
            EXPECT_EQ(parse(image), Error::dynamic) << type << " " << where;
        }
    // PT_DYNAMIC alone (a static-pie's) is not PT_INTERP.
    image = Image();
    image.headers.push_back(Image::junk(PT_DYNAMIC));
    EXPECT_EQ(parse(image), Error::none);
}

TEST(Linux_elf, bad_program_headers)
{
    for (uint16_t entry_size : {uint16_t{0}, uint16_t{32}, uint16_t{55}, uint16_t{57}, uint16_t{64}, uint16_t{0xffff}}) {
        Image image;
        image.header.e_phentsize = entry_size;
        EXPECT_EQ(parse(image), Error::bad_program_headers) << entry_size;
    }
    for (uint64_t offset : {file_bytes, file_bytes - 8, file_bytes - 9 * sizeof(Elf64_Phdr) + 1, file_bytes + 1,
                            uint64_t{0x8000'0000'0000'0000}, ~uint64_t{0} - 7, ~uint64_t{0} - 2 * sizeof(Elf64_Phdr),
                            ~uint64_t{0}}) {
        Image image;
        image.header.e_phoff = offset;
        EXPECT_EQ(parse(image), Error::bad_program_headers) << std::hex << offset;
    }
    for (uint16_t count : {uint16_t{(file_bytes - 0x40) / sizeof(Elf64_Phdr) + 1}, uint16_t{0x1000},
                           uint16_t{PN_XNUM - 1}, uint16_t{PN_XNUM}}) {
        Image image;
        image.keep_phnum = true;
        image.header.e_phnum = count;
        EXPECT_EQ(parse(image), Error::bad_program_headers) << count;
    }
    // PN_XNUM is refused even where a table that long would fit.
    Image image;
    image.size = PN_XNUM * sizeof(Elf64_Phdr) + 0x1000;
    image.headers[0].p_filesz = image.headers[0].p_memsz = image.size;
    for (size_t i = 1; i < image.headers.size(); ++i)
        image.headers[i].p_type = PT_NULL;
    image.headers[0].p_flags = PF_R | PF_X;
    image.header.e_entry = base;
    image.keep_phnum = true;
    image.header.e_phnum = PN_XNUM;
    EXPECT_EQ(parse(image), Error::bad_program_headers);
}

TEST(Linux_elf, too_many_loads)
{
    Image image;
    image.headers.clear();
    for (uint64_t i = 0; i < Linux_elf::max_loads; ++i)
        image.headers.push_back(Image::load(base + i * 0x1000, 0, 0x400, 0x400, PF_R | PF_X));
    image.headers.push_back(Image::junk(PT_NOTE));  // others do not count
    image.header.e_entry = base;
    Linux_elf elf;
    ASSERT_EQ(parse(elf, image.bytes()), Error::none);
    EXPECT_EQ(elf.load_count(), Linux_elf::max_loads);
    EXPECT_EQ(elf.break_start(), base + Linux_elf::max_loads * 0x1000);
    image.headers.push_back(Image::load(base + 0x100000, 0, 0x400, 0x400, PF_R));
    EXPECT_EQ(parse(image), Error::too_many_loads);
}

TEST(Linux_elf, no_loads)
{
    Image image;
    image.headers = {Image::junk(PT_NOTE), Image::junk(PT_TLS), Image::junk(PT_GNU_STACK)};
    EXPECT_EQ(parse(image), Error::no_loads);
    image.headers.push_back(Image::load(base, 0, 0, 0, PF_R | PF_X));
    EXPECT_EQ(parse(image), Error::no_loads);
    image.headers.clear();
    EXPECT_EQ(parse(image), Error::no_loads);
}

TEST(Linux_elf, load_outside_file)
{
    struct Case {
        uint64_t offset, file_size;
    };
    for (Case c : std::vector<Case>{{file_bytes, 1},
                                    {file_bytes - 0xff, 0x100},
                                    {0x2708, file_bytes - 0x2708 + 1},
                                    {~uint64_t{0} - 0xff, 0x200},           // offset + size wraps
                                    {0x2708, ~uint64_t{0} - 0x2707},       // wraps to 0
                                    {0x2708, ~uint64_t{0}}}) {
        Image image;
        image.data().p_offset = c.offset;
        image.data().p_vaddr = 0x600000 + c.offset % 0x1000;
        image.data().p_filesz = c.file_size;
        image.data().p_memsz = c.file_size;
        EXPECT_EQ(parse(image), Error::load_outside_file) << std::hex << c.offset << " " << c.file_size;
    }
}

TEST(Linux_elf, file_larger_than_memory)
{
    Image image;
    image.text().p_memsz = image.text().p_filesz - 1;
    EXPECT_EQ(parse(image), Error::file_larger_than_memory);
    image.text().p_memsz = 0;
    EXPECT_EQ(parse(image), Error::file_larger_than_memory);
}

TEST(Linux_elf, load_outside_user_space)
{
    struct Case {
        uint64_t address, memory_size, end;
    };
    for (Case c : std::vector<Case>{
             {user_end + 0x708, 0x1000, user_end},            // starts above
             {user_end - 0x8f8, 0x8f9, user_end},             // one byte over
             {0x0000'7fff'ffff'f708, 0x100, user_end},        // the top of x86-64's lower half
             {0xffff'ffff'8000'0708, 0x100, user_end},        // kernel half
             {0xffff'ffff'ffff'f708, 0x1000, user_end},       // wraps to 0x708
             {0xffff'ffff'ffff'f708, 0x1000, ~uint64_t{0}},   // ... whatever the end
             {0x708, ~uint64_t{0} - 0x707, ~uint64_t{0}},     // size wraps to 0
             {0x600708, 0x100, 0},                            // no user space at all
             {0x600708, 0x8f8, 0x600fff},                     // the partial last page is not user space
         }) {
        Image image;
        image.data() = Image::load(c.address, 0x2708, 0x100, c.memory_size, PF_R | PF_W);
        EXPECT_EQ(parse(image, c.end), Error::load_outside_user_space)
            << std::hex << c.address << " " << c.memory_size << " " << c.end;
    }
}

TEST(Linux_elf, bad_alignment)
{
    for (uint64_t alignment : {uint64_t{3}, uint64_t{0x1800}, uint64_t{0x1001}, ~uint64_t{0}}) {
        Image image;
        image.data().p_align = alignment;
        EXPECT_EQ(parse(image), Error::bad_alignment) << std::hex << alignment;
    }
}

TEST(Linux_elf, misaligned_load)
{
    // Offset and address disagree within a page, whatever p_align says.
    for (uint64_t alignment : {uint64_t{0}, uint64_t{1}, uint64_t{16}, uint64_t{0x1000}}) {
        Image image;
        image.data().p_align = alignment;
        image.data().p_vaddr += 8;
        EXPECT_EQ(parse(image), Error::misaligned_load) << alignment;
        image = Image();
        image.data().p_align = alignment;
        image.data().p_offset -= 0x100;
        EXPECT_EQ(parse(image), Error::misaligned_load) << alignment;
    }
    // Page-congruent, but not modulo a larger p_align.
    Image image;
    image.data().p_align = 0x200000;
    EXPECT_EQ(parse(image), Error::misaligned_load);
    // A pure-bss load is held to it too.
    image = Image();
    image.data().p_filesz = 0;
    image.data().p_offset = 0;
    EXPECT_EQ(parse(image), Error::misaligned_load);
}

TEST(Linux_elf, loads_overlap)
{
    struct Case {
        uint64_t address, memory_size;
    };
    const uint64_t text = base + 0x1000;
    for (Case c : std::vector<Case>{
             {text + 0x7ff, 0x100},      // its last byte
             {text - 0x100, 0x101},      // its first byte
             {text, 0x800},              // identical
             {text + 0x100, 0x100},      // inside
             {base, 0x10000},            // around everything
         }) {
        Image image;
        image.data() = Image::load(c.address, 0x2000 + c.address % 0x1000, 0, c.memory_size, PF_R | PF_W);
        EXPECT_EQ(parse(image), Error::loads_overlap) << std::hex << c.address;
    }
}

TEST(Linux_elf, program_headers_not_loaded)
{
    // The first load stops one byte short of the table's end.
    Image image;
    image.headers[0].p_filesz = image.headers[0].p_memsz = 0x40 + 9 * sizeof(Elf64_Phdr) - 1;
    EXPECT_EQ(parse(image), Error::program_headers_not_loaded);
    // Memory but no file bytes there: the bss does not hold the table.
    image = Image();
    image.headers[0].p_filesz = 0;
    EXPECT_EQ(parse(image), Error::program_headers_not_loaded);
    // The table in a gap of the file no load covers, or straddling two loads.
    for (uint64_t offset : {uint64_t{0x800}, uint64_t{0x1800}, uint64_t{0x1800 - 0x100}, uint64_t{0x2600}}) {
        image = Image();
        image.header.e_phoff = offset;
        EXPECT_EQ(parse(image), Error::program_headers_not_loaded) << std::hex << offset;
    }
}

TEST(Linux_elf, entry_not_executable)
{
    for (uint64_t entry : {uint64_t{0}, base, base + 0x1000 - 1, base + 0x1800, base + 0x3708, user_end, ~uint64_t{0}}) {
        Image image;
        image.header.e_entry = entry;
        EXPECT_EQ(parse(image), Error::entry_not_executable) << std::hex << entry;
    }
    Image image;
    image.text().p_flags = PF_R;
    EXPECT_EQ(parse(image), Error::entry_not_executable);
}

TEST(Linux_elf, every_error_has_its_own_description)
{
    std::set<std::string> seen;
    for (int value = 0; value <= static_cast<int>(Error::entry_not_executable); ++value) {
        std::string text = Linux_elf::describe(static_cast<Error>(value));
        EXPECT_FALSE(text.empty());
        EXPECT_TRUE(seen.insert(text).second) << text;
    }
    EXPECT_STREQ(Linux_elf::describe(static_cast<Error>(99)), "unknown error");
}

// Random damage, mostly to the headers: an accepted image still keeps every promise.
TEST(Linux_elf, random_corruption_is_refused_or_sound)
{
    const std::vector<uint8_t> good = Image().bytes();
    std::mt19937_64 random(0x11e1f);
    const uint64_t extremes[] = {0, 1, 0x708, 0xfff, 0x1000, 0x2fff, file_bytes, user_end - 1, user_end,
                                 ~uint64_t{0} - 0x37, ~uint64_t{0} - 7, ~uint64_t{0}};
    size_t accepted = 0;
    std::set<Error> results;
    for (int round = 0; round < 20000; ++round) {
        std::vector<uint8_t> file = good;
        int changes = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < changes; ++i) {
            size_t at = random() % (0x40 + 9 * sizeof(Elf64_Phdr));
            if (random() % 2 == 0) {
                file[at] = static_cast<uint8_t>(random());
            } else {
                at &= ~size_t{7};
                uint64_t value = extremes[random() % std::size(extremes)];
                std::memcpy(file.data() + at, &value, std::min<size_t>(8, file.size() - at));
            }
        }
        if (random() % 8 == 0)
            file.resize(random() % file.size());
        Linux_elf elf;
        Error error = parse(elf, file);
        results.insert(error);
        if (error != Error::none)
            continue;
        ++accepted;
        ASSERT_GE(elf.load_count(), 1u);
        ASSERT_LE(elf.load_count(), Linux_elf::max_loads);
        bool entry_found = false, table_found = false;
        for (size_t i = 0; i < elf.load_count(); ++i) {
            const Linux_elf::Load &a = elf.load(i);
            ASSERT_GT(a.memory_size, 0u);
            ASSERT_LE(a.file_size, a.memory_size);
            if (a.file_size != 0) {
                ASSERT_LE(a.file_offset, file.size());
                ASSERT_LE(a.file_size, file.size() - a.file_offset);
            }
            ASSERT_LE(a.virtual_address, user_end);
            ASSERT_LE(a.memory_size, user_end - a.virtual_address);
            ASSERT_EQ(a.virtual_address % 0x1000, a.file_offset % 0x1000);
            ASSERT_LE(a.virtual_address + a.memory_size, elf.break_start());
            for (size_t j = 0; j < i; ++j) {
                const Linux_elf::Load &b = elf.load(j);
                ASSERT_TRUE(a.virtual_address + a.memory_size <= b.virtual_address ||
                            b.virtual_address + b.memory_size <= a.virtual_address);
            }
            if (a.executable && elf.entry() >= a.virtual_address && elf.entry() - a.virtual_address < a.memory_size)
                entry_found = true;
            uint64_t table_size = elf.program_header_count() * sizeof(Elf64_Phdr);
            if (elf.program_headers_address() >= a.virtual_address &&
                elf.program_headers_address() + table_size <= a.virtual_address + a.file_size)
                table_found = true;
        }
        ASSERT_TRUE(entry_found);
        ASSERT_TRUE(table_found);
        ASSERT_EQ(elf.break_start() % 0x1000, 0u);
        ASSERT_LE(elf.break_start(), user_end);
    }
    EXPECT_GT(accepted, 100u);
    EXPECT_GE(results.size(), 12u);
}
