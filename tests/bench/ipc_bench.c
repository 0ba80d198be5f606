/* SPDX-License-Identifier: MIT */
/* IPC and system-call benchmark (a root task). Every figure is rdtsc ticks per operation:
 * guest instructions under QEMU -icount shift=0, host TSC ticks under plain TCG; the task
 * prints `BENCH <name> <value>` and tools/bench.py adds unit and mode (docs/performance.md
 * lists every figure).
 *  - ipc.{intra,inter}.<n>w: call + reply-and-wait round trip with n untyped words each
 *    way (0 to 63), to an echo thread of this space or of another space, both at this
 *    thread's priority so that the call switches straight to them.
 *  - ipc.inter.map1: the inter-space round trip whose call carries a map item of one page
 *    (an untimed Unmap takes it back before the next round).
 *  - syscall.null, syscall.clock: ThreadSwitch to nilthread with nothing else ready, and
 *    SystemClock.
 *  - thread.create_delete, space.create_delete: ThreadControl making an active thread in
 *    this space (UTCB and pager given) and deleting it; a new space with its first thread
 *    (ThreadControl, SpaceControl, ThreadControl) and deleting that thread, which deletes
 *    the space.
 *  - ipc.inter.threads.<n>: the inter-space 0-word round trip with n more threads in the
 *    system (inactive ones in spaces of their own, at most 4000 to a space; the figure of
 *    1 has one such thread), then they are deleted again.
 *  - Last, the root task gets 8 I/O ports from sigma0 (twice: the first request makes
 *    sigma0's port roots) and measures the inter-space round trip again, now switching into
 *    a space with ports (which loads its I/O bitmap into the TSS) and out of it. Then it
 *    maps its 8 ports to the other space and unmaps them, once with an fpage of just those
 *    8 ports and once with an fpage of all 65536: the cost follows the ports the space has,
 *    not the size of the fpage. */
#include <l4/arch.h>
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

#include "abi.h"
#include "bench.h"
#include "tern-syscalls.h"

#define ROUNDS 1000
#define WARMUP 50
#define SHORT_ROUNDS 100
#define STACK_WORDS 1024
#define SPACE_UTCB_AREA 0x7ffffff00000UL
#define EXTRA_UTCB_AREA 0x7fff00000000UL /* 4 MiB: 4096 UTCB slots */
#define EXTRA_UTCB_LOG2 22
#define EXTRA_PER_SPACE 4000
#define EXTRA_FIRST 1000                 /* thread numbers above the user base */
#define MAP_WINDOW 0x200000000UL         /* where the remote map thread receives its page */

static L4_Word_t echo_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t remote_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t remote_map_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t pager_stack[STACK_WORDS] __attribute__((aligned(16)));
static unsigned char map_page[TERN_PAGE_SIZE] __attribute__((aligned(TERN_PAGE_SIZE)));
static L4_ThreadId_t me, local_echo, remote_echo, remote_map, pager;
static L4_KernelInterfacePage_t *kip;
static L4_Word_t base, utcb;

static void fail(const char *what)
{
    printf("BENCH error: %s (error %lu)\n", what, L4_ErrorCode());
    stop_machine(1);
}

static void report(const char *name, L4_Word_t value) { printf("BENCH %s %lu\n", name, value); }

/* Replies with the message it got, forever; takes the ports it is sent. */
static void echo_main(void)
{
    L4_Accept(L4_MapGrantItems(L4_IoFpageLog2(0, 16)));
    L4_ThreadId_t from;
    (void)L4_Wait(&from);
    for (;;)
        (void)L4_ReplyWait(from, &from);  /* MR0 still holds the tag received: echo it */
}

/* Takes a map item anywhere (placed by its send base) and answers with an empty message. */
static void map_echo_main(void)
{
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    L4_ThreadId_t from;
    (void)L4_Wait(&from);
    for (;;) {
        L4_LoadMR(0, 0);
        (void)L4_ReplyWait(from, &from);
    }
}

