// SPDX-License-Identifier: MIT
// libl4: the kernel interface page (KIP) and its accessors. The structure has X.2's field
// names at the word offsets of the ABI's [kip] section (checked below); the accessors read
// the words at those offsets. Descriptor pointers in the KIP (KernelVerPtr, ProcDescPtr,
// MemoryInfo.MemDescPtr) are offsets from the KIP base.
#ifndef L4_KIP_H
#define L4_KIP_H

#include <stddef.h>
#include <l4/types.h>
#include <l4/amd64/syscalls.h>
#include "abi.h"

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t __padding : 16;
        L4_Word_t subid : 8;
        L4_Word_t id : 8;
        L4_Word_t __pad32 : 32;
    } x;
} L4_KernelId_t;

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t __padding : 16;
        L4_Word_t subversion : 8;
        L4_Word_t version : 8;
        L4_Word_t __pad32 : 32;
    } x;
} L4_ApiVersion_t;

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t ee : 2;
        L4_Word_t ww : 2;
        L4_Word_t __padding : 60;
    } x;
} L4_ApiFlags_t;

typedef struct {
    L4_Word_t n : 32;
    L4_Word_t MemDescPtr : 32;
} L4_MemoryInfo_t;

typedef struct {
    L4_Word_t magic;
    L4_ApiVersion_t ApiVersion;
    L4_ApiFlags_t ApiFlags;
    L4_Word_t KernelVerPtr;
    // Kernel debugger, sigma0, sigma1 and root server (sp, ip, low, high each): see <l4/kcp.h>.
    L4_Word_t __padding10[17];
    L4_MemoryInfo_t MemoryInfo;
    L4_Word_t __padding58[2];
    struct {
        L4_Word_t low;
        L4_Word_t high;
    } MainMem;
    struct {
        L4_Word_t low;
        L4_Word_t high;
    } ReservedMem[2];
    struct {
        L4_Word_t low;
        L4_Word_t high;
    } DedicatedMem[5];
    L4_Word_t __paddingA0[2];
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t m : 10;
            L4_Word_t a : 6;
            L4_Word_t s : 6;
            L4_Word_t __padding : 42;
        } X;
    } UtcbAreaInfo;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t s : 6;
            L4_Word_t __padding : 58;
        } X;
    } KipAreaInfo;
    L4_Word_t __paddingB0[2];
    L4_Word_t BootInfo;
    L4_Word_t ProcDescPtr;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t ReadPrecision : 16;
            L4_Word_t SchedulePrecision : 16;
            L4_Word_t __pad32 : 32;
        } X;
    } ClockInfo;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t t : 8;
            L4_Word_t SystemBase : 12;
            L4_Word_t UserBase : 12;
            L4_Word_t __pad32 : 32;
        } X;
    } ThreadInfo;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t rwx : 3;
            L4_Word_t __padding : 7;
            L4_Word_t page_size_mask : 54;
        } X;
    } PageInfo;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t processors : 16;
            L4_Word_t __pading : 44;
            L4_Word_t s : 4;
        } X;
    } ProcessorInfo;
    // System-call links: offsets of the entry stubs from the KIP base.
    L4_Word_t SpaceControl;
    L4_Word_t ThreadControl;
    L4_Word_t ProcessorControl;
    L4_Word_t MemoryControl;
    L4_Word_t Ipc;
    L4_Word_t Lipc;
    L4_Word_t Unmap;
    L4_Word_t ExchangeRegisters;
    L4_Word_t SystemClock;
    L4_Word_t ThreadSwitch;
    L4_Word_t Schedule;
    L4_Word_t __paddingF0;
    L4_Word_t __padding100[4];
    L4_Word_t ArchSyscall0;
    L4_Word_t ArchSyscall1;
    L4_Word_t ArchSyscall2;
    L4_Word_t ArchSyscall3;
} L4_KernelInterfacePage_t;

// The structure must match the binary layout of the ABI file.
#define __L4_KIP_CHECK(field, offset) \
    typedef char __l4_kip_check_##field[offsetof(L4_KernelInterfacePage_t, field) == (offset) ? 1 : -1]
