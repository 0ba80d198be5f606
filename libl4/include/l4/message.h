// SPDX-License-Identifier: MIT
// libl4: message tags, typed items (map, grant, string and control-transfer items),
// message objects (L4_Msg_t), acceptors and message buffers.
//
// Word layouts (64-bit X.2):
//   message tag     label 63..16 | flags 15..12 | t 11..6 | u 5..0
//   map/grant item  word 0: snd_base 63..10 | 0 9..4 | type 3..1 (100 map, 101 grant) | C 0
//                   word 1: the send fpage
//   string item     word 0: length 63..10 | c 9 | j 8..4 | type 3..1 (0hh, hh cache hint) | C 0
//                   words 1..j+1: substring addresses; c set: another unit of the same
//                   compound string follows, C set (first unit): another string follows
//   ctrl-xfer item  mask 63..12 | id 11..4 | type 3..1 (110) | C 0, then one word per mask bit
//   acceptor        receive window 63..4 | 0 3..2 | c 1 (ctrl-xfer) | s 0 (string items)
#ifndef L4_MESSAGE_H
#define L4_MESSAGE_H

#include <l4/types.h>
#include <l4/amd64/vregs.h>
#include <l4/amd64/specials.h>
#include "abi.h"

/*
 * Message tag
 */

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t u : 6;
        L4_Word_t t : 6;
        L4_Word_t flags : 4;
        L4_Word_t label : 48;
    } X;
} L4_MsgTag_t;

// From abi.h (abi/x86_64.toml [layouts.message_tag]); u and t have the same width.
#define __L4_TAG_COUNT_MASK (TERN_MESSAGE_TAG_UNTYPED_MASK >> TERN_MESSAGE_TAG_UNTYPED_SHIFT)
#define __L4_TAG_T_SHIFT TERN_MESSAGE_TAG_TYPED_SHIFT
#define __L4_TAG_FLAGS_SHIFT TERN_MESSAGE_TAG_FLAGS_SHIFT
#define __L4_TAG_FLAGS_MASK (TERN_MESSAGE_TAG_FLAGS_MASK >> TERN_MESSAGE_TAG_FLAGS_SHIFT)
#define __L4_TAG_LABEL_SHIFT TERN_MESSAGE_TAG_LABEL_SHIFT
#define __L4_TAG_LABEL_MASK (TERN_MESSAGE_TAG_LABEL_MASK >> TERN_MESSAGE_TAG_LABEL_SHIFT)

#define L4_Niltag __L4_VALUE(L4_MsgTag_t, 0UL)

L4_INLINE L4_Word_t __L4_Tag_U(L4_Word_t tag)
{
    return tag & __L4_TAG_COUNT_MASK;
}

L4_INLINE L4_Word_t __L4_Tag_T(L4_Word_t tag)
{
    return (tag >> __L4_TAG_T_SHIFT) & __L4_TAG_COUNT_MASK;
}

L4_INLINE L4_Word_t __L4_Tag_Flags(L4_Word_t tag)
{
    return (tag >> __L4_TAG_FLAGS_SHIFT) & __L4_TAG_FLAGS_MASK;
}

L4_INLINE L4_Word_t __L4_Tag_With_U(L4_Word_t tag, L4_Word_t u)
{
    return (tag & ~__L4_TAG_COUNT_MASK) | (u & __L4_TAG_COUNT_MASK);
}

L4_INLINE L4_Word_t __L4_Tag_With_T(L4_Word_t tag, L4_Word_t t)
{
    return (tag & ~(__L4_TAG_COUNT_MASK << __L4_TAG_T_SHIFT)) | ((t & __L4_TAG_COUNT_MASK) << __L4_TAG_T_SHIFT);
}

L4_INLINE L4_Word_t __L4_Tag_With_Label(L4_Word_t tag, L4_Word_t label)
{
    return (tag & ((1UL << __L4_TAG_LABEL_SHIFT) - 1)) | ((label & __L4_TAG_LABEL_MASK) << __L4_TAG_LABEL_SHIFT);
}

L4_INLINE L4_Bool_t L4_IsMsgTagEqual(const L4_MsgTag_t l, const L4_MsgTag_t r)
{
    return l.raw == r.raw;
}

L4_INLINE L4_Bool_t L4_IsMsgTagNotEqual(const L4_MsgTag_t l, const L4_MsgTag_t r)
{
    return l.raw != r.raw;
}

#if defined(__cplusplus)
static inline bool operator==(const L4_MsgTag_t &l, const L4_MsgTag_t &r)
{
    return l.raw == r.raw;
}

static inline bool operator!=(const L4_MsgTag_t &l, const L4_MsgTag_t &r)
{
    return l.raw != r.raw;
}
#endif

// The label is a 48-bit field: negative labels (protocol ids such as -6 << 4) are stored
// in two's complement, truncated to 48 bits.
L4_INLINE L4_MsgTag_t L4_MsgTagAddLabel(const L4_MsgTag_t t, int label)
{
    L4_MsgTag_t tag;
    tag.raw = __L4_Tag_With_Label(t.raw, __L4_CAST(L4_Word_t, __L4_CAST(long, label)));
    return tag;
}

L4_INLINE L4_MsgTag_t L4_MsgTagAddLabelTo(L4_MsgTag_t *t, int label)
{
    *t = L4_MsgTagAddLabel(*t, label);
    return *t;
}

#if defined(__cplusplus)
static inline L4_MsgTag_t operator+(const L4_MsgTag_t &t, int label)
{
    return L4_MsgTagAddLabel(t, label);
}

static inline L4_MsgTag_t operator+=(L4_MsgTag_t &t, int label)
{
    return L4_MsgTagAddLabelTo(&t, label);
}
#endif

L4_INLINE L4_Word_t L4_Label(L4_MsgTag_t t)
{
    return t.raw >> __L4_TAG_LABEL_SHIFT;
}

L4_INLINE L4_Word_t L4_UntypedWords(L4_MsgTag_t t)
{
    return __L4_Tag_U(t.raw);
}

