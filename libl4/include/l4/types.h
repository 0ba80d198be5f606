// SPDX-License-Identifier: MIT
// libl4: the basic L4 X.2 types (words, fpages, thread ids, clock, time) with X.2's names,
// field names and semantics. The encoding follows the 64-bit X.2 layouts:
//   fpage      base 63..10 | s 9..4 | extended 3 | rwx 2..0
//   global id  thread_no 63..32 | version 31..0
//   local id   UTCB address (bits 5..0 zero)
//   time       16 bits: period a=0 | e 14..10 | m 9..0, point a=1 | e 14..11 | c 10 | m 9..0
// libl4's own code works on .raw with shifts and masks; the bitfield views (.X, .global.X,
// .period, ...) exist because X.2 programs use them (GCC on little-endian x86-64).
#ifndef L4_TYPES_H
#define L4_TYPES_H

// The headers of the target live in l4/amd64/. L4_ARCH_AMD64 is deliberately not defined:
// in Pistachio it selects hand-written code for Pistachio's own amd64 binary interface (and a
// 32-bit compatibility mode), which Tern does not have. Programs that only test it for x86
// features (I/O fpages) may define it themselves; <l4/arch.h> provides those features either way.
#if !defined(__L4_ARCH__)
# define __L4_ARCH__ amd64
#endif
#define L4_ARCH_TERN
#define __L4_INC_ARCH(file) <l4/__L4_ARCH__/file>

#include <l4/amd64/types.h>

#define L4_HAVE_SIGNED_WORD
#define L4_INLINE static inline
#define L4_BITS_PER_WORD (sizeof(L4_Word_t) * 8)

typedef L4_Word_t L4_Bool_t;

// Casts that are old-style in C and named casts in C++ (headers stay -Wold-style-cast clean).
#if defined(__cplusplus)
# define __L4_CAST(type, value) (static_cast<type>(value))
# define __L4_RCAST(type, value) (reinterpret_cast<type>(value))
# define __L4_EXTERN_C extern "C"
#else
# define __L4_CAST(type, value) ((type)(value))
# define __L4_RCAST(type, value) ((type)(value))
# define __L4_EXTERN_C extern
#endif

// Constant values of the union types: compound literals in C, list-initialised temporaries
// in C++ (the first member, raw, is the one initialised), a function in C++98 (which has
// neither, and is the language of Pistachio's own programs).
#if defined(__cplusplus) && __cplusplus >= 201103L
# define __L4_VALUE(type, raw_value) (type{raw_value})
#elif defined(__cplusplus)
template <typename Union, typename Raw> inline Union __L4_Value(Raw Union::*, unsigned long raw_value)
{
    Union value;
    value.raw = static_cast<Raw>(raw_value);
    return value;
}
# define __L4_VALUE(type, raw_value) (__L4_Value(&type::raw, (raw_value)))
#else
# define __L4_VALUE(type, raw_value) ((type){.raw = (raw_value)})
#endif

// X.2's helpers for declaring bitfields in memory order (x86-64 is little-endian).
#define L4_BITFIELD2(t, a, b) t a; t b
#define L4_BITFIELD3(t, a, b, c) t a; t b; t c
#define L4_BITFIELD4(t, a, b, c, d) t a; t b; t c; t d
#define L4_BITFIELD5(t, a, b, c, d, e) t a; t b; t c; t d; t e
#define L4_BITFIELD6(t, a, b, c, d, e, f) t a; t b; t c; t d; t e; t f
#define L4_BITFIELD7(t, a, b, c, d, e, f, g) t a; t b; t c; t d; t e; t f; t g
#define L4_BITFIELD8(t, a, b, c, d, e, f, g, h) t a; t b; t c; t d; t e; t f; t g; t h
#define L4_BITFIELD9(t, a, b, c, d, e, f, g, h, i) t a; t b; t c; t d; t e; t f; t g; t h; t i
#define L4_SHUFFLE2(a, b) a, b
#define L4_SHUFFLE3(a, b, c) a, b, c
#define L4_SHUFFLE4(a, b, c, d) a, b, c, d
#define L4_SHUFFLE5(a, b, c, d, e) a, b, c, d, e
#define L4_SHUFFLE6(a, b, c, d, e, f) a, b, c, d, e, f
#define L4_SHUFFLE7(a, b, c, d, e, f, g) a, b, c, d, e, f, g

