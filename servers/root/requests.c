/* SPDX-License-Identifier: MIT */
/* The requests of the system protocol and the name service. Each handler checks the
 * message's shape and the caller's rights before it does anything, and answers anything
 * it does not understand with an error status. */
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/thread.h>
#include <l4/arch.h>
#include <l4io.h>

#include "root.h"

#define MAX_PORT_RANGES 32

/* I/O fpages root got from sigma0. At a task's first port request root asks sigma0 for
 * the task's whole granted range (as the aligned power-of-two fpages that make it up) and
 * keeps it; every request is then mapped out of a held fpage that covers it. */
static L4_Fpage_t ports_held[MAX_PORT_RANGES];

static L4_Word_t mr(int i)
{
    L4_Word_t w;
    L4_StoreMR(i, &w);
    return w;
}

static int reply(L4_Word_t status, unsigned count, const L4_Word_t *words)
{
    tern_load(status, count, words);
    return 1;
}

void reply_later(L4_ThreadId_t to, L4_Word_t status, unsigned count, const L4_Word_t *words)
{
    tern_load(status, count, words);
    L4_Send_Timeout(to, L4_ZeroTime);
}

/* The string in MR1..MR(count); 0 when it is not terminated within them. */
static int string_of(L4_MsgTag_t tag, unsigned max_words, char *text, unsigned capacity)
{
    L4_Word_t words[TERN_ARGS_WORDS];
    unsigned count = (unsigned)L4_UntypedWords(tag);
    if (count == 0 || count > max_words || count > TERN_ARGS_WORDS)
        return 0;
    for (unsigned i = 0; i < count; ++i)
        words[i] = mr((int)i + 1);
    return tern_unpack_string(words, count, text, capacity);
}

static int names_request(L4_ThreadId_t from, L4_MsgTag_t tag, int caller)
{
    char name[TERN_NAME_MAX + 1];
    L4_Word_t words[TERN_NAME_WORDS];
    if (L4_UntypedWords(tag) != TERN_NAME_WORDS + 1)
        return reply(TERN_ERROR_MALFORMED, 0, 0);
    for (int i = 0; i < TERN_NAME_WORDS; ++i)
        words[i] = mr(i + 1);
    L4_Word_t last = mr(TERN_NAME_WORDS + 1);
    if (!tern_unpack_string(words, TERN_NAME_WORDS, name, sizeof name) || name[0] == '\0')
        return reply(TERN_ERROR_MALFORMED, 0, 0);
    if (L4_Label(tag) == TERN_NAMES_REGISTER) {
        L4_ThreadId_t thread = {.raw = last};
        if (caller < 0 || task_of(thread) != caller)
            return reply(TERN_ERROR_DENIED, 0, 0);
        L4_Word_t status = names_register(name, thread, caller);
        if (status == TERN_OK)
            printf("root: %s registered \"%s\" (thread %lx)\n", tasks[caller].name, name, thread.raw);
        return reply(status, 0, 0);
    }
    L4_ThreadId_t found = L4_nilthread;
    L4_Word_t status = names_lookup(name, from, last, &found);
    if (status == TERN_ERROR_BUSY)
        return 0; /* answered when the name is registered */
    return reply(status, status == TERN_OK ? 1 : 0, &found.raw);
}

static int run_request(L4_ThreadId_t from, L4_MsgTag_t tag, int caller)
{
    char line[TERN_ARGS_WORDS * 8];
    if (!string_of(tag, TERN_ARGS_WORDS, line, sizeof line))
        return reply(TERN_ERROR_MALFORMED, 0, 0);
    char module[TERN_NAME_MAX + 1];
    unsigned n = 0;
    while (line[n] != '\0' && line[n] != ' ' && n < TERN_NAME_MAX) {
        module[n] = line[n];
        ++n;
    }
    module[n] = '\0';
    while (line[n] == ' ')
        ++n;
    const char *why = "";
    struct grants none = {.irq = -1};
    int index = task_start(module, line + n, &none, 100, TERN_TASK_RUN, caller, &why);
    if (index < 0) {
        printf("root: cannot run \"%s\": %s\n", module, why);
        return reply((L4_Word_t)-index, 0, 0);
    }
    tasks[index].waiter = from;
    return 0; /* answered when it ends */
}

/* The held fpage that covers ports [base, base + size), or -1. */
static int port_range_held(L4_Word_t base, L4_Word_t size)
{
    for (int i = 0; i < MAX_PORT_RANGES; ++i)
        if (ports_held[i].raw != 0 && base >= L4_IoFpagePort(ports_held[i]) &&
            base + size <= L4_IoFpagePort(ports_held[i]) + L4_IoFpageSize(ports_held[i]))
            return i;
    return -1;
}