L4_INLINE L4_Word_t L4_TypedWords(L4_MsgTag_t t)
{
    return __L4_Tag_T(t.raw);
}

L4_INLINE void L4_Set_Label(L4_MsgTag_t *t, L4_Word_t label)
{
    t->raw = __L4_Tag_With_Label(t->raw, label);
}

L4_INLINE L4_MsgTag_t L4_MsgTag(void)
{
    L4_MsgTag_t tag;
    L4_StoreMR(0, &tag.raw);
    return tag;
}

L4_INLINE void L4_Set_MsgTag(L4_MsgTag_t t)
{
    L4_LoadMR(0, t.raw);
}

/*
 * Map and grant items
 */

// From abi.h (abi/x86_64.toml [layouts.typed_item]).
#define __L4_ITEM_C_BIT TERN_TYPED_ITEM_MORE_MASK
#define __L4_ITEM_TYPE_SHIFT TERN_TYPED_ITEM_TYPE_SHIFT
#define __L4_ITEM_TYPE_MASK (TERN_TYPED_ITEM_TYPE_MASK >> TERN_TYPED_ITEM_TYPE_SHIFT)
#define __L4_ITEM_TYPE_MAP TERN_TYPED_ITEM_TYPE_MAP
#define __L4_ITEM_TYPE_GRANT TERN_TYPED_ITEM_TYPE_GRANT
#define __L4_ITEM_TYPE_CTRLXFER 0x6UL
#define __L4_ITEM_BASE_MASK TERN_TYPED_ITEM_HINT_MASK

typedef union {
    L4_Word_t raw[2];
    struct {
        L4_Word_t C : 1;
        L4_Word_t __type : 3;
        L4_Word_t __zeros : 6;
        L4_Word_t snd_base : 54;
        L4_Fpage_t snd_fpage;
    } X;
} L4_MapItem_t;

typedef union {
    L4_Word_t raw[2];
    struct {
        L4_Word_t C : 1;
        L4_Word_t __type : 3;
        L4_Word_t __zeros : 6;
        L4_Word_t snd_base : 54;
        L4_Fpage_t snd_fpage;
    } X;
} L4_GrantItem_t;

L4_INLINE L4_Word_t __L4_Item_Type(L4_Word_t word0)
{
    return (word0 >> __L4_ITEM_TYPE_SHIFT) & __L4_ITEM_TYPE_MASK;
}

/* Map and grant items share their layout; only the type differs. */
L4_INLINE void __L4_Item_Make(L4_Word_t raw[2], L4_Word_t type, L4_Fpage_t f, L4_Word_t SndBase)
{
    raw[0] = (SndBase & __L4_ITEM_BASE_MASK) | (type << __L4_ITEM_TYPE_SHIFT);
    raw[1] = f.raw;
}

L4_INLINE L4_Fpage_t __L4_Item_Fpage(const L4_Word_t raw[2])
{
    L4_Fpage_t f;
    f.raw = raw[1];
    return f;
}

L4_INLINE L4_MapItem_t L4_MapItem(L4_Fpage_t f, L4_Word_t SndBase)
{
    L4_MapItem_t item;
    __L4_Item_Make(item.raw, __L4_ITEM_TYPE_MAP, f, SndBase);
    return item;
}

L4_INLINE L4_Bool_t L4_IsMapItem(L4_MapItem_t m) { return __L4_Item_Type(m.raw[0]) == __L4_ITEM_TYPE_MAP; }

L4_INLINE L4_Fpage_t L4_MapItemSndFpage(L4_MapItem_t m) { return __L4_Item_Fpage(m.raw); }

L4_INLINE L4_Word_t L4_MapItemSndBase(L4_MapItem_t m)
{
    return m.raw[0] & __L4_ITEM_BASE_MASK;
}

L4_INLINE L4_GrantItem_t L4_GrantItem(L4_Fpage_t f, L4_Word_t SndBase)
{
    L4_GrantItem_t item;
    __L4_Item_Make(item.raw, __L4_ITEM_TYPE_GRANT, f, SndBase);
    return item;
}

L4_INLINE L4_Bool_t L4_IsGrantItem(L4_GrantItem_t g) { return __L4_Item_Type(g.raw[0]) == __L4_ITEM_TYPE_GRANT; }

L4_INLINE L4_Fpage_t L4_GrantItemSndFpage(L4_GrantItem_t g) { return __L4_Item_Fpage(g.raw); }

L4_INLINE L4_Word_t L4_GrantItemSndBase(L4_GrantItem_t g)
{
    return g.raw[0] & __L4_ITEM_BASE_MASK;
}

#if defined(__cplusplus)
L4_INLINE L4_Bool_t L4_MapItem(L4_MapItem_t m)
{
    return L4_IsMapItem(m);
}

L4_INLINE L4_Fpage_t L4_SndFpage(L4_MapItem_t m)
{
    return L4_MapItemSndFpage(m);
}

L4_INLINE L4_Word_t L4_SndBase(L4_MapItem_t m)
{
    return L4_MapItemSndBase(m);
}

L4_INLINE L4_Bool_t L4_GrantItem(L4_GrantItem_t g)
{
    return L4_IsGrantItem(g);
}

L4_INLINE L4_Fpage_t L4_SndFpage(L4_GrantItem_t g)
{
    return L4_GrantItemSndFpage(g);
}

L4_INLINE L4_Word_t L4_SndBase(L4_GrantItem_t g)
{
    return L4_GrantItemSndBase(g);
}
#endif

/*
 * String items. A string item is a sequence of units (header word plus j + 1 substring
 * addresses); libl4 walks them as words.
 */

#define __L4_STRING_J_SHIFT 4
#define __L4_STRING_J_MASK 0x1fUL
#define __L4_STRING_COMPOUND_BIT (1UL << 9)
#define __L4_STRING_LENGTH_SHIFT 10
#define __L4_STRING_HINT_MASK 0x6UL