__L4_KIP_CHECK(ApiVersion, TERN_KIP_API_VERSION);
__L4_KIP_CHECK(ApiFlags, TERN_KIP_API_FLAGS);
__L4_KIP_CHECK(KernelVerPtr, TERN_KIP_KERNEL_DESCRIPTION);
__L4_KIP_CHECK(MemoryInfo, TERN_KIP_MEMORY_INFO);
__L4_KIP_CHECK(MainMem, TERN_KIP_MAIN_MEMORY_LOW);
__L4_KIP_CHECK(UtcbAreaInfo, TERN_KIP_UTCB_AREA_INFO);
__L4_KIP_CHECK(KipAreaInfo, TERN_KIP_KIP_AREA_INFO);
__L4_KIP_CHECK(BootInfo, TERN_KIP_BOOT_INFO);
__L4_KIP_CHECK(ProcDescPtr, TERN_KIP_PROCESSOR_DESCRIPTOR);
__L4_KIP_CHECK(ClockInfo, TERN_KIP_CLOCK_INFO);
__L4_KIP_CHECK(ThreadInfo, TERN_KIP_THREAD_INFO);
__L4_KIP_CHECK(PageInfo, TERN_KIP_PAGE_INFO);
__L4_KIP_CHECK(ProcessorInfo, TERN_KIP_PROCESSOR_INFO);
__L4_KIP_CHECK(SpaceControl, TERN_KIP_LINK_SPACE_CONTROL);
__L4_KIP_CHECK(ThreadControl, TERN_KIP_LINK_THREAD_CONTROL);
__L4_KIP_CHECK(ProcessorControl, TERN_KIP_LINK_PROCESSOR_CONTROL);
__L4_KIP_CHECK(MemoryControl, TERN_KIP_LINK_MEMORY_CONTROL);
__L4_KIP_CHECK(Ipc, TERN_KIP_LINK_IPC);
__L4_KIP_CHECK(Lipc, TERN_KIP_LINK_LIPC);
__L4_KIP_CHECK(Unmap, TERN_KIP_LINK_UNMAP);
__L4_KIP_CHECK(ExchangeRegisters, TERN_KIP_LINK_EXCHANGE_REGISTERS);
__L4_KIP_CHECK(SystemClock, TERN_KIP_LINK_SYSTEM_CLOCK);
__L4_KIP_CHECK(ThreadSwitch, TERN_KIP_LINK_THREAD_SWITCH);
__L4_KIP_CHECK(Schedule, TERN_KIP_LINK_SCHEDULE);
__L4_KIP_CHECK(ArchSyscall0, TERN_KIP_LINK_ARCH0);
__L4_KIP_CHECK(ArchSyscall1, TERN_KIP_LINK_ARCH1);
__L4_KIP_CHECK(ArchSyscall2, TERN_KIP_LINK_ARCH2);
__L4_KIP_CHECK(ArchSyscall3, TERN_KIP_LINK_ARCH3);
#undef __L4_KIP_CHECK

typedef union {
    L4_Word_t raw[4];
    struct {
        L4_Word_t ExternalFreq;
        L4_Word_t InternalFreq;
        L4_Word_t __padding[2];
    } X;
} L4_ProcDesc_t;

// The kernel description KernelVerPtr points at; the version string follows it, then the
// feature strings, each NUL-terminated, the list ended by an empty string.
typedef struct {
    L4_KernelId_t KernelId;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t day : 5;
            L4_Word_t month : 4;
            L4_Word_t year : 7;
            L4_Word_t __padding : 48;
        } X;
    } KernelGenDate;
    union {
        L4_Word_t raw;
        struct {
            L4_Word_t subsubver : 16;
            L4_Word_t subver : 8;
            L4_Word_t ver : 8;
            L4_Word_t __pad32 : 32;
        } X;
    } KernelVer;
    L4_Word_t Supplier;
#if defined(__cplusplus)
    __extension__ char VersionString[];
#else
    char VersionString[];
#endif
} L4_KernelDesc_t;

#ifndef L4_MAGIC
# define L4_MAGIC (('K' << 24) + (230 << 16) + ('4' << 8) + 'L')
#endif

#define L4_APIVERSION_2 (0x02)
#define L4_APIVERSION_4 (0x04)
#define L4_APIVERSION_X0 (0x83)
#define L4_APIVERSION_X1 (0x83)
#define L4_APIVERSION_X2 (0x84)
#define L4_APIVERSION_L4SEC (0x85)
#define L4_APIVERSION_N1 (0x86)
#define L4_APISUBVERSION_X0 (0x80)
#define L4_APISUBVERSION_X1 (0x81)
#define L4_APIVERSION_OKL (0xA0)

