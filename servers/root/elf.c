/* SPDX-License-Identifier: MIT */
/* Loads ELF64 x86-64 executables for tasks. Every field is checked against the file's
 * size and the task's layout before a byte is copied, so a malformed module is refused
 * with a reason, never loaded half. */
#include "root.h"

#define PAGE_SIZE 4096UL
#define PT_LOAD 1

struct elf_header {
    unsigned char ident[16];
    unsigned short type, machine;
    unsigned int version;
    L4_Word_t entry, phoff, shoff;
    unsigned int flags;
    unsigned short ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct program_header {
    unsigned int type, flags;
    L4_Word_t offset, vaddr, paddr, filesz, memsz, align;
};

static L4_Word_t page_down(L4_Word_t a) { return a & ~(PAGE_SIZE - 1); }
static L4_Word_t page_up(L4_Word_t a) { return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

int elf_load(const char *file, L4_Word_t size, char *memory, L4_Word_t limit, struct task *task, L4_Word_t *entry,
             const char **why)
{
    const struct elf_header *header = (const struct elf_header *)file;
    if (size < sizeof *header || header->ident[0] != 0x7f || header->ident[1] != 'E' || header->ident[2] != 'L' ||
        header->ident[3] != 'F' || header->ident[4] != 2 || header->ident[5] != 1) {
        *why = "not an ELF64 little-endian file";
        return 0;
    }
    if (header->type != 2 || header->machine != 62) {
        *why = "not an x86-64 executable";
        return 0;
    }
    if (header->phentsize != sizeof(struct program_header) || header->phnum == 0 || header->phnum > 16 ||
        header->phoff > size || size - header->phoff < (L4_Word_t)header->phnum * sizeof(struct program_header)) {
        *why = "program headers outside the file";
        return 0;
    }
    const struct program_header *ph = (const struct program_header *)(file + header->phoff);
    L4_Word_t low = ~0UL, high = 0;
    unsigned loads = 0;
    for (unsigned i = 0; i < header->phnum; ++i) {
        if (ph[i].type != PT_LOAD)
            continue;
        if (++loads > MAX_SEGMENTS || ph[i].filesz > ph[i].memsz || ph[i].offset > size ||
            size - ph[i].offset < ph[i].filesz || ph[i].vaddr < PAGE_SIZE || ph[i].memsz > limit ||
            ph[i].vaddr > TASK_STACK_TOP - TASK_STACK - ph[i].memsz) {
            *why = "a segment lies outside the file or the task's space, or too many segments";
            return 0;
        }
        low = page_down(ph[i].vaddr) < low ? page_down(ph[i].vaddr) : low;
        high = page_up(ph[i].vaddr + ph[i].memsz) > high ? page_up(ph[i].vaddr + ph[i].memsz) : high;
    }
    if (loads == 0 || high - low > limit) {
        *why = loads == 0 ? "nothing to load" : "the image is too big for a task";
        return 0;
    }
    if (header->entry < low || header->entry >= high) {
        *why = "the entry point is outside the image";
        return 0;
    }
    for (L4_Word_t i = 0; i < high - low; ++i)
        memory[i] = 0;
    task->segment_count = 0;
    for (unsigned i = 0; i < header->phnum; ++i) {
        if (ph[i].type != PT_LOAD)
            continue;
        for (L4_Word_t b = 0; b < ph[i].filesz; ++b)
            memory[ph[i].vaddr - low + b] = file[ph[i].offset + b];
        struct segment *s = &task->segments[task->segment_count++];
        s->low = page_down(ph[i].vaddr);
        s->high = page_up(ph[i].vaddr + ph[i].memsz);
        s->rights = ph[i].flags & 7; /* ELF's X 1, W 2, R 4 are X.2's x, w, r bits */
    }
    task->image_low = low;
    task->image_high = high;
    *entry = header->entry;
    return 1;
}
