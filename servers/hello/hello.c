/* SPDX-License-Identifier: MIT */
/* The root task of the normal boot: a hello world that shows IPC between two address
 * spaces. It makes a second space with one thread, pages it (a pager thread here maps the
 * pages of this same program into it as the child faults on them), starts it with a
 * start message, and exchanges messages with it. Then it stops the machine. */
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/types.h>
#include <l4io.h>

#include "abi.h"
#include "tern-syscalls.h"

#define STACK_WORDS 1024
#define CHILD_UTCB_AREA 0x7ffffff00000UL
#define PAGE_SIZE 4096UL

static L4_Word_t pager_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_Word_t child_stack[STACK_WORDS] __attribute__((aligned(16)));
static L4_ThreadId_t root_id, pager_id, child_id;
static volatile unsigned long faults_served;

static void stop_machine(L4_Word_t status)
{
    L4_Word_t kip = (L4_Word_t)L4_GetKernelInterface();
    __tern_syscall_kdb_exit(kip + *(L4_Word_t *)(kip + TERN_KIP_LINK_ARCH2), status);
}

/* Runs in the second space: everything it touches arrives through the pager. */
static void child_main(void)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, 20);
    L4_MsgAppendWord(&msg, 22);
    L4_Set_MsgLabel(&msg, 0x42);
    L4_MsgLoad(&msg);
    L4_MsgTag_t tag = L4_Call(root_id);
    L4_Word_t sum = 0;
    L4_StoreMR(1, &sum);
    printf("hello (second space, thread %lx): the root task says 20 + 22 = %lu%s\n", L4_Myself().raw, sum,
           L4_IpcSucceeded(tag) ? "" : " (IPC failed)");
    L4_Sleep(L4_Never);
}

/* Starts the child (X.2: its pager's first message gives IP and SP), then serves its page
 * faults with this program's own pages, mapped at the same address. */
static void pager_main(void)
{
    L4_Msg_t start;
    L4_MsgClear(&start);
    L4_MsgAppendWord(&start, (L4_Word_t)child_main);
    L4_MsgAppendWord(&start, (L4_Word_t)&child_stack[STACK_WORDS]);
    L4_MsgLoad(&start);
    if (L4_IpcFailed(L4_Send(child_id)))
        printf("hello: start message refused (error %lu)\n", L4_ErrorCode());

    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t address = 0, ip = 0;
        L4_StoreMR(1, &address);
        L4_StoreMR(2, &ip);
        L4_Word_t page = address & ~(PAGE_SIZE - 1);
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        if (L4_IpcSucceeded(tag) && (L4_Label(tag) >> 4) == (0xffffffffffffUL >> 4) - 1)
            L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible), page));
        faults_served++;
        L4_MsgLoad(&msg);
        tag = L4_ReplyWait(from, &from);
    }
}

int main(void)
{
    L4_KernelInterfacePage_t *kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    root_id = L4_Myself();
    L4_Word_t user_base = L4_ThreadIdUserBase(kip);
    pager_id = L4_GlobalId(user_base + 100, 1);
    child_id = L4_GlobalId(user_base + 101, 1);
    printf("hello: root task %lx, Tern KIP version %lx\n", root_id.raw, kip->ApiVersion.raw);

    /* The second space: create, give it KIP and UTCB areas, activate its thread. */
    L4_Word_t old_control;
    if (!L4_ThreadControl(child_id, child_id, root_id, L4_nilthread, (void *)-1) ||
        !L4_SpaceControl(child_id, 0, L4_FpageLog2((L4_Word_t)kip, 12), L4_FpageLog2(CHILD_UTCB_AREA, 16),
                         L4_nilthread, &old_control) ||
        !L4_ThreadControl(child_id, child_id, root_id, pager_id, (void *)CHILD_UTCB_AREA)) {
        printf("hello: cannot create the second address space (error %lu)\n", L4_ErrorCode());
        stop_machine(1);
    }

    /* Its pager lives in this space and starts it. */
    L4_Word_t my_utcb = (L4_Word_t)L4_MyLocalId().raw;
    if (!L4_ThreadControl(pager_id, root_id, root_id, L4_Pager(), (void *)(my_utcb + L4_UtcbSize(kip)))) {
        printf("hello: cannot create the pager thread (error %lu)\n", L4_ErrorCode());
        stop_machine(1);
    }
    L4_Start_SpIp(pager_id, (L4_Word_t)&pager_stack[STACK_WORDS], (L4_Word_t)pager_main);

    L4_MsgTag_t tag;
    L4_ThreadId_t from = child_id;
    tag = L4_Receive_Timeout(child_id, L4_TimePeriod(2000000));
    if (L4_IpcFailed(tag)) {
        printf("hello: no message from the second space (error %lu)\n", L4_ErrorCode());
        stop_machine(1);
    }
    L4_Word_t a = 0, b = 0;
    L4_StoreMR(1, &a);
    L4_StoreMR(2, &b);
    printf("hello: message from the second space (thread %lx), label %lx: %lu and %lu\n", from.raw,
           (unsigned long)L4_Label(tag), a, b);
    L4_Msg_t reply;
    L4_MsgClear(&reply);
    L4_MsgAppendWord(&reply, a + b);
    L4_MsgLoad(&reply);
    L4_Reply(from);
    L4_Sleep(L4_TimePeriod(50000));
    printf("hello: done; the pager served %lu page faults of the second space\n", faults_served);
    L4_KDB_Enter("hello: kernel memory at the end");  /* the kernel prints its memory use */
    stop_machine(0);
    return 0;
}