#define L4_APIFLAG_LE (0x00)
#define L4_APIFLAG_BE (0x01)
#define L4_APIFLAG_32BIT (0x00)
#define L4_APIFLAG_64BIT (0x01)

#define L4_KID_L4_486 ((0 << 8) + 1)
#define L4_KID_L4_PENTIUM ((0 << 8) + 2)
#define L4_KID_L4_X86 ((0 << 8) + 3)
#define L4_KID_L4_MIPS ((1 << 8) + 1)
#define L4_KID_L4_ALPHA ((2 << 8) + 1)
#define L4_KID_FIASCO ((3 << 8) + 1)
#define L4_KID_L4KA_HAZELNUT ((4 << 8) + 1)
#define L4_KID_L4KA_PISTACHIO ((4 << 8) + 2)
#define L4_KID_L4KA_STRAWBERRY ((4 << 8) + 3)
#define L4_KID_NICTA_PISTACHIO ((5 << 8) + 1)
#define L4_KID_TERN ((TERN_KERNEL_ID << 8) + TERN_KERNEL_SUBID)

#define L4_SUPL_GMD ((' ' << 24) + ('D' << 16) + ('M' << 8) + 'G')
#define L4_SUPL_IBM ((' ' << 24) + ('M' << 16) + ('B' << 8) + 'I')
#define L4_SUPL_UNSW (('W' << 24) + ('S' << 16) + ('N' << 8) + 'U')
#define L4_SUPL_UKA ((' ' << 24) + ('a' << 16) + ('K' << 8) + 'U')
#define L4_SUPL_NICTA (('T' << 24) + ('C' << 16) + ('I' << 8) + 'N')

/*
 * Accessors
 */

L4_INLINE L4_Word_t __L4_Kip_Word(const void *KernelInterface, L4_Word_t byte_offset)
{
    return *__L4_RCAST(const L4_Word_t *, __L4_RCAST(L4_Word_t, KernelInterface) + byte_offset);
}

// The KIP address (cached; no kernel entry after the first).
L4_INLINE void *L4_GetKernelInterface(void)
{
    return __L4_RCAST(void *, __tern_kip_base());
}

#if defined(__cplusplus)
L4_INLINE void *L4_KernelInterface(void)
{
    return L4_GetKernelInterface();
}
#endif

L4_INLINE L4_Word_t L4_ApiVersion(void)
{
    L4_Word_t version, flags, id;
    (void)L4_KernelInterface(&version, &flags, &id);
    return version;
}

L4_INLINE L4_Word_t L4_ApiFlags(void)
{
    L4_Word_t version, flags, id;
    (void)L4_KernelInterface(&version, &flags, &id);
    return flags;
}

L4_INLINE L4_Word_t L4_KernelId(void)
{
    L4_Word_t version, flags, id;
    (void)L4_KernelInterface(&version, &flags, &id);
    return id;
}

L4_INLINE const L4_Word_t *__L4_Kernel_Description(void *KernelInterface)
{
    return __L4_RCAST(const L4_Word_t *, __L4_RCAST(L4_Word_t, KernelInterface) +
                                             __L4_Kip_Word(KernelInterface, TERN_KIP_KERNEL_DESCRIPTION));
}

L4_INLINE void L4_KernelGenDate(void *KernelInterface, L4_Word_t *year, L4_Word_t *month, L4_Word_t *day)
{
    L4_Word_t date = __L4_Kernel_Description(KernelInterface)[1];
    *year = ((date >> 9) & 0x7f) + 2000;
    *month = (date >> 5) & 0xf;
    *day = date & 0x1f;
}

L4_INLINE L4_Word_t L4_KernelVersion(void *KernelInterface)
{
    return __L4_Kernel_Description(KernelInterface)[2];
}

L4_INLINE L4_Word_t L4_KernelSupplier(void *KernelInterface)
{
    return __L4_Kernel_Description(KernelInterface)[3];
}

L4_INLINE L4_Word_t L4_NumProcessors(void *KernelInterface)
{
    return (__L4_Kip_Word(KernelInterface, TERN_KIP_PROCESSOR_INFO) & 0xffff) + 1;
}

