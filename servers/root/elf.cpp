// SPDX-License-Identifier: MIT
// Loads ELF64 x86-64 executables for tasks. The file is checked by the kernel's own
// validator (kernel/elf_image.cpp, built into the root task as libl4 builds the kernel's
// formatter), which reads every field against the file's size, then against the task's
// layout here, before a byte is copied: a malformed module is refused with a reason,
// never loaded half.
#include <l4/tern/page.h>
#include <string.h>

#include "elf.hpp"
#include "elf_image.hpp"
#include "layout.hpp"

namespace elf {

namespace {

L4_Word_t page_down(L4_Word_t a)
{
    return a & ~(TERN_PAGE_SIZE - 1);
}

L4_Word_t page_up(L4_Word_t a)
{
    return (a + TERN_PAGE_SIZE - 1) & ~(TERN_PAGE_SIZE - 1);
}

// X.2's rights bits: r 4, w 2, x 1.
L4_Word_t rights_of(const Elf_image::Segment &segment)
{
    return (segment.readable ? 4UL : 0) | (segment.writable ? 2UL : 0) | (segment.executable ? 1UL : 0);
}

}  // namespace

bool load(const char *file, L4_Word_t size, char *memory, L4_Word_t limit, Image &image, L4_Word_t &entry,
          const char *&why)
{
    Elf_image elf;
    Elf_image::Error error = elf.parse(reinterpret_cast<const uint8_t *>(file), size,
                                       layout::task_stack_top - layout::task_stack);
    if (error != Elf_image::Error::none) {
        why = Elf_image::describe(error);
        return false;
    }
    if (elf.segment_count() > max_segments) {
        why = "more than 4 loadable segments";
        return false;
    }
    L4_Word_t low = ~0UL, high = 0;
    for (size_t i = 0; i < elf.segment_count(); ++i) {
        const Elf_image::Segment &s = elf.segment(i);
        low = page_down(s.virtual_address) < low ? page_down(s.virtual_address) : low;
        high = page_up(s.virtual_address + s.memory_size) > high ? page_up(s.virtual_address + s.memory_size) : high;
    }
    if (low < TERN_PAGE_SIZE || high - low > limit) {
        why = low < TERN_PAGE_SIZE ? "a segment lies in the first page" : "the image is too big for a task";
        return false;
    }
    memset(memory, 0, high - low);
    image.segment_count = 0;
    for (size_t i = 0; i < elf.segment_count(); ++i) {
        const Elf_image::Segment &s = elf.segment(i);
        memcpy(memory + (s.virtual_address - low), file + s.file_offset, s.file_size);
        image.segments[image.segment_count++] = {page_down(s.virtual_address),
                                                 page_up(s.virtual_address + s.memory_size), rights_of(s)};
    }
    image.low = low;
    image.high = high;
    entry = elf.entry();
    return true;
}

}  // namespace elf
