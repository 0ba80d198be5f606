// SPDX-License-Identifier: MIT
#include "elf_image.hpp"

// Every read goes through read16/32/64 at an offset that was checked against size first;
// the header is read only once size >= File_header::size, a program header only once the
// whole table is known to lie inside the image. Sums of untrusted values are never formed
// before the comparison that proves they cannot wrap (a <= size && b <= size - a).

namespace {

// ELF64 as in the System V gABI and its x86-64 supplement: byte offsets and values.
namespace File_header {
constexpr uint64_t size = 64;
constexpr uint64_t ident_class = 4;
constexpr uint64_t ident_data = 5;
constexpr uint64_t ident_version = 6;
constexpr uint64_t type = 16;
constexpr uint64_t machine = 18;
constexpr uint64_t version = 20;
constexpr uint64_t entry = 24;
constexpr uint64_t program_header_offset = 32;
constexpr uint64_t program_header_entry_size = 54;
constexpr uint64_t program_header_count = 56;

constexpr uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
constexpr uint8_t class_64 = 2;             // ELFCLASS64
constexpr uint8_t data_little_endian = 1;   // ELFDATA2LSB
constexpr uint32_t current_version = 1;     // EV_CURRENT
constexpr uint16_t type_executable = 2;     // ET_EXEC
constexpr uint16_t machine_x86_64 = 62;     // EM_X86_64
// PN_XNUM: the real count is in section header 0. Never needed for max_segments loads.
constexpr uint16_t extended_count = 0xffff;
}  // namespace File_header

namespace Program_header {
constexpr uint64_t size = 56;
constexpr uint64_t type = 0;
constexpr uint64_t flags = 4;
constexpr uint64_t offset = 8;
constexpr uint64_t virtual_address = 16;
constexpr uint64_t file_size = 32;
constexpr uint64_t memory_size = 40;
constexpr uint64_t alignment = 48;

constexpr uint32_t type_load = 1;  // PT_LOAD
constexpr uint32_t flag_execute = 1;
constexpr uint32_t flag_write = 2;
constexpr uint32_t flag_read = 4;
}  // namespace Program_header

uint16_t read16(const uint8_t *p, uint64_t offset)
{
    return static_cast<uint16_t>(p[offset] | p[offset + 1] << 8);
}

uint32_t read32(const uint8_t *p, uint64_t offset)
{
    return static_cast<uint32_t>(read16(p, offset)) | static_cast<uint32_t>(read16(p, offset + 2)) << 16;
}

uint64_t read64(const uint8_t *p, uint64_t offset)
{
    return read32(p, offset) | static_cast<uint64_t>(read32(p, offset + 4)) << 32;
}

}  // namespace

