// SPDX-License-Identifier: MIT
// x86 I/O ports as X.2 resources: map, grant and unmap (flush) of I/O-port flexpages
// (io_fpage.hpp) between spaces, through the mapping database (docs/kernel.md, "I/O ports").
//
// Each port has its own trees of port nodes (Mapping::is_port). sigma0 owns every port: the
// root of a port's tree is made in sigma0's space the first time sigma0 maps (not grants)
// the port, unless the port has a tree already (sigma0 granted it away), so a port never
// has two trees. Ports are mapped idempotently: port p of the sender becomes port p of the
// receiver. Which ports a receiver takes is Io_fpage::accepted (its receive window must be
// the complete address space or an I/O fpage). A space's ports are its Io_space: the slots
// and the permission bitmap the TSS gets while the space runs; this class keeps the TSS
// copy of the running space's bitmap current whenever it changes that space's ports.
//
// Like memory: map gives a child mapping, revoking first what the receiver had there
// unless that is the sender's own mapping or above it (then nothing happens for that
// port), and keeps a port the receiver already has from this very mapping; grant moves the
// node; unmap revokes everything derived (flush: the caller's own ports too), recursively.
// Rights do not exist for ports: they are ignored in items and in Unmap, which always
// revokes and reports no access status. A map that runs out of memory maps fewer ports;
// revocation never fails.
#pragma once

#include <stdint.h>

#include "io_fpage.hpp"

class Mapping;
class Space;

class Io_mapper {
public:
    // Whether an item's or Unmap's fpage word is an I/O fpage (this class's, valid or not).
    static bool handles(uint64_t fpage) { return Io_fpage::is_io(fpage); }
    // A map or grant item of fpage from sender to receiver, whose receive window is window.
    static void map(Space &sender, Space &receiver, uint64_t fpage, uint64_t window, bool grant);
    // Unmap of fpage by space (flush: its own mappings too).
    static void unmap(Space &space, uint64_t fpage, bool flush);
    // Everything space has and everything derived from it (space deletion).
    static void unmap_all(Space &space);

    // Whether port has a tree (for tests and the kernel's own checks).
    static bool has_tree(unsigned port);

private:
    static void revoke(Mapping &node, bool with_node);
    static void set_has_tree(unsigned port, bool has);
    // Reloads the TSS bitmap if a change touched the running space.
    static void sync_active();
};
