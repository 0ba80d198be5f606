/* SPDX-License-Identifier: MIT */
/* The root task of the normal boot: declarations shared by its parts. It reads the boot
 * configuration, starts the servers it names (each in its own space, root as pager and
 * exception handler), offers the name service and the system protocol
 * (<l4/tern/names.h>, <l4/tern/system.h>), and ends tasks that exit or fault.
 *
 * One thread does all of it, so no table needs a lock; it never waits for a task: replies
 * go out with a zero send timeout, to callers blocked in their call. */
#ifndef ROOT_H
#define ROOT_H

#include <l4/pager.h>
#include <l4/types.h>
#include <l4/tern/names.h>
#include <l4/tern/system.h>

#define MAX_TASKS 24
#define THREADS_PER_TASK 16     /* thread j of task i: number user base + 64 + 16 i + j */
#define TASK_NUMBER_OFFSET 64
#define MAX_SEGMENTS 4

/* Root's own space: each task slot has a window of TASK_MEMORY bytes of memory from
 * sigma0, got once and reused by the slot's later tasks. */
#define TASK_WINDOW_BASE 0x0000001000000000UL
#define TASK_WINDOW_STRIDE (4UL << 20)
#define TASK_MEMORY_LOG2 21
#define TASK_MEMORY (1UL << TASK_MEMORY_LOG2)
/* A task's space: image where its ELF file says, the stack below TASK_STACK_TOP (the last
 * TASK_STACK bytes of the slot's memory), the UTCB area and the KIP as in root's own. */
#define TASK_STACK (64UL << 10)
#define TASK_STACK_TOP 0x00007fffffe00000UL
#define TASK_UTCB_AREA 0x00007ffffff00000UL
#define TASK_UTCB_AREA_LOG2 16

/* What the boot configuration grants a server beyond memory. */
struct grants {
    long irq;                 /* -1: none */
    L4_Word_t port_base, port_count; /* count 0: none */
    int shutdown;             /* may stop the machine */
};

struct server_config {
    char name[TERN_NAME_MAX + 1];   /* the module to start */
    L4_Word_t priority;
    struct grants grants;
    char args[TERN_ARGS_WORDS * 8];
};

struct segment {
    L4_Word_t low, high, rights; /* page-aligned range of the task's space */
};

struct task {
    int used;
    int kind;                     /* TERN_TASK_SERVER or TERN_TASK_RUN */
    char name[TERN_NAME_MAX + 1];
    char args[TERN_ARGS_WORDS * 8];
    L4_Word_t priority;
    L4_Word_t generation;         /* thread id version: (generation << 6) | 1 */
    L4_Word_t threads;            /* bit j: thread j exists */
    L4_ThreadId_t irq_handler;    /* the thread its interrupt line is attached to, or nil */
    int has_memory;
    L4_Word_t image_low, image_high;
    struct segment segments[MAX_SEGMENTS];
    unsigned segment_count;
    struct grants grants;
    L4_ThreadId_t waiter;         /* the caller of TERN_SYSTEM_RUN waiting for the end */
    int parent;                   /* the task that ran it, -1 */
};

extern struct task tasks[MAX_TASKS];
extern L4_Pager_t root_pager;
extern L4_Word_t memory_from_sigma0;

/* config.c: parses the configuration text; bad lines are reported and skipped. */
unsigned config_parse(const char *text, L4_Word_t size, struct server_config *out, unsigned max);

/* modules.c: the boot modules (X.2 boot information the kernel made for root). */
int module_find(const char *name, const char **image, L4_Word_t *size);
const char *module_arguments(const char *name); /* the loader's arguments, "" if none */

/* elf.c: checks an ELF64 executable and copies its segments into memory, which stands
 * for [low, low + limit) of the task's space; 0 and a reason when unusable. */
int elf_load(const char *file, L4_Word_t size, char *memory, L4_Word_t limit, struct task *task, L4_Word_t *entry,
             const char **why);

/* tasks.c */
int task_start(const char *module, const char *args, const struct grants *grants, L4_Word_t priority, int kind,
               int parent, const char **why);
int task_of(L4_ThreadId_t thread);             /* the task a thread belongs to, -1 */
L4_ThreadId_t task_thread_id(int index, unsigned j);
L4_ThreadId_t task_add_thread(int index, L4_Word_t ip, L4_Word_t sp);
void task_end(int index, L4_Word_t status, L4_Word_t exit_status);
L4_Fpage_t task_resolve(L4_Pager_t *pager, L4_PagerFault_t *fault);
L4_Word_t task_memory_in_use(void);

/* names.c */
L4_Word_t names_register(const char *name, L4_ThreadId_t thread, int owner);
/* TERN_OK and *thread; NOT_FOUND; or TERN_ERROR_BUSY meaning "queued: answered later". */
L4_Word_t names_lookup(const char *name, L4_ThreadId_t caller, L4_Word_t flags, L4_ThreadId_t *thread);
void names_drop_task(int index);
void names_forget(L4_ThreadId_t thread); /* drops the thread's waiting lookup: it sent anew */

/* requests.c: one request of the system protocol or the name service; returns 1 when a
 * reply is loaded in the MRs, 0 when none is due (yet). */
int handle_request(L4_ThreadId_t from, L4_MsgTag_t tag);
/* Sends a reply to a caller waiting for it (zero timeout). */
void reply_later(L4_ThreadId_t to, L4_Word_t status, unsigned count, const L4_Word_t *words);

#endif