Elf_image::Error Elf_image::parse(const uint8_t *image, uint64_t size, uint64_t user_space_end)
{
    namespace File = File_header;
    namespace Load = Program_header;
    if (image == nullptr || size < File::size)
        return Error::too_small;
    for (uint64_t i = 0; i < sizeof File::magic; ++i)
        if (image[i] != File::magic[i])
            return Error::bad_magic;
    if (image[File::ident_class] != File::class_64)
        return Error::not_64_bit;
    if (image[File::ident_data] != File::data_little_endian)
        return Error::not_little_endian;
    if (image[File::ident_version] != File::current_version || read32(image, File::version) != File::current_version)
        return Error::bad_version;
    if (read16(image, File::machine) != File::machine_x86_64)
        return Error::not_x86_64;
    if (read16(image, File::type) != File::type_executable)
        return Error::not_executable;

    uint64_t table = read64(image, File::program_header_offset);
    uint64_t count = read16(image, File::program_header_count);
    if (read16(image, File::program_header_entry_size) != Load::size || count == File::extended_count)
        return Error::bad_program_headers;
    // count * entry size < 2^22: only the offset can be out of range.
    if (table > size || count * Load::size > size - table)
        return Error::bad_program_headers;

    // Whole pages below this are user space; a segment ending at or below it also ends
    // below it when rounded up to a page.
    const uint64_t limit = align_down(user_space_end, page_size);
    Segment found[max_segments] = {};
    size_t found_count = 0;
    for (uint64_t i = 0; i < count; ++i) {
        const uint8_t *header = image + table + i * Load::size;
        if (read32(header, Load::type) != Load::type_load)
            continue;
        uint32_t flags = read32(header, Load::flags);
        Segment segment = {read64(header, Load::virtual_address), read64(header, Load::memory_size),
                           read64(header, Load::offset),          read64(header, Load::file_size),
                           (flags & Load::flag_read) != 0,        (flags & Load::flag_write) != 0,
                           (flags & Load::flag_execute) != 0};
        uint64_t alignment = read64(header, Load::alignment);

        // An empty file part has no bytes to lie outside the image, wherever p_offset points.
        if (segment.file_size != 0 &&
            (segment.file_offset > size || segment.file_size > size - segment.file_offset))
            return Error::segment_outside_file;
        if (segment.file_size > segment.memory_size)
            return Error::file_larger_than_memory;
        if (segment.memory_size == 0)
            continue;  // occupies no memory, so nothing to load or to collide with
        if (segment.virtual_address > limit || segment.memory_size > limit - segment.virtual_address)
            return Error::segment_outside_user_space;
        // p_align 0 and 1 mean "no alignment" in the gABI; anything else must be a power of
        // two. File offset and address need not agree within a page: the loader copies.
        if (alignment > 1 && (alignment & (alignment - 1)) != 0)
            return Error::misaligned_segment;
        // Segments may share a page (ld -N, -n), never a byte.
        for (size_t j = 0; j < found_count; ++j)
            if (segment.virtual_address < found[j].virtual_address + found[j].memory_size &&
                found[j].virtual_address < segment.virtual_address + segment.memory_size)
                return Error::segments_overlap;
        if (found_count == max_segments)
            return Error::too_many_segments;
        found[found_count++] = segment;
    }
    if (found_count == 0)
        return Error::no_segments;

    uint64_t entry = read64(image, File::entry);
    bool entry_executable = false;
    for (size_t j = 0; j < found_count; ++j)
        if (found[j].executable && entry >= found[j].virtual_address &&
            entry - found[j].virtual_address < found[j].memory_size)
            entry_executable = true;
    if (!entry_executable)
        return Error::entry_not_executable;

    for (size_t j = 0; j < max_segments; ++j)
        segments_[j] = found[j];
    segment_count_ = found_count;
    entry_ = entry;
    return Error::none;
}

const Elf_image::Segment &Elf_image::segment(size_t index) const
{
    static constexpr Segment none = {};
    return index < segment_count_ ? segments_[index] : none;
}

const char *Elf_image::describe(Error error)
{
    switch (error) {
    case Error::none: return "valid";
    case Error::too_small: return "smaller than an ELF header";
    case Error::bad_magic: return "not an ELF file (bad magic)";
    case Error::not_64_bit: return "not a 64-bit ELF file";
    case Error::not_little_endian: return "not little-endian";
    case Error::bad_version: return "unknown ELF version";
    case Error::not_x86_64: return "not for x86-64";
    case Error::not_executable: return "not an executable (ET_EXEC)";
    case Error::bad_program_headers: return "program header table malformed or outside the file";
    case Error::too_many_segments: return "too many loadable segments";
    case Error::no_segments: return "no loadable segment";
    case Error::segment_outside_file: return "segment data outside the file";
    case Error::file_larger_than_memory: return "segment file size larger than its memory size";
    case Error::segment_outside_user_space: return "segment outside user space";
    case Error::segments_overlap: return "segments overlap";
    case Error::misaligned_segment: return "segment alignment is not a power of two";
    case Error::entry_not_executable: return "entry point not in an executable segment";
    }
    return "unknown error";
}
