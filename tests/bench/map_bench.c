/* SPDX-License-Identifier: MIT */
/* Mapping benchmark (a root task): the page-fault round trip (fault -> pager -> map item ->
 * resume; pagefault.rt), a map of 1, 16 and 512 pages in one IPC to a thread of this space
 * (map.N: the call and its empty reply) and the Unmap that revokes them again (unmap.N),
 * each the mean of MAP_ROUNDS, and one Unmap of a page from which 1, 10, 100 and 1000
 * mappings were derived (unmap.tree.N). rdtsc ticks: guest instructions under QEMU -icount
 * shift=0, host TSC ticks under plain TCG; the task prints `BENCH <name> <value>` and
 * `./tern bench` (tools/bench.py) boots it both ways. */
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4/tern/page.h>
#include <l4io.h>

#include "abi.h"
#include "bench.h"
#include "tern-syscalls.h"

#define STACK_WORDS 1024
#define FAULT_PAGES 64
#define MAP_ROUNDS 10
#define SOURCE 0x100000000UL       /* 512 separate 4 KiB pages from sigma0 */
#define MAP_WINDOW 0x200000000UL   /* where the receiver takes map items */
#define FAN_WINDOW 0x300000000UL   /* 1000 derived mappings, one page each */
#define FAULT_AREA 0x400000000UL   /* pages the faulting thread touches */

static L4_Word_t receiver_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t faulter_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_ThreadId_t me, sigma0, receiver, faulter;
static volatile L4_Word_t fault_ticks;

static void fail(const char *what)
{
    printf("BENCH error: %s\n", what);
    stop_machine(1);
}

/* Accepts map items anywhere (the send base is the address) and answers every message
 * with an empty one. */
static void receiver_main(void)
{
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));
    L4_ThreadId_t from;
    (void)L4_Wait(&from);
    for (;;) {
        L4_LoadMR(0, 0);
        (void)L4_ReplyWait(from, &from);
    }
}

/* Touches FAULT_PAGES fresh pages; the main thread is its pager. Reports the ticks. */
static void faulter_main(void)
{
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < FAULT_PAGES; ++i)
        (void)*(volatile L4_Word_t *)(FAULT_AREA + i * TERN_PAGE_SIZE);
    fault_ticks = rdtsc() - start;
    L4_LoadMR(0, 0);
    L4_Send(me);
    for (;;)
        L4_Sleep(L4_Never);
}

static L4_ThreadId_t start_thread(L4_Word_t number, void (*fn)(void), L4_Word_t *stack_top, L4_Word_t utcb_slot)
{
    void *kip = L4_GetKernelInterface();
    L4_ThreadId_t t = L4_GlobalId(L4_ThreadIdUserBase(kip) + number, 1);
    L4_Word_t utcb = (L4_Word_t)L4_MyLocalId().raw + utcb_slot * L4_UtcbSize(kip);
    if (!L4_ThreadControl(t, me, me, me, (void *)utcb))
        fail("ThreadControl");
    L4_Start_SpIp(t, (L4_Word_t)stack_top, (L4_Word_t)fn);
    return t;
}

/* Maps the 2^log2 bytes of SOURCE (separate 4 KiB pages) to the receiver in one map item;
 * returns the ticks of the call (IPC round trip plus the mapping). */
static L4_Word_t map_pages(int log2)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg,
                        L4_MapItem(L4_FpageAddRights(L4_FpageLog2(SOURCE, log2), L4_FullyAccessible), MAP_WINDOW));
    L4_MsgLoad(&msg);
    L4_Word_t start = rdtsc();
    L4_MsgTag_t tag = L4_Call(receiver);
    L4_Word_t ticks = rdtsc() - start;
    if (L4_IpcFailed(tag))
        fail("map call");
    return ticks;
}

/* Revokes what was derived from the 2^log2 bytes of SOURCE (the receiver's mappings at
 * MAP_WINDOW); returns the ticks of the Unmap. */
static L4_Word_t unmap_pages(int log2)
{
    L4_Fpage_t source = L4_FpageAddRights(L4_FpageLog2(SOURCE, log2), L4_FullyAccessible);
    L4_Word_t start = rdtsc();
    (void)L4_UnmapFpage(source);
    return rdtsc() - start;
}

/* Derives n mappings of the page at SOURCE in this space (FAN_WINDOW + i pages), then
 * times an Unmap of SOURCE that revokes them. */
static L4_Word_t unmap_tree(L4_Word_t n)
{
    for (L4_Word_t i = 0; i < n; ++i) {
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(SOURCE, 12), L4_FullyAccessible),
                                             FAN_WINDOW + i * TERN_PAGE_SIZE));
        L4_MsgLoad(&msg);
        if (L4_IpcFailed(L4_Call(receiver)))
            fail("map for the tree");
    }
    L4_Fpage_t source = L4_FpageAddRights(L4_FpageLog2(SOURCE, 12), L4_FullyAccessible);
    L4_Word_t start = rdtsc();
    (void)L4_UnmapFpage(source);
    return rdtsc() - start;
}

int main(void)
{
    void *kip = L4_GetKernelInterface();
    me = L4_Myself();
    sigma0 = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
    /* 512 separate pages, so that maps of them are 4 KiB mappings. */
    for (L4_Word_t i = 0; i < 512; ++i)
        if (L4_IsNilFpage(L4_Sigma0_GetAny(sigma0, 12, L4_FpageLog2(SOURCE + i * TERN_PAGE_SIZE, 12))))
            fail("sigma0 GetAny");

    receiver = start_thread(100, receiver_main, &receiver_stack[STACK_WORDS], 1);
    faulter = start_thread(101, faulter_main, &faulter_stack[STACK_WORDS], 2);

    /* The faulter's page faults: served here with pages of SOURCE (the same page each time,
     * so that no fault finds memory mapped already). */
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag))
            fail("fault wait");
        if (L4_UntypedWords(tag) == 0 && L4_Label(tag) == 0)
            break;  /* the faulter is done */
        L4_Word_t address;
        L4_StoreMR(1, &address);
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Word_t page = address & ~(TERN_PAGE_SIZE - 1);
        L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(SOURCE + (page - FAULT_AREA), 12),
                                                               L4_FullyAccessible),
                                             page));
        L4_MsgLoad(&msg);
        tag = L4_ReplyWait(from, &from);
    }
    printf("BENCH pagefault.rt %lu\n", fault_ticks / FAULT_PAGES);

    /* A first round makes the receiver's page tables; the measured ones find them. */
    (void)map_pages(21);
    (void)unmap_pages(21);
    static const struct {
        const char *map, *unmap;
        int log2;
    } sizes[] = {{"map.1", "unmap.1", 12}, {"map.16", "unmap.16", 16}, {"map.512", "unmap.512", 21}};
    for (unsigned i = 0; i < 3; ++i) {
        L4_Word_t map = 0, unmap = 0;
        for (unsigned round = 0; round < MAP_ROUNDS; ++round) {
            map += map_pages(sizes[i].log2);
            unmap += unmap_pages(sizes[i].log2);
        }
        printf("BENCH %s %lu\n", sizes[i].map, map / MAP_ROUNDS);
        printf("BENCH %s %lu\n", sizes[i].unmap, unmap / MAP_ROUNDS);
    }

    (void)unmap_tree(1000); /* page tables of the fan-out window */
    static const L4_Word_t fans[] = {1, 10, 100, 1000};
    for (unsigned i = 0; i < 4; ++i) {
        L4_Word_t ticks = unmap_tree(fans[i]);
        printf("BENCH unmap.tree.%lu %lu\n", fans[i], ticks);
    }
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
