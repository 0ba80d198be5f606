// SPDX-License-Identifier: MIT
// The root task's tasks (task_table.hpp).
#include <l4/kip.h>
#include <l4/schedule.h>
#include <l4/space.h>
#include <l4/tern/message.hpp>
#include <l4/tern/page.h>
#include <l4/thread.h>
#include <string.h>

#include "modules.hpp"
#include "task_table.hpp"

using namespace layout;

namespace {

L4_Word_t window_of(int index)
{
    return task_window_base + static_cast<L4_Word_t>(index) * task_window_stride;
}

L4_Word_t first_number(int index)
{
    return L4_ThreadIdUserBase(L4_GetKernelInterface()) + task_number_offset +
           static_cast<L4_Word_t>(index) * threads_per_task;
}

L4_Fpage_t kip_area()
{
    void *kip = L4_GetKernelInterface();
    return L4_FpageLog2(reinterpret_cast<L4_Word_t>(kip), static_cast<int>(L4_KipAreaSizeLog2(kip)));
}

void delete_thread(L4_ThreadId_t thread)
{
    L4_ThreadControl(thread, L4_nilthread, L4_nilthread, L4_nilthread, reinterpret_cast<void *>(-1));
}

}  // namespace

L4_ThreadId_t Task_table::thread_id(int index, unsigned j) const
{
    return L4_GlobalId(first_number(index) + j, (tasks_[index].generation << 6) | 1);
}

int Task_table::of(L4_ThreadId_t thread) const
{
    L4_Word_t number = L4_ThreadNo(thread), first = first_number(0);
    if (number < first || number >= first + max_tasks * threads_per_task)
        return -1;
    int index = static_cast<int>((number - first) / threads_per_task);
    unsigned j = static_cast<unsigned>((number - first) % threads_per_task);
    const Task &t = tasks_[index];
    if (!t.used || L4_Version(thread) != ((t.generation << 6) | 1) || (t.threads & (1UL << j)) == 0)
        return -1;
    return index;
}

unsigned Task_table::count() const
{
    unsigned count = 0;
    for (const Task &t : tasks_)
        count += t.used ? 1 : 0;
    return count;
}

L4_Word_t Task_table::memory_in_use() const
{
    L4_Word_t bytes = 0;
    for (const Task &t : tasks_)
        if (t.used && t.kind != TERN_TASK_SPACE)  // (a space's memory is its owner's)
            bytes += (t.image.high - t.image.low) + task_stack;
    return bytes;
}

// Where the task's [address] is in root's space, with the rights it may have; 0 if nowhere.
L4_Word_t Task_table::backing(int index, L4_Word_t address, L4_Word_t &rights) const
{
    const Task &t = tasks_[index];
    if (address >= task_stack_top - task_stack && address < task_stack_top) {
        rights = L4_Readable | L4_Writable;
        return window_of(index) + task_memory - (task_stack_top - address);
    }
    for (unsigned s = 0; s < t.image.segment_count; ++s)
        if (address >= t.image.segments[s].low && address < t.image.segments[s].high) {
            rights = t.image.segments[s].rights;
            return window_of(index) + (address - t.image.low);
        }
    return 0;
}

L4_Fpage_t Task_table::resolve(L4_Pager_t *pager, L4_PagerFault_t *fault)
{
    const auto *table = static_cast<const Task_table *>(pager->data);
    int index = table->of(fault->faulter);
    L4_Word_t rights = 0, own = index < 0 ? 0 : table->backing(index, fault->address, rights);
    if (own == 0 || (fault->access & ~rights) != 0)
        return L4_Nilpage;
    L4_Fpage_t page = L4_FpageLog2(own & ~(TERN_PAGE_SIZE - 1), TERN_PAGE_BITS);
    return L4_Set_Rights(&page, rights);
}

// Creates thread j of the task, paged by pager and scheduled by scheduler (nil: root); its
// space already exists unless j is 0, when it is made with SpaceControl's control word.
bool Task_table::create_thread(int index, unsigned j, L4_ThreadId_t pager, L4_Word_t control, L4_ThreadId_t scheduler)
{
    Task &t = tasks_[index];
    void *kip = L4_GetKernelInterface();
    L4_ThreadId_t root = L4_Myself(), thread = thread_id(index, j), space = thread_id(index, 0);
    if (L4_IsNilThread(scheduler))
        scheduler = root;
    auto *utcb = reinterpret_cast<void *>(task_utcb_area + j * L4_UtcbSize(kip));
    if (j == 0) {
        L4_Word_t old;
        if (!L4_ThreadControl(thread, thread, root, L4_nilthread, reinterpret_cast<void *>(-1)))
            return false;
        // A kernel-mode task is chosen here, with the areas (the kernel takes it only so).
        if (!L4_SpaceControl(thread, control, kip_area(), L4_FpageLog2(task_utcb_area, task_utcb_area_log2),
                             L4_nilthread, &old) ||
            !L4_ThreadControl(thread, thread, scheduler, pager, utcb)) {
            delete_thread(thread);
            return false;
        }
    } else if (!L4_ThreadControl(thread, space, scheduler, pager, utcb)) {
        return false;
    }
    t.threads |= 1UL << j;
    L4_Set_Priority(thread, t.priority);
    return true;
}