// Error codes of the non-IPC system calls (the ErrorCode TCR).
#define L4_ErrOk (0)
#define L4_ErrNoPrivilege (1)
#define L4_ErrInvalidThread (2)
#define L4_ErrInvalidSpace (3)
#define L4_ErrInvalidScheduler (4)
#define L4_ErrInvalidParam (5)
#define L4_ErrUtcbArea (6)
#define L4_ErrKipArea (7)
#define L4_ErrNoMem (8)

#include <l4/amd64/specials.h>

/*
 * Flexpages
 */

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t rwx : 3;
        L4_Word_t extended : 1;
        L4_Word_t s : 6;
        L4_Word_t b : 54;
    } X;
} L4_Fpage_t;

#define __L4_FPAGE_RIGHTS_MASK 0x7UL
#define __L4_FPAGE_EXTENDED 0x8UL
#define __L4_FPAGE_SIZE_SHIFT 4
#define __L4_FPAGE_SIZE_MASK 0x3f0UL
#define __L4_FPAGE_BASE_MASK (~0x3ffUL)

#define L4_Readable (0x04)
#define L4_Writable (0x02)
#define L4_eXecutable (0x01)
#define L4_FullyAccessible (0x07)
#define L4_ReadWriteOnly (0x06)
#define L4_ReadeXecOnly (0x05)
#define L4_NoAccess (0x00)

#define L4_Nilpage __L4_VALUE(L4_Fpage_t, 0UL)
#define L4_CompleteAddressSpace __L4_VALUE(L4_Fpage_t, 1UL << __L4_FPAGE_SIZE_SHIFT)

L4_INLINE L4_Bool_t L4_IsNilFpage(L4_Fpage_t f)
{
    return f.raw == 0;
}

L4_INLINE L4_Word_t L4_Rights(L4_Fpage_t f)
{
    return f.raw & __L4_FPAGE_RIGHTS_MASK;
}

L4_INLINE L4_Fpage_t L4_Set_Rights(L4_Fpage_t *f, L4_Word_t rwx)
{
    f->raw = (f->raw & ~__L4_FPAGE_RIGHTS_MASK) | (rwx & __L4_FPAGE_RIGHTS_MASK);
    return *f;
}

L4_INLINE L4_Fpage_t L4_FpageAddRights(L4_Fpage_t f, L4_Word_t rwx)
{
    f.raw |= rwx & __L4_FPAGE_RIGHTS_MASK;
    return f;
}

L4_INLINE L4_Fpage_t L4_FpageAddRightsTo(L4_Fpage_t *f, L4_Word_t rwx)
{
    f->raw |= rwx & __L4_FPAGE_RIGHTS_MASK;
    return *f;
}

L4_INLINE L4_Fpage_t L4_FpageRemoveRights(L4_Fpage_t f, L4_Word_t rwx)
{
    f.raw &= ~(rwx & __L4_FPAGE_RIGHTS_MASK);
    return f;
}

L4_INLINE L4_Fpage_t L4_FpageRemoveRightsFrom(L4_Fpage_t *f, L4_Word_t rwx)
{
    f->raw &= ~(rwx & __L4_FPAGE_RIGHTS_MASK);
    return *f;
}

#if defined(__cplusplus)
static inline L4_Fpage_t operator+(const L4_Fpage_t &f, L4_Word_t rwx)
{
    return L4_FpageAddRights(f, rwx);
}

static inline L4_Fpage_t operator+=(L4_Fpage_t &f, L4_Word_t rwx)
{
    return L4_FpageAddRightsTo(&f, rwx);
}

static inline L4_Fpage_t operator-(const L4_Fpage_t &f, L4_Word_t rwx)
{
    return L4_FpageRemoveRights(f, rwx);
}

static inline L4_Fpage_t operator-=(L4_Fpage_t &f, L4_Word_t rwx)
{
    return L4_FpageRemoveRightsFrom(&f, rwx);
}
#endif

// An fpage of size 2^SizeLog2 at BaseAddress, no rights. Address bits below bit 10 are not
// part of an fpage's base and are dropped (they would alias the rights and size fields).
L4_INLINE L4_Fpage_t L4_FpageLog2(L4_Word_t BaseAddress, int FpageSize)
{
    L4_Fpage_t fp;
    fp.raw = (BaseAddress & __L4_FPAGE_BASE_MASK) |
             ((__L4_CAST(L4_Word_t, FpageSize) << __L4_FPAGE_SIZE_SHIFT) & __L4_FPAGE_SIZE_MASK);
    return fp;
}

