// SPDX-License-Identifier: MIT
// The page allocator that backs kernel objects (slab caches, page tables, UTCBs, the KIP),
// and the one mapping database of the system. The database sits here, below both users of
// it: the memory mapper (Mapper) and the architecture's resource mapper (x86: Io_mapper)
// keep their nodes in it, each through Mapping_database's public interface.
#pragma once

#include "mapping_database.hpp"
#include "page_allocator.hpp"

class Kernel_memory {
public:
    static void set(Page_allocator &pages) { pages_ = &pages; }
    static Page_allocator &pages() { return *pages_; }
    static Mapping_database &mappings() { return mappings_; }
    // Usable memory the allocator does not manage (the architecture decides which, e.g. what
    // its large pages cannot cover): sigma0 owns it from the start (Boot_tasks).
    static Range_set &sigma0_only() { return sigma0_only_; }

private:
    static Page_allocator *pages_;
    static Range_set sigma0_only_;
    static Mapping_database mappings_;
};
