/* SPDX-License-Identifier: MIT */
/* Tasks: slots of thread numbers and memory, creation (thread, space, image, start
 * message with the whole image and stack already mapped), paging, and the end of a task
 * with everything it held (threads and space, interrupt, names, its waiting runner). */
#include <l4/kip.h>
#include <l4/schedule.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4io.h>

#include "root.h"

struct task tasks[MAX_TASKS];
L4_Word_t memory_from_sigma0;

static L4_Word_t window_of(int index) { return TASK_WINDOW_BASE + (L4_Word_t)index * TASK_WINDOW_STRIDE; }

static L4_Word_t first_number(int index)
{
    return L4_ThreadIdUserBase(L4_GetKernelInterface()) + TASK_NUMBER_OFFSET + (L4_Word_t)index * THREADS_PER_TASK;
}

L4_ThreadId_t task_thread_id(int index, unsigned j)
{
    return L4_GlobalId(first_number(index) + j, (tasks[index].generation << 6) | 1);
}

int task_of(L4_ThreadId_t thread)
{
    L4_Word_t number = L4_ThreadNo(thread), first = first_number(0);
    if (number < first || number >= first + MAX_TASKS * THREADS_PER_TASK)
        return -1;
    int index = (int)((number - first) / THREADS_PER_TASK);
    unsigned j = (unsigned)((number - first) % THREADS_PER_TASK);
    const struct task *t = &tasks[index];
    if (!t->used || L4_Version(thread) != ((t->generation << 6) | 1) || (t->threads & (1UL << j)) == 0)
        return -1;
    return index;
}

/* Where the task's [address] is in root's space, with the rights it may have; 0 if nowhere. */
static L4_Word_t backing(const struct task *t, int index, L4_Word_t address, L4_Word_t *rights)
{
    if (address >= TASK_STACK_TOP - TASK_STACK && address < TASK_STACK_TOP) {
        *rights = L4_Readable | L4_Writable;
        return window_of(index) + TASK_MEMORY - (TASK_STACK_TOP - address);
    }
    for (unsigned s = 0; s < t->segment_count; ++s)
        if (address >= t->segments[s].low && address < t->segments[s].high) {
            *rights = t->segments[s].rights;
            return window_of(index) + (address - t->image_low);
        }
    return 0;
}

L4_Fpage_t task_resolve(L4_Pager_t *pager, L4_PagerFault_t *fault)
{
    (void)pager;
    int index = task_of(fault->faulter);
    L4_Word_t rights = 0, own = index < 0 ? 0 : backing(&tasks[index], index, fault->address, &rights);
    if (own == 0 || (fault->access & ~rights) != 0)
        return L4_Nilpage;
    L4_Fpage_t page = L4_FpageLog2(own & ~0xfffUL, 12);
    return L4_Set_Rights(&page, rights);
}

L4_Word_t task_memory_in_use(void)
{
    L4_Word_t bytes = 0;
    for (int i = 0; i < MAX_TASKS; ++i)
        if (tasks[i].used)
            bytes += (tasks[i].image_high - tasks[i].image_low) + TASK_STACK;
    return bytes;
}

