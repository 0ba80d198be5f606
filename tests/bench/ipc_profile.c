/* SPDX-License-Identifier: MIT */
/* The root task tools/ipc_profile.py traces instruction by instruction (QEMU -singlestep
 * -d exec): the threads of ipc_bench (an echo thread in this space, one in a space of its
 * own with its own pager) and, per case, ipc_bench's loop (WARMUP round trips, then ROUNDS
 * timed with rdtsc, which counts guest instructions under -icount), then exactly one round
 * trip between a call of profile_begin and a call of profile_end. Those two functions do
 * nothing; the script finds them in this ELF's symbols and cuts the trace at their
 * executions. The traced region is the body of ipc_bench's loop less its loop counter and
 * result test: set the tag, L4_Call. rdtsc before profile_begin and after profile_end lets
 * the script check its count against the counter. The root task prints
 * `PROFILE case <n> <name>: <rdtsc per round trip of the loop>` before and
 * `PROFILE traced <n>: <rdtsc around the markers>` after each case; the k-th marked round
 * trip of the trace belongs to case k. */
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/schedule.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4/tern/page.h>
#include <l4io.h>

#include "bench.h"

#define WARMUP 100
#define ROUNDS 100
#define STACK_WORDS 1024
#define SPACE_UTCB_AREA 0x7ffffff00000UL

static L4_Word_t echo_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t remote_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t pager_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_ThreadId_t local_echo, remote_echo, pager;

/* The markers: never inlined, never merged (each has its own asm), and their calls are not
 * moved across the round trip (the memory clobber; the round trip is a volatile asm). */
static __attribute__((noinline, used)) void profile_begin(L4_Word_t before)
{
    __asm__ __volatile__("" : : "r"(before) : "memory");
}

static __attribute__((noinline, used)) void profile_end(void)
{
    __asm__ __volatile__("nop" ::: "memory");
}

/* Replies with the message it got, forever. */
static void echo_main(void)
{
    L4_ThreadId_t from;
    (void)L4_Wait(&from);
    for (;;)
        (void)L4_ReplyWait(from, &from);  /* MR0 still holds the tag received: echo it */
}

/* The remote echo thread's pager: starts it, then maps it the page of each fault, at the
 * same address (the remote space runs this ELF's code and data from the root task's pages). */
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

static void wait_for_console(void)
{
    while (L4_KDB_ReadChar() == 0) {
    }
}

static void check(L4_MsgTag_t tag, L4_ThreadId_t partner)
{
    if (L4_IpcFailed(tag)) {
        printf("PROFILE error: round trip to %lx failed, error %lu\n", partner.raw, L4_ErrorCode());
        stop_machine(1);
    }
}

/* One case: ipc_bench's loop (WARMUP round trips, then ROUNDS timed), then the one traced
 * round trip, whose body is the same as the loop's. The time stamp taken before it is passed
 * to profile_begin so that the compiler finishes computing it before the marker. */
static void profile(int number, const char *name, L4_ThreadId_t partner, L4_Word_t words)
{
    L4_MsgTag_t tag = L4_Niltag;
    L4_Word_t start = 0;
    for (L4_Word_t i = 0; i < WARMUP + ROUNDS; i++) {
        if (i == WARMUP)
            start = rdtsc();
        tag.raw = words;
        L4_Set_MsgTag(tag);
        tag = L4_Call(partner);
        check(tag, partner);
    }
    L4_Word_t ticks = (rdtsc() - start) / ROUNDS;
    printf("PROFILE case %d %s: %lu\n", number, name, ticks);
    tag.raw = words;
    L4_Word_t before = rdtsc();
    profile_begin(before);
    L4_Set_MsgTag(tag);
    tag = L4_Call(partner);
    profile_end();
    L4_Word_t after = rdtsc();
    check(tag, partner);
    printf("PROFILE traced %d: %lu\n", number, after - before);
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
        !L4_SpaceControl(remote_echo, 0, L4_FpageLog2((L4_Word_t)kip, (int)L4_KipAreaSizeLog2(kip)), L4_FpageLog2(SPACE_UTCB_AREA, 16),
                         L4_nilthread, &old_control) ||
        !L4_ThreadControl(remote_echo, remote_echo, me, pager, (void *)SPACE_UTCB_AREA) ||
        !L4_ThreadControl(pager, me, me, L4_Pager(), (void *)(utcb + 2 * L4_UtcbSize(kip)))) {
        printf("PROFILE error: cannot create threads (error %lu)\n", L4_ErrorCode());
        stop_machine(1);
    }
    /* Echo threads run at the benchmark's priority, so a call switches straight to them. */
    L4_Set_Priority(local_echo, 255);
    L4_Set_Priority(remote_echo, 255);
    L4_Start_SpIp(local_echo, (L4_Word_t)&echo_stack[STACK_WORDS], (L4_Word_t)echo_main);
    L4_Start_SpIp(pager, (L4_Word_t)&pager_stack[STACK_WORDS], (L4_Word_t)pager_main);

    /* Both spaces map the KIP here: the script names its system-call stubs by this address.
     * Then the script switches QEMU's instruction log on and answers with a character; at the
     * end it switches the log off, and answers again once it has read what it needs from the
     * running machine. */
    printf("PROFILE kip %lx\n", (L4_Word_t)kip);
    printf("PROFILE ready\n");
    wait_for_console();
    profile(1, "inter-space round trip, 0 words", remote_echo, 0);
    profile(2, "inter-space round trip, 8 words", remote_echo, 8);
    profile(3, "intra-space round trip, 0 words", local_echo, 0);
    profile(4, "intra-space round trip, 8 words", local_echo, 8);
    printf("PROFILE traced\n");
    wait_for_console();
    printf("PROFILE done\n");
    stop_machine(0);
    return 0;
}
