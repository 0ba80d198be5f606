// SPDX-License-Identifier: MIT
#include "linux_elf.hpp"

// Every read goes through read16/32/64 at an offset checked against the size first: the
// file header only once size >= File_header::size, a program header only once the whole
// table is known to lie inside the image. A sum of untrusted values is formed only after
// the comparison that proves it cannot wrap (a <= size && b <= size - a).

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
constexpr uint16_t type_shared = 3;         // ET_DYN: a static-pie (or a shared object)
constexpr uint16_t machine_x86_64 = 62;     // EM_X86_64
// PN_XNUM: the real count is in section header 0; never needed for max_loads loads.
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

constexpr uint32_t type_load = 1;                // PT_LOAD
constexpr uint32_t type_interpreter = 3;         // PT_INTERP
constexpr uint32_t type_gnu_stack = 0x6474e551;  // PT_GNU_STACK
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

// Whether [address, +size) contains [inner, +inner_size), without forming a wrapping sum.
bool contains(uint64_t address, uint64_t size, uint64_t inner, uint64_t inner_size)
{
    return inner >= address && inner - address <= size && inner_size <= size - (inner - address);
}

}  // namespace

Linux_elf::Error Linux_elf::parse(const uint8_t *image, size_t size, uint64_t user_space_end)
{
    namespace File = File_header;
    namespace Segment = Program_header;
    if (image == nullptr || size < File::size)
        return Error::too_small;
    for (uint64_t i = 0; i < sizeof File::magic; ++i)
        if (image[i] != File::magic[i])
            return Error::bad_magic;
    if (image[File::ident_class] != File::class_64)
        return Error::not_64_bit;
    if (image[File::ident_data] != File::data_little_endian)
        return Error::not_little_endian;
    // EI_OSABI is not checked: Linux does not, and static glibc binaries say GNU (3) where
    // others say System V (0).
    if (image[File::ident_version] != File::current_version || read32(image, File::version) != File::current_version)
        return Error::bad_version;
    if (read16(image, File::machine) != File::machine_x86_64)
        return Error::not_x86_64;
    const uint16_t type = read16(image, File::type);
    if (type != File::type_executable && type != File::type_shared)
        return Error::not_executable;

    const uint64_t table = read64(image, File::program_header_offset);
    const uint64_t count = read16(image, File::program_header_count);
    if (read16(image, File::program_header_entry_size) != Segment::size || count == File::extended_count)
        return Error::bad_program_headers;
    // count * entry size < 2^22: only the offset can be out of range.
    const uint64_t table_size = count * Segment::size;
    if (table > size || table_size > size - table)
        return Error::bad_program_headers;

    // A dynamically linked program (PIE or not) is the more useful diagnosis than "PIE".
    for (uint64_t i = 0; i < count; ++i)
        if (read32(image + table + i * Segment::size, Segment::type) == Segment::type_interpreter)
            return Error::dynamic;
    if (type == File::type_shared)
        return Error::position_independent;

    // Whole pages below this are user space; a load ending at or below it also ends at or
    // below it when rounded up to a page, so break_start cannot wrap either.
    const uint64_t limit = user_space_end & ~(page_size - 1);
    Load found[max_loads] = {};
    size_t found_count = 0;
    bool stack_executable = false;
    for (uint64_t i = 0; i < count; ++i) {
        const uint8_t *header = image + table + i * Segment::size;
        const uint32_t segment_type = read32(header, Segment::type);
        const uint32_t flags = read32(header, Segment::flags);
        if (segment_type == Segment::type_gnu_stack)
            stack_executable = (flags & Segment::flag_execute) != 0;
        if (segment_type != Segment::type_load)
            continue;
        Load load = {read64(header, Segment::virtual_address), read64(header, Segment::memory_size),
                     read64(header, Segment::offset),          read64(header, Segment::file_size),
                     (flags & Segment::flag_read) != 0,        (flags & Segment::flag_write) != 0,
                     (flags & Segment::flag_execute) != 0};
        const uint64_t alignment = read64(header, Segment::alignment);

        // An empty file part has no bytes to lie outside the image, wherever p_offset points.
        if (load.file_size != 0 && !contains(0, size, load.file_offset, load.file_size))
            return Error::load_outside_file;
        if (load.file_size > load.memory_size)
            return Error::file_larger_than_memory;
        if (load.memory_size == 0)
            continue;  // occupies no memory: nothing to map or to collide with
        if (!contains(0, limit, load.virtual_address, load.memory_size))
            return Error::load_outside_user_space;
        // p_align 0 and 1 mean "no alignment" in the gABI; anything else is a power of two.
        if (alignment > 1 && (alignment & (alignment - 1)) != 0)
            return Error::bad_alignment;
        // The loader maps file pages at page-aligned addresses, so offset and address must
        // agree within a page whatever p_align says, and within p_align when it is larger.
        const uint64_t congruence = alignment > page_size ? alignment : page_size;
        if (load.file_offset % congruence != load.virtual_address % congruence)
            return Error::misaligned_load;
        // Both ends are below limit, so neither sum wraps.
        for (size_t j = 0; j < found_count; ++j)
            if (load.virtual_address < found[j].virtual_address + found[j].memory_size &&
                found[j].virtual_address < load.virtual_address + load.memory_size)
                return Error::loads_overlap;
        if (found_count == max_loads)
            return Error::too_many_loads;
        found[found_count++] = load;
    }
    if (found_count == 0)
        return Error::no_loads;

    // AT_PHDR: where the whole table lands in memory. A static program reads its own program
    // headers (glibc finds PT_TLS there), so they must be in a load's file part.
    uint64_t table_address = 0;
    bool table_loaded = false;
    for (size_t j = 0; j < found_count && !table_loaded; ++j)
        if (found[j].file_size != 0 && contains(found[j].file_offset, found[j].file_size, table, table_size)) {
            table_address = found[j].virtual_address + (table - found[j].file_offset);
            table_loaded = true;
        }
    if (!table_loaded)
        return Error::program_headers_not_loaded;

    const uint64_t entry = read64(image, File::entry);
    bool entry_executable = false;
    uint64_t end = 0;
    for (size_t j = 0; j < found_count; ++j) {
        if (found[j].executable && contains(found[j].virtual_address, found[j].memory_size, entry, 1))
            entry_executable = true;
        if (found[j].virtual_address + found[j].memory_size > end)
            end = found[j].virtual_address + found[j].memory_size;
    }
    if (!entry_executable)
        return Error::entry_not_executable;

    for (size_t j = 0; j < max_loads; ++j)
        loads_[j] = found[j];
    load_count_ = found_count;
    entry_ = entry;
    program_headers_ = table_address;
    program_header_size_ = Segment::size;
    program_header_count_ = count;
    executable_stack_ = stack_executable;
    break_start_ = (end + page_size - 1) & ~(page_size - 1);
    return Error::none;
}

const Linux_elf::Load &Linux_elf::load(size_t index) const
{
    static constexpr Load none = {};
    return index < load_count_ ? loads_[index] : none;
}

const char *Linux_elf::describe(Error error)
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
    case Error::position_independent: return "position-independent executable (ET_DYN) not supported";
    case Error::dynamic: return "dynamically linked (PT_INTERP) not supported";
    case Error::bad_program_headers: return "program header table malformed or outside the file";
    case Error::too_many_loads: return "too many PT_LOAD segments";
    case Error::no_loads: return "no PT_LOAD segment with memory";
    case Error::load_outside_file: return "PT_LOAD file data outside the file";
    case Error::file_larger_than_memory: return "PT_LOAD file size larger than its memory size";
    case Error::load_outside_user_space: return "PT_LOAD outside user space";
    case Error::bad_alignment: return "PT_LOAD alignment is not a power of two";
    case Error::misaligned_load: return "PT_LOAD file offset and address disagree modulo the alignment";
    case Error::loads_overlap: return "PT_LOAD segments overlap";
    case Error::program_headers_not_loaded: return "program headers not inside a PT_LOAD (no AT_PHDR)";
    case Error::entry_not_executable: return "entry point not in an executable PT_LOAD";
    }
    return "unknown error";
}
