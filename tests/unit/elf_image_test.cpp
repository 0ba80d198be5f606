// SPDX-License-Identifier: MIT
// Elf_image against images built here with the host's <elf.h>. Every parse() gets an
// exactly sized heap copy of the image, so a read past its end is an ASan failure.
#include "elf_image.hpp"

#include <elf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr uint64_t user_end = 0x0000'8000'0000'0000;
constexpr uint64_t text_address = 0x400000;
constexpr uint64_t data_address = 0x403800;
constexpr uint64_t entry_address = 0x400100;
constexpr uint64_t file_bytes = 0x2c00;

// An executable as a linker might write it: text (R X) from file offset 0, data (R W) with
// bss, plus headers that are not PT_LOAD and must be ignored.
class Image {
public:
    Image()
    {
        std::memset(&header, 0, sizeof header);
        std::memcpy(header.e_ident, ELFMAG, SELFMAG);
        header.e_ident[EI_CLASS] = ELFCLASS64;
        header.e_ident[EI_DATA] = ELFDATA2LSB;
        header.e_ident[EI_VERSION] = EV_CURRENT;
        header.e_type = ET_EXEC;
        header.e_machine = EM_X86_64;
        header.e_version = EV_CURRENT;
        header.e_entry = entry_address;
        header.e_phoff = sizeof(Elf64_Ehdr);
        header.e_ehsize = sizeof(Elf64_Ehdr);
        header.e_phentsize = sizeof(Elf64_Phdr);
        segments.push_back(other(PT_PHDR));
        segments.push_back(load(text_address, 0, 0x1800, 0x1800, PF_R | PF_X));
        segments.push_back(load(data_address, 0x2800, 0x400, 0x3000, PF_R | PF_W));
        segments.push_back(other(PT_GNU_STACK));
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

    // Junk everywhere but the type: parse() must not look at it.
    static Elf64_Phdr other(uint32_t type)
    {
        Elf64_Phdr segment = load(~uint64_t{0} - 5, ~uint64_t{0} - 7, ~uint64_t{0}, 3, PF_X, 3);
        segment.p_type = type;
        return segment;
    }

    Elf64_Phdr &text() { return segments[1]; }
    Elf64_Phdr &data() { return segments[2]; }

    // The file: header, program headers where e_phoff says (as far as they fit), pattern
    // bytes (or zeros) elsewhere. e_phnum follows segments unless phnum_override is set.
    std::vector<uint8_t> bytes() const
    {
        std::vector<uint8_t> file(size);
        for (size_t i = 0; i < file.size() && !zero_fill; ++i)
            file[i] = static_cast<uint8_t>(i * 7 + 3);
        Elf64_Ehdr written = header;
        if (!keep_phnum)
            written.e_phnum = static_cast<uint16_t>(segments.size());
        std::memcpy(file.data(), &written, std::min<size_t>(sizeof written, file.size()));
        for (size_t i = 0; i < segments.size(); ++i) {
            uint64_t at = header.e_phoff + i * sizeof(Elf64_Phdr);
            if (header.e_phoff <= file.size() && at <= file.size() && file.size() - at >= sizeof(Elf64_Phdr))
                std::memcpy(file.data() + at, &segments[i], sizeof(Elf64_Phdr));
        }
        return file;
    }

    Elf64_Ehdr header;
    std::vector<Elf64_Phdr> segments;
    uint64_t size = file_bytes;
    bool keep_phnum = false;
    bool zero_fill = false;
};

Elf_image::Error parse(Elf_image &elf, const std::vector<uint8_t> &file, uint64_t end = user_end)
{
    // new[] of exactly the file's size: ASan sees any read past it.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[file.size() == 0 ? 1 : file.size()]);
    if (!file.empty())
        std::memcpy(exact.get(), file.data(), file.size());
    return elf.parse(exact.get(), file.size(), end);
}

Elf_image::Error parse(const Image &image, uint64_t end = user_end)
{
    Elf_image elf;
    return parse(elf, image.bytes(), end);
}

std::string name_of(Elf_image::Error error) { return Elf_image::describe(error); }

}  // namespace

