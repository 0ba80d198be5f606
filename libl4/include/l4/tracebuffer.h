// SPDX-License-Identifier: MIT
// libl4: Pistachio's user-level trace buffer. Tern's kernel has no trace buffer (no
// "tracebuffer" feature), so L4_GetTraceBuffer returns 0 and recording events does nothing;
// the types and calls are here so that programs using them build unchanged.
#ifndef L4_TRACEBUFFER_H
#define L4_TRACEBUFFER_H

#include <l4/types.h>
#include <l4/thread.h>

#define L4_TRACEBUFFER_MAGIC (0x1464b123acebfUL)
#define L4_TRACEBUFFER_NUM_ARGS (9)
#define L4_TRACEBUFFER_USERID_START (100)
#define L4_TRACEBUFFER_DEFAULT_TYPE (0x1)

typedef union {
    struct {
        L4_Word_t smp : 1;
        L4_Word_t pmon : 1;
        L4_Word_t pmon_cpu : 2;
        L4_Word_t pmon_e : 2;
        L4_Word_t : 58;
    } X;
    L4_Word_t raw;
} L4_TraceConfig_t;

typedef struct {
    struct {
        L4_Word_t utype : 16;
        L4_Word_t __pad0 : 48;
        L4_Word_t cpu : 16;
        L4_Word_t id : 48;
    } X;
    L4_Word_t tsc;
    L4_Word_t thread;
    L4_Word_t pmc0;
    L4_Word_t pmc1;
    L4_Word_t str;
    L4_Word_t data[L4_TRACEBUFFER_NUM_ARGS];
} L4_TraceRecord_t;

typedef struct {
    L4_Word_t magic;
    L4_Word_t current;
    L4_Word_t mask;
    L4_Word_t max;
    L4_TraceConfig_t config;
    L4_Word_t __pad[3];
    L4_Word_t counters[8];
#if defined(__cplusplus)
    __extension__ L4_TraceRecord_t tracerecords[];
#else
    L4_TraceRecord_t tracerecords[];
#endif
} L4_TraceBuffer_t;

#include <l4/amd64/tracebuffer.h>

L4_INLINE L4_TraceBuffer_t *L4_GetTraceBuffer(void)
{
    return 0;
}

L4_INLINE void L4_Tbuf_StoreRecord(L4_TraceRecord_t *rec, const L4_TraceConfig_t config, L4_Word_t type, L4_Word_t id)
{
    rec->X.utype = type & 0xffff;
    rec->X.id = id & 0xffffffffffffUL;
    rec->X.cpu = L4_ProcessorNo() & 0xffff;
    rec->thread = L4_Myself().raw;
    L4_Tbuf_StoreRecordArch(rec, config);
}

// The record for the next event of type (0 when there is no buffer or type is masked out).
L4_INLINE L4_TraceRecord_t *L4_Tbuf_NextRecord(L4_Word_t type, L4_Word_t id)
{
    L4_TraceBuffer_t *buffer = L4_GetTraceBuffer();
    L4_TraceRecord_t *rec;
    if (buffer == 0 || (buffer->mask & ((type & 0xffff) << 16)) == 0)
        return 0;
    if (buffer->current >= buffer->max)
        buffer->current = 0;
    rec = buffer->tracerecords + buffer->current;
    L4_Tbuf_StoreRecord(rec, buffer->config, type, id);
    return rec;
}

L4_INLINE void L4_Tbuf_IncCounter(L4_Word_t counter)
{
    L4_TraceBuffer_t *buffer = L4_GetTraceBuffer();
    if (buffer != 0)
        buffer->counters[counter & 0x7]++;
}

L4_INLINE void __L4_Tbuf_Record(L4_Word_t id, const char *str, L4_Word_t count, L4_Word_t p0, L4_Word_t p1,
                                L4_Word_t p2, L4_Word_t p3)
{
    L4_TraceRecord_t *rec = L4_Tbuf_NextRecord(L4_TRACEBUFFER_DEFAULT_TYPE, id);
    if (rec == 0)
        return;
    rec->str = __L4_RCAST(L4_Word_t, str);
    if (count > 0)
        rec->data[0] = p0;
    if (count > 1)
        rec->data[1] = p1;
    if (count > 2)
        rec->data[2] = p2;
    if (count > 3)
        rec->data[3] = p3;
}

L4_INLINE void L4_Tbuf_RecordEvent_t0(L4_Word_t id, const char *str)
{
    __L4_Tbuf_Record(id, str, 0, 0, 0, 0, 0);
}

L4_INLINE void L4_Tbuf_RecordEvent_t1(L4_Word_t id, const char *str, L4_Word_t p0)
{
    __L4_Tbuf_Record(id, str, 1, p0, 0, 0, 0);
}

L4_INLINE void L4_Tbuf_RecordEvent_t2(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1)
{
    __L4_Tbuf_Record(id, str, 2, p0, p1, 0, 0);
}

L4_INLINE void L4_Tbuf_RecordEvent_t3(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1, L4_Word_t p2)
{
    __L4_Tbuf_Record(id, str, 3, p0, p1, p2, 0);
}

L4_INLINE void L4_Tbuf_RecordEvent_t4(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1, L4_Word_t p2,
                                      L4_Word_t p3)
{
    __L4_Tbuf_Record(id, str, 4, p0, p1, p2, p3);
}

L4_INLINE void L4_Tbuf_RecordEvent_0(L4_Word_t id, const char *str)
{
    L4_Tbuf_RecordEvent_t0(id, str);
}

L4_INLINE void L4_Tbuf_RecordEvent_1(L4_Word_t id, const char *str, L4_Word_t p0)
{
    L4_Tbuf_RecordEvent_t1(id, str, p0);
}

L4_INLINE void L4_Tbuf_RecordEvent_2(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1)
{
    L4_Tbuf_RecordEvent_t2(id, str, p0, p1);
}

L4_INLINE void L4_Tbuf_RecordEvent_3(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1, L4_Word_t p2)
{
    L4_Tbuf_RecordEvent_t3(id, str, p0, p1, p2);
}

L4_INLINE void L4_Tbuf_RecordEvent_4(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1, L4_Word_t p2,
                                     L4_Word_t p3)
{
    L4_Tbuf_RecordEvent_t4(id, str, p0, p1, p2, p3);
}

#if defined(__cplusplus)
L4_INLINE void L4_Tbuf_RecordEvent(L4_Word_t id, const char *str)
{
    L4_Tbuf_RecordEvent_t0(id, str);
}

L4_INLINE void L4_Tbuf_RecordEvent(L4_Word_t id, const char *str, L4_Word_t p0)
{
    L4_Tbuf_RecordEvent_t1(id, str, p0);
}

L4_INLINE void L4_Tbuf_RecordEvent(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1)
{
    L4_Tbuf_RecordEvent_t2(id, str, p0, p1);
}

L4_INLINE void L4_Tbuf_RecordEvent(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1, L4_Word_t p2)
{
    L4_Tbuf_RecordEvent_t3(id, str, p0, p1, p2);
}

L4_INLINE void L4_Tbuf_RecordEvent(L4_Word_t id, const char *str, L4_Word_t p0, L4_Word_t p1, L4_Word_t p2,
                                   L4_Word_t p3)
{
    L4_Tbuf_RecordEvent_t4(id, str, p0, p1, p2, p3);
}
#endif

#endif
