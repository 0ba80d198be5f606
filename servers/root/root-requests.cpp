// SPDX-License-Identifier: MIT
// The requests of the system protocol and the name service (root.hpp). Each handler
// checks the message's shape and the caller's rights before it does anything, and
// answers anything it does not understand with an error status.
#include <l4/arch.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/pager.h>
#include <l4/schedule.h>
#include <l4/tern/page.h>
#include <l4/sigma0.h>
#include <l4/thread.h>
#include <l4io.h>
#include <string.h>

#include "modules.hpp"
#include "root.hpp"

namespace {

tern::Reply answer(tern::Message &reply, tern::Status status)
{
    reply = tern::Message(status);
    return tern::Reply::now;
}

}  // namespace

tern::Reply Root::names_request(L4_ThreadId_t from, const tern::Message &message, int caller, tern::Message &reply)
{
    char name[TERN_NAME_MAX + 1];
    if (message.untyped() != TERN_NAME_WORDS + 1 || !message.string(0, TERN_NAME_WORDS, name, sizeof name) ||
        name[0] == '\0')
        return answer(reply, tern::Status::malformed);
    L4_Word_t last = message.word(TERN_NAME_WORDS);
    if (message.label() == TERN_NAMES_REGISTER) {
        L4_ThreadId_t thread = {.raw = last};
        if (caller < 0 || tasks_.of(thread) != caller)
            return answer(reply, tern::Status::denied);
        tern::Status status = names_.register_name(name, thread, caller);
        if (status == tern::Status::ok)
            printf("root: %s registered \"%s\" (thread %lx)\n", tasks_[caller].name, name, thread.raw);
        return answer(reply, status);
    }
    L4_ThreadId_t found = L4_nilthread;
    tern::Status status = names_.lookup(name, from, caller, last, found);
    if (status == tern::Status::busy)
        return tern::Reply::later;  // answered when the name is registered
    answer(reply, status);
    if (status == tern::Status::ok)
        reply.add(found.raw);
    return tern::Reply::now;
}

tern::Reply Root::run_request(L4_ThreadId_t from, const tern::Message &message, int caller, tern::Message &reply)
{
    char line[TERN_ARGS_WORDS * 8];
    if (message.untyped() == 0 || message.untyped() > TERN_ARGS_WORDS ||
        !message.string(0, message.untyped(), line, sizeof line))
        return answer(reply, tern::Status::malformed);
    char module[TERN_NAME_MAX + 1];
    unsigned n = 0;
    for (; line[n] != '\0' && line[n] != ' ' && n < TERN_NAME_MAX; ++n)
        module[n] = line[n];
    module[n] = '\0';
    while (line[n] == ' ')
        ++n;
    const char *why = "";
    tern::Status status;
    // A program line of the configuration grants what it names; anything else runs with none.
    Grants grants;
    L4_Word_t priority = 100;
    for (unsigned i = 0; i < configured_; ++i)
        if (servers_[i].run_only && strcmp(servers_[i].name, module) == 0) {
            grants = servers_[i].grants;
            priority = servers_[i].priority;
        }
    int index = tasks_.start(module, line + n, grants, priority, TERN_TASK_RUN, caller, status, why);
    if (index < 0) {
        printf("root: cannot run \"%s\": %s\n", module, why);
        return answer(reply, status);
    }
    tasks_[index].waiter = from;
    return tern::Reply::later;  // answered when it ends
}

tern::Reply Root::interrupt_request(int caller, tern::Message &reply)
{
    L4_Word_t ended = 0;
    for (int i = 0; i < layout::max_tasks; ++i) {
        if (tasks_[i].used && tasks_[i].parent == caller && !L4_IsNilThread(tasks_[i].waiter)) {
            printf("root: %s interrupted\n", tasks_[i].name);
            tasks_.end(i, tern::Status::interrupted, 0);
            ++ended;
        }
    }
    answer(reply, tern::Status::ok);
    reply.add(ended);
    return tern::Reply::now;
}

