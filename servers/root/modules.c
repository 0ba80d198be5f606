/* SPDX-License-Identifier: MIT */
/* The boot modules, found through X.2's boot information: the kernel maps it and every
 * module read-only into the root task's space and puts its address in the KIP's BootInfo
 * word. Each Module record's command line is "file arguments"; a module's name is the
 * file's name without directories (as the kernel finds sigma0 and the root task). */
#include <l4/bootinfo.h>
#include <l4/kip.h>

#include "root.h"

/* The command line's first word without its directories: "/boot/shell args" is "shell". */
static const char *base_name(const char *line)
{
    const char *name = line;
    for (const char *c = line; *c != '\0' && *c != ' '; ++c)
        if (*c == '/')
            name = c + 1;
    return name;
}

/* The record of the module called name (the file's name, without directories), or 0. */
static L4_BootRec_t *find_record(const char *name)
{
    L4_KernelInterfacePage_t *kip = (L4_KernelInterfacePage_t *)L4_GetKernelInterface();
    void *info = (void *)kip->BootInfo;
    if (info == 0 || !L4_BootInfo_Valid(info))
        return 0;
    L4_BootRec_t *record = L4_BootInfo_FirstEntry(info);
    for (L4_Word_t i = 0; i < L4_BootInfo_Entries(info); ++i, record = L4_BootRec_Next(record)) {
        if (L4_BootRec_Type(record) != L4_BootInfo_Module)
            continue;
        const char *line = L4_Module_Cmdline(record);
        if (line == 0)
            continue;
        line = base_name(line);
        L4_Word_t n = 0;
        while (name[n] != '\0' && line[n] == name[n])
            ++n;
        if (name[n] == '\0' && (line[n] == ' ' || line[n] == '\0'))
            return record;
    }
    return 0;
}

int module_find(const char *name, const char **image, L4_Word_t *size)
{
    L4_BootRec_t *record = find_record(name);
    if (record == 0)
        return 0;
    *image = (const char *)L4_Module_Start(record);
    *size = L4_Module_Size(record);
    return 1;
}

const char *module_arguments(const char *name)
{
    L4_BootRec_t *record = find_record(name);
    if (record == 0)
        return "";
    const char *line = L4_Module_Cmdline(record);
    if (line == 0)
        return "";
    while (*line != ' ' && *line != '\0')
        ++line;
    return *line == ' ' ? line + 1 : line;
}
