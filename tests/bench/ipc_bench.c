/* SPDX-License-Identifier: MIT */
/* IPC round-trip benchmark (a root task): call / reply-and-wait between two threads of one
 * space and between two spaces, with 0 and 8 untyped words. It reports rdtsc ticks per
 * round trip: guest instructions under QEMU -icount shift=0, host TSC ticks under plain
 * TCG. `./tern bench` boots it both ways and prints the table. Last, the root task gets 8
 * I/O ports from sigma0 (twice: the first request makes sigma0's port roots) and measures
 * the inter-space round trip again, now switching into a space with ports (which loads
 * its I/O bitmap into the TSS) and out of it (which denies all ports again). Then it maps
 * its 8 ports to the other space and unmaps them again, once with an fpage of just those 8
 * ports and once with an fpage of all 65536: the cost follows the ports the space has, not
 * the size of the fpage. */
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

#define ROUNDS 2000
#define WARMUP 100
#define STACK_WORDS 1024
#define SPACE_UTCB_AREA 0x7ffffff00000UL

static L4_Word_t echo_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t remote_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t pager_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_ThreadId_t local_echo, remote_echo, pager;

/* Replies with the message it got, forever; takes the ports it is sent. */
static void echo_main(void)
{
    L4_Accept(L4_MapGrantItems(L4_IoFpageLog2(0, 16)));
    L4_ThreadId_t from;
    (void)L4_Wait(&from);
    for (;;)
        (void)L4_ReplyWait(from, &from);  /* MR0 still holds the tag received: echo it */
}

static void pager_main(void)
{
    L4_Msg_t start;
    L4_MsgClear(&start);
    L4_MsgAppendWord(&start, (L4_Word_t)echo_main);
    L4_MsgAppendWord(&start, (L4_Word_t)&remote_stack[STACK_WORDS]);
    L4_MsgLoad(&start);
    L4_Send(remote_echo);
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

/* Median-free, simple: the average over ROUNDS after WARMUP round trips. */
static L4_Word_t measure(L4_ThreadId_t partner, L4_Word_t words)
{
    L4_MsgTag_t tag = L4_Niltag;
    L4_Word_t start = 0;
    for (L4_Word_t i = 0; i < WARMUP + ROUNDS; i++) {
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
    return (rdtsc() - start) / ROUNDS;
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
    if (L4_IpcFailed(tag)) {
        printf("BENCH error: port map to %lx failed, error %lu\n", remote_echo.raw, L4_ErrorCode());
        stop_machine(1);
    }
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

int main(void)
{
    L4_KernelInterfacePage_t *kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    L4_ThreadId_t me = L4_Myself();
    L4_Word_t base = L4_ThreadIdUserBase(kip);
    local_echo = L4_GlobalId(base + 100, 1);
    remote_echo = L4_GlobalId(base + 101, 1);
    pager = L4_GlobalId(base + 102, 1);
    L4_Word_t utcb = (L4_Word_t)L4_MyLocalId().raw;
    L4_Word_t old_control;

    if (!L4_ThreadControl(local_echo, me, me, L4_Pager(), (void *)(utcb + L4_UtcbSize(kip))) ||
        !L4_ThreadControl(remote_echo, remote_echo, me, L4_nilthread, (void *)-1) ||
        !L4_SpaceControl(remote_echo, 0, L4_FpageLog2((L4_Word_t)kip, 12), L4_FpageLog2(SPACE_UTCB_AREA, 16),
                         L4_nilthread, &old_control) ||
        !L4_ThreadControl(remote_echo, remote_echo, me, pager, (void *)SPACE_UTCB_AREA) ||
        !L4_ThreadControl(pager, me, me, L4_Pager(), (void *)(utcb + 2 * L4_UtcbSize(kip)))) {
        printf("BENCH error: cannot create threads (error %lu)\n", L4_ErrorCode());
        stop_machine(1);
    }
    /* Echo threads run at the benchmark's priority, so a call switches straight to them. */
    L4_Set_Priority(local_echo, 255);
    L4_Set_Priority(remote_echo, 255);
    L4_Start_SpIp(local_echo, (L4_Word_t)&echo_stack[STACK_WORDS], (L4_Word_t)echo_main);
    L4_Start_SpIp(pager, (L4_Word_t)&pager_stack[STACK_WORDS], (L4_Word_t)pager_main);

    printf("BENCH intra-space round trip, 0 words: %lu\n", measure(local_echo, 0));
    printf("BENCH intra-space round trip, 8 words: %lu\n", measure(local_echo, 8));
    printf("BENCH inter-space round trip, 0 words: %lu\n", measure(remote_echo, 0));
    printf("BENCH inter-space round trip, 8 words: %lu\n", measure(remote_echo, 8));

    L4_ThreadId_t sigma0 = L4_GlobalId(base, 1);
    for (int round = 0; round < 2; ++round) {
        L4_Word_t start = rdtsc();
        L4_Fpage_t ports = L4_Sigma0_GetPage(sigma0, L4_IoFpageLog2(0x70, 3));
        L4_Word_t ticks = rdtsc() - start;
        if (!L4_IsIoFpage(ports)) {
            printf("BENCH error: sigma0 gave no ports (%lx)\n", ports.raw);
            stop_machine(1);
        }
        printf("BENCH sigma0 request of 8 I/O ports%s: %lu\n", round == 0 ? " (its roots made)" : " (again)", ticks);
    }
    printf("BENCH inter-space round trip, 0 words, caller with 8 ports: %lu\n", measure(remote_echo, 0));

    /* A first round makes the receiver's bitmap and slot pages; the measured one finds them. */
    const L4_Fpage_t own = L4_IoFpageLog2(0x70, 3), all = L4_IoFpageLog2(0, 16);
    (void)map_ports(all);
    (void)unmap_ports(all);
    L4_Word_t map_own = map_ports(own), unmap_own = unmap_ports(own);
    L4_Word_t map_all = map_ports(all), unmap_all = unmap_ports(all);
    printf("BENCH map of 8 ports to another space, fpage of those 8 (call and reply): %lu\n", map_own);
    printf("BENCH map of 8 ports to another space, fpage of all 65536 (call and reply): %lu\n", map_all);
    printf("BENCH unmap of 8 ports mapped to another space, fpage of those 8: %lu\n", unmap_own);
    printf("BENCH unmap of 8 ports mapped to another space, fpage of all 65536: %lu\n", unmap_all);
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
