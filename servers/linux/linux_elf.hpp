// SPDX-License-Identifier: MIT
// Validation of a static x86-64 Linux executable (ELF64, little-endian, ET_EXEC) in memory
// before the Linux personality maps it into a new task, and the facts the loader and the
// initial stack need: entry, loads, AT_PHDR/AT_PHENT/AT_PHNUM, stack executability, brk.
//
// Every field of the image is untrusted: parse() reads it byte by byte (no alignment is
// assumed), never outside [image, image + size), checks all sums for overflow, and either
// accepts the image with loads the loader may map without further checks, or says what is
// wrong. Freestanding: no allocation, no exceptions, only <stddef.h>/<stdint.h>.
#pragma once

#include <stddef.h>
#include <stdint.h>

class Linux_elf {
public:
    // A PT_LOAD with memory: file bytes [file_offset, +file_size) belong at
    // [virtual_address, +file_size), the rest of [virtual_address, +memory_size) is zero.
    // Guaranteed after parse(): memory_size > 0; file_size <= memory_size; a non-empty file
    // range lies inside the image; file_offset and virtual_address are congruent modulo
    // page_size (so file pages can be mapped, as Linux does); the memory range, rounded out
    // to pages, lies below the user space end; no byte of memory belongs to two loads.
    // Two loads may share a page (Linux maps the later one over the earlier one there).
    struct Load {
        uint64_t virtual_address;
        uint64_t memory_size;
        uint64_t file_offset;
        uint64_t file_size;
        bool readable;
        bool writable;
        bool executable;
    };

    static constexpr size_t max_loads = 16;
    static constexpr uint64_t page_size = 4096;
    // The first address the Linux personality's user mappings may not reach; where the stack
    // and mmap regions go below it is the personality's business, not the ELF reader's.
    static constexpr uint64_t default_user_space_end = 0x0000'7f00'0000'0000;

    enum class Error { none, too_small, bad_magic, not_64_bit, not_little_endian, bad_version, not_x86_64,
                       not_executable, position_independent, dynamic, bad_program_headers, too_many_loads,
                       no_loads, load_outside_file, file_larger_than_memory, load_outside_user_space,
                       bad_alignment, misaligned_load, loads_overlap, program_headers_not_loaded,
                       entry_not_executable };

    // user_space_end: loads must end at or below it (rounded down to a page). On failure
    // the object keeps what an earlier successful parse() found.
    [[nodiscard]] Error parse(const uint8_t *image, size_t size, uint64_t user_space_end = default_user_space_end);

    uint64_t entry() const { return entry_; }                              // AT_ENTRY
    uint64_t program_headers_address() const { return program_headers_; }  // AT_PHDR
    uint64_t program_header_size() const { return program_header_size_; }  // AT_PHENT
    uint64_t program_header_count() const { return program_header_count_; }  // AT_PHNUM
    // PT_GNU_STACK with PF_X. Without PT_GNU_STACK the stack is not executable either: a
    // 64-bit process on x86-64 Linux gets an executable stack only when asked for one.
    bool executable_stack() const { return executable_stack_; }
    // The first page above every load: where the program break starts.
    uint64_t break_start() const { return break_start_; }

    size_t load_count() const { return load_count_; }
    // index < load_count(), in program header order; anything else gets an empty load.
    const Load &load(size_t index) const;

    static const char *describe(Error error);

private:
    Load loads_[max_loads] = {};
    size_t load_count_ = 0;
    uint64_t entry_ = 0;
    uint64_t program_headers_ = 0;
    uint64_t program_header_size_ = 0;
    uint64_t program_header_count_ = 0;
    uint64_t break_start_ = 0;
    bool executable_stack_ = false;
};