// gtest prints the description when a comparison of errors fails.
void PrintTo(Elf_image::Error error, std::ostream *out) { *out << '"' << Elf_image::describe(error) << '"'; }

TEST(Elf_image, good_image_parses_with_entry_segments_and_rights)
{
    Image image;
    Elf_image elf;
    ASSERT_EQ(parse(elf, image.bytes()), Elf_image::Error::none);
    EXPECT_EQ(elf.entry(), entry_address);
    ASSERT_EQ(elf.segment_count(), 2u);

    const Elf_image::Segment &text = elf.segment(0);
    EXPECT_EQ(text.virtual_address, text_address);
    EXPECT_EQ(text.memory_size, 0x1800u);
    EXPECT_EQ(text.file_offset, 0u);
    EXPECT_EQ(text.file_size, 0x1800u);
    EXPECT_TRUE(text.readable);
    EXPECT_FALSE(text.writable);
    EXPECT_TRUE(text.executable);

    const Elf_image::Segment &data = elf.segment(1);
    EXPECT_EQ(data.virtual_address, data_address);
    EXPECT_EQ(data.memory_size, 0x3000u);
    EXPECT_EQ(data.file_offset, 0x2800u);
    EXPECT_EQ(data.file_size, 0x400u);
    EXPECT_TRUE(data.readable);
    EXPECT_TRUE(data.writable);
    EXPECT_FALSE(data.executable);

    for (size_t index : {size_t{2}, Elf_image::max_segments, ~size_t{0}}) {
        const Elf_image::Segment &none = elf.segment(index);
        EXPECT_EQ(none.memory_size, 0u);
        EXPECT_FALSE(none.readable || none.writable || none.executable);
    }
}

TEST(Elf_image, accepts_what_the_rules_allow)
{
    Image image;
    // The last page of user space, ending exactly at its end.
    image.data() = Image::load(user_end - 0x1000, 0x2800 & ~0xfffu, 0x400, 0x1000, PF_R | PF_W);
    EXPECT_EQ(parse(image), Elf_image::Error::none);

    // A user_space_end inside a page allows only whole pages below it.
    image = Image();
    image.data() = Image::load(0x410000, 0x2000, 0x400, 0x1000, PF_R);
    EXPECT_EQ(parse(image, 0x411000 + 0x800), Elf_image::Error::none);

    // p_align 0 or 1: no congruence required.
    image = Image();
    image.data().p_align = 0;
    image.data().p_vaddr = 0x500123;
    EXPECT_EQ(parse(image), Elf_image::Error::none);
    image.data().p_align = 1;
    EXPECT_EQ(parse(image), Elf_image::Error::none);

    // Large power-of-two alignment with page congruence only.
    image = Image();
    image.data().p_align = 0x200000;
    EXPECT_EQ(parse(image), Elf_image::Error::none);

    // Pure bss: no file bytes, so the offset does not matter.
    image = Image();
    image.data().p_filesz = 0;
    image.data().p_offset = ~uint64_t{0} - 0x7ff;  // == 0x800 modulo the page
    EXPECT_EQ(parse(image), Elf_image::Error::none);

    // PT_LOAD without memory is ignored, however odd its other fields.
    image = Image();
    Elf64_Phdr empty = Image::load(0, 0, 0, 0, PF_X, 3);
    empty.p_vaddr = ~uint64_t{0};
    empty.p_offset = ~uint64_t{0};
    image.segments.push_back(empty);
    Elf_image elf;
    EXPECT_EQ(parse(elf, image.bytes()), Elf_image::Error::none);
    EXPECT_EQ(elf.segment_count(), 2u);

    // Segments in adjacent pages, and the program header table somewhere else in the file.
    image = Image();
    image.data() = Image::load(text_address + 0x2000, 0x2000, 0x100, 0x100, PF_R);
    image.header.e_phoff = 0x2400;
    EXPECT_EQ(parse(image), Elf_image::Error::none);

    // Entry at the very last byte of the text segment.
    image = Image();
    image.header.e_entry = text_address + 0x17ff;
    EXPECT_EQ(parse(image), Elf_image::Error::none);
}

