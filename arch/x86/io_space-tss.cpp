// SPDX-License-Identifier: MIT
// The TSS side of Io_space: the CPU's I/O bitmap follows the running space. Kernel only
// (io_space.cpp is the host-testable part).
#include "io_space.hpp"

#include "cpu_local.hpp"

// Invariant: Cpu_local::io_loaded is the key of the space whose bitmap the TSS holds, or
// nullptr when the TSS denies every port. Io_mapper reloads the running space after
// changing its ports, and forget() runs before a bitmap is freed, so a key never names
// freed memory that a new space's bitmap could reuse.

void Io_space::forget() const
{
    Cpu_local &local = Cpu_local::get();
    if (bitmap_ != nullptr && local.io_loaded == bitmap_) {
        local.tss.deny_all_ports();
        local.io_loaded = nullptr;
    }
    changed();
}

// Cpu_local::io_cached names a key only while the TSS's bytes are that bitmap's: every
// change of a space's ports (Io_mapper) and the freeing of a bitmap (forget) end that.
void Io_space::changed() const
{
    Cpu_local &local = Cpu_local::get();
    if (bitmap_ != nullptr && local.io_cached == bitmap_)
        local.io_cached = nullptr;
}
