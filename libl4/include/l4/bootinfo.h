// SPDX-License-Identifier: MIT
// libl4: the generic L4 boot information (types and accessors only). The KIP's BootInfo
// word holds its address; records follow one another at offset_next.
#ifndef L4_BOOTINFO_H
#define L4_BOOTINFO_H

#include <l4/types.h>

#define L4_BOOTINFO_MAGIC (0x14b0021dUL)
#define L4_BOOTINFO_VERSION 1

#define L4_BootInfo_Module 0x0001
#define L4_BootInfo_SimpleExec 0x0002
#define L4_BootInfo_EFITables 0x0101
#define L4_BootInfo_Multiboot 0x0102

// Pointer to the record offset bytes after base (const is not kept, as in X.2).
#define __L4_BOOT_AT(type, base, offset) __L4_RCAST(type *, __L4_RCAST(L4_Word_t, base) + (offset))

typedef struct {
    L4_Word_t type;
    L4_Word_t version;
    L4_Word_t offset_next;
} L4_BootRec_t;

L4_INLINE L4_Word_t L4_BootRec_Type(const L4_BootRec_t *r)
{
    return r->type;
}

L4_INLINE L4_BootRec_t *L4_BootRec_Next(const L4_BootRec_t *r)
{
    return __L4_BOOT_AT(L4_BootRec_t, r, r->offset_next);
}

#if defined(__cplusplus)
L4_INLINE L4_Word_t L4_Type(const L4_BootRec_t *r)
{
    return L4_BootRec_Type(r);
}

L4_INLINE L4_BootRec_t *L4_Next(const L4_BootRec_t *r)
{
    return L4_BootRec_Next(r);
}
#endif

// A module (a file the boot loader placed in memory).
typedef struct {
    L4_Word_t type;
    L4_Word_t version;
    L4_Word_t offset_next;
    L4_Word_t start;
    L4_Word_t size;
    L4_Word_t cmdline_offset;
} L4_Boot_Module_t;

L4_INLINE L4_Word_t L4_Module_Start(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_Module_t, ptr, 0)->start;
}

L4_INLINE L4_Word_t L4_Module_Size(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_Module_t, ptr, 0)->size;
}

L4_INLINE char *L4_Module_Cmdline(const L4_BootRec_t *ptr)
{
    L4_Word_t offset = __L4_BOOT_AT(L4_Boot_Module_t, ptr, 0)->cmdline_offset;
    return offset != 0 ? __L4_BOOT_AT(char, ptr, offset) : 0;
}

// An executable the boot loader loaded and relocated.
typedef struct {
    L4_Word_t type;
    L4_Word_t version;
    L4_Word_t offset_next;
    L4_Word_t text_pstart;
    L4_Word_t text_vstart;
    L4_Word_t text_size;
    L4_Word_t data_pstart;
    L4_Word_t data_vstart;
    L4_Word_t data_size;
    L4_Word_t bss_pstart;
    L4_Word_t bss_vstart;
    L4_Word_t bss_size;
    L4_Word_t initial_ip;
    L4_Word_t flags;
    L4_Word_t label;
    L4_Word_t cmdline_offset;
} L4_Boot_SimpleExec_t;

#define __L4_SIMPLE_EXEC(ptr) __L4_BOOT_AT(L4_Boot_SimpleExec_t, ptr, 0)

L4_INLINE L4_Word_t L4_SimpleExec_TextVstart(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->text_vstart;
}

L4_INLINE L4_Word_t L4_SimpleExec_TextPstart(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->text_pstart;
}

L4_INLINE L4_Word_t L4_SimpleExec_TextSize(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->text_size;
}

L4_INLINE L4_Word_t L4_SimpleExec_DataVstart(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->data_vstart;
}

L4_INLINE L4_Word_t L4_SimpleExec_DataPstart(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->data_pstart;
}

L4_INLINE L4_Word_t L4_SimpleExec_DataSize(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->data_size;
}

L4_INLINE L4_Word_t L4_SimpleExec_BssVstart(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->bss_vstart;
}