TEST(Elf_image, failed_parse_keeps_the_previous_result)
{
    Elf_image elf;
    EXPECT_EQ(elf.segment_count(), 0u);
    ASSERT_EQ(parse(elf, Image().bytes()), Elf_image::Error::none);
    Image bad;
    bad.header.e_entry = data_address;
    EXPECT_EQ(parse(elf, bad.bytes()), Elf_image::Error::entry_not_executable);
    EXPECT_EQ(elf.entry(), entry_address);
    EXPECT_EQ(elf.segment_count(), 2u);
    EXPECT_EQ(elf.segment(1).virtual_address, data_address);
}

TEST(Elf_image, too_small)
{
    Elf_image elf;
    EXPECT_EQ(elf.parse(nullptr, 0, user_end), Elf_image::Error::too_small);
    EXPECT_EQ(elf.parse(nullptr, 4096, user_end), Elf_image::Error::too_small);
    std::vector<uint8_t> file = Image().bytes();
    for (size_t size : {size_t{0}, size_t{4}, size_t{63}}) {
        file.resize(size);
        EXPECT_EQ(parse(elf, file), Elf_image::Error::too_small) << size;
    }
}

TEST(Elf_image, bad_magic)
{
    for (size_t byte = 0; byte < SELFMAG; ++byte) {
        Image image;
        image.header.e_ident[byte] ^= 0x20;
        EXPECT_EQ(parse(image), Elf_image::Error::bad_magic) << byte;
    }
    std::vector<uint8_t> zeros(4096);
    Elf_image elf;
    EXPECT_EQ(parse(elf, zeros), Elf_image::Error::bad_magic);
}

TEST(Elf_image, not_64_bit)
{
    for (uint8_t elf_class : {uint8_t{ELFCLASSNONE}, uint8_t{ELFCLASS32}, uint8_t{3}, uint8_t{0xff}}) {
        Image image;
        image.header.e_ident[EI_CLASS] = elf_class;
        EXPECT_EQ(parse(image), Elf_image::Error::not_64_bit) << int{elf_class};
    }
}

TEST(Elf_image, not_little_endian)
{
    for (uint8_t data : {uint8_t{ELFDATANONE}, uint8_t{ELFDATA2MSB}, uint8_t{7}}) {
        Image image;
        image.header.e_ident[EI_DATA] = data;
        EXPECT_EQ(parse(image), Elf_image::Error::not_little_endian) << int{data};
    }
}

TEST(Elf_image, bad_version)
{
    Image image;
    image.header.e_ident[EI_VERSION] = EV_NONE;
    EXPECT_EQ(parse(image), Elf_image::Error::bad_version);
    image.header.e_ident[EI_VERSION] = 2;
    EXPECT_EQ(parse(image), Elf_image::Error::bad_version);
    image = Image();
    image.header.e_version = EV_NONE;
    EXPECT_EQ(parse(image), Elf_image::Error::bad_version);
    image.header.e_version = 0x01000001;  // the low byte alone is not enough
    EXPECT_EQ(parse(image), Elf_image::Error::bad_version);
}

TEST(Elf_image, not_x86_64)
{
    for (uint16_t machine : {uint16_t{EM_NONE}, uint16_t{EM_386}, uint16_t{EM_AARCH64}, uint16_t{EM_X86_64 | 0x100}}) {
        Image image;
        image.header.e_machine = machine;
        EXPECT_EQ(parse(image), Elf_image::Error::not_x86_64) << machine;
    }
}

TEST(Elf_image, not_executable)
{
    for (uint16_t type : {uint16_t{ET_NONE}, uint16_t{ET_REL}, uint16_t{ET_DYN}, uint16_t{ET_CORE}, uint16_t{0xfe00}}) {
        Image image;
        image.header.e_type = type;
        EXPECT_EQ(parse(image), Elf_image::Error::not_executable) << type;
    }
}