L4_INLINE L4_Word_t L4_NumMemoryDescriptors(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_MEMORY_INFO) & 0xffffffffUL;
}

L4_INLINE L4_Word_t L4_PageSizeMask(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_PAGE_INFO) & ~0x3ffUL;
}

L4_INLINE L4_Word_t L4_PageRights(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_PAGE_INFO) & 0x7;
}

L4_INLINE L4_Word_t L4_ThreadIdBits(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_THREAD_INFO) & 0xff;
}

L4_INLINE L4_Word_t L4_ThreadIdSystemBase(void *KernelInterface)
{
    return (__L4_Kip_Word(KernelInterface, TERN_KIP_THREAD_INFO) >> 8) & 0xfff;
}

L4_INLINE L4_Word_t L4_ThreadIdUserBase(void *KernelInterface)
{
    return (__L4_Kip_Word(KernelInterface, TERN_KIP_THREAD_INFO) >> 20) & 0xfff;
}

L4_INLINE L4_Word_t L4_ReadPrecision(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_CLOCK_INFO) & 0xffff;
}

L4_INLINE L4_Word_t L4_SchedulePrecision(void *KernelInterface)
{
    return (__L4_Kip_Word(KernelInterface, TERN_KIP_CLOCK_INFO) >> 16) & 0xffff;
}

L4_INLINE L4_Word_t L4_UtcbAreaSizeLog2(void *KernelInterface)
{
    return (__L4_Kip_Word(KernelInterface, TERN_KIP_UTCB_AREA_INFO) >> 16) & 0x3f;
}

L4_INLINE L4_Word_t L4_UtcbAreaSize(void *KernelInterface)
{
    return 1UL << L4_UtcbAreaSizeLog2(KernelInterface);
}

L4_INLINE L4_Word_t L4_UtcbAlignmentLog2(void *KernelInterface)
{
    return (__L4_Kip_Word(KernelInterface, TERN_KIP_UTCB_AREA_INFO) >> 10) & 0x3f;
}

// UTCB size = m * 2^a.
L4_INLINE L4_Word_t L4_UtcbSize(void *KernelInterface)
{
    L4_Word_t info = __L4_Kip_Word(KernelInterface, TERN_KIP_UTCB_AREA_INFO);
    return (1UL << ((info >> 10) & 0x3f)) * (info & 0x3ff);
}

L4_INLINE L4_Word_t L4_KipAreaSizeLog2(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_KIP_AREA_INFO) & 0x3f;
}

L4_INLINE L4_Word_t L4_KipAreaSize(void *KernelInterface)
{
    return 1UL << L4_KipAreaSizeLog2(KernelInterface);
}

L4_INLINE L4_Word_t L4_BootInfo(void *KernelInterface)
{
    return __L4_Kip_Word(KernelInterface, TERN_KIP_BOOT_INFO);
}

L4_INLINE char *L4_KernelVersionString(void *KernelInterface)
{
    return __L4_RCAST(char *, __L4_RCAST(L4_Word_t, __L4_Kernel_Description(KernelInterface) + 4));
}

// Feature string num (from 0), or 0 when there are fewer features.
L4_INLINE char *L4_Feature(void *KernelInterface, L4_Word_t num)
{
    char *s = L4_KernelVersionString(KernelInterface);
    while (*s != '\0')
        ++s;
    ++s;
    for (;;) {
        if (*s == '\0')
            return 0;
        if (num == 0)
            return s;
        while (*s != '\0')
            ++s;
        ++s;
        --num;
    }
}

// Whether the kernel lists feature_name among its features.
L4_INLINE L4_Bool_t L4_HasFeature(const char *feature_name)
{
    void *kip = L4_GetKernelInterface();
    const char *name;
    L4_Word_t i;
    for (i = 0; (name = L4_Feature(kip, i)) != 0; ++i) {
        const char *a = name;
        const char *b = feature_name;
        while (*a != '\0' && *a == *b) {
            ++a;
            ++b;
        }
        if (*a == *b)
            return 1;
    }
    return 0;
}

/*
 * Memory descriptors: word 0 low 63..10 | v 9 | 0 8 | t 7..4 | type 3..0,
 * word 1 high 63..10 (the last byte of the region is high + 0x3ff).
 */