static void delete_thread(L4_ThreadId_t thread)
{
    L4_ThreadControl(thread, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

/* Creates thread j of the task; its space already exists unless j is 0. */
static int create_thread(int index, unsigned j)
{
    struct task *t = &tasks[index];
    void *kip = L4_GetKernelInterface();
    L4_ThreadId_t root = L4_Myself(), thread = task_thread_id(index, j), space = task_thread_id(index, 0);
    L4_Word_t utcb = TASK_UTCB_AREA + j * L4_UtcbSize(kip);
    if (j == 0) {
        L4_Word_t old;
        if (!L4_ThreadControl(thread, thread, root, L4_nilthread, (void *)-1))
            return 0;
        if (!L4_SpaceControl(thread, 0, L4_FpageLog2((L4_Word_t)kip, 12),
                             L4_FpageLog2(TASK_UTCB_AREA, TASK_UTCB_AREA_LOG2), L4_nilthread, &old) ||
            !L4_ThreadControl(thread, thread, root, root, (void *)utcb)) {
            delete_thread(thread);
            return 0;
        }
    } else if (!L4_ThreadControl(thread, space, root, root, (void *)utcb)) {
        return 0;
    }
    t->threads |= 1UL << j;
    L4_Set_Priority(thread, t->priority);
    return 1;
}

/* The start message maps the image, segment by segment with its rights, and the stack. */
static int start_main_thread(int index, L4_Word_t entry)
{
    struct task *t = &tasks[index];
    L4_MapItem_t items[L4_PAGER_START_ITEMS];
    unsigned count = 0;
    for (unsigned s = 0; s < t->segment_count && count < L4_PAGER_START_ITEMS; ++s) {
        const struct segment *g = &t->segments[s];
        unsigned n = L4_Pager_MapItems(window_of(index) + (g->low - t->image_low), g->low, g->high - g->low,
                                       g->rights, items + count, L4_PAGER_START_ITEMS - count);
        count = n == 0 ? L4_PAGER_START_ITEMS + 1 : count + n;
    }
    if (count <= L4_PAGER_START_ITEMS) {
        unsigned n = L4_Pager_MapItems(window_of(index) + TASK_MEMORY - TASK_STACK, TASK_STACK_TOP - TASK_STACK,
                                       TASK_STACK, L4_Readable | L4_Writable, items + count,
                                       L4_PAGER_START_ITEMS - count);
        count = n == 0 ? 0 : count + n;
    } else {
        count = 0; /* too many pieces: the task faults its pages in instead */
    }
    return L4_Pager_Start(task_thread_id(index, 0), entry, TASK_STACK_TOP, items, count, L4_TimePeriod(100000));
}

int task_start(const char *module, const char *args, const struct grants *grants, L4_Word_t priority, int kind,
               int parent, const char **why)
{
    const char *image;
    L4_Word_t size;
    if (!module_find(module, &image, &size)) {
        *why = "no such boot module";
        return -(int)TERN_ERROR_NOT_FOUND;
    }
    int index = 0;
    while (index < MAX_TASKS && tasks[index].used)
        ++index;
    if (index == MAX_TASKS) {
        *why = "too many tasks";
        return -(int)TERN_ERROR_FULL;
    }
    struct task *t = &tasks[index];
    if (!t->has_memory) {
        if (L4_IsNilFpage(L4_Pager_GetMemory(window_of(index), TASK_MEMORY_LOG2))) {
            *why = "sigma0 has no memory left";
            return -(int)TERN_ERROR_FULL;
        }
        t->has_memory = 1;
        memory_from_sigma0 += TASK_MEMORY;
    }
    L4_Word_t entry;
    char *memory = (char *)window_of(index);
    if (!elf_load(image, size, memory, TASK_MEMORY - TASK_STACK, t, &entry, why))
        return -(int)TERN_ERROR_MALFORMED;
    for (L4_Word_t i = TASK_MEMORY - TASK_STACK; i < TASK_MEMORY; ++i)
        memory[i] = 0;
    t->kind = kind;
    t->priority = priority;
    t->grants = *grants;
    t->parent = parent;
    t->waiter = L4_nilthread;
    t->threads = 0;
    ++t->generation;
    unsigned n = 0;
    for (; module[n] != '\0' && n < TERN_NAME_MAX; ++n)
        t->name[n] = module[n];
    t->name[n] = '\0';
    for (n = 0; args[n] != '\0' && n + 1 < sizeof t->args; ++n)
        t->args[n] = args[n];
    t->args[n] = '\0';
    t->used = 1;
    if (!create_thread(index, 0)) {
        *why = "the kernel refused the thread or space";
        t->used = 0;
        return -(int)TERN_ERROR_FAILED;
    }
    if (!start_main_thread(index, entry)) {
        *why = "the start message failed";
        task_end(index, TERN_ERROR_FAILED, 0);
        return -(int)TERN_ERROR_FAILED;
    }
    return index;
}

L4_ThreadId_t task_add_thread(int index, L4_Word_t ip, L4_Word_t sp)
{
    unsigned j = 1;
    while (j < THREADS_PER_TASK && (tasks[index].threads & (1UL << j)) != 0)
        ++j;
    if (j == THREADS_PER_TASK || !create_thread(index, j))
        return L4_nilthread;
    L4_ThreadId_t thread = task_thread_id(index, j);
    if (!L4_Pager_Start(thread, ip, sp, 0, 0, L4_TimePeriod(100000))) {
        delete_thread(thread);
        tasks[index].threads &= ~(1UL << j);
        return L4_nilthread;
    }
    return thread;
}

void task_end(int index, L4_Word_t status, L4_Word_t exit_status)
{
    struct task *t = &tasks[index];
    if (t->grants.irq >= 0) /* the interrupt thread's own id as pager detaches it */
        L4_ThreadControl(L4_GlobalId((L4_Word_t)t->grants.irq, 1), L4_GlobalId((L4_Word_t)t->grants.irq, 1),
                         L4_nilthread, L4_GlobalId((L4_Word_t)t->grants.irq, 1), (void *)-1);
    for (unsigned j = THREADS_PER_TASK; j-- > 0;) /* thread 0 last: it names the space */
        if ((t->threads & (1UL << j)) != 0)
            delete_thread(task_thread_id(index, j));
    t->threads = 0;
    t->used = 0;
    names_drop_task(index);
    if (!L4_IsNilThread(t->waiter))
        reply_later(t->waiter, status, 1, &exit_status);
    t->waiter = L4_nilthread;
}