/* Gets ports [base, base + count) from sigma0, as the largest aligned fpages that fit,
 * skipping those root holds already; 0 when sigma0 refuses or the table is full. */
static int get_port_range(L4_Word_t base, L4_Word_t count)
{
    for (L4_Word_t port = base; port < base + count;) {
        int s = 0;
        while (s < 16 && (port & ((2UL << s) - 1)) == 0 && port + (2UL << s) <= base + count)
            ++s;
        if (port_range_held(port, 1UL << s) < 0) {
            int slot = -1;
            for (int i = 0; i < MAX_PORT_RANGES && slot < 0; ++i)
                if (ports_held[i].raw == 0)
                    slot = i;
            if (slot < 0)
                return 0;
            L4_Fpage_t wanted = L4_IoFpageLog2(port, s);
            L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, wanted, L4_CompleteAddressSpace);
            L4_Accept(L4_UntypedWordsAcceptor);
            if (L4_IsNilFpage(got) || !L4_IsIoFpage(got))
                return 0;
            ports_held[slot] = wanted;
        }
        port += 1UL << s;
    }
    return 1;
}

static int io_request(L4_Word_t fpage_raw, int caller)
{
    L4_Fpage_t fpage = {.raw = fpage_raw};
    const struct grants *g = &tasks[caller].grants;
    if (!L4_IsIoFpage(fpage))
        return reply(TERN_ERROR_DENIED, 0, 0);
    L4_Word_t base = L4_IoFpagePort(fpage), size_log2 = L4_IoFpageSizeLog2(fpage);
    if (size_log2 > 16 || (base & ((1UL << size_log2) - 1)) != 0 || (fpage_raw >> 32) != 0)
        return reply(TERN_ERROR_MALFORMED, 0, 0); /* sigma0's and the kernel's rule: aligned */
    L4_Word_t size = 1UL << size_log2;
    if (g->port_count == 0 || base < g->port_base || base + size > g->port_base + g->port_count)
        return reply(TERN_ERROR_DENIED, 0, 0);
    if (port_range_held(base, size) < 0 && !get_port_range(g->port_base, g->port_count))
        return reply(TERN_ERROR_FAILED, 0, 0);
    if (port_range_held(base, size) < 0) /* granted ranges overlap others oddly */
        return reply(TERN_ERROR_FAILED, 0, 0);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Fpage_t item = L4_IoFpageLog2(base, (int)size_log2);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(item, L4_FullyAccessible), 0));
    L4_MsgLoad(&msg);
    return 1;
}

static int irq_request(L4_ThreadId_t from, L4_Word_t irq, int caller)
{
    if (tasks[caller].grants.irq < 0 || (L4_Word_t)tasks[caller].grants.irq != irq)
        return reply(TERN_ERROR_DENIED, 0, 0);
    L4_ThreadId_t irq_thread = L4_GlobalId(irq, 1);
    if (!L4_ThreadControl(irq_thread, irq_thread, L4_nilthread, from, (void *)-1)) {
        printf("root: cannot attach interrupt %lu to %s (error %lu)\n", irq, tasks[caller].name, L4_ErrorCode());
        return reply(TERN_ERROR_FAILED, 0, 0);
    }
    tasks[caller].irq_handler = from;
    return reply(TERN_OK, 0, 0);
}

/* Entry index of the task list: sigma0, root, then each task and its further threads. */
static int tasks_request(L4_Word_t index)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t words[9] = {0};
    L4_ThreadId_t thread = L4_nilthread;
    const char *name = 0;
    if (index == 0) {
        thread = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
        words[1] = 255;
        words[3] = TERN_TASK_SIGMA0;
        name = "sigma0";
    } else if (index == 1) {
        thread = L4_Myself();
        words[1] = 255;
        words[3] = TERN_TASK_ROOT;
        words[4] = memory_from_sigma0;
        name = "root";
    } else {
        L4_Word_t at = 2;
        for (int i = 0; i < MAX_TASKS && name == 0; ++i) {
            if (!tasks[i].used)
                continue;
            for (unsigned j = 0; j < THREADS_PER_TASK && name == 0; ++j) {
                if ((tasks[i].threads & (1UL << j)) == 0 || at++ != index)
                    continue;
                thread = task_thread_id(i, j);
                words[1] = tasks[i].priority;
                words[3] = j == 0 ? (L4_Word_t)tasks[i].kind : TERN_TASK_THREAD;
                words[4] = j == 0 ? tasks[i].image_high - tasks[i].image_low + TASK_STACK : 0;
                name = tasks[i].name;
            }
        }
        /* Then the interrupt threads attached for the tasks: their handler in word 4. */
        for (int i = 0; i < MAX_TASKS && name == 0; ++i) {
            if (!tasks[i].used || L4_IsNilThread(tasks[i].irq_handler) || at++ != index)
                continue;
            thread = L4_GlobalId((L4_Word_t)tasks[i].grants.irq, 1);
            words[1] = 255;
            words[3] = TERN_TASK_INTERRUPT;
            words[4] = tasks[i].irq_handler.raw;
            name = tasks[i].name;
        }
        if (name == 0)
            return reply(TERN_ERROR_NOT_FOUND, 0, 0);
    }
    words[0] = thread.raw;
    L4_Word_t old;
    words[2] = L4_Schedule(thread, ~0UL, ~0UL, ~0UL, ~0UL, &old) & 0xff; /* X.2 thread state, 0 unknown */
    tern_pack_string(name, words + 5, TERN_NAME_WORDS);
    return reply(TERN_OK, 9, words);
}