TEST(Elf_image, bad_program_headers)
{
    for (uint16_t entry_size :
         {uint16_t{0}, uint16_t{32}, uint16_t{55}, uint16_t{57}, uint16_t{64}, uint16_t{0xffff}}) {
        Image image;
        image.header.e_phentsize = entry_size;
        EXPECT_EQ(parse(image), Elf_image::Error::bad_program_headers) << entry_size;
    }
    // Table past the end, partly past the end, at offsets that wrap when the table is added.
    for (uint64_t offset : {file_bytes, file_bytes - 8, file_bytes - 4 * sizeof(Elf64_Phdr) + 1, file_bytes + 1,
                            uint64_t{0x8000'0000'0000'0000}, ~uint64_t{0} - 7, ~uint64_t{0} - 2 * sizeof(Elf64_Phdr),
                            ~uint64_t{0}}) {
        Image image;
        image.header.e_phoff = offset;
        EXPECT_EQ(parse(image), Elf_image::Error::bad_program_headers) << std::hex << offset;
    }
    // A huge count in a small file (200 entries would just fit).
    for (uint16_t count : {uint16_t{201}, uint16_t{0x1000}, uint16_t{0xfffe}, uint16_t{0xffff}}) {
        Image image;
        image.keep_phnum = true;
        image.header.e_phnum = count;
        EXPECT_EQ(parse(image), Elf_image::Error::bad_program_headers) << count;
    }
    // PN_XNUM (extended numbering) is refused even when a table that long would fit.
    Image image;
    image.size = 0xffff * sizeof(Elf64_Phdr) + 0x1000;
    image.zero_fill = true;  // the unwritten headers are PT_NULL
    image.keep_phnum = true;
    image.header.e_phnum = PN_XNUM;
    EXPECT_EQ(parse(image), Elf_image::Error::bad_program_headers);
    image.header.e_phnum = PN_XNUM - 1;  // the same table, as an ordinary count, is fine
    EXPECT_EQ(parse(image), Elf_image::Error::none);
}

TEST(Elf_image, too_many_segments)
{
    Image image;
    image.segments.clear();
    for (uint64_t i = 0; i < Elf_image::max_segments; ++i)
        image.segments.push_back(Image::load(text_address + i * 0x1000, 0, 0x100, 0x1000, PF_R | PF_X));
    image.segments.push_back(Image::other(PT_NOTE));  // others do not count
    Elf_image elf;
    ASSERT_EQ(parse(elf, image.bytes()), Elf_image::Error::none);
    EXPECT_EQ(elf.segment_count(), Elf_image::max_segments);
    image.segments.push_back(Image::load(text_address + 0x100000, 0, 0x100, 0x100, PF_R));
    EXPECT_EQ(parse(image), Elf_image::Error::too_many_segments);
}

TEST(Elf_image, no_segments)
{
    Image image;
    image.segments.clear();
    EXPECT_EQ(parse(image), Elf_image::Error::no_segments);
    image.segments = {Image::other(PT_NOTE), Image::other(PT_DYNAMIC), Image::other(PT_TLS)};
    EXPECT_EQ(parse(image), Elf_image::Error::no_segments);
    image.segments.push_back(Image::load(text_address, 0, 0, 0, PF_R | PF_X));
    EXPECT_EQ(parse(image), Elf_image::Error::no_segments);
}

TEST(Elf_image, segment_outside_file)
{
    struct Case {
        uint64_t offset, file_size;
    };
    for (Case c : std::vector<Case>{{file_bytes, 1},
                                    {file_bytes - 0x3ff, 0x400},  // one byte too many
                                    {0x2800, 0x401},
                                    {0x800, file_bytes},
                                    {~uint64_t{0} - 7, 0x10},        // offset + size wraps to 8
                                    {0x800, ~uint64_t{0} - 0x7ff},   // wraps to 0
                                    {0x800, ~uint64_t{0}}}) {
        Image image;
        image.data().p_offset = c.offset;
        image.data().p_vaddr = data_address - (data_address % 0x1000) + (c.offset % 0x1000);
        image.data().p_filesz = c.file_size;
        image.data().p_memsz = c.file_size;
        EXPECT_EQ(parse(image), Elf_image::Error::segment_outside_file) << std::hex << c.offset << " " << c.file_size;
    }
}

TEST(Elf_image, file_larger_than_memory)
{
    Image image;
    image.data().p_memsz = image.data().p_filesz - 1;
    EXPECT_EQ(parse(image), Elf_image::Error::file_larger_than_memory);
    image.data().p_memsz = 0;
    EXPECT_EQ(parse(image), Elf_image::Error::file_larger_than_memory);
}

TEST(Elf_image, segment_outside_user_space)
{
    struct Case {
        uint64_t address, memory_size, user_space_end;
    };
    for (Case c : std::vector<Case>{
             {user_end, 0x1000, user_end},                       // starts at the end
             {user_end - 0x1000, 0x1001, user_end},              // one byte over
             {0xffff'8000'0000'0800, 0x1000, user_end},          // kernel half
             {0xffff'ffff'ffff'f800, 0x1000, user_end},          // address + size wraps to 0x800
             {0xffff'ffff'ffff'f800, 0x1000, ~uint64_t{0}},      // ... even if all is user space
             {0x800, ~uint64_t{0} - 0x7ff, ~uint64_t{0}},         // size wraps to 0
             {0x800, ~uint64_t{0}, ~uint64_t{0}},
             {0x800, 0x1000, 0},                                  // no user space at all
             {0x404000, 0x800, 0x404fff},                         // the end's partial page is not user space
         }) {
        Image image;
        image.data() = Image::load(c.address, 0x2800, 0, c.memory_size, PF_R | PF_W);
        EXPECT_EQ(parse(image, c.user_space_end), Elf_image::Error::segment_outside_user_space)
            << std::hex << c.address << " " << c.memory_size << " " << c.user_space_end;
    }
}

TEST(Elf_image, segments_overlap)
{
    struct Case {
        uint64_t address, memory_size;
    };
    for (Case c : std::vector<Case>{
             {text_address + 0x17ff, 0x800},     // its last byte
             {text_address - 0x800, 0x801},      // its first byte
             {text_address, 0x1800},             // identical
             {text_address + 0x800, 0x100},      // inside
             {text_address - 0x10000, 0x20000},  // around
         }) {
        Image image;
        image.data() = Image::load(c.address, 0x2000 + c.address % 0x1000, 0, c.memory_size, PF_R | PF_W);
        EXPECT_EQ(parse(image), Elf_image::Error::segments_overlap) << std::hex << c.address;
    }
}

// ld -N and -n: segments share pages, and file offsets disagree with addresses within a
// page. The loader copies, so such images are accepted as long as no byte is shared.
TEST(Elf_image, segments_may_share_pages_and_be_unaligned)
{
    for (uint64_t address : {text_address + 0x1800, text_address - 0x800}) {
        Image image;
        image.data() = Image::load(address, 0x2000 + address % 0x1000, 0, 0x800, PF_R | PF_W);
        EXPECT_EQ(parse(image), Elf_image::Error::none) << std::hex << address;
    }
    // One writable segment whose file offset is 0x100 and address page-aligned (ld -N).
    Image image;
    image.segments = {Image::load(text_address, 0x100, 0x1800, 0x2000, PF_R | PF_W | PF_X, 0x100)};
    Elf_image elf;
    ASSERT_EQ(parse(elf, image.bytes()), Elf_image::Error::none);
    EXPECT_EQ(elf.segment(0).file_offset, 0x100u);
    EXPECT_EQ(elf.segment(0).virtual_address, text_address);
    // The data segment moved off its page offset.
    image = Image();
    image.data().p_vaddr += 8;
    EXPECT_EQ(parse(image), Elf_image::Error::none);
    image = Image();
    image.data().p_offset -= 0x100;
    EXPECT_EQ(parse(image), Elf_image::Error::none);
}

TEST(Elf_image, misaligned_segment)
{
    // The alignment is no power of two.
    for (uint64_t alignment : {uint64_t{3}, uint64_t{0x1800}, uint64_t{0x1001}, ~uint64_t{0}}) {
        Image image;
        image.data().p_align = alignment;
        EXPECT_EQ(parse(image), Elf_image::Error::misaligned_segment) << std::hex << alignment;
    }
}

TEST(Elf_image, entry_not_executable)
{
    for (uint64_t entry : {uint64_t{0}, text_address - 1, text_address + 0x1800, data_address, data_address + 0x2fff,
                           user_end, ~uint64_t{0}}) {
        Image image;
        image.header.e_entry = entry;
        EXPECT_EQ(parse(image), Elf_image::Error::entry_not_executable) << std::hex << entry;
    }
    // The right place, but the segment is not executable.
    Image image;
    image.text().p_flags = PF_R;
    EXPECT_EQ(parse(image), Elf_image::Error::entry_not_executable);
}

TEST(Elf_image, every_error_has_its_own_description)
{
    std::set<std::string> seen;
    for (int value = 0; value <= static_cast<int>(Elf_image::Error::entry_not_executable); ++value) {
        std::string text = name_of(static_cast<Elf_image::Error>(value));
        EXPECT_FALSE(text.empty());
        EXPECT_TRUE(seen.insert(text).second) << text;
    }
}

TEST(Elf_image, random_corruption_is_refused_or_yields_sound_segments)
{
    const std::vector<uint8_t> good = Image().bytes();
    std::mt19937_64 random(0xe1f);
    size_t accepted = 0;
    // Interesting values for 64-bit fields: near 0, near page boundaries, near 2^64.
    const uint64_t extremes[] = {0, 1, 0xfff, 0x1000, 0x2bff, 0x2c00, user_end - 1, user_end, ~uint64_t{0} - 0x37,
                                 ~uint64_t{0} - 7, ~uint64_t{0}};
    for (int round = 0; round < 20000; ++round) {
        std::vector<uint8_t> file = good;
        int changes = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < changes; ++i) {
            // Mostly the headers (the first 64 + 4 * 56 bytes), where the meaning is.
            size_t at = random() % 4 == 0 ? random() % file.size() : random() % 288;
            if (random() % 3 == 0 && at + 8 <= file.size()) {
                uint64_t value = extremes[random() % std::size(extremes)];
                std::memcpy(file.data() + (at & ~size_t{7}), &value, sizeof value);
            } else {
                file[at] = static_cast<uint8_t>(random());
            }
        }
        if (random() % 8 == 0)
            file.resize(random() % file.size());
        Elf_image elf;
        Elf_image::Error error = parse(elf, file);
        if (error != Elf_image::Error::none)
            continue;
        ++accepted;
        ASSERT_GE(elf.segment_count(), 1u);
        ASSERT_LE(elf.segment_count(), Elf_image::max_segments);
        bool entry_ok = false;
        for (size_t i = 0; i < elf.segment_count(); ++i) {
            const Elf_image::Segment &s = elf.segment(i);
            ASSERT_LE(s.file_size, s.memory_size);
            ASSERT_GT(s.memory_size, 0u);
            if (s.file_size > 0) {
                ASSERT_LE(s.file_offset, file.size());
                ASSERT_LE(s.file_size, file.size() - s.file_offset);
            }
            ASSERT_LT(s.virtual_address, user_end);
            ASSERT_LE(s.memory_size, user_end - s.virtual_address);
            entry_ok |= s.executable && elf.entry() >= s.virtual_address &&
                        elf.entry() - s.virtual_address < s.memory_size;
            for (size_t j = 0; j < i; ++j) {
                const Elf_image::Segment &t = elf.segment(j);
                ASSERT_TRUE(s.virtual_address + s.memory_size <= t.virtual_address ||
                            t.virtual_address + t.memory_size <= s.virtual_address)
                    << "segments " << j << " and " << i;
            }
        }
        ASSERT_TRUE(entry_ok);
    }
    // Both outcomes happen, so the corruption neither always nor never breaks the image.
    EXPECT_GT(accepted, 100u);
    EXPECT_LT(accepted, 19000u);
}
