// SPDX-License-Identifier: MIT
// The kernel's virtual address layout on x86-64 (48-bit addresses, 4-level paging).
//
//   0x0000_0000_0000_0000 .. 0x0000_7fff_ffff_ffff   user (lower half; empty until tasks exist)
//   0xffff_8000_0000_0000 .. +64 TiB                 direct map of RAM (NX, global)
//   0xffff_ff80_0000_0000 .. +1 GiB                  device windows (uncached, NX)
//   0xffff_ffff_8000_0000 .. top                     kernel image (-mcmodel=kernel)
//
// The 32-bit boot code uses these too; asm_offsets.cpp exports them to NASM.
#pragma once

#include "types.hpp"

namespace Memory_layout {

constexpr Virt_addr kernel_offset = 0xffffffff80000000;
constexpr Virt_addr direct_map_base = 0xffff800000000000;
constexpr uint64_t direct_map_size = uint64_t{64} << 40;
constexpr Virt_addr device_window_base = 0xffffff8000000000;
constexpr uint64_t device_window_size = uint64_t{1} << 30;

// The 32-bit boot code maps this much of physical memory at direct_map_base (2 MiB
// pages) before the kernel's own tables exist; boot-loader data must lie below it.
constexpr uint64_t boot_window_size = uint64_t{1} << 30;

template <typename T = void>
inline T *direct_map(Phys_addr address)
{
    return reinterpret_cast<T *>(direct_map_base + address);
}

}  // namespace Memory_layout