typedef union {
    L4_Word_t raw[2];
    struct {
        L4_Word_t C : 1;
        L4_Word_t __type : 3;
        L4_Word_t j : 5;
        L4_Word_t c : 1;
        L4_Word_t string_length : 54;
        union {
            void *string_ptr;
            void *substring_ptr[1];  // X.2: the j + 1 addresses continue past the item
        } str;
    } X;
} L4_StringItem_t;

L4_INLINE L4_StringItem_t L4_StringItem(int size, void *address)
{
    L4_StringItem_t item;
    item.raw[0] = __L4_CAST(L4_Word_t, __L4_CAST(long, size)) << __L4_STRING_LENGTH_SHIFT;
    item.raw[1] = __L4_RCAST(L4_Word_t, address);
    return item;
}

L4_INLINE L4_Bool_t L4_IsStringItem(L4_StringItem_t *s)
{
    return (__L4_Item_Type(s->raw[0]) & 0x4) == 0;
}

#if defined(__cplusplus)
L4_INLINE L4_Bool_t L4_StringItem(L4_StringItem_t *s)
{
    return L4_IsStringItem(s);
}
#endif

L4_INLINE L4_Bool_t L4_CompoundString(L4_StringItem_t *s)
{
    return (s->raw[0] & __L4_STRING_COMPOUND_BIT) != 0;
}

L4_INLINE L4_Word_t L4_Substrings(L4_StringItem_t *s)
{
    return ((s->raw[0] >> __L4_STRING_J_SHIFT) & __L4_STRING_J_MASK) + 1;
}

// Substring n, counted from 1.
L4_INLINE void *L4_Substring(L4_StringItem_t *s, L4_Word_t n)
{
    return __L4_RCAST(void *, __L4_RCAST(L4_Word_t *, s)[n]);
}

// Words in the unit starting at unit: header plus j + 1 addresses.
L4_INLINE L4_Word_t __L4_String_Unit_Words(const L4_Word_t *unit)
{
    return ((unit[0] >> __L4_STRING_J_SHIFT) & __L4_STRING_J_MASK) + 2;
}

// The word after the (compound) string starting at s; *p (if p) gets its last unit.
L4_INLINE L4_StringItem_t *__L4_EndOfString(L4_StringItem_t *s, L4_StringItem_t **p)
{
    L4_Word_t *unit = __L4_RCAST(L4_Word_t *, s);
    L4_Word_t *last;
    do {
        last = unit;
        unit += __L4_String_Unit_Words(unit);
    } while ((last[0] & __L4_STRING_COMPOUND_BIT) != 0);
    if (p != 0)
        *p = __L4_RCAST(L4_StringItem_t *, last);
    return __L4_RCAST(L4_StringItem_t *, unit);
}

// The word after the last of a list of strings; *p (if p) gets the first unit of the last.
L4_INLINE L4_StringItem_t *__L4_EndOfStrings(L4_StringItem_t *s, L4_StringItem_t **p)
{
    L4_StringItem_t *first;
    do {
        first = s;
        s = __L4_EndOfString(s, 0);
    } while ((first->raw[0] & __L4_ITEM_C_BIT) != 0);
    if (p != 0)
        *p = first;
    return s;
}

// Copies the (compound) string at s to d; returns its size in words.
L4_INLINE L4_Word_t __L4_Copy_String(L4_StringItem_t *d, L4_StringItem_t *s)
{
    const L4_Word_t *from = __L4_RCAST(const L4_Word_t *, s);
    const L4_Word_t *end = __L4_RCAST(const L4_Word_t *, __L4_EndOfString(s, 0));
    L4_Word_t *to = __L4_RCAST(L4_Word_t *, d);
    L4_Word_t words = __L4_CAST(L4_Word_t, end - from);
    while (from < end)
        *to++ = *from++;
    return words;
}

// Appends the (compound) string substr as further units of dest, which needs the room.
L4_INLINE L4_StringItem_t *L4_AddSubstringTo(L4_StringItem_t *dest, L4_StringItem_t *substr)
{
    L4_StringItem_t *last;
    L4_StringItem_t *end = __L4_EndOfString(dest, &last);
    last->raw[0] |= __L4_STRING_COMPOUND_BIT;
    (void)__L4_Copy_String(end, substr);
    return dest;
}

// Adds one more substring address to the last unit of dest (same length as its others).
L4_INLINE L4_StringItem_t *L4_AddSubstringAddressTo(L4_StringItem_t *dest, void *substring_addr)
{
    L4_StringItem_t *last;
    L4_Word_t *unit;
    L4_Word_t j;
    (void)__L4_EndOfString(dest, &last);
    unit = __L4_RCAST(L4_Word_t *, last);
    j = ((unit[0] >> __L4_STRING_J_SHIFT) & __L4_STRING_J_MASK) + 1;
    unit[0] = (unit[0] & ~(__L4_STRING_J_MASK << __L4_STRING_J_SHIFT)) |
              ((j & __L4_STRING_J_MASK) << __L4_STRING_J_SHIFT);
    unit[1 + j] = __L4_RCAST(L4_Word_t, substring_addr);
    return dest;
}

#if defined(__cplusplus)
static inline L4_StringItem_t *operator+=(L4_StringItem_t &dest, L4_StringItem_t substring)
{
    substring.raw[0] &= ~__L4_STRING_COMPOUND_BIT;
    L4_AddSubstringTo(&dest, &substring);
    return &dest;
}

static inline L4_StringItem_t *operator+=(L4_StringItem_t &dest, L4_StringItem_t &substring)
{
    L4_AddSubstringTo(&dest, &substring);
    return &dest;
}

static inline L4_StringItem_t *operator+=(L4_StringItem_t &dest, void *substring_addr)
{
    L4_AddSubstringAddressTo(&dest, substring_addr);
    return &dest;
}
#endif

/*
 * Control-transfer items: an item word followed by one word per bit set in its mask.
 */

typedef union {
    L4_Word_t raw[1];
    struct {
        L4_Word_t C : 1;
        L4_Word_t __type : 3;
        L4_Word_t id : 8;
        L4_Word_t mask : 52;
    } X;
} L4_CtrlXferItem_t;

