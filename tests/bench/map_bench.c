/* SPDX-License-Identifier: MIT */
/* Mapping benchmark (a root task): the page-fault round trip (fault -> pager -> map item ->
 * resume), a map of 1, 16 and 512 pages in one IPC, and Unmap of a page from which 1, 10,
 * 100 and 1000 mappings were derived. rdtsc ticks: guest instructions under QEMU -icount
 * shift=0, host TSC ticks under plain TCG. `./tern bench` boots it both ways. */
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

/* Maps `pages` 4 KiB pages of SOURCE to the receiver in one map item; returns the ticks of
 * the call (IPC round trip plus the mapping). */
static L4_Word_t map_pages(L4_Word_t pages, int log2)
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
    (void)pages;
    return ticks;
}

static void flush_window(void)
{
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(MAP_WINDOW, 21), L4_FullyAccessible);
    L4_Flush(f);
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
    printf("BENCH page-fault round trip (fault, pager, map, resume): %lu\n", fault_ticks / FAULT_PAGES);

    /* A first round makes the receiver's page tables; the measured one finds them. */
    (void)map_pages(512, 21);
    flush_window();
    L4_Word_t one = map_pages(1, 12);
    flush_window();
    L4_Word_t sixteen = map_pages(16, 16);
    flush_window();
    L4_Word_t many = map_pages(512, 21);
    flush_window();
    printf("BENCH map 1 page in one IPC: %lu\n", one);
    printf("BENCH map 16 pages in one IPC: %lu\n", sixteen);
    printf("BENCH map 512 pages in one IPC: %lu\n", many);

    (void)unmap_tree(1000); /* page tables of the fan-out window */
    static const L4_Word_t sizes[] = {1, 10, 100, 1000};
    for (unsigned i = 0; i < 4; ++i) {
        L4_Word_t ticks = unmap_tree(sizes[i]);
        printf("BENCH unmap of %lu derived mappings: %lu\n", sizes[i], ticks);
    }
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