// The held fpage that covers ports [base, base + size), or -1.
int Root::port_range_held(L4_Word_t base, L4_Word_t size) const
{
    for (unsigned i = 0; i < max_port_ranges; ++i)
        if (ports_held_[i].raw != 0 && base >= L4_IoFpagePort(ports_held_[i]) &&
            base + size <= L4_IoFpagePort(ports_held_[i]) + L4_IoFpageSize(ports_held_[i]))
            return static_cast<int>(i);
    return -1;
}

// Gets ports [base, base + count) from sigma0, as the largest aligned fpages that fit,
// skipping those root holds already; false when sigma0 refuses or the table is full.
bool Root::get_port_range(L4_Word_t base, L4_Word_t count)
{
    for (L4_Word_t port = base; port < base + count;) {
        int s = 0;
        while (s < 16 && (port & ((2UL << s) - 1)) == 0 && port + (2UL << s) <= base + count)
            ++s;
        if (port_range_held(port, 1UL << s) < 0) {
            L4_Fpage_t *slot = nullptr;
            for (unsigned i = 0; i < max_port_ranges && slot == nullptr; ++i)
                if (ports_held_[i].raw == 0)
                    slot = &ports_held_[i];
            if (slot == nullptr)
                return false;
            L4_Fpage_t wanted = L4_IoFpageLog2(port, s);
            L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, wanted, L4_CompleteAddressSpace);
            L4_Accept(L4_UntypedWordsAcceptor);
            if (L4_IsNilFpage(got) || !L4_IsIoFpage(got))
                return false;
            *slot = wanted;
        }
        port += 1UL << s;
    }
    return true;
}

tern::Reply Root::io_request(L4_Word_t fpage_raw, int caller, tern::Message &reply)
{
    L4_Fpage_t fpage = {.raw = fpage_raw};
    const Grants &g = tasks_[caller].grants;
    if (!L4_IsIoFpage(fpage))
        return answer(reply, tern::Status::denied);
    L4_Word_t base = L4_IoFpagePort(fpage), size_log2 = L4_IoFpageSizeLog2(fpage);
    if (size_log2 > 16 || (base & ((1UL << size_log2) - 1)) != 0 || (fpage_raw >> 32) != 0)
        return answer(reply, tern::Status::malformed);  // sigma0's and the kernel's rule: aligned
    L4_Word_t size = 1UL << size_log2;
    if (g.port_count == 0 || base < g.port_base || base + size > g.port_base + g.port_count)
        return answer(reply, tern::Status::denied);
    if (port_range_held(base, size) < 0 && !get_port_range(g.port_base, g.port_count))
        return answer(reply, tern::Status::failed);
    if (port_range_held(base, size) < 0)  // granted ranges overlap others oddly
        return answer(reply, tern::Status::failed);
    L4_Fpage_t item = L4_IoFpageLog2(base, static_cast<int>(size_log2));
    answer(reply, tern::Status::ok);
    reply.add_map_item(L4_MapItem(L4_FpageAddRights(item, L4_FullyAccessible), 0));
    return tern::Reply::now;
}

tern::Reply Root::irq_request(L4_ThreadId_t from, L4_Word_t irq, int caller, tern::Message &reply)
{
    if (tasks_[caller].grants.irq < 0 || static_cast<L4_Word_t>(tasks_[caller].grants.irq) != irq)
        return answer(reply, tern::Status::denied);
    if (line_held_by_other(static_cast<long>(irq), caller))
        return answer(reply, tern::Status::busy);
    L4_ThreadId_t irq_thread = L4_GlobalId(irq, 1);
    if (!L4_ThreadControl(irq_thread, irq_thread, L4_nilthread, from, reinterpret_cast<void *>(-1))) {
        printf("root: cannot attach interrupt %lu to %s (error %lu)\n", irq, tasks_[caller].name, L4_ErrorCode());
        return answer(reply, tern::Status::failed);
    }
    tasks_[caller].irq_handler = from;
    return answer(reply, tern::Status::ok);
}