#define __L4_CTRLXFER_ID_SHIFT 4
#define __L4_CTRLXFER_ID_MASK 0xffUL
#define __L4_CTRLXFER_MASK_SHIFT 12

L4_INLINE L4_Bool_t L4_IsCtrlXferItem(L4_CtrlXferItem_t *c)
{
    return __L4_Item_Type(c->raw[0]) == __L4_ITEM_TYPE_CTRLXFER;
}

#if defined(__cplusplus)
L4_INLINE L4_Bool_t L4_CtrlXferItem(L4_CtrlXferItem_t *c)
{
    return L4_IsCtrlXferItem(c);
}
#endif

L4_INLINE void L4_FaultConfCtrlXferItemInit(L4_CtrlXferItem_t *c, L4_Word_t fault_id, L4_Word_t fault_mask)
{
    c->raw[0] = (__L4_ITEM_TYPE_CTRLXFER << __L4_ITEM_TYPE_SHIFT) |
                ((fault_id & __L4_CTRLXFER_ID_MASK) << __L4_CTRLXFER_ID_SHIFT) | (fault_mask << __L4_CTRLXFER_MASK_SHIFT);
}

L4_INLINE void L4_CtrlXferItemInit(L4_CtrlXferItem_t *c, L4_Word_t id)
{
    L4_FaultConfCtrlXferItemInit(c, id, 0);
}

#if defined(__cplusplus)
L4_INLINE void L4_Init(L4_CtrlXferItem_t *c, L4_Word_t id)
{
    L4_CtrlXferItemInit(c, id);
}

L4_INLINE void L4_Init(L4_CtrlXferItem_t *c, L4_Word_t fault_id, L4_Word_t fault_mask)
{
    L4_FaultConfCtrlXferItemInit(c, fault_id, fault_mask);
}
#endif

L4_INLINE L4_Word_t __L4_CtrlXfer_Mask(L4_Word_t word0)
{
    return word0 >> __L4_CTRLXFER_MASK_SHIFT;
}

/*
 * Cache allocation hints (bits 2..1 of a string item)
 */

typedef struct L4_CacheAllocationHint {
    L4_Word_t raw;
} L4_CacheAllocationHint_t;

#define L4_UseDefaultCacheAllocation __L4_VALUE(L4_CacheAllocationHint_t, 0UL)

// Pistachio's spelling (L4_CacheAllocationHint would clash with the structure tag in C++).
L4_INLINE L4_CacheAllocationHint_t L4_CacheAlloctionHint(const L4_StringItem_t s)
{
    L4_CacheAllocationHint_t hint;
    hint.raw = s.raw[0] & __L4_STRING_HINT_MASK;
    return hint;
}

L4_INLINE L4_Bool_t L4_IsCacheAllocationHintEqual(const L4_CacheAllocationHint_t l, const L4_CacheAllocationHint_t r)
{
    return (l.raw & __L4_STRING_HINT_MASK) == (r.raw & __L4_STRING_HINT_MASK);
}

L4_INLINE L4_Bool_t L4_IsCacheAllocationHintNotEqual(const L4_CacheAllocationHint_t l,
                                                     const L4_CacheAllocationHint_t r)
{
    return (l.raw & __L4_STRING_HINT_MASK) != (r.raw & __L4_STRING_HINT_MASK);
}

L4_INLINE L4_StringItem_t L4_AddCacheAllocationHint(const L4_StringItem_t dest, const L4_CacheAllocationHint_t h)
{
    L4_StringItem_t item = dest;
    item.raw[0] |= h.raw & __L4_STRING_HINT_MASK;
    return item;
}

L4_INLINE L4_StringItem_t L4_AddCacheAllocationHintTo(L4_StringItem_t *dest, const L4_CacheAllocationHint_t h)
{
    dest->raw[0] |= h.raw & __L4_STRING_HINT_MASK;
    return *dest;
}

#if defined(__cplusplus)
static inline bool operator==(const L4_CacheAllocationHint_t &l, const L4_CacheAllocationHint_t &r)
{
    return L4_IsCacheAllocationHintEqual(l, r) != 0;
}

static inline bool operator!=(const L4_CacheAllocationHint_t &l, const L4_CacheAllocationHint_t &r)
{
    return L4_IsCacheAllocationHintNotEqual(l, r) != 0;
}

static inline L4_StringItem_t operator+(const L4_StringItem_t &dest, const L4_CacheAllocationHint_t &h)
{
    return L4_AddCacheAllocationHint(dest, h);
}

static inline L4_StringItem_t operator+=(L4_StringItem_t &dest, const L4_CacheAllocationHint_t &h)
{
    return L4_AddCacheAllocationHintTo(&dest, h);
}
#endif

/*
 * Message objects: msg[0] is the tag, msg[1..u] the untyped words, then t typed words.
 * Operations that would run past the 64 words of a message are cut short at its end.
 */

typedef union {
    L4_Word_t raw[__L4_NUM_MRS];
    L4_Word_t msg[__L4_NUM_MRS];
    L4_MsgTag_t tag;
} L4_Msg_t;

// Number of words from MR0 up to the last typed word, at most __L4_NUM_MRS.
L4_INLINE L4_Word_t __L4_Msg_Words(L4_Word_t tag)
{
    L4_Word_t words = 1 + __L4_Tag_U(tag) + __L4_Tag_T(tag);
    return words > __L4_NUM_MRS ? __L4_NUM_MRS : words;
}

L4_INLINE void __L4_Msg_Set(L4_Msg_t *msg, L4_Word_t index, L4_Word_t w)
{
    if (index < __L4_NUM_MRS)
        msg->msg[index] = w;
}

L4_INLINE L4_Word_t __L4_Msg_At(const L4_Msg_t *msg, L4_Word_t index)
{
    return index < __L4_NUM_MRS ? msg->msg[index] : 0;
}