L4_INLINE L4_Word_t L4_SimpleExec_BssPstart(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->bss_pstart;
}

L4_INLINE L4_Word_t L4_SimpleExec_BssSize(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->bss_size;
}

L4_INLINE L4_Word_t L4_SimpleExec_InitialIP(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->initial_ip;
}

L4_INLINE L4_Word_t L4_SimpleExec_Flags(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->flags;
}

L4_INLINE void L4_SimpleExec_Set_Flags(const L4_BootRec_t *ptr, L4_Word_t w)
{
    __L4_SIMPLE_EXEC(ptr)->flags = w;
}

L4_INLINE L4_Word_t L4_SimpleExec_Label(const L4_BootRec_t *ptr)
{
    return __L4_SIMPLE_EXEC(ptr)->label;
}

L4_INLINE void L4_SimpleExec_Set_Label(const L4_BootRec_t *ptr, L4_Word_t w)
{
    __L4_SIMPLE_EXEC(ptr)->label = w;
}

L4_INLINE char *L4_SimpleExec_Cmdline(const L4_BootRec_t *ptr)
{
    L4_Word_t offset = __L4_SIMPLE_EXEC(ptr)->cmdline_offset;
    return offset != 0 ? __L4_BOOT_AT(char, ptr, offset) : 0;
}

// Location of the EFI tables.
typedef struct {
    L4_Word_t type;
    L4_Word_t version;
    L4_Word_t offset_next;
    L4_Word_t systab;
    L4_Word_t memmap;
    L4_Word_t memmap_size;
    L4_Word_t memdesc_size;
    L4_Word_t memdesc_version;
} L4_Boot_EFI_t;

L4_INLINE L4_Word_t L4_EFI_Systab(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_EFI_t, ptr, 0)->systab;
}

L4_INLINE L4_Word_t L4_EFI_Memmap(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_EFI_t, ptr, 0)->memmap;
}

L4_INLINE L4_Word_t L4_EFI_MemmapSize(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_EFI_t, ptr, 0)->memmap_size;
}

L4_INLINE L4_Word_t L4_EFI_MemdescSize(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_EFI_t, ptr, 0)->memdesc_size;
}

L4_INLINE L4_Word_t L4_EFI_MemdescVersion(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_EFI_t, ptr, 0)->memdesc_version;
}

// Location of a multiboot information structure.
typedef struct {
    L4_Word_t type;
    L4_Word_t version;
    L4_Word_t offset_next;
    L4_Word_t address;
} L4_Boot_MBI_t;

L4_INLINE L4_Word_t L4_MBI_Address(const L4_BootRec_t *ptr)
{
    return __L4_BOOT_AT(L4_Boot_MBI_t, ptr, 0)->address;
}

// The boot information header.
typedef struct {
    L4_Word_t magic;
    L4_Word_t version;
    L4_Word_t size;
    L4_Word_t first_entry;
    L4_Word_t num_entries;
    L4_Word_t __reserved[3];
} L4_BootInfo_t;

L4_INLINE L4_Bool_t L4_BootInfo_Valid(const void *ptr)
{
    const L4_BootInfo_t *b = __L4_CAST(const L4_BootInfo_t *, ptr);
    return b->magic == L4_BOOTINFO_MAGIC && b->version == L4_BOOTINFO_VERSION;
}

L4_INLINE L4_Word_t L4_BootInfo_Size(const void *ptr)
{
    return __L4_CAST(const L4_BootInfo_t *, ptr)->size;
}

L4_INLINE L4_BootRec_t *L4_BootInfo_FirstEntry(const void *ptr)
{
    return __L4_BOOT_AT(L4_BootRec_t, ptr, __L4_CAST(const L4_BootInfo_t *, ptr)->first_entry);
}

L4_INLINE L4_Word_t L4_BootInfo_Entries(const void *ptr)
{
    return __L4_CAST(const L4_BootInfo_t *, ptr)->num_entries;
}

#endif
