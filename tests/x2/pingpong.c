// SPDX-License-Identifier: MIT
// An X.2 program in C (built unchanged against libl4): the root task starts two threads
// in its own address space and measures round trips between them with Ipc and Lipc, as
// Pistachio's pingpong benchmark does, then checks a receive timeout and a message object.
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/schedule.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4io.h>

#define ROUNDS 1000
#define STACK_WORDS 2048

static L4_ThreadId_t master_tid, ping_tid, pong_tid;
static L4_KernelInterfacePage_t *kip;
static L4_Word_t utcb_size;
static int failures;

static L4_Word_t ping_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t pong_stack[STACK_WORDS] __attribute__((aligned(16)));

static volatile L4_Word_t use_lipc;
static volatile L4_Word_t ipc_microseconds, lipc_microseconds;

static void check(int ok, const char *what)
{
    printf("  %s: %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        ++failures;
}

static void pong_thread(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        // Echo the words back, one more each time.
        L4_Word_t first;
        L4_StoreMR(1, &first);
        L4_LoadMR(1, first + 1);
        tag.X.flags = 0;
        L4_Set_MsgTag(tag);
        if (use_lipc)
            tag = L4_LreplyWait(L4_LocalIdOf(from), &from);
        else
            tag = L4_ReplyWait(from, &from);
    }
}

static L4_Word_t round_trips(L4_ThreadId_t partner, int local, L4_Word_t untyped)
{
    L4_Clock_t start = L4_SystemClock();
    L4_Word_t i;
    for (i = 0; i < ROUNDS; ++i) {
        L4_MsgTag_t tag = L4_Niltag;
        L4_Word_t echoed;
        tag.X.u = untyped;
        L4_Set_MsgTag(tag);
        L4_LoadMR(1, i);
        tag = local ? L4_Lcall(partner) : L4_Call(partner);
        L4_StoreMR(1, &echoed);
        if (L4_IpcFailed(tag) || echoed != i + 1 || L4_UntypedWords(tag) != untyped) {
            printf("ping: round %lu failed: tag %lx error %lx\n", i, tag.raw, L4_ErrorCode());
            return ~0UL;
        }
    }
    return (L4_Word_t)(L4_SystemClock().raw - start.raw);
}

static void ping_thread(void)
{
    L4_Msg_t msg;
    use_lipc = 0;
    ipc_microseconds = round_trips(pong_tid, 0, 8);
    use_lipc = 1;
    lipc_microseconds = round_trips(L4_LocalIdOf(pong_tid), 1, 8);
    use_lipc = 0;

    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, ipc_microseconds);
    L4_MsgAppendWord(&msg, lipc_microseconds);
    L4_Set_MsgLabel(&msg, 0x1234);
    L4_MsgLoad(&msg);
    L4_Send(master_tid);
    for (;;)
        L4_Sleep(L4_Never);
}

// Creates a thread in our space with us as its pager and starts it the X.2 way: the new
// thread waits for its pager's start message (MR1 = ip, MR2 = sp).
static L4_ThreadId_t start_thread(L4_Word_t index, void (*entry)(void), L4_Word_t *stack_top)
{
    L4_ThreadId_t tid = L4_GlobalId(L4_ThreadNo(master_tid) + index, 1);
    L4_Word_t utcb = (L4_MyLocalId().raw & ~(utcb_size - 1)) + index * utcb_size;
    L4_Msg_t msg;
    if (L4_ThreadControl(tid, master_tid, master_tid, master_tid, (void *)utcb) == 0) {
        printf("ThreadControl for %lx failed: %s\n", tid.raw, L4_ErrorCode_String(L4_ErrorCode()));
        return L4_nilthread;
    }
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, (L4_Word_t)entry);
    L4_MsgAppendWord(&msg, (L4_Word_t)stack_top);
    L4_MsgLoad(&msg);
    if (L4_IpcFailed(L4_Send(tid))) {
        printf("start message to %lx failed: error %lx\n", tid.raw, L4_ErrorCode());
        return L4_nilthread;
    }
    return tid;
}

int main(void)
{
    L4_Msg_t msg;
    L4_MsgTag_t tag;
    L4_ThreadId_t from;

    kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    master_tid = L4_Myself();
    utcb_size = L4_UtcbSize(kip);
    printf("pingpong (C): I am %lx, KIP at %p, API %lx, UTCB size %lu\n", master_tid.raw, (void *)kip,
           L4_ApiVersion(), utcb_size);

    pong_tid = start_thread(1, pong_thread, pong_stack + STACK_WORDS);
    ping_tid = start_thread(2, ping_thread, ping_stack + STACK_WORDS);
    if (L4_IsNilThread(pong_tid) || L4_IsNilThread(ping_tid))
        return 1;

    tag = L4_Receive(ping_tid);
    check(L4_IpcSucceeded(tag), "result message received");
    L4_MsgStore(tag, &msg);
    check(L4_MsgLabel(&msg) == 0x1234 && L4_UntypedWords(tag) == 2, "result message has label and two words");
    printf("  IPC:  %lu round trips of 8 words in %lu us\n", (L4_Word_t)ROUNDS, L4_MsgWord(&msg, 0));
    printf("  LIPC: %lu round trips of 8 words in %lu us\n", (L4_Word_t)ROUNDS, L4_MsgWord(&msg, 1));

    // Nobody sends to us now: a receive with a short timeout times out (receive phase).
    tag = L4_Receive_Timeout(pong_tid, L4_TimePeriod(20000));
    check(L4_IpcFailed(tag) && L4_ErrorCode() == ((1 << 1) | 1), "receive timeout reported");
    tag = L4_Wait_Timeout(L4_ZeroTime, &from);
    check(L4_IpcFailed(tag), "zero-timeout wait fails without a sender");

    check(L4_IsThreadEqual(L4_GlobalIdOf(L4_LocalIdOf(ping_tid)), ping_tid), "local and global ids convert");
    check(L4_Set_Priority(pong_tid, 90) != L4_SCHEDRESULT_ERROR, "priority of pong set");

    printf("pingpong (C): %d failures\n", failures);
    return failures;
}