L4_INLINE void L4_MsgPut(L4_Msg_t *msg, L4_Word_t label, int u, L4_Word_t *Untyped, int t, void *Items)
{
    const L4_Word_t *items = __L4_CAST(const L4_Word_t *, Items);
    L4_Word_t untyped = __L4_CAST(L4_Word_t, u) & __L4_TAG_COUNT_MASK;
    L4_Word_t typed = __L4_CAST(L4_Word_t, t) & __L4_TAG_COUNT_MASK;
    L4_Word_t i;
    for (i = 0; i < untyped; ++i)
        __L4_Msg_Set(msg, 1 + i, Untyped[i]);
    for (i = 0; i < typed; ++i)
        __L4_Msg_Set(msg, 1 + untyped + i, items[i]);
    msg->raw[0] = __L4_Tag_With_Label(__L4_Tag_With_T(untyped, typed), label);
}

L4_INLINE void L4_MsgGet(const L4_Msg_t *msg, L4_Word_t *Untyped, void *Items)
{
    L4_Word_t *items = __L4_CAST(L4_Word_t *, Items);
    L4_Word_t untyped = __L4_Tag_U(msg->raw[0]);
    L4_Word_t typed = __L4_Tag_T(msg->raw[0]);
    L4_Word_t i;
    for (i = 0; i < untyped; ++i)
        Untyped[i] = __L4_Msg_At(msg, 1 + i);
    for (i = 0; i < typed; ++i)
        items[i] = __L4_Msg_At(msg, 1 + untyped + i);
}

L4_INLINE L4_MsgTag_t L4_MsgMsgTag(const L4_Msg_t *msg)
{
    return msg->tag;
}

L4_INLINE void L4_Set_MsgMsgTag(L4_Msg_t *msg, L4_MsgTag_t t)
{
    msg->tag = t;
}

L4_INLINE L4_Word_t L4_MsgLabel(const L4_Msg_t *msg)
{
    return L4_Label(msg->tag);
}

L4_INLINE void L4_Set_MsgLabel(L4_Msg_t *msg, L4_Word_t label)
{
    msg->raw[0] = __L4_Tag_With_Label(msg->raw[0], label);
}

// Copies the message (tag, untyped and typed words) into MR0...
L4_INLINE void L4_MsgLoad(L4_Msg_t *msg)
{
    L4_LoadMRs(0, __L4_CAST(int, __L4_Msg_Words(msg->raw[0])), msg->msg);
}

// ...and the message described by tag t from the MRs into msg.
L4_INLINE void L4_MsgStore(L4_MsgTag_t t, L4_Msg_t *msg)
{
    L4_StoreMRs(1, __L4_CAST(int, __L4_Msg_Words(t.raw) - 1), &msg->msg[1]);
    msg->tag = t;
}

L4_INLINE void L4_MsgClear(L4_Msg_t *msg)
{
    msg->raw[0] = 0;
}

// Adds an untyped word; typed words already present move up by one.
L4_INLINE void L4_MsgAppendWord(L4_Msg_t *msg, L4_Word_t w)
{
    L4_Word_t untyped = __L4_Tag_U(msg->raw[0]);
    L4_Word_t typed = __L4_Tag_T(msg->raw[0]);
    L4_Word_t i;
    if (untyped + typed + 1 >= __L4_NUM_MRS)
        return;
    for (i = untyped + typed + 1; i > untyped + 1; --i)
        msg->msg[i] = msg->msg[i - 1];
    msg->msg[untyped + 1] = w;
    msg->raw[0] = __L4_Tag_With_U(msg->raw[0], untyped + 1);
}

// Adds words typed words at the end of the message.
L4_INLINE void __L4_Msg_Append_Typed(L4_Msg_t *msg, const L4_Word_t *words, L4_Word_t count)
{
    L4_Word_t end = 1 + __L4_Tag_U(msg->raw[0]) + __L4_Tag_T(msg->raw[0]);
    L4_Word_t i;
    if (end + count > __L4_NUM_MRS)
        return;
    for (i = 0; i < count; ++i)
        msg->msg[end + i] = words[i];
    msg->raw[0] = __L4_Tag_With_T(msg->raw[0], __L4_Tag_T(msg->raw[0]) + count);
}

L4_INLINE void L4_MsgAppendMapItem(L4_Msg_t *msg, L4_MapItem_t m)
{
    __L4_Msg_Append_Typed(msg, m.raw, 2);
}

L4_INLINE void L4_MsgAppendGrantItem(L4_Msg_t *msg, L4_GrantItem_t g)
{
    __L4_Msg_Append_Typed(msg, g.raw, 2);
}

// Appends s as a single-unit, single-address string item.
L4_INLINE void L4_MsgAppendSimpleStringItem(L4_Msg_t *msg, L4_StringItem_t s)
{
    s.raw[0] &= ~(__L4_STRING_COMPOUND_BIT | (__L4_STRING_J_MASK << __L4_STRING_J_SHIFT));
    __L4_Msg_Append_Typed(msg, s.raw, 2);
}

// Appends the whole (compound) string item s.
L4_INLINE void L4_MsgAppendStringItem(L4_Msg_t *msg, L4_StringItem_t *s)
{
    const L4_Word_t *words = __L4_RCAST(const L4_Word_t *, s);
    const L4_Word_t *end = __L4_RCAST(const L4_Word_t *, __L4_EndOfString(s, 0));
    __L4_Msg_Append_Typed(msg, words, __L4_CAST(L4_Word_t, end - words));
}

// The words of a ctrl-xfer item as they go into a message: the item word, then the register
// words its mask selects (stored after the item word at index bit + 1). Returns the count.
L4_INLINE L4_Word_t __L4_CtrlXfer_Gather(const L4_CtrlXferItem_t *c, L4_Word_t *out)
{
    const L4_Word_t *regs = __L4_RCAST(const L4_Word_t *, c);
    L4_Word_t mask = __L4_CtrlXfer_Mask(regs[0]);
    L4_Word_t count = 1;
    L4_Word_t bit;
    out[0] = regs[0];
    for (bit = 0; mask != 0; ++bit, mask >>= 1)
        if ((mask & 1) != 0)
            out[count++] = regs[bit + 1];
    return count;
}

