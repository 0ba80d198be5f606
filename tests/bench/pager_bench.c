/* SPDX-License-Identifier: MIT */
/* Page-touch benchmark (a root task): what a client's first touch of a page costs under the
 * two policies of the region pager (servers/pager, docs/pager.md). On demand, each first
 * touch is a page fault that its pager resolves with a map item; pinned, the pager mapped
 * everything in the client's start message. A client in a space of its own writes one word
 * in each of 64 pages, twice, and reports rdtsc ticks per page for each pass: guest
 * instructions under QEMU -icount shift=0, host TSC ticks under plain TCG. The runs are
 * one after the other, so no other client's instructions are counted. `./tern bench` boots
 * it next to the IPC benchmark and prints both in one table. */
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/pager.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4/tern/page.h>
#include <l4io.h>

#include "abi.h"
#include "region_pager.h"
#include "bench.h"
#include "tern-syscalls.h"

#define PAGES 64
#define STACK_WORDS 2048
#define SPACE_UTCB_AREA 0x7ffffff00000UL
#define MEMORY 0x0000010000000000UL        /* the pagers' memory: 2 MiB from sigma0 */
#define CLIENT_REGION 0x0000010040000000UL /* where each client has its 64 pages */

struct run {
    const char *policy, *name; /* name: the figures' middle part */
    int pinned;
    L4_ThreadId_t pager, client;
    struct region_pager rp;
};

static struct run runs[2] = {{.policy = "demand pager", .name = "demand", .pinned = 0},
                             {.policy = "pinned pager", .name = "pinned", .pinned = 1}};
static struct run *volatile current;
static L4_ThreadId_t root;
static L4_Word_t pager_stacks[2][STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t client_stacks[2][STACK_WORDS] __attribute__((aligned(16)));

/* A client: two passes over its pages, then the ticks per page of each to the root task. */
static void client_main(void)
{
    volatile L4_Word_t *region = (volatile L4_Word_t *)CLIENT_REGION;
    L4_Word_t start = rdtsc();
    for (L4_Word_t i = 0; i < PAGES; ++i)
        region[i * (TERN_PAGE_SIZE / 8)] = i;
    L4_Word_t middle = rdtsc();
    for (L4_Word_t i = 0; i < PAGES; ++i)
        region[i * (TERN_PAGE_SIZE / 8)] = i + 1;
    L4_Word_t end = rdtsc();
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, (middle - start) / PAGES);
    L4_MsgAppendWord(&msg, (end - middle) / PAGES);
    L4_MsgLoad(&msg);
    L4_Send(root);
    for (;;)
        L4_Sleep(L4_Never);
}

/* A pager thread of the root task's space: starts its client, then serves it. */
static void pager_main(void)
{
    struct run *run = current;
    L4_Word_t stack = (L4_Word_t)&client_stacks[run - runs][STACK_WORDS];
    if (!region_pager_start(&run->rp, run->client, (L4_Word_t)client_main, stack, run->pinned, L4_Never))
        printf("BENCH error: the %s could not start its client (error %lu)\n", run->policy, L4_ErrorCode());
    L4_Pager_Serve(&run->rp.pager);
}

int main(void)
{
    L4_KernelInterfacePage_t *kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    L4_Word_t base = L4_ThreadIdUserBase(kip), utcb = (L4_Word_t)L4_MyLocalId().raw, old_control;
    root = L4_Myself();
    if (L4_IsNilFpage(L4_Pager_GetMemory(MEMORY, 21))) {
        printf("BENCH error: no memory from sigma0\n");
        stop_machine(1);
    }
    for (unsigned i = 0; i < 2; ++i) {
        struct run *run = &runs[i];
        run->pager = L4_GlobalId(base + 110 + 2 * i, 1);
        run->client = L4_GlobalId(base + 111 + 2 * i, 1);
        region_pager_init(&run->rp);
        region_pager_add_image(&run->rp);
        region_pager_add(&run->rp, CLIENT_REGION, MEMORY + i * PAGES * TERN_PAGE_SIZE, PAGES * TERN_PAGE_SIZE, L4_ReadWriteOnly);
        if (!L4_ThreadControl(run->pager, root, root, L4_Pager(), (void *)(utcb + (1 + i) * L4_UtcbSize(kip))) ||
            !L4_ThreadControl(run->client, run->client, root, L4_nilthread, (void *)-1) ||
            !L4_SpaceControl(run->client, 0, L4_FpageLog2((L4_Word_t)kip, (int)L4_KipAreaSizeLog2(kip)), L4_FpageLog2(SPACE_UTCB_AREA, 16),
                             L4_nilthread, &old_control) ||
            !L4_ThreadControl(run->client, run->client, root, run->pager, (void *)SPACE_UTCB_AREA)) {
            printf("BENCH error: cannot create threads (error %lu)\n", L4_ErrorCode());
            stop_machine(1);
        }
        current = run;
        L4_Start_SpIp(run->pager, (L4_Word_t)&pager_stacks[i][STACK_WORDS], (L4_Word_t)pager_main);
        L4_MsgTag_t tag = L4_Receive_Timeout(run->client, L4_TimePeriod(10 * 1000 * 1000));
        if (L4_IpcFailed(tag)) {
            printf("BENCH error: no result from the %s's client (error %lu)\n", run->policy, L4_ErrorCode());
            stop_machine(1);
        }
        L4_Word_t first, second;
        L4_StoreMR(1, &first);
        L4_StoreMR(2, &second);
        printf("BENCH touch.%s.first %lu\n", run->name, first);
        printf("BENCH touch.%s.second %lu\n", run->name, second);
        printf("pager_bench: %lu page faults at the %s\n", run->rp.pager.faults, run->policy);
    }
    printf("BENCH done\n");
    stop_machine(0);
    return 0;
}
