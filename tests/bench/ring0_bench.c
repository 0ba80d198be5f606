/* SPDX-License-Identifier: MIT */
/* Ring 0 against ring 3 (a root task): the same code, run by threads of spaces made as
 * ring-3 tasks or as kernel-mode tasks (SpaceControl's kernel_mode, docs/kernel.md), times
 *   - the null system call: ThreadSwitch(nilthread) with nothing else ready;
 *   - the call + reply-and-wait round trip between two spaces, 0 words, for each pair of
 *     rings (caller, callee);
 *   - the page-fault round trip: a first write to a page, its fault sent to the pager (this
 *     root task, in ring 3), the map item reply, the write done.
 * Each figure is rdtsc ticks per operation, measured in the child and reported here:
 * guest instructions under QEMU -icount shift=0, host TSC ticks under plain TCG. The
 * children run this image's code, which the root task maps to them on their page faults. */
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4/tern/page.h>
#include <l4io.h>

#include "bench.h"

#define ROUNDS 1000
#define FAULT_PAGES 64
#define STACK_WORDS 1024
#define CHILDREN 8
#define UTCB_AREA 0x7ffffff00000UL
#define SOURCE 0x0000010000000000UL     /* FAULT_PAGES pages from sigma0, the faults' answers */
#define FAULT_AREA 0x0000020000000000UL /* where a faulting child writes */
#define LABEL_FIGURE 0x5eb1UL

static L4_KernelInterfacePage_t *kip;
static L4_ThreadId_t me, sigma0;
static L4_Word_t image_low, image_high, base;
static L4_Word_t stacks[CHILDREN][STACK_WORDS] __attribute__((aligned(16)));
static volatile L4_ThreadId_t partner; /* the callee of the next caller */
static unsigned next_child;

static void fail(const char *what)
{
    printf("BENCH error: %s\n", what);
    stop_machine(1);
}

static void report_figure(L4_Word_t value)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_FIGURE);
    L4_MsgAppendWord(&msg, value);
    L4_MsgLoad(&msg);
    L4_Send(me);
    for (;;)
        L4_Sleep(L4_Never);
}

static void null_calls(void)
{
    for (int warm = 0; warm < 10; ++warm)
        L4_ThreadSwitch(L4_nilthread);
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < ROUNDS; ++i)
        L4_ThreadSwitch(L4_nilthread);
    report_figure((rdtsc() - start) / ROUNDS);
}

static void echo(void)
{
    L4_ThreadId_t from;
    L4_Wait(&from);
    for (;;) {
        L4_Set_MsgTag(L4_Niltag);
        L4_ReplyWait(from, &from);
    }
}

static void calls(void)
{
    L4_ThreadId_t to = partner;
    for (int warm = 0; warm < 12; ++warm) {
        L4_Set_MsgTag(L4_Niltag);
        if (L4_IpcFailed(L4_Call(to)))
            report_figure(~0UL);
    }
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < ROUNDS; ++i) {
        L4_Set_MsgTag(L4_Niltag);
        L4_Call(to);
    }
    report_figure((rdtsc() - start) / ROUNDS);
}

static void faults(void)
{
    volatile L4_Word_t *area = (volatile L4_Word_t *)FAULT_AREA;
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < FAULT_PAGES; ++i)
        area[i * (TERN_PAGE_SIZE / 8)] = i;
    report_figure((rdtsc() - start) / FAULT_PAGES);
}