// Entry index of the task list: sigma0, root, then each task and its further threads,
// then the interrupt threads attached for the tasks (their handler in word 4).
tern::Reply Root::tasks_request(L4_Word_t index, tern::Message &reply)
{
    L4_Word_t words[6] = {};
    words[5] = 3;  // ring 3, unless said below
    L4_ThreadId_t thread = L4_nilthread;
    const char *name = nullptr;
    if (index == 0) {
        thread = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
        words[1] = 255;
        words[3] = TERN_TASK_SIGMA0;
        name = "sigma0";
    } else if (index == 1) {
        thread = L4_Myself();
        words[1] = 255;
        words[3] = TERN_TASK_ROOT;
        words[4] = tasks_.memory_from_sigma0();
        L4_Word_t cs;
        __asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
        words[5] = cs & 3;  // the kernel may start the root task in ring 0 (roottask=kernel)
        name = "root";
    } else {
        L4_Word_t at = 2;
        for (int i = 0; i < layout::max_tasks && name == nullptr; ++i) {
            const Task &t = tasks_[i];
            if (!t.used)
                continue;
            for (unsigned j = 0; j < layout::threads_per_task && name == nullptr; ++j) {
                if ((t.threads & (1UL << j)) == 0 || at++ != index)
                    continue;
                thread = tasks_.thread_id(i, j);
                words[1] = t.priority;
                words[3] = j == 0 ? static_cast<L4_Word_t>(t.kind) : TERN_TASK_THREAD;
                words[4] = j == 0 ? t.image.high - t.image.low + layout::task_stack : 0;
                words[5] = t.grants.kernel_mode ? 0 : 3;
                name = t.name;
            }
        }
        for (int i = 0; i < layout::max_tasks && name == nullptr; ++i) {
            const Task &t = tasks_[i];
            if (!t.used || L4_IsNilThread(t.irq_handler) || at++ != index)
                continue;
            thread = L4_GlobalId(static_cast<L4_Word_t>(t.grants.irq), 1);
            words[1] = 255;
            words[3] = TERN_TASK_INTERRUPT;
            words[4] = t.irq_handler.raw;
            words[5] = 0;  // a kernel thread
            name = t.name;
        }
        for (int i = 0; i < layout::max_tasks && name == nullptr; ++i) {  // the PCI functions' lines
            const Task &t = tasks_[i];
            if (!t.used || t.device_irq < 0 || at++ != index)
                continue;
            thread = L4_GlobalId(static_cast<L4_Word_t>(t.device_irq), 1);
            words[1] = 255;
            words[3] = TERN_TASK_INTERRUPT;
            words[4] = t.device_irq_handler.raw;
            words[5] = 0;
            name = t.name;
        }
        if (name == nullptr)
            return answer(reply, tern::Status::not_found);
    }
    words[0] = thread.raw;
    L4_Word_t old;
    words[2] = L4_Schedule(thread, ~0UL, ~0UL, ~0UL, ~0UL, &old) & 0xff;  // X.2 thread state, 0 unknown
    answer(reply, tern::Status::ok);
    for (L4_Word_t word : words)
        reply.add(word);
    reply.add_string(name, TERN_NAME_WORDS, true);
    return tern::Reply::now;
}

tern::Reply Root::shutdown_request(const tern::Message &message, int caller, tern::Message &reply)
{
    if (message.untyped() != 1)
        return answer(reply, tern::Status::malformed);
    if (!tasks_[caller].grants.shutdown)
        return answer(reply, tern::Status::denied);
    printf("root: shutdown asked by %s\n", tasks_[caller].name);
    L4_KDB_Enter("root: kernel memory at shutdown");
    L4_KDB_Exit(message.word(0) == 0 ? 0 : 1);
    return answer(reply, tern::Status::failed);
}