// The smallest fpage of at least FpageSize bytes (sizes are rounded up to a power of two).
L4_INLINE L4_Fpage_t L4_Fpage(L4_Word_t BaseAddress, L4_Word_t FpageSize)
{
    int log2 = 0;
    if (FpageSize > 1) {
        log2 = __L4_Msb(FpageSize);
        if ((1UL << log2) < FpageSize)
            ++log2;
    }
    return L4_FpageLog2(BaseAddress, log2);
}

L4_INLINE L4_Word_t L4_SizeLog2(L4_Fpage_t f)
{
    return (f.raw & __L4_FPAGE_SIZE_MASK) >> __L4_FPAGE_SIZE_SHIFT;
}

L4_INLINE L4_Word_t L4_Size(L4_Fpage_t f)
{
    L4_Word_t log2 = L4_SizeLog2(f);
    return log2 == 0 ? 0 : 1UL << log2;
}

L4_INLINE L4_Word_t L4_Address(L4_Fpage_t f)
{
    return f.raw & __L4_FPAGE_BASE_MASK & ~((1UL << L4_SizeLog2(f)) - 1);
}

/*
 * Thread ids
 */

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t version : 32;
        L4_Word_t thread_no : 32;
    } X;
} L4_GthreadId_t;

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t __zeros : 6;
        L4_Word_t local_id : 58;
    } X;
} L4_LthreadId_t;

typedef union {
    L4_Word_t raw;
    L4_GthreadId_t global;
    L4_LthreadId_t local;
} L4_ThreadId_t;

#define __L4_THREAD_VERSION_MASK 0xffffffffUL
#define __L4_THREAD_NO_SHIFT 32
#define __L4_LOCAL_ID_ZERO_MASK 0x3fUL

#define L4_nilthread __L4_VALUE(L4_ThreadId_t, 0UL)
#define L4_anythread __L4_VALUE(L4_ThreadId_t, ~0UL)
#define L4_anylocalthread __L4_VALUE(L4_ThreadId_t, ~0UL << 6)

L4_INLINE L4_ThreadId_t L4_GlobalId(L4_Word_t threadno, L4_Word_t version)
{
    L4_ThreadId_t t;
    t.raw = ((threadno & 0xffffffffUL) << __L4_THREAD_NO_SHIFT) | (version & __L4_THREAD_VERSION_MASK);
    return t;
}

L4_INLINE L4_Word_t L4_Version(L4_ThreadId_t t)
{
    return t.raw & __L4_THREAD_VERSION_MASK;
}

L4_INLINE L4_Word_t L4_ThreadNo(L4_ThreadId_t t)
{
    return t.raw >> __L4_THREAD_NO_SHIFT;
}

L4_INLINE L4_Bool_t L4_IsThreadEqual(const L4_ThreadId_t l, const L4_ThreadId_t r)
{
    return l.raw == r.raw;
}

L4_INLINE L4_Bool_t L4_IsThreadNotEqual(const L4_ThreadId_t l, const L4_ThreadId_t r)
{
    return l.raw != r.raw;
}

#if defined(__cplusplus)
static inline bool operator==(const L4_ThreadId_t &l, const L4_ThreadId_t &r)
{
    return l.raw == r.raw;
}

static inline bool operator!=(const L4_ThreadId_t &l, const L4_ThreadId_t &r)
{
    return l.raw != r.raw;
}
#endif

L4_INLINE L4_Bool_t L4_IsNilThread(L4_ThreadId_t t)
{
    return t.raw == 0;
}

L4_INLINE L4_Bool_t L4_IsLocalId(L4_ThreadId_t t)
{
    return (t.raw & __L4_LOCAL_ID_ZERO_MASK) == 0;
}

L4_INLINE L4_Bool_t L4_IsGlobalId(L4_ThreadId_t t)
{
    return (t.raw & __L4_LOCAL_ID_ZERO_MASK) != 0;
}

/*
 * Clock (microseconds)
 */

typedef union {
    L4_Word64_t raw;
    struct {
        L4_Word32_t low;
        L4_Word32_t high;
    } X;
} L4_Clock_t;

L4_INLINE L4_Clock_t L4_ClockAddUsec(const L4_Clock_t c, const L4_Word64_t r)
{
    L4_Clock_t result;
    result.raw = c.raw + r;
    return result;
}

