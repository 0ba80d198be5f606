/* SPDX-License-Identifier: MIT */
/* The root task's start and its one loop. It reads the boot configuration (the module
 * named by its own argument config=NAME, system.conf by default), starts the servers in
 * the order given, then serves: page faults of its tasks (their images and stacks are
 * mapped before they start; any other fault is a bug of the task), exceptions (the task
 * is reported and ended), and requests. */
#include <l4/ipc.h>
#include <l4/kdebug.h>
#include <l4/thread.h>
#include <l4io.h>

#include "root.h"

#define MAX_SERVERS 16
#define LABEL_MASK 0xffffffffffffUL
#define EXCEPTION_LABEL ((-5UL << 4) & LABEL_MASK)

L4_Pager_t root_pager;
static struct server_config servers[MAX_SERVERS];

static void start_servers(void)
{
    const char *config_name = "system.conf";
    char wanted[TERN_NAME_MAX + 1];
    const char *own = module_arguments("roottask");
    if (own[0] == 'c' && own[1] == 'o' && own[2] == 'n' && own[3] == 'f' && own[4] == 'i' && own[5] == 'g' &&
        own[6] == '=') {
        unsigned n = 0;
        for (; own[7 + n] != '\0' && own[7 + n] != ' ' && n < TERN_NAME_MAX; ++n)
            wanted[n] = own[7 + n];
        wanted[n] = '\0';
        config_name = wanted;
    }
    const char *text;
    L4_Word_t size;
    if (!module_find(config_name, &text, &size)) {
        printf("root: no boot configuration module \"%s\"; no servers started\n", config_name);
        return;
    }
    unsigned count = config_parse(text, size, servers, MAX_SERVERS);
    printf("root: %s names %u servers\n", config_name, count);
    for (unsigned i = 0; i < count; ++i) {
        const char *why = "";
        int index = task_start(servers[i].name, servers[i].args, &servers[i].grants, servers[i].priority,
                               TERN_TASK_SERVER, -1, &why);
        if (index < 0)
            printf("root: cannot start %s: %s\n", servers[i].name, why);
        else
            printf("root: started %s (thread %lx, priority %lu)\n", servers[i].name,
                   task_thread_id(index, 0).raw, servers[i].priority);
    }
}

/* A task thread that faulted in a way root cannot serve: report it and end the task. */
static void end_faulty(int index, const char *what, L4_Word_t detail, L4_Word_t ip)
{
    printf("root: %s: %s %lx (ip %lx); task ended\n", tasks[index].name, what, detail, ip);
    task_end(index, TERN_ERROR_KILLED, 0);
}

/* Handles one received message; 1 when a reply is loaded for from. */
static int handle(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    int index = task_of(from);
    if (L4_Pager_IsPageFault(tag) && index >= 0) {
        L4_Word_t address, ip;
        L4_StoreMR(1, &address);
        L4_StoreMR(2, &ip);
        if (L4_Pager_Handle(&root_pager, from, tag) == L4_PAGER_NO_REPLY)
            end_faulty(index, "page fault outside its memory at", address, ip);
        return 0; /* answered by the pager library */
    }
    if ((L4_Label(tag) & LABEL_MASK) == EXCEPTION_LABEL && index >= 0) {
        L4_Word_t ip, vector;
        L4_StoreMR(1, &ip);
        L4_StoreMR(3, &vector);
        end_faulty(index, "exception, vector", vector, ip);
        return 0;
    }
    return handle_request(from, tag);
}

int main(void)
{
    L4_Pager_Init(&root_pager, task_resolve, 0);
    printf("root: thread %lx, boot info %s\n", L4_Myself().raw,
           L4_BootInfo(L4_GetKernelInterface()) != 0 ? "found" : "missing");
    start_servers();

    L4_Accept(L4_UntypedWordsAcceptor);
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);
            continue;
        }
        L4_Accept(L4_UntypedWordsAcceptor);
        tag = handle(from, tag) ? L4_ReplyWait(from, &from) : L4_Wait(&from);
    }
}