/* A thread running fn in a new space, ring 0 when kernel_mode, paged by this task. */
static L4_ThreadId_t start_child(void (*fn)(void), int kernel_mode)
{
    /* At most two live at once: numbers and stacks are reused round robin. */
    unsigned slot = next_child++ % CHILDREN;
    L4_ThreadId_t t = L4_GlobalId(base + 200 + slot, 1);
    L4_Word_t old;
    if (!L4_ThreadControl(t, t, me, L4_nilthread, (void *)-1) ||
        !L4_SpaceControl(t, kernel_mode ? TERN_SPACE_CONTROL_KERNEL_MODE_MASK : 0,
                         L4_FpageLog2((L4_Word_t)kip, (int)L4_KipAreaSizeLog2(kip)), L4_FpageLog2(UTCB_AREA, 16),
                         L4_nilthread, &old) ||
        !L4_ThreadControl(t, t, me, me, (void *)UTCB_AREA))
        fail("cannot make a child");
    L4_Set_Priority(t, 255);
    L4_Start_SpIp(t, (L4_Word_t)&stacks[slot][STACK_WORDS], (L4_Word_t)fn);
    return t;
}

static void end_child(L4_ThreadId_t t) { L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1); }

/* Serves the children's page faults (this image's pages where they are; the fault area
 * from SOURCE) until one reports a figure; returns it. */
static L4_Word_t serve_until_figure(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag))
            fail("wait for the children");
        if (L4_Label(tag) == LABEL_FIGURE) {
            L4_Word_t value;
            L4_StoreMR(1, &value);
            return value;
        }
        L4_Word_t address;
        L4_StoreMR(1, &address);
        L4_Word_t page = address & ~(TERN_PAGE_SIZE - 1), source = page;
        if (page >= FAULT_AREA && page < FAULT_AREA + FAULT_PAGES * TERN_PAGE_SIZE)
            source = SOURCE + (page - FAULT_AREA);
        else if (page < image_low || page >= image_high)
            fail("a child faulted outside what it may touch");
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(source, 12), L4_FullyAccessible), page));
        L4_MsgLoad(&msg);
        tag = L4_ReplyWait(from, &from);
    }
}

static const char *ring_name(int kernel_mode) { return kernel_mode ? "ring0" : "ring3"; }

int main(void)
{
    kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    me = L4_Myself();
    base = L4_ThreadIdUserBase(kip);
    sigma0 = L4_GlobalId(base, 1);
    image_low = *(L4_Word_t *)((L4_Word_t)kip + TERN_KIP_ROOT_SERVER_LOW);
    image_high = *(L4_Word_t *)((L4_Word_t)kip + TERN_KIP_ROOT_SERVER_HIGH);
    for (L4_Word_t i = 0; i < FAULT_PAGES; ++i)
        if (L4_IsNilFpage(L4_Sigma0_GetAny(sigma0, 12, L4_FpageLog2(SOURCE + i * TERN_PAGE_SIZE, 12))))
            fail("sigma0 GetAny");
    /* Every page of this image present here, so that each child's faults on it are served. */
    for (L4_Word_t page = image_low & ~(TERN_PAGE_SIZE - 1); page < image_high; page += TERN_PAGE_SIZE)
        (void)*(volatile char *)page;

    for (int ring0 = 0; ring0 < 2; ++ring0) {
        L4_ThreadId_t t = start_child(null_calls, ring0);
        printf("BENCH syscall.null.%s %lu\n", ring_name(ring0), serve_until_figure());
        end_child(t);
    }
    for (int caller_ring0 = 0; caller_ring0 < 2; ++caller_ring0)
        for (int callee_ring0 = 0; callee_ring0 < 2; ++callee_ring0) {
            L4_ThreadId_t callee = start_child(echo, callee_ring0);
            partner = callee;
            L4_ThreadId_t caller = start_child(calls, caller_ring0);
            printf("BENCH ipc.inter.0w.%s_%s %lu\n", ring_name(caller_ring0), ring_name(callee_ring0),
                   serve_until_figure());
            end_child(caller);
            end_child(callee);
        }
    for (int ring0 = 0; ring0 < 2; ++ring0) {
        L4_ThreadId_t t = start_child(faults, ring0);
        printf("BENCH pagefault.rt.%s %lu\n", ring_name(ring0), serve_until_figure());
        end_child(t);  /* (its mappings go with its space: the next child faults on every page) */
    }
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