// Appends a ctrl-xfer item (nothing when its mask selects no register).
L4_INLINE void L4_MsgAppendCtrlXferItem(L4_Msg_t *msg, L4_CtrlXferItem_t *c)
{
    L4_Word_t words[__L4_NUM_MRS];
    L4_Word_t count = __L4_CtrlXfer_Gather(c, words);
    if (count > 1)
        __L4_Msg_Append_Typed(msg, words, count);
}

// Appends one fault-configuration item (as an untyped word) per bit in fault_id_mask, all
// with the same register mask; C is the continuation bit of the last one.
L4_INLINE void L4_AppendFaultConfCtrlXferItems(L4_Msg_t *msg, L4_Word64_t fault_id_mask, L4_Word_t fault_mask,
                                               L4_Word_t C)
{
    L4_CtrlXferItem_t item;
    L4_Word_t id;
    L4_Word_t appended = 0;
    for (id = 0; id < 64; ++id) {
        if (((fault_id_mask >> id) & 1) == 0)
            continue;
        L4_FaultConfCtrlXferItemInit(&item, id, fault_mask);
        L4_MsgAppendWord(msg, item.raw[0] | __L4_ITEM_C_BIT);
        appended = 1;
    }
    if (appended != 0) {
        L4_Word_t last = __L4_Tag_U(msg->raw[0]);
        msg->msg[last] = (msg->msg[last] & ~__L4_ITEM_C_BIT) | (C & __L4_ITEM_C_BIT);
    }
}

L4_INLINE void L4_MsgPutWord(L4_Msg_t *msg, L4_Word_t u, L4_Word_t w)
{
    __L4_Msg_Set(msg, u + 1, w);
}

L4_INLINE void __L4_Msg_Put_Typed(L4_Msg_t *msg, L4_Word_t t, const L4_Word_t *words, L4_Word_t count)
{
    L4_Word_t first = __L4_Tag_U(msg->raw[0]) + t + 1;
    L4_Word_t i;
    for (i = 0; i < count; ++i)
        __L4_Msg_Set(msg, first + i, words[i]);
}

L4_INLINE void L4_MsgPutMapItem(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t m)
{
    __L4_Msg_Put_Typed(msg, t, m.raw, 2);
}

L4_INLINE void L4_MsgPutGrantItem(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t g)
{
    __L4_Msg_Put_Typed(msg, t, g.raw, 2);
}

L4_INLINE void L4_MsgPutSimpleStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t s)
{
    s.raw[0] &= ~(__L4_STRING_COMPOUND_BIT | (__L4_STRING_J_MASK << __L4_STRING_J_SHIFT));
    __L4_Msg_Put_Typed(msg, t, s.raw, 2);
}

L4_INLINE void L4_MsgPutStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
    const L4_Word_t *words = __L4_RCAST(const L4_Word_t *, s);
    const L4_Word_t *end = __L4_RCAST(const L4_Word_t *, __L4_EndOfString(s, 0));
    __L4_Msg_Put_Typed(msg, t, words, __L4_CAST(L4_Word_t, end - words));
}

L4_INLINE void L4_MsgPutCtrlXferItem(L4_Msg_t *msg, L4_Word_t t, L4_CtrlXferItem_t *c)
{
    L4_Word_t words[__L4_NUM_MRS];
    L4_Word_t count = __L4_CtrlXfer_Gather(c, words);
    if (count > 1)
        __L4_Msg_Put_Typed(msg, t, words, count);
}

L4_INLINE L4_Word_t L4_MsgWord(L4_Msg_t *msg, L4_Word_t u)
{
    return __L4_Msg_At(msg, u + 1);
}

L4_INLINE void L4_MsgGetWord(L4_Msg_t *msg, L4_Word_t u, L4_Word_t *w)
{
    *w = __L4_Msg_At(msg, u + 1);
}

L4_INLINE L4_Word_t L4_MsgGetMapItem(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t *m)
{
    L4_Word_t first = __L4_Tag_U(msg->raw[0]) + t + 1;
    m->raw[0] = __L4_Msg_At(msg, first);
    m->raw[1] = __L4_Msg_At(msg, first + 1);
    return 2;
}

L4_INLINE L4_Word_t L4_MsgGetGrantItem(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t *g)
{
    L4_Word_t first = __L4_Tag_U(msg->raw[0]) + t + 1;
    g->raw[0] = __L4_Msg_At(msg, first);
    g->raw[1] = __L4_Msg_At(msg, first + 1);
    return 2;
}

// Copies the (compound) string item at typed word t into *s (which needs the room); returns
// its size in words.
L4_INLINE L4_Word_t L4_MsgGetStringItem(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
    L4_Word_t first = __L4_Tag_U(msg->raw[0]) + t + 1;
    if (first >= __L4_NUM_MRS)
        return 0;
    return __L4_Copy_String(s, __L4_RCAST(L4_StringItem_t *, &msg->msg[first]));
}

// Reads the ctrl-xfer item at message word mr (and its register words) into *c; returns the
// number of message words it occupies.
L4_INLINE L4_Word_t L4_MsgGetCtrlXferItem(L4_Msg_t *msg, L4_Word_t mr, L4_CtrlXferItem_t *c)
{
    L4_Word_t *regs = __L4_RCAST(L4_Word_t *, c);
    L4_Word_t mask;
    L4_Word_t count = 1;
    L4_Word_t bit;
    regs[0] = __L4_Msg_At(msg, mr);
    mask = __L4_CtrlXfer_Mask(regs[0]);
    for (bit = 0; mask != 0; ++bit, mask >>= 1)
        if ((mask & 1) != 0)
            regs[bit + 1] = __L4_Msg_At(msg, mr + count++);
    return count;
}

#if defined(__cplusplus)
L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t label, int u, L4_Word_t *Untyped, int t, void *Items)
{
    L4_MsgPut(msg, label, u, Untyped, t, Items);
}

L4_INLINE void L4_Get(const L4_Msg_t *msg, L4_Word_t *Untyped, void *Items)
{
    L4_MsgGet(msg, Untyped, Items);
}

L4_INLINE L4_MsgTag_t L4_MsgTag(const L4_Msg_t *msg)
{
    return L4_MsgMsgTag(msg);
}

