// SPDX-License-Identifier: MIT
// The boot configuration (docs/system.md) and what it grants a server.
#ifndef ROOT_CONFIG_HPP
#define ROOT_CONFIG_HPP

#include <l4/tern/names.h>
#include <l4/tern/system.h>
#include <l4/types.h>
#include <stdint.h>

// What the boot configuration grants a server beyond memory.
struct Grants {
    long irq = -1;                              // -1: none
    L4_Word_t port_base = 0, port_count = 0;    // count 0: none
    bool shutdown = false;                      // may stop the machine
    bool kernel_mode = false;                   // runs in ring 0 (SpaceControl's kernel_mode)
    bool spaces = false;                        // may make spaces it pages (TERN_SYSTEM_SPACE_NEW)
    // pci=VENDOR:DEVICE: may claim the PCI functions of that id (TERN_SYSTEM_PCI_CLAIM) and
    // ask for DMA memory; 0 none.
    uint32_t pci_id = 0;                        // vendor | device << 16
};

struct Server_config {
    char name[TERN_NAME_MAX + 1] = {};  // the module to start
    L4_Word_t priority = 100;
    Grants grants;
    char args[TERN_ARGS_WORDS * 8] = {};
    bool run_only = false;  // a program line: not started at boot, its grants are RUN's
};

namespace config {

// Parses the configuration text into at most max servers; bad lines are reported and
// skipped. Returns how many.
unsigned parse(const char *text, L4_Word_t size, Server_config *out, unsigned max);

}  // namespace config

#endif
