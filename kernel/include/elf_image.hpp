// SPDX-License-Identifier: MIT
// Validation of an ELF64 executable boot module (sigma0, the root task) before the kernel
// builds an address space from it.
//
// Every field of the image is untrusted: parse() reads it byte by byte (no alignment is
// assumed), checks all offsets and sizes with overflow-safe arithmetic, and either accepts
// the image with a list of loadable segments that the loader may use without further checks,
// or names what is wrong with it. It never reads outside [image, image + size).
#pragma once

#include "types.hpp"

class Elf_image {
public:
    // A PT_LOAD segment: the file bytes [file_offset, +file_size) belong at
    // [virtual_address, +file_size), the rest of [virtual_address, +memory_size) is zero.
    // Guaranteed after parse(): file range inside the image, file_size <= memory_size,
    // memory_size > 0, the page-rounded memory range below user_space_end, the memory range
    // disjoint from every other segment's. Two segments may share a page (images linked
    // with ld -N or -n), and virtual_address and file_offset need not be congruent modulo
    // page_size: a loader copies the bytes, it does not map the file's pages.
    struct Segment {
        uint64_t virtual_address;
        uint64_t memory_size;
        uint64_t file_offset;
        uint64_t file_size;
        bool readable;
        bool writable;
        bool executable;
    };

    static constexpr size_t max_segments = 16;

    enum class Error { none, too_small, bad_magic, not_64_bit, not_little_endian, bad_version, not_x86_64,
                       not_executable, bad_program_headers, too_many_segments, no_segments, segment_outside_file,
                       file_larger_than_memory, segment_outside_user_space, segments_overlap, misaligned_segment,
                       entry_not_executable };

    // user_space_end: the first address user mappings may not reach. On failure the object
    // keeps what an earlier successful parse() found.
    [[nodiscard]] Error parse(const uint8_t *image, uint64_t size, uint64_t user_space_end);

    uint64_t entry() const { return entry_; }
    size_t segment_count() const { return segment_count_; }
    // index < segment_count(); anything else gets an empty segment (no rights, no size).
    const Segment &segment(size_t index) const;

    static const char *describe(Error error);

private:
    Segment segments_[max_segments] = {};
    size_t segment_count_ = 0;
    uint64_t entry_ = 0;
};