L4_INLINE void L4_Set_MsgTag(L4_Msg_t *msg, L4_MsgTag_t t)
{
    L4_Set_MsgMsgTag(msg, t);
}

L4_INLINE L4_Word_t L4_Label(const L4_Msg_t *msg)
{
    return L4_MsgLabel(msg);
}

L4_INLINE void L4_Set_Label(L4_Msg_t *msg, L4_Word_t label)
{
    L4_Set_MsgLabel(msg, label);
}

L4_INLINE void L4_Load(L4_Msg_t *msg)
{
    L4_MsgLoad(msg);
}

L4_INLINE void L4_Store(L4_MsgTag_t t, L4_Msg_t *msg)
{
    L4_MsgStore(t, msg);
}

L4_INLINE void L4_Clear(L4_Msg_t *msg)
{
    L4_MsgClear(msg);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_Word_t w)
{
    L4_MsgAppendWord(msg, w);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, int w)
{
    L4_MsgAppendWord(msg, static_cast<L4_Word_t>(static_cast<long>(w)));
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_MapItem_t m)
{
    L4_MsgAppendMapItem(msg, m);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_GrantItem_t g)
{
    L4_MsgAppendGrantItem(msg, g);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_StringItem_t s)
{
    L4_MsgAppendSimpleStringItem(msg, s);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_StringItem_t *s)
{
    L4_MsgAppendStringItem(msg, s);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_CtrlXferItem_t *c)
{
    L4_MsgAppendCtrlXferItem(msg, c);
}

L4_INLINE void L4_Append(L4_Msg_t *msg, L4_Word64_t fault_id_mask, L4_Word_t fault_mask, L4_Word_t C)
{
    L4_AppendFaultConfCtrlXferItems(msg, fault_id_mask, fault_mask, C);
}

L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t u, L4_Word_t w)
{
    L4_MsgPutWord(msg, u, w);
}

L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t m)
{
    L4_MsgPutMapItem(msg, t, m);
}

L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t g)
{
    L4_MsgPutGrantItem(msg, t, g);
}

L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t s)
{
    L4_MsgPutSimpleStringItem(msg, t, s);
}

L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
    L4_MsgPutStringItem(msg, t, s);
}

L4_INLINE void L4_Put(L4_Msg_t *msg, L4_Word_t t, L4_CtrlXferItem_t *c)
{
    L4_MsgPutCtrlXferItem(msg, t, c);
}

L4_INLINE L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t u)
{
    return L4_MsgWord(msg, u);
}

L4_INLINE void L4_Get(L4_Msg_t *msg, L4_Word_t u, L4_Word_t *w)
{
    L4_MsgGetWord(msg, u, w);
}

L4_INLINE L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t t, L4_MapItem_t *m)
{
    return L4_MsgGetMapItem(msg, t, m);
}

L4_INLINE L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t t, L4_GrantItem_t *g)
{
    return L4_MsgGetGrantItem(msg, t, g);
}

L4_INLINE L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t t, L4_StringItem_t *s)
{
    return L4_MsgGetStringItem(msg, t, s);
}

L4_INLINE L4_Word_t L4_Get(L4_Msg_t *msg, L4_Word_t mr, L4_CtrlXferItem_t *c)
{
    return L4_MsgGetCtrlXferItem(msg, mr, c);
}
#endif

/*
 * Acceptors and message buffers
 */

typedef union {
    L4_Word_t raw;
    struct {
        L4_Word_t s : 1;
        L4_Word_t c : 1;
        L4_Word_t __zeros : 2;
        L4_Word_t RcvWindow : 60;
    } X;
} L4_Acceptor_t;

#define __L4_ACCEPT_STRINGS 0x1UL
#define __L4_ACCEPT_CTRLXFER 0x2UL
#define __L4_ACCEPT_WINDOW_MASK (~0xfUL)

// Receive buffers for string items: the string items (units) one after the other.
typedef union {
    L4_Word_t raw[__L4_NUM_BRS - 1];
    L4_StringItem_t string[(__L4_NUM_BRS - 1) / 2];
} L4_MsgBuffer_t;

#define L4_UntypedWordsAcceptor __L4_VALUE(L4_Acceptor_t, 0UL)
#define L4_StringItemsAcceptor __L4_VALUE(L4_Acceptor_t, __L4_ACCEPT_STRINGS)
#define L4_CtrlXferAcceptor __L4_VALUE(L4_Acceptor_t, __L4_ACCEPT_CTRLXFER)

L4_INLINE L4_Acceptor_t L4_MapGrantItems(L4_Fpage_t RcvWindow)
{
    L4_Acceptor_t a;
    a.raw = RcvWindow.raw & __L4_ACCEPT_WINDOW_MASK;
    return a;
}

L4_INLINE L4_Acceptor_t L4_AddAcceptor(const L4_Acceptor_t l, const L4_Acceptor_t r)
{
    L4_Acceptor_t a;
    L4_Word_t window = r.raw & __L4_ACCEPT_WINDOW_MASK;
    if (window == 0)
        window = l.raw & __L4_ACCEPT_WINDOW_MASK;
    a.raw = ((l.raw | r.raw) & (__L4_ACCEPT_STRINGS | __L4_ACCEPT_CTRLXFER)) | window;
    return a;
}

L4_INLINE L4_Acceptor_t L4_AddAcceptorTo(L4_Acceptor_t l, const L4_Acceptor_t r)
{
    return L4_AddAcceptor(l, r);
}

L4_INLINE L4_Acceptor_t L4_RemoveAcceptor(const L4_Acceptor_t l, const L4_Acceptor_t r)
{
    L4_Acceptor_t a = l;
    a.raw &= ~(r.raw & (__L4_ACCEPT_STRINGS | __L4_ACCEPT_CTRLXFER));
    if ((r.raw & __L4_ACCEPT_WINDOW_MASK) != 0)
        a.raw &= ~__L4_ACCEPT_WINDOW_MASK;
    return a;
}

