// SPDX-License-Identifier: MIT
// The root task's start and its dispatch (root.hpp). It serves page faults of its tasks
// (their images and stacks are mapped before they start; any other fault is a bug of the
// task), exceptions (the task is reported and ended), and requests.
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/sigma0.h>
#include <l4/tern/kernel_labels.h>
#include <l4/thread.h>
#include <l4io.h>
#include <string.h>

#include "modules.hpp"
#include "root.hpp"

Root::Root()
{
    L4_Pager_Init(&pager_, Task_table::resolve, &tasks_);
    tasks_.on_end([](void *root, int index) { static_cast<Root *>(root)->release_devices(index); }, this);
}

unsigned Root::scan_pci()
{
    if (!get_port_range(Port_pci_config::address_port, Port_pci_config::ports)) {
        printf("root: sigma0 gave no PCI configuration ports: no PCI devices\n");
        return 0;
    }
    unsigned found = pci_.scan();
    msi_lines_ = read_msi_lines();
    printf("root: PCI: %u functions\n", found);
    return found;
}

void Root::start_servers()
{
    scan_pci();
    const char *config_name = "system.conf";
    char wanted[TERN_NAME_MAX + 1];
    const char *own = modules::arguments("roottask");
    if (strncmp(own, "config=", 7) == 0) {
        unsigned n = 0;
        for (; own[7 + n] != '\0' && own[7 + n] != ' ' && n < TERN_NAME_MAX; ++n)
            wanted[n] = own[7 + n];
        wanted[n] = '\0';
        config_name = wanted;
    }
    const char *text;
    L4_Word_t size;
    if (!modules::find(config_name, text, size)) {
        printf("root: no boot configuration module \"%s\"; no servers started\n", config_name);
        return;
    }
    unsigned count = config::parse(text, size, servers_, max_servers);
    printf("root: %s names %u servers\n", config_name, count);
    configured_ = count;
    for (unsigned i = 0; i < count; ++i) {
        const Server_config &server = servers_[i];
        if (server.run_only)
            continue;
        const char *why = "";
        tern::Status status;
        int index = tasks_.start(server.name, server.args, server.grants, server.priority, TERN_TASK_SERVER, -1,
                                 status, why);
        if (index < 0)
            printf("root: cannot start %s: %s\n", server.name, why);
        else
            printf("root: started %s (thread %lx, priority %lu)\n", server.name, tasks_.thread_id(index, 0).raw,
                   server.priority);
    }
}

// A task thread that faulted in a way root cannot serve: report it and end the task.
void Root::end_faulty(int index, const char *what, L4_Word_t detail, L4_Word_t ip)
{
    printf("root: %s: %s %lx (ip %lx); task ended\n", tasks_[index].name, what, detail, ip);
    tasks_.end(index, tern::Status::killed, 0);
}

tern::Reply Root::handle(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply)
{
    int index = tasks_.of(from);
    if (L4_Pager_IsPageFault(message.tag()) && index >= 0) {
        // The pager library reads the fault from the MRs, which still hold it, and answers.
        if (L4_Pager_Handle(&pager_, from, message.tag()) == L4_PAGER_NO_REPLY)
            end_faulty(index, "page fault outside its memory at", message.word(0), message.word(1));
        return tern::Reply::later;
    }
    if ((message.label() & TERN_LABEL_MASK) == TERN_LABEL_EXCEPTION && index >= 0) {
        end_faulty(index, "exception, vector", message.word(2), message.word(0));
        return tern::Reply::later;
    }
    return request(from, message, reply);
}

// sigma0 and the root task start together and share the kernel's debug console, one
// character per system call: their first lines mixed when a time slice ended mid-line. sigma0
// reports its memory before it serves, so one call to it waits until its report is out: the
// pool extension's "verbose" (label -1001 << 4, MR1 = 1), which sigma0 answers with an empty
// message and no other effect.
static void wait_until_sigma0_serves()
{
    L4_Msg_t message;
    L4_MsgClear(&message);
    L4_MsgAppendWord(&message, TERN_SIGMA0_POOLS_VERBOSE);
    L4_Set_MsgLabel(&message, TERN_SIGMA0_POOLS_LABEL);
    L4_MsgLoad(&message);
    (void)L4_Call(L4_Pager());
}

int main()
{
    wait_until_sigma0_serves();
    static Root root;
    printf("root: thread %lx, boot info %s\n", L4_Myself().raw,
           L4_BootInfo(L4_GetKernelInterface()) != 0 ? "found" : "missing");
    root.start_servers();
    root.serve(L4_Never);
}