L4_INLINE L4_Clock_t L4_ClockSubUsec(const L4_Clock_t c, const L4_Word64_t r)
{
    L4_Clock_t result;
    result.raw = c.raw - r;
    return result;
}

#if defined(__cplusplus)
static inline L4_Clock_t operator+(const L4_Clock_t &l, const int r)
{
    return L4_ClockAddUsec(l, static_cast<L4_Word64_t>(r));
}

static inline L4_Clock_t operator+(const L4_Clock_t &l, const L4_Word64_t r)
{
    return L4_ClockAddUsec(l, r);
}

static inline L4_Clock_t operator+(const L4_Clock_t &l, const L4_Clock_t r)
{
    return L4_ClockAddUsec(l, r.raw);
}

static inline L4_Clock_t operator-(const L4_Clock_t &l, const int r)
{
    return L4_ClockSubUsec(l, static_cast<L4_Word64_t>(r));
}

static inline L4_Clock_t operator-(const L4_Clock_t &l, const L4_Word64_t r)
{
    return L4_ClockSubUsec(l, r);
}

static inline L4_Clock_t operator-(const L4_Clock_t &l, const L4_Clock_t r)
{
    return L4_ClockSubUsec(l, r.raw);
}

static inline bool operator<(const L4_Clock_t &l, const L4_Clock_t &r)
{
    return l.raw < r.raw;
}

static inline bool operator>(const L4_Clock_t &l, const L4_Clock_t &r)
{
    return l.raw > r.raw;
}

static inline bool operator<=(const L4_Clock_t &l, const L4_Clock_t &r)
{
    return l.raw <= r.raw;
}

static inline bool operator>=(const L4_Clock_t &l, const L4_Clock_t &r)
{
    return l.raw >= r.raw;
}

static inline bool operator==(const L4_Clock_t &l, const L4_Clock_t &r)
{
    return l.raw == r.raw;
}

static inline bool operator!=(const L4_Clock_t &l, const L4_Clock_t &r)
{
    return l.raw != r.raw;
}
#endif

L4_INLINE L4_Bool_t L4_IsClockEarlier(const L4_Clock_t l, const L4_Clock_t r)
{
    return l.raw < r.raw;
}

L4_INLINE L4_Bool_t L4_IsClockLater(const L4_Clock_t l, const L4_Clock_t r)
{
    return l.raw > r.raw;
}

L4_INLINE L4_Bool_t L4_IsClockEqual(const L4_Clock_t l, const L4_Clock_t r)
{
    return l.raw == r.raw;
}

L4_INLINE L4_Bool_t L4_IsClockNotEqual(const L4_Clock_t l, const L4_Clock_t r)
{
    return l.raw != r.raw;
}

/*
 * Time values (timeouts): a period is m * 2^e microseconds; m = 0, e = 0 is "never" and
 * m = 0 with any other e is "zero".
 */

typedef union {
    L4_Word16_t raw;
    struct {
        L4_Word16_t m : 10;
        L4_Word16_t e : 5;
        L4_Word16_t a : 1;
    } period;
    struct {
        L4_Word16_t m : 10;
        L4_Word16_t c : 1;
        L4_Word16_t e : 4;
        L4_Word16_t a : 1;
    } point;
} L4_Time_t;

#define __L4_TIME_EXPONENT_SHIFT 10
#define __L4_TIME_MANTISSA_LIMIT 1024UL

#define L4_Never __L4_VALUE(L4_Time_t, 0)
#define L4_ZeroTime __L4_VALUE(L4_Time_t, 1U << __L4_TIME_EXPONENT_SHIFT)

// The period closest to (not above) the given number of microseconds; L4_Never when it
// does not fit the 5-bit exponent, L4_ZeroTime for 0.
L4_INLINE L4_Time_t L4_TimePeriod(L4_Word64_t microseconds)
{
    L4_Time_t time;
    L4_Word_t exponent = 0;
    if (microseconds == 0)
        return L4_ZeroTime;
    while (microseconds >= __L4_TIME_MANTISSA_LIMIT) {
        microseconds >>= 1;
        ++exponent;
    }
    if (exponent > 31)
        return L4_Never;
    time.raw = __L4_CAST(L4_Word16_t, (exponent << __L4_TIME_EXPONENT_SHIFT) | microseconds);
    return time;
}

#endif