int handle_request(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    int caller = task_of(from);
    L4_Word_t label = L4_Label(tag), words = L4_UntypedWords(tag);
    names_forget(from); /* a thread sending a request no longer waits in a lookup */
    if (L4_TypedWords(tag) != 0)
        return reply(TERN_ERROR_MALFORMED, 0, 0);
    if (label == TERN_NAMES_REGISTER || label == TERN_NAMES_LOOKUP)
        return names_request(from, tag, caller);
    if (caller < 0)
        return reply(TERN_ERROR_DENIED, 0, 0); /* the system protocol is for root's tasks */
    switch (label) {
    case TERN_SYSTEM_ARGS: {
        L4_Word_t packed[TERN_ARGS_WORDS];
        unsigned n = tern_pack_string(tasks[caller].args, packed, TERN_ARGS_WORDS);
        return reply(TERN_OK, n, packed);
    }
    case TERN_SYSTEM_EXIT:
        task_end(caller, TERN_OK, words >= 1 ? mr(1) : 0);
        return 0;
    case TERN_SYSTEM_RUN:
        return run_request(from, tag, caller);
    case TERN_SYSTEM_INTERRUPT: {
        L4_Word_t ended = 0;
        for (int i = 0; i < MAX_TASKS; ++i) {
            if (tasks[i].used && tasks[i].parent == caller && !L4_IsNilThread(tasks[i].waiter)) {
                printf("root: %s interrupted\n", tasks[i].name);
                task_end(i, TERN_ERROR_INTERRUPTED, 0);
                ++ended;
            }
        }
        return reply(TERN_OK, 1, &ended);
    }
    case TERN_SYSTEM_THREAD: {
        if (words != 2)
            return reply(TERN_ERROR_MALFORMED, 0, 0);
        L4_Word_t ip = mr(1), sp = mr(2);
        L4_ThreadId_t thread = task_add_thread(caller, ip, sp);
        return L4_IsNilThread(thread) ? reply(TERN_ERROR_FULL, 0, 0) : reply(TERN_OK, 1, &thread.raw);
    }
    case TERN_SYSTEM_IO_PORTS:
        return words == 1 ? io_request(mr(1), caller) : reply(TERN_ERROR_MALFORMED, 0, 0);
    case TERN_SYSTEM_IRQ:
        return words == 1 ? irq_request(from, mr(1), caller) : reply(TERN_ERROR_MALFORMED, 0, 0);
    case TERN_SYSTEM_TASKS:
        return words == 1 ? tasks_request(mr(1)) : reply(TERN_ERROR_MALFORMED, 0, 0);
    case TERN_SYSTEM_MEMORY: {
        L4_Word_t used = 0, count = 0;
        for (int i = 0; i < MAX_TASKS; ++i)
            count += tasks[i].used ? 1 : 0;
        used = task_memory_in_use();
        L4_Word_t result[3] = {memory_from_sigma0, used, count};
        return reply(TERN_OK, 3, result);
    }
    case TERN_SYSTEM_SHUTDOWN:
        if (!tasks[caller].grants.shutdown || words != 1)
            return reply(words != 1 ? TERN_ERROR_MALFORMED : TERN_ERROR_DENIED, 0, 0);
        printf("root: shutdown asked by %s\n", tasks[caller].name);
        L4_KDB_Enter("root: kernel memory at shutdown");
        L4_KDB_Exit(mr(1) == 0 ? 0 : 1);
        return reply(TERN_ERROR_FAILED, 0, 0);
    default:
        return reply(TERN_ERROR_UNKNOWN, 0, 0);
    }
}
