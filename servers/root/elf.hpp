// SPDX-License-Identifier: MIT
// The ELF64 x86-64 loader of the root task: checks an executable (with the kernel's
// Elf_image) and copies its segments into the memory that will back a task.
#ifndef ROOT_ELF_HPP
#define ROOT_ELF_HPP

#include <l4/types.h>

namespace elf {

constexpr unsigned max_segments = 4;

struct Segment {
    L4_Word_t low, high, rights;  // page-aligned range of the task's space
};

// Where a task's image lies in its space, [low, high), segment by segment.
struct Image {
    L4_Word_t low, high;
    Segment segments[max_segments];
    unsigned segment_count;
};

// Checks an ELF64 executable and copies its segments into memory, which stands for
// [low, low + limit) of the task's space; false and a reason when unusable.
bool load(const char *file, L4_Word_t size, char *memory, L4_Word_t limit, Image &image, L4_Word_t &entry,
          const char *&why);

}  // namespace elf

#endif