static void send_start(L4_ThreadId_t thread, void (*fn)(void), L4_Word_t *stack_top)
{
    L4_Msg_t start;
    L4_MsgClear(&start);
    L4_MsgAppendWord(&start, (L4_Word_t)fn);
    L4_MsgAppendWord(&start, (L4_Word_t)stack_top);
    L4_MsgLoad(&start);
    L4_Send(thread);
}

/* Starts the two threads of the other space, then maps them this space's pages on fault. */
static void pager_main(void)
{
    send_start(remote_echo, echo_main, &remote_stack[STACK_WORDS]);
    send_start(remote_map, map_echo_main, &remote_map_stack[STACK_WORDS]);
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t address = 0;
        L4_StoreMR(1, &address);
        L4_Word_t page = address & ~(TERN_PAGE_SIZE - 1);
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        if (L4_IpcSucceeded(tag))
            L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible), page));
        L4_MsgLoad(&msg);
        tag = L4_ReplyWait(from, &from);
    }
}

/* The mean over `rounds` round trips of `words` untyped words each way, after WARMUP. */
static L4_Word_t measure_rounds(L4_ThreadId_t partner, L4_Word_t words, L4_Word_t rounds)
{
    L4_MsgTag_t tag = L4_Niltag;
    L4_Word_t start = 0;
    for (L4_Word_t i = 0; i < WARMUP + rounds; i++) {
        if (i == WARMUP)
            start = rdtsc();
        tag.raw = words;
        L4_Set_MsgTag(tag);
        tag = L4_Call(partner);
        if (L4_IpcFailed(tag)) {
            printf("BENCH error: round trip %lu to %lx failed, error %lu\n", i, partner.raw, L4_ErrorCode());
            stop_machine(1);
        }
    }
    return (rdtsc() - start) / rounds;
}

static L4_Word_t measure(L4_ThreadId_t partner, L4_Word_t words) { return measure_rounds(partner, words, ROUNDS); }

/* The mean cost of a call carrying a map item of one page to the other space, and its
 * (empty) reply; each round's mapping is revoked, untimed, before the next. */
static L4_Word_t measure_map1(void)
{
    L4_Fpage_t page = L4_FpageAddRights(L4_FpageLog2((L4_Word_t)map_page, 12), L4_FullyAccessible);
    L4_Word_t total = 0;
    for (L4_Word_t i = 0; i < WARMUP + SHORT_ROUNDS; ++i) {
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_MsgAppendMapItem(&msg, L4_MapItem(page, MAP_WINDOW));
        L4_MsgLoad(&msg);
        L4_Word_t start = rdtsc();
        L4_MsgTag_t tag = L4_Call(remote_map);
        L4_Word_t ticks = rdtsc() - start;
        if (L4_IpcFailed(tag))
            fail("map item round trip");
        if (i >= WARMUP)
            total += ticks;
        (void)L4_UnmapFpage(page);
    }
    return total / SHORT_ROUNDS;
}

static L4_Word_t measure_null_syscall(void)
{
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < ROUNDS; ++i)
        L4_ThreadSwitch(L4_nilthread);
    return (rdtsc() - start) / ROUNDS;
}

static L4_Word_t measure_clock(void)
{
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < ROUNDS; ++i)
        (void)L4_SystemClock();
    return (rdtsc() - start) / ROUNDS;
}

static L4_Word_t measure_thread_create_delete(void)
{
    L4_ThreadId_t t = L4_GlobalId(base + 200, 1);
    void *slot = (void *)(utcb + 3 * L4_UtcbSize(kip));
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < SHORT_ROUNDS; ++i)
        if (!L4_ThreadControl(t, me, me, pager, slot) || !L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1))
            fail("thread create and delete");
    return (rdtsc() - start) / SHORT_ROUNDS;
}

