// SPDX-License-Identifier: MIT
// Loads ELF64 x86-64 executables for tasks. Every field is checked against the file's
// size and the task's layout before a byte is copied, so a malformed module is refused
// with a reason, never loaded half.
#include <l4/tern/page.h>
#include <string.h>

#include "elf.hpp"
#include "layout.hpp"

namespace elf {

namespace {

constexpr unsigned pt_load = 1;

struct Elf_header {
    unsigned char ident[16];
    unsigned short type, machine;
    unsigned int version;
    L4_Word_t entry, phoff, shoff;
    unsigned int flags;
    unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct Program_header {
    unsigned int type, flags;
    L4_Word_t offset, vaddr, paddr, filesz, memsz, align;
};

L4_Word_t page_down(L4_Word_t a)
{
    return a & ~(TERN_PAGE_SIZE - 1);
}

L4_Word_t page_up(L4_Word_t a)
{
    return (a + TERN_PAGE_SIZE - 1) & ~(TERN_PAGE_SIZE - 1);
}

}  // namespace

bool load(const char *file, L4_Word_t size, char *memory, L4_Word_t limit, Image &image, L4_Word_t &entry,
          const char *&why)
{
    static const unsigned char elf64_little_endian[6] = {0x7f, 'E', 'L', 'F', 2, 1};
    const auto *header = reinterpret_cast<const Elf_header *>(file);
    if (size < sizeof *header || memcmp(header->ident, elf64_little_endian, sizeof elf64_little_endian) != 0) {
        why = "not an ELF64 little-endian file";
        return false;
    }
    if (header->type != 2 || header->machine != 62) {
        why = "not an x86-64 executable";
        return false;
    }
    if (header->phentsize != sizeof(Program_header) || header->phnum == 0 || header->phnum > 16 ||
        header->phoff > size || size - header->phoff < L4_Word_t{header->phnum} * sizeof(Program_header)) {
        why = "program headers outside the file";
        return false;
    }
    const auto *ph = reinterpret_cast<const Program_header *>(file + header->phoff);
    L4_Word_t low = ~0UL, high = 0;
    unsigned loads = 0;
    for (unsigned i = 0; i < header->phnum; ++i) {
        if (ph[i].type != pt_load)
            continue;
        if (++loads > max_segments || ph[i].filesz > ph[i].memsz || ph[i].offset > size ||
            size - ph[i].offset < ph[i].filesz || ph[i].vaddr < TERN_PAGE_SIZE || ph[i].memsz > limit ||
            ph[i].vaddr > layout::task_stack_top - layout::task_stack - ph[i].memsz) {
            why = "a segment lies outside the file or the task's space, or too many segments";
            return false;
        }
        low = page_down(ph[i].vaddr) < low ? page_down(ph[i].vaddr) : low;
        high = page_up(ph[i].vaddr + ph[i].memsz) > high ? page_up(ph[i].vaddr + ph[i].memsz) : high;
    }
    if (loads == 0 || high - low > limit) {
        why = loads == 0 ? "nothing to load" : "the image is too big for a task";
        return false;
    }
    if (header->entry < low || header->entry >= high) {
        why = "the entry point is outside the image";
        return false;
    }
    memset(memory, 0, high - low);
    image.segment_count = 0;
    for (unsigned i = 0; i < header->phnum; ++i) {
        if (ph[i].type != pt_load)
            continue;
        memcpy(memory + (ph[i].vaddr - low), file + ph[i].offset, ph[i].filesz);
        Segment &s = image.segments[image.segment_count++];
        s.low = page_down(ph[i].vaddr);
        s.high = page_up(ph[i].vaddr + ph[i].memsz);
        s.rights = ph[i].flags & 7;  // ELF's X 1, W 2, R 4 are X.2's x, w, r bits
    }
    image.low = low;
    image.high = high;
    entry = header->entry;
    return true;
}

}  // namespace elf