// The start message maps the image, segment by segment with its rights, and the stack.
bool Task_table::start_main_thread(int index, L4_Word_t entry)
{
    const Task &t = tasks_[index];
    L4_MapItem_t items[L4_PAGER_START_ITEMS];
    unsigned count = 0;
    for (unsigned s = 0; s < t.image.segment_count && count < L4_PAGER_START_ITEMS; ++s) {
        const elf::Segment &g = t.image.segments[s];
        unsigned n = L4_Pager_MapItems(window_of(index) + (g.low - t.image.low), g.low, g.high - g.low, g.rights,
                                       items + count, L4_PAGER_START_ITEMS - count);
        count = n == 0 ? L4_PAGER_START_ITEMS + 1 : count + n;
    }
    if (count <= L4_PAGER_START_ITEMS) {
        unsigned n = L4_Pager_MapItems(window_of(index) + task_memory - task_stack, task_stack_top - task_stack,
                                       task_stack, L4_Readable | L4_Writable, items + count,
                                       L4_PAGER_START_ITEMS - count);
        count = n == 0 ? 0 : count + n;
    } else {
        count = 0;  // too many pieces: the task faults its pages in instead
    }
    return L4_Pager_Start(thread_id(index, 0), entry, task_stack_top, items, count, L4_TimePeriod(100000)) != 0;
}

int Task_table::start(const char *module, const char *args, const Grants &grants, L4_Word_t priority, int kind,
                      int parent, tern::Status &status, const char *&why)
{
    const char *image;
    L4_Word_t size;
    if (!modules::find(module, image, size)) {
        why = "no such boot module";
        status = tern::Status::not_found;
        return -1;
    }
    int index = free_slot();
    if (index < 0) {
        why = "too many tasks";
        status = tern::Status::full;
        return -1;
    }
    Task &t = tasks_[index];
    if (!t.has_memory) {
        if (L4_IsNilFpage(L4_Pager_GetMemory(window_of(index), task_memory_log2))) {
            why = "sigma0 has no memory left";
            status = tern::Status::full;
            return -1;
        }
        t.has_memory = true;
        memory_from_sigma0_ += task_memory;
    }
    L4_Word_t entry;
    char *memory = reinterpret_cast<char *>(window_of(index));
    if (!elf::load(image, size, memory, task_memory - task_stack, t.image, entry, why)) {
        status = tern::Status::malformed;
        return -1;
    }
    memset(memory + task_memory - task_stack, 0, task_stack);
    take_slot(index, module, kind, priority, grants, parent);
    strncpy(t.args, args, sizeof t.args - 1);
    t.args[sizeof t.args - 1] = '\0';
    L4_Word_t control = t.grants.kernel_mode ? TERN_SPACE_CONTROL_KERNEL_MODE_MASK : 0;
    if (!create_thread(index, 0, L4_Myself(), control)) {
        why = "the kernel refused the thread or space";
        t.used = false;
        status = tern::Status::failed;
        return -1;
    }
    if (!start_main_thread(index, entry)) {
        why = "the start message failed";
        end(index, tern::Status::failed, 0);
        status = tern::Status::failed;
        return -1;
    }
    return index;
}

L4_ThreadId_t Task_table::add_thread(int index, L4_Word_t ip, L4_Word_t sp)
{
    unsigned j = 1;
    while (j < threads_per_task && (tasks_[index].threads & (1UL << j)) != 0)
        ++j;
    if (j == threads_per_task || !create_thread(index, j, L4_Myself(), 0))
        return L4_nilthread;
    L4_ThreadId_t thread = thread_id(index, j);
    if (!L4_Pager_Start(thread, ip, sp, nullptr, 0, L4_TimePeriod(100000))) {
        delete_thread(thread);
        tasks_[index].threads &= ~(1UL << j);
        return L4_nilthread;
    }
    return thread;
}