static L4_Word_t measure_space_create_delete(void)
{
    L4_ThreadId_t t = L4_GlobalId(base + 201, 1);
    L4_Word_t old_control;
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < SHORT_ROUNDS; ++i)
        if (!L4_ThreadControl(t, t, me, L4_nilthread, (void *)-1) ||
            !L4_SpaceControl(t, 0, L4_FpageLog2((L4_Word_t)kip, (int)L4_KipAreaSizeLog2(kip)), L4_FpageLog2(SPACE_UTCB_AREA, 16), L4_nilthread,
                             &old_control) ||
            !L4_ThreadControl(t, t, me, pager, (void *)SPACE_UTCB_AREA) ||
            !L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1))
            fail("space create and delete");
    return (rdtsc() - start) / SHORT_ROUNDS;
}

/* Extra threads: number i is thread base + EXTRA_FIRST + i. The first of every
 * EXTRA_PER_SPACE names a new space (made without a UTCB, then its UTCB area set); the
 * others are inactive threads in it with a UTCB location and no pager. */
static L4_Word_t extra_count;

static L4_ThreadId_t extra_id(L4_Word_t i) { return L4_GlobalId(base + EXTRA_FIRST + i, 1); }

static void add_extra_thread(void)
{
    L4_Word_t i = extra_count, in_space = i % EXTRA_PER_SPACE;
    L4_ThreadId_t t = extra_id(i), space = extra_id(i - in_space);
    if (in_space == 0) {
        L4_Word_t old_control;
        if (!L4_ThreadControl(t, t, me, L4_nilthread, (void *)-1) ||
            !L4_SpaceControl(t, 0, L4_FpageLog2((L4_Word_t)kip, (int)L4_KipAreaSizeLog2(kip)), L4_FpageLog2(EXTRA_UTCB_AREA, EXTRA_UTCB_LOG2),
                             L4_nilthread, &old_control))
            fail("extra space");
    } else if (!L4_ThreadControl(t, space, me, L4_nilthread, (void *)(EXTRA_UTCB_AREA + in_space * L4_UtcbSize(kip)))) {
        fail("extra thread");
    }
    ++extra_count;
}

static void thread_count_sweep(void)
{
    static const L4_Word_t counts[] = {1, 10, 100, 1000, 10000};
    for (unsigned c = 0; c < sizeof counts / sizeof counts[0]; ++c) {
        while (extra_count < counts[c])
            add_extra_thread();
        char name[40];
        snprintf(name, sizeof name, "ipc.inter.threads.%lu", counts[c]);
        report(name, measure(remote_echo, 0));
    }
    /* The spaces' first threads go last: deleting one deletes its space. */
    for (L4_Word_t i = extra_count; i-- > 0;)
        if (i % EXTRA_PER_SPACE != 0 && !L4_ThreadControl(extra_id(i), L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1))
            fail("deleting an extra thread");
    for (L4_Word_t i = 0; i < extra_count; i += EXTRA_PER_SPACE)
        if (!L4_ThreadControl(extra_id(i), L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1))
            fail("deleting an extra space");
    extra_count = 0;
}

/* Maps the ports of `ports` this space has to the remote echo thread; the ticks of the
 * call (IPC round trip plus the map item). */
static L4_Word_t map_ports(L4_Fpage_t ports)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(ports, L4_FullyAccessible), 0));
    L4_MsgLoad(&msg);
    L4_Word_t start = rdtsc();
    L4_MsgTag_t tag = L4_Call(remote_echo);
    L4_Word_t ticks = rdtsc() - start;
    if (L4_IpcFailed(tag))
        fail("port map");
    return ticks;
}

/* Takes back what was derived from this space's ports in `ports`; the ticks of the Unmap. */
static L4_Word_t unmap_ports(L4_Fpage_t ports)
{
    L4_Fpage_t fpage = L4_FpageAddRights(ports, L4_FullyAccessible);
    L4_Word_t start = rdtsc();
    (void)L4_UnmapFpage(fpage);
    return rdtsc() - start;
}