L4_INLINE L4_Acceptor_t L4_RemoveAcceptorFrom(L4_Acceptor_t l, const L4_Acceptor_t r)
{
    return L4_RemoveAcceptor(l, r);
}

#if defined(__cplusplus)
static inline L4_Acceptor_t operator+(const L4_Acceptor_t &l, const L4_Acceptor_t &r)
{
    return L4_AddAcceptor(l, r);
}

static inline L4_Acceptor_t operator+=(L4_Acceptor_t &l, const L4_Acceptor_t &r)
{
    l = L4_AddAcceptor(l, r);
    return l;
}

static inline L4_Acceptor_t operator-(const L4_Acceptor_t &l, const L4_Acceptor_t &r)
{
    return L4_RemoveAcceptor(l, r);
}

static inline L4_Acceptor_t operator-=(L4_Acceptor_t &l, const L4_Acceptor_t &r)
{
    l = L4_RemoveAcceptor(l, r);
    return l;
}
#endif

L4_INLINE L4_Bool_t L4_HasStringItems(const L4_Acceptor_t a)
{
    return (a.raw & __L4_ACCEPT_STRINGS) != 0;
}

L4_INLINE L4_Bool_t L4_HasMapGrantItems(const L4_Acceptor_t a)
{
    return (a.raw & __L4_ACCEPT_WINDOW_MASK) != 0;
}

#if defined(__cplusplus)
L4_INLINE L4_Bool_t L4_StringItems(const L4_Acceptor_t a)
{
    return L4_HasStringItems(a);
}

L4_INLINE L4_Bool_t L4_MapGrantItems(const L4_Acceptor_t a)
{
    return L4_HasMapGrantItems(a);
}
#endif

L4_INLINE L4_Fpage_t L4_RcvWindow(const L4_Acceptor_t a)
{
    L4_Fpage_t f;
    f.raw = a.raw & __L4_ACCEPT_WINDOW_MASK;
    return f;
}

L4_INLINE void L4_Accept(const L4_Acceptor_t a)
{
    L4_LoadBR(0, a.raw);
}

// BR0 = a; BR1... = the string items of b, as far as they fit into the 32 buffer registers.
L4_INLINE void L4_AcceptStrings(const L4_Acceptor_t a, L4_MsgBuffer_t *b)
{
    const L4_Word_t *unit = b->raw;
    const L4_Word_t *end = b->raw + (__L4_NUM_BRS - 1);
    int next_br = 1;
    L4_Word_t more_strings;
    L4_LoadBR(0, a.raw);
    do {
        L4_Word_t more_units;
        more_strings = unit[0] & __L4_ITEM_C_BIT;
        do {
            L4_Word_t words = __L4_String_Unit_Words(unit);
            more_units = unit[0] & __L4_STRING_COMPOUND_BIT;
            if (unit + words > end)
                return;
            L4_LoadBRs(next_br, __L4_CAST(int, words), unit);
            next_br += __L4_CAST(int, words);
            unit += words;
        } while (more_units != 0);
    } while (more_strings != 0);
}

#if defined(__cplusplus)
L4_INLINE void L4_Accept(const L4_Acceptor_t a, L4_MsgBuffer_t *b)
{
    L4_AcceptStrings(a, b);
}
#endif

L4_INLINE L4_Acceptor_t L4_Accepted(void)
{
    L4_Acceptor_t a;
    L4_StoreBR(0, &a.raw);
    return a;
}

// An empty buffer has raw[0] and raw[2] zero; the first string appended marks raw[2].
L4_INLINE void L4_MsgBufferClear(L4_MsgBuffer_t *b)
{
    b->raw[0] = 0;
    b->raw[2] = 0;
}

#if defined(__cplusplus)
L4_INLINE void L4_Clear(L4_MsgBuffer_t *b)
{
    L4_MsgBufferClear(b);
}
#endif

// Where a next string of the given size goes (the current last string is marked as
// continued); 0 when the buffer has no room for it.
L4_INLINE L4_Word_t *__L4_MsgBuffer_Next(L4_MsgBuffer_t *b, L4_Word_t words)
{
    L4_Word_t *slot = b->raw;
    L4_StringItem_t *last = 0;
    if (b->raw[0] != 0 || b->raw[2] != 0)
        slot = __L4_RCAST(L4_Word_t *, __L4_EndOfStrings(b->string, &last));
    if (slot + words > b->raw + (__L4_NUM_BRS - 1))
        return 0;
    if (last != 0)
        last->raw[0] |= __L4_ITEM_C_BIT;
    else
        b->raw[2] = ~0UL;
    return slot;
}

L4_INLINE void L4_MsgBufferAppendSimpleRcvString(L4_MsgBuffer_t *b, L4_StringItem_t s)
{
    L4_Word_t *slot = __L4_MsgBuffer_Next(b, 2);
    if (slot == 0)
        return;
    slot[0] = s.raw[0] & ~(__L4_ITEM_C_BIT | __L4_STRING_COMPOUND_BIT | (__L4_STRING_J_MASK << __L4_STRING_J_SHIFT));
    slot[1] = s.raw[1];
}

L4_INLINE void L4_MsgBufferAppendRcvString(L4_MsgBuffer_t *b, L4_StringItem_t *s)
{
    L4_Word_t words = __L4_CAST(L4_Word_t, __L4_RCAST(L4_Word_t *, __L4_EndOfString(s, 0)) -
                                               __L4_RCAST(L4_Word_t *, s));
    L4_Word_t *slot = __L4_MsgBuffer_Next(b, words);
    if (slot == 0)
        return;
    (void)__L4_Copy_String(__L4_RCAST(L4_StringItem_t *, slot), s);
    slot[0] &= ~__L4_ITEM_C_BIT;
}

#if defined(__cplusplus)
L4_INLINE void L4_Append(L4_MsgBuffer_t *b, L4_StringItem_t s)
{
    L4_MsgBufferAppendSimpleRcvString(b, s);
}

L4_INLINE void L4_Append(L4_MsgBuffer_t *b, L4_StringItem_t *s)
{
    L4_MsgBufferAppendRcvString(b, s);
}
#endif

#endif