// A space for a task that pages it itself (the Linux personality's processes): only with
// the configuration's `spaces`, only paged by one of its own threads.
tern::Reply Root::space_new_request(const tern::Message &message, int caller, tern::Message &reply)
{
    unsigned words = message.untyped();
    if (words < 2 || words > 2 + TERN_NAME_WORDS || (message.word(0) & ~TERN_SYSTEM_SPACE_REFLECT) != 0)
        return answer(reply, tern::Status::malformed);
    if (!tasks_[caller].grants.spaces || tasks_[caller].kind == TERN_TASK_SPACE)
        return answer(reply, tern::Status::denied);
    char name[TERN_NAME_MAX + 1] = {};
    if (words > 2 && !message.string(2, words - 2, name, sizeof name))
        return answer(reply, tern::Status::malformed);
    tern::Status status;
    L4_ThreadId_t pager = {.raw = message.word(1)};
    int index = tasks_.new_space(caller, pager, (message.word(0) & TERN_SYSTEM_SPACE_REFLECT) != 0,
                                 name[0] != '\0' ? name : tasks_[caller].name, status);
    if (index < 0)
        return answer(reply, status);
    answer(reply, tern::Status::ok);
    reply.add(tasks_.thread_id(index, 0).raw);
    void *kip = L4_GetKernelInterface();
    reply.add(L4_FpageLog2(reinterpret_cast<L4_Word_t>(kip), static_cast<int>(L4_KipAreaSizeLog2(kip))).raw);
    reply.add(L4_FpageLog2(layout::task_utcb_area, layout::task_utcb_area_log2).raw);
    return tern::Reply::now;
}

tern::Reply Root::space_delete_request(const tern::Message &message, int caller, tern::Message &reply)
{
    if (message.untyped() != 1)
        return answer(reply, tern::Status::malformed);
    L4_ThreadId_t space = {.raw = message.word(0)};
    int index = tasks_.of(space);
    if (index < 0 || !L4_IsThreadEqual(space, tasks_.thread_id(index, 0)))
        return answer(reply, tern::Status::not_found);
    if (tasks_[index].kind != TERN_TASK_SPACE || tasks_[index].parent != caller)
        return answer(reply, tern::Status::denied);
    tasks_.end(index, tern::Status::ok, 0);
    return answer(reply, tern::Status::ok);
}

// A further thread in a space the caller made (SPACE_THREAD), or its deletion
// (SPACE_THREAD_DELETE): the Linux personality's threads of one process.
tern::Reply Root::space_thread_request(const tern::Message &message, int caller, tern::Message &reply)
{
    if (message.untyped() != 2)
        return answer(reply, tern::Status::malformed);
    L4_ThreadId_t named = {.raw = message.word(0)};
    int index = tasks_.of(named);
    if (index < 0)
        return answer(reply, tern::Status::not_found);
    if (tasks_[index].kind != TERN_TASK_SPACE || tasks_[index].parent != caller)
        return answer(reply, tern::Status::denied);
    if (message.label() == TERN_SYSTEM_SPACE_THREAD_DELETE) {
        if (message.word(1) != 0)
            return answer(reply, tern::Status::malformed);
        return answer(reply, tasks_.delete_task_thread(index, named) ? tern::Status::ok : tern::Status::not_found);
    }
    L4_ThreadId_t pager = {.raw = message.word(1)};
    if (!L4_IsThreadEqual(named, tasks_.thread_id(index, 0)))
        return answer(reply, tern::Status::not_found);  // a space is named by its first thread
    if (tasks_.of(pager) != caller)
        return answer(reply, tern::Status::denied);
    L4_ThreadId_t thread = tasks_.add_space_thread(index, pager);
    if (L4_IsNilThread(thread))
        return answer(reply, tern::Status::full);
    answer(reply, tern::Status::ok);
    reply.add(thread.raw);
    return tern::Reply::now;
}

// A boot module's pages, read-only, as many from page first on as one reply's map items
// hold (the caller asks again from where this one ended). Modules are the boot's files:
// any task may read them.
tern::Reply Root::module_request(const tern::Message &message, tern::Message &reply)
{
    unsigned words = message.untyped();
    char name[TERN_NAME_MAX + 1] = {};
    if (words < 2 || words > 1 + TERN_NAME_WORDS || !message.string(1, words - 1, name, sizeof name))
        return answer(reply, tern::Status::malformed);
    const char *image;
    L4_Word_t size;
    if (!modules::find(name, image, size))
        return answer(reply, tern::Status::not_found);
    L4_Word_t start = reinterpret_cast<L4_Word_t>(image), first_page = start & ~(TERN_PAGE_SIZE - 1);
    L4_Word_t pages = (start + size - first_page + TERN_PAGE_SIZE - 1) / TERN_PAGE_SIZE;
    L4_Word_t from = message.word(0);
    if (from >= pages)
        return answer(reply, tern::Status::malformed);
    constexpr unsigned max_items = 24;
    L4_MapItem_t items[max_items];
    L4_Word_t count = pages - from;
    unsigned n = 0;
    while (count > 0 && (n = L4_Pager_MapItems(first_page + from * TERN_PAGE_SIZE, from * TERN_PAGE_SIZE,
                                               count * TERN_PAGE_SIZE, L4_Readable, items, max_items)) == 0)
        count /= 2;
    answer(reply, tern::Status::ok);
    reply.add(size);
    reply.add(start - first_page);
    reply.add(count);
    for (unsigned i = 0; i < n; ++i)
        reply.add_map_item(items[i]);
    return tern::Reply::now;
}