static void port_figures(void)
{
    L4_ThreadId_t sigma0 = L4_GlobalId(base, 1);
    for (int round = 0; round < 2; ++round) {
        L4_Word_t start = rdtsc();
        L4_Fpage_t ports = L4_Sigma0_GetPage(sigma0, L4_IoFpageLog2(0x70, 3));
        L4_Word_t ticks = rdtsc() - start;
        if (!L4_IsIoFpage(ports)) {
            printf("BENCH error: sigma0 gave no ports (%lx)\n", ports.raw);
            stop_machine(1);
        }
        report(round == 0 ? "sigma0.ports8.first" : "sigma0.ports8.again", ticks);
    }
    report("ipc.inter.0w.ports", measure(remote_echo, 0));

    /* A first round makes the receiver's bitmap and slot pages; the measured one finds them. */
    const L4_Fpage_t own = L4_IoFpageLog2(0x70, 3), all = L4_IoFpageLog2(0, 16);
    (void)map_ports(all);
    (void)unmap_ports(all);
    L4_Word_t map_own = map_ports(own), unmap_own = unmap_ports(own);
    L4_Word_t map_all = map_ports(all), unmap_all = unmap_ports(all);
    report("ports.map8.fpage8", map_own);
    report("ports.map8.fpage64k", map_all);
    report("ports.unmap8.fpage8", unmap_own);
    report("ports.unmap8.fpage64k", unmap_all);
}

int main(void)
{
    kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    me = L4_Myself();
    base = L4_ThreadIdUserBase(kip);
    local_echo = L4_GlobalId(base + 100, 1);
    remote_echo = L4_GlobalId(base + 101, 1);
    pager = L4_GlobalId(base + 102, 1);
    remote_map = L4_GlobalId(base + 103, 1);
    utcb = (L4_Word_t)L4_MyLocalId().raw;
    L4_Word_t old_control;
    map_page[0] = 1; /* mapped here before it is mapped on */

    if (!L4_ThreadControl(local_echo, me, me, L4_Pager(), (void *)(utcb + L4_UtcbSize(kip))) ||
        !L4_ThreadControl(remote_echo, remote_echo, me, L4_nilthread, (void *)-1) ||
        !L4_SpaceControl(remote_echo, 0, L4_FpageLog2((L4_Word_t)kip, (int)L4_KipAreaSizeLog2(kip)), L4_FpageLog2(SPACE_UTCB_AREA, 16),
                         L4_nilthread, &old_control) ||
        !L4_ThreadControl(remote_echo, remote_echo, me, pager, (void *)SPACE_UTCB_AREA) ||
        !L4_ThreadControl(remote_map, remote_echo, me, pager, (void *)(SPACE_UTCB_AREA + L4_UtcbSize(kip))) ||
        !L4_ThreadControl(pager, me, me, L4_Pager(), (void *)(utcb + 2 * L4_UtcbSize(kip))))
        fail("cannot create threads");
    /* Echo threads run at the benchmark's priority, so a call switches straight to them. */
    L4_Set_Priority(local_echo, 255);
    L4_Set_Priority(remote_echo, 255);
    L4_Set_Priority(remote_map, 255);
    L4_Start_SpIp(local_echo, (L4_Word_t)&echo_stack[STACK_WORDS], (L4_Word_t)echo_main);
    L4_Start_SpIp(pager, (L4_Word_t)&pager_stack[STACK_WORDS], (L4_Word_t)pager_main);

    static const L4_Word_t lengths[] = {0, 1, 4, 8, 16, 32, 63};
    for (unsigned inter = 0; inter < 2; ++inter)
        for (unsigned i = 0; i < sizeof lengths / sizeof lengths[0]; ++i) {
            char name[40];
            snprintf(name, sizeof name, "ipc.%s.%luw", inter ? "inter" : "intra", lengths[i]);
            report(name, measure(inter ? remote_echo : local_echo, lengths[i]));
        }
    report("ipc.inter.map1", measure_map1());
    report("syscall.null", measure_null_syscall());
    report("syscall.clock", measure_clock());
    report("thread.create_delete", measure_thread_create_delete());
    report("space.create_delete", measure_space_create_delete());
    thread_count_sweep();
    port_figures();
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
