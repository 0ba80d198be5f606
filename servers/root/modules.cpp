// SPDX-License-Identifier: MIT
// The boot modules, found through X.2's boot information: the kernel maps it and every
// module read-only into the root task's space and puts its address in the KIP's BootInfo
// word. Each Module record's command line is "file arguments"; a module's name is the
// file's name without directories (as the kernel finds sigma0 and the root task).
#include <l4/bootinfo.h>
#include <l4/kip.h>
#include <string.h>

#include "modules.hpp"

namespace modules {

namespace {

// The command line's first word without its directories: "/boot/shell args" is "shell".
const char *base_name(const char *line)
{
    const char *name = line;
    for (const char *c = line; *c != '\0' && *c != ' '; ++c)
        if (*c == '/')
            name = c + 1;
    return name;
}

// The record of the module called name (the file's name, without directories), or nullptr.
L4_BootRec_t *find_record(const char *name)
{
    auto *kip = static_cast<L4_KernelInterfacePage_t *>(L4_GetKernelInterface());
    void *info = reinterpret_cast<void *>(kip->BootInfo);
    if (info == nullptr || !L4_BootInfo_Valid(info))
        return nullptr;
    L4_Word_t length = strlen(name);
    L4_BootRec_t *record = L4_BootInfo_FirstEntry(info);
    for (L4_Word_t i = 0; i < L4_BootInfo_Entries(info); ++i, record = L4_BootRec_Next(record)) {
        if (L4_BootRec_Type(record) != L4_BootInfo_Module)
            continue;
        const char *line = L4_Module_Cmdline(record);
        if (line == nullptr)
            continue;
        line = base_name(line);
        if (strncmp(line, name, length) == 0 && (line[length] == ' ' || line[length] == '\0'))
            return record;
    }
    return nullptr;
}

}  // namespace

bool find(const char *name, const char *&image, L4_Word_t &size)
{
    L4_BootRec_t *record = find_record(name);
    if (record == nullptr)
        return false;
    image = reinterpret_cast<const char *>(L4_Module_Start(record));
    size = L4_Module_Size(record);
    return true;
}

const char *arguments(const char *name)
{
    L4_BootRec_t *record = find_record(name);
    const char *line = record == nullptr ? nullptr : L4_Module_Cmdline(record);
    if (line == nullptr)
        return "";
    const char *space = strchr(line, ' ');
    return space != nullptr ? space + 1 : "";
}

}  // namespace modules
