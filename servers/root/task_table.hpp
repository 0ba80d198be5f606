// SPDX-License-Identifier: MIT
// The root task's tasks: slots of thread numbers and memory, creation (thread, space,
// image, start message with the whole image and stack already mapped), paging, and the
// end of a task with everything it held (threads and space, interrupt, names, its
// waiting runner).
#ifndef ROOT_TASK_TABLE_HPP
#define ROOT_TASK_TABLE_HPP

#include <l4/pager.h>
#include <l4/tern/status.hpp>

#include "config.hpp"
#include "elf.hpp"
#include "layout.hpp"
#include "name_service.hpp"

struct Task {
    bool used;
    int kind;  // TERN_TASK_SERVER or TERN_TASK_RUN
    char name[TERN_NAME_MAX + 1];
    char args[TERN_ARGS_WORDS * 8];
    L4_Word_t priority;
    L4_Word_t generation;       // thread id version: (generation << 6) | 1
    L4_Word_t threads;          // bit j: thread j exists
    L4_ThreadId_t irq_handler;  // the thread its interrupt line is attached to, or nil
    long device_irq;            // the interrupt line of the PCI function it claimed, -1
    L4_ThreadId_t device_irq_handler;  // the thread that line is attached to
    bool has_memory;
    elf::Image image;
    Grants grants;
    L4_ThreadId_t waiter;  // the caller of TERN_SYSTEM_RUN waiting for the end
    int parent;            // the task that ran it, -1
};

class Task_table
{
public:
    explicit Task_table(Name_service &names) : names_(names) {}

    // Starts module as a new task; its index, or -1 with the status and why.
    int start(const char *module, const char *args, const Grants &grants, L4_Word_t priority, int kind, int parent,
              tern::Status &status, const char *&why);
    // Ends a task: deletes its threads, detaches its interrupt, drops its names, and
    // answers the waiting runner with status and exit_status.
    void end(int index, tern::Status status, L4_Word_t exit_status);
    // Called with each task that ends, before its threads go (root stops its devices).
    void on_end(void (*ended)(void *context, int index), void *context)
    {
        ended_ = ended;
        ended_context_ = context;
    }
    // Starts a further thread of the task at ip and sp; nil when none is free.
    L4_ThreadId_t add_thread(int index, L4_Word_t ip, L4_Word_t sp);
    // A further thread paged by pager (a thread of the task), which starts it with X.2's
    // start message; nil when none is free.
    L4_ThreadId_t add_paged_thread(int index, L4_ThreadId_t pager);
    // Makes an empty space for task owner (TERN_SYSTEM_SPACE_NEW): a slot of kind
    // TERN_TASK_SPACE whose thread 0 is paged by pager, a thread of owner, and waits for its
    // start message; reflect: its syscalls become exception IPC. Its index, or -1 with the
    // status. The space ends with its owner.
    int new_space(int owner, L4_ThreadId_t pager, bool reflect, const char *name, tern::Status &status);
    // A further thread of space index (TERN_SYSTEM_SPACE_THREAD), paged and scheduled by
    // pager, waiting for its start message; nil when the space has no thread number left.
    L4_ThreadId_t add_space_thread(int index, L4_ThreadId_t pager);
    // Deletes thread (not the first, which names the space) of task index; false if it has none such.
    bool delete_task_thread(int index, L4_ThreadId_t thread);

    // The task a thread belongs to, -1.
    int of(L4_ThreadId_t thread) const;
    L4_ThreadId_t thread_id(int index, unsigned j) const;
    Task &operator[](int index) { return tasks_[index]; }
    const Task &operator[](int index) const { return tasks_[index]; }
    unsigned count() const;
    L4_Word_t memory_in_use() const;
    L4_Word_t memory_from_sigma0() const { return memory_from_sigma0_; }

    // The pager library's resolve callback; pager->data is the table.
    static L4_Fpage_t resolve(L4_Pager_t *pager, L4_PagerFault_t *fault);

private:
    L4_Word_t backing(int index, L4_Word_t address, L4_Word_t &rights) const;
    bool create_thread(int index, unsigned j, L4_ThreadId_t pager, L4_Word_t control,
                       L4_ThreadId_t scheduler = L4_nilthread);
    int free_slot() const;
    void take_slot(int index, const char *name, int kind, L4_Word_t priority, const Grants &grants, int parent);
    bool start_main_thread(int index, L4_Word_t entry);

    Name_service &names_;
    Task tasks_[layout::max_tasks] = {};
    L4_Word_t memory_from_sigma0_ = 0;
    void (*ended_)(void *context, int index) = nullptr;
    void *ended_context_ = nullptr;
};

#endif