L4_ThreadId_t Task_table::add_paged_thread(int index, L4_ThreadId_t pager)
{
    unsigned j = 1;
    while (j < threads_per_task && (tasks_[index].threads & (1UL << j)) != 0)
        ++j;
    if (j == threads_per_task || !create_thread(index, j, pager, 0))
        return L4_nilthread;
    return thread_id(index, j);  // it waits for its pager's start message
}

L4_ThreadId_t Task_table::add_space_thread(int index, L4_ThreadId_t pager)
{
    unsigned j = 1;
    while (j < threads_per_task && (tasks_[index].threads & (1UL << j)) != 0)
        ++j;
    if (j == threads_per_task || !create_thread(index, j, pager, 0, pager))
        return L4_nilthread;
    return thread_id(index, j);
}

bool Task_table::delete_task_thread(int index, L4_ThreadId_t thread)
{
    if (of(thread) != index || L4_IsThreadEqual(thread, thread_id(index, 0)))
        return false;
    unsigned j = static_cast<unsigned>(L4_ThreadNo(thread) - L4_ThreadNo(thread_id(index, 0)));
    delete_thread(thread);
    tasks_[index].threads &= ~(1UL << j);
    return true;
}

int Task_table::free_slot() const
{
    for (int index = 0; index < max_tasks; ++index)
        if (!tasks_[index].used)
            return index;
    return -1;
}

void Task_table::take_slot(int index, const char *name, int kind, L4_Word_t priority, const Grants &grants,
                           int parent)
{
    Task &t = tasks_[index];
    t.kind = kind;
    t.priority = priority;
    t.grants = grants;
    t.parent = parent;
    t.waiter = L4_nilthread;
    t.irq_handler = L4_nilthread;
    t.device_irq = -1;
    t.threads = 0;
    ++t.generation;
    strncpy(t.name, name, TERN_NAME_MAX);
    t.name[TERN_NAME_MAX] = '\0';
    t.args[0] = '\0';
    t.used = true;
}

int Task_table::new_space(int owner, L4_ThreadId_t pager, bool reflect, const char *name, tern::Status &status)
{
    if (of(pager) != owner) {
        status = tern::Status::denied;  // a space is paged by its owner
        return -1;
    }
    int index = free_slot();
    if (index < 0) {
        status = tern::Status::full;
        return -1;
    }
    // One below its pager's priority: a pager is never preempted by the threads it serves
    // (the Linux personality's fork write-protects the parent's pages while its other
    // threads could otherwise run).
    L4_Word_t priority = tasks_[owner].priority > 0 ? tasks_[owner].priority - 1 : 0;
    take_slot(index, name, TERN_TASK_SPACE, priority, Grants(), owner);
    tasks_[index].image = elf::Image();
    L4_Word_t control = reflect ? TERN_SPACE_CONTROL_REFLECT_SYSCALLS_MASK : 0;
    // Its pager schedules it too: it may read the thread's processor time and lower (never
    // raise above its own) the thread's priority (Schedule's rule, docs/kernel.md).
    if (!create_thread(index, 0, pager, control, pager)) {
        tasks_[index].used = false;
        status = tern::Status::failed;
        return -1;
    }
    status = tern::Status::ok;
    return index;
}

void Task_table::end(int index, tern::Status status, L4_Word_t exit_status)
{
    Task &t = tasks_[index];
    for (int other = 0; other < max_tasks; ++other)  // the spaces it made end with it
        if (other != index && tasks_[other].used && tasks_[other].kind == TERN_TASK_SPACE &&
            tasks_[other].parent == index)
            end(other, tern::Status::killed, 0);
    if (ended_ != nullptr)
        ended_(ended_context_, index);
    // The lines it attached (an irq= grant it never used may be another task's line now).
    const long lines[] = {L4_IsNilThread(t.irq_handler) ? -1 : t.grants.irq, t.device_irq};
    for (long line : lines)
        if (line >= 0) {  // the interrupt thread's own id as pager detaches it
            L4_ThreadId_t irq_thread = L4_GlobalId(static_cast<L4_Word_t>(line), 1);
            L4_ThreadControl(irq_thread, irq_thread, L4_nilthread, irq_thread, reinterpret_cast<void *>(-1));
        }
    t.device_irq = -1;
    for (unsigned j = threads_per_task; j-- > 0;)  // thread 0 last: it names the space
        if ((t.threads & (1UL << j)) != 0)
            delete_thread(thread_id(index, j));
    t.threads = 0;
    t.used = false;
    names_.drop_task(index);
    if (!L4_IsNilThread(t.waiter)) {
        tern::Message answer(status);
        answer.add(exit_status);
        answer.send_now(t.waiter);
    }
    t.waiter = L4_nilthread;
}