tern::Reply Root::request(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply)
{
    int caller = tasks_.of(from);
    L4_Word_t label = message.label();
    unsigned words = message.untyped();
    names_.forget(from);  // a thread sending a request no longer waits in a lookup
    if (message.typed() != 0)
        return answer(reply, tern::Status::malformed);
    if (label == TERN_NAMES_REGISTER || label == TERN_NAMES_LOOKUP)
        return names_request(from, message, caller, reply);
    if (caller < 0)
        return answer(reply, tern::Status::denied);  // the system protocol is for root's tasks
    switch (label) {
    case TERN_SYSTEM_ARGS:
        answer(reply, tern::Status::ok);
        reply.add_string(tasks_[caller].args, TERN_ARGS_WORDS);
        return tern::Reply::now;
    case TERN_SYSTEM_EXIT:
        tasks_.end(caller, tern::Status::ok, message.word(0));
        return tern::Reply::later;  // never: the caller is gone
    case TERN_SYSTEM_RUN:
        return run_request(from, message, caller, reply);
    case TERN_SYSTEM_INTERRUPT:
        return interrupt_request(caller, reply);
    case TERN_SYSTEM_THREAD: {
        if (words != 2 && words != 1)
            return answer(reply, tern::Status::malformed);
        L4_ThreadId_t thread;
        if (words == 1) {  // paged, and started, by a thread of the caller's own
            L4_ThreadId_t pager = {.raw = message.word(0)};
            if (tasks_.of(pager) != caller)
                return answer(reply, tern::Status::denied);
            thread = tasks_.add_paged_thread(caller, pager);
        } else {
            thread = tasks_.add_thread(caller, message.word(0), message.word(1));
        }
        if (L4_IsNilThread(thread))
            return answer(reply, tern::Status::full);
        answer(reply, tern::Status::ok);
        reply.add(thread.raw);
        return tern::Reply::now;
    }
    case TERN_SYSTEM_IO_PORTS:
        return words == 1 ? io_request(message.word(0), caller, reply) : answer(reply, tern::Status::malformed);
    case TERN_SYSTEM_IRQ:
        return words == 1 ? irq_request(from, message.word(0), caller, reply) : answer(reply, tern::Status::malformed);
    case TERN_SYSTEM_TASKS:
        return words == 1 ? tasks_request(message.word(0), reply) : answer(reply, tern::Status::malformed);
    case TERN_SYSTEM_MEMORY:
        answer(reply, tern::Status::ok);
        reply.add(tasks_.memory_from_sigma0());
        reply.add(tasks_.memory_in_use());
        reply.add(tasks_.count());
        return tern::Reply::now;
    case TERN_SYSTEM_SHUTDOWN:
        return shutdown_request(message, caller, reply);
    case TERN_SYSTEM_SPACE_NEW:
        return space_new_request(message, caller, reply);
    case TERN_SYSTEM_SPACE_DELETE:
        return space_delete_request(message, caller, reply);
    case TERN_SYSTEM_SPACE_THREAD:
    case TERN_SYSTEM_SPACE_THREAD_DELETE:
        return space_thread_request(message, caller, reply);
    case TERN_SYSTEM_MODULE:
        return module_request(message, reply);
    case TERN_SYSTEM_PCI:
        return pci_request(message, reply);
    case TERN_SYSTEM_PCI_CLAIM:
        return pci_claim_request(from, message, caller, reply);
    case TERN_SYSTEM_DMA:
        return dma_request(message, caller, reply);
    default:
        return answer(reply, tern::Status::unknown);
    }
}