typedef union {
    L4_Word_t raw[2];
    struct {
        L4_Word_t type : 4;
        L4_Word_t t : 4;
        L4_Word_t __padding1 : 1;
        L4_Word_t v : 1;
        L4_Word_t low : 54;
        L4_Word_t __padding2 : 10;
        L4_Word_t high : 54;
    } x;
} L4_MemoryDesc_t;

#define L4_UndefinedMemoryType (0x0)
#define L4_ConventionalMemoryType (0x1)
#define L4_ReservedMemoryType (0x2)
#define L4_DedicatedMemoryType (0x3)
#define L4_SharedMemoryType (0x4)
#define L4_BootLoaderSpecificMemoryType (0xe)
#define L4_ArchitectureSpecificMemoryType (0xf)

// Descriptor num, or 0 when num is not below L4_NumMemoryDescriptors.
L4_INLINE L4_MemoryDesc_t *L4_MemoryDesc(void *KernelInterface, L4_Word_t num)
{
    L4_Word_t info = __L4_Kip_Word(KernelInterface, TERN_KIP_MEMORY_INFO);
    if (num >= (info & 0xffffffffUL))
        return 0;
    return __L4_RCAST(L4_MemoryDesc_t *, __L4_RCAST(L4_Word_t, KernelInterface) + (info >> 32)) + num;
}

L4_INLINE L4_Bool_t L4_IsMemoryDescVirtual(L4_MemoryDesc_t *m)
{
    return (m->raw[0] >> 9) & 1;
}

// Types 0xe and 0xf carry a subtype in t: the result is then type + (t << 4).
L4_INLINE L4_Word_t L4_MemoryDescType(L4_MemoryDesc_t *m)
{
    L4_Word_t type = m->raw[0] & 0xf;
    return type >= 0xe ? type + (m->raw[0] & 0xf0) : type;
}

L4_INLINE L4_Word_t L4_MemoryDescLow(L4_MemoryDesc_t *m)
{
    return m->raw[0] & ~0x3ffUL;
}

L4_INLINE L4_Word_t L4_MemoryDescHigh(L4_MemoryDesc_t *m)
{
    return (m->raw[1] & ~0x3ffUL) + 0x3ff;
}

#if defined(__cplusplus)
L4_INLINE L4_Bool_t L4_IsVirtual(L4_MemoryDesc_t *m)
{
    return L4_IsMemoryDescVirtual(m);
}

L4_INLINE L4_Word_t L4_Type(L4_MemoryDesc_t *m)
{
    return L4_MemoryDescType(m);
}

L4_INLINE L4_Word_t L4_Low(L4_MemoryDesc_t *m)
{
    return L4_MemoryDescLow(m);
}

L4_INLINE L4_Word_t L4_High(L4_MemoryDesc_t *m)
{
    return L4_MemoryDescHigh(m);
}
#endif

// Processor descriptor cpu (from 0), or 0 beyond the last processor. Descriptors are
// 2^ProcessorInfo.s bytes apart.
L4_INLINE L4_ProcDesc_t *L4_ProcDesc(void *KernelInterface, L4_Word_t cpu)
{
    L4_Word_t info = __L4_Kip_Word(KernelInterface, TERN_KIP_PROCESSOR_INFO);
    if (cpu > (info & 0xffff))
        return 0;
    return __L4_RCAST(L4_ProcDesc_t *, __L4_RCAST(L4_Word_t, KernelInterface) +
                                           __L4_Kip_Word(KernelInterface, TERN_KIP_PROCESSOR_DESCRIPTOR) +
                                           (cpu << (info >> 60)));
}

L4_INLINE L4_Word_t L4_ProcDescExternalFreq(L4_ProcDesc_t *p)
{
    return p->raw[0];
}

L4_INLINE L4_Word_t L4_ProcDescInternalFreq(L4_ProcDesc_t *p)
{
    return p->raw[1];
}

#if defined(__cplusplus)
L4_INLINE L4_Word_t L4_ExternalFreq(L4_ProcDesc_t *p)
{
    return L4_ProcDescExternalFreq(p);
}

L4_INLINE L4_Word_t L4_InternalFreq(L4_ProcDesc_t *p)
{
    return L4_ProcDescInternalFreq(p);
}
#endif

#endif
