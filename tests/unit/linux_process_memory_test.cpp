// SPDX-License-Identifier: MIT
// The Linux personality's memory of one process (servers/linux/process_memory.cpp) over a
// frame pool whose window is host memory: its areas against a plain model under random
// adds, removes and protections, and copies in and out across areas.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "frame_pool_fixture.hpp"
#include "linux_abi.hpp"
#include "process_memory.hpp"

namespace {

constexpr uint64_t page = Process_memory::page_size;

using ProcessMemory = Frame_pool_fixture;

// find answers the area holding an address, or nullptr: at each area's first and last byte,
// just outside them, and at random addresses, as the model (a page-by-page map) says.
TEST_F(ProcessMemory, FindAgreesWithAModelUnderRandomChanges)
{
    Process_memory memory(pool);
    constexpr uint64_t pages = 512, base = 0x400000;
    std::vector<uint32_t> model(pages, 0);  // prot + 1 of each page, 0 outside every area
    std::mt19937 random(11);
    for (int step = 0; step < 3000; ++step) {
        uint64_t first = random() % pages, count = 1 + random() % 8;
        if (first + count > pages)
            count = pages - first;
        uint64_t start = base + first * page, end = start + count * page;
        auto prot = static_cast<uint32_t>(1 + random() % 3);
        switch (random() % 3) {
        case 0: {
            bool free = true;
            for (uint64_t p = first; p < first + count; ++p)
                free = free && model[p] == 0;
            Process_memory::Error error = memory.add(start, end, prot);
            if (!free) {  // (a full table says so first)
                EXPECT_TRUE(error == Process_memory::Error::overlap || error == Process_memory::Error::too_many);
                break;
            }
            if (error == Process_memory::Error::too_many)
                break;
            ASSERT_EQ(error, Process_memory::Error::none);
            for (uint64_t p = first; p < first + count; ++p)
                model[p] = prot + 1;
            break;
        }
        case 1:
            if (memory.remove(start, end) == Process_memory::Error::none)
                for (uint64_t p = first; p < first + count; ++p)
                    model[p] = 0;
            break;
        default: {
            bool covered = true;
            for (uint64_t p = first; p < first + count; ++p)
                covered = covered && model[p] != 0;
            if (covered && memory.protect(start, end, prot) == Process_memory::Error::none)
                for (uint64_t p = first; p < first + count; ++p)
                    model[p] = prot + 1;
            break;
        }
        }
        for (unsigned i = 0; i + 1 < memory.area_count(); ++i)
            ASSERT_LE(memory.area(i).end, memory.area(i + 1).start);  // sorted and disjoint
        for (int probe = 0; probe < 16; ++probe) {
            uint64_t address = base - page + random() % ((pages + 2) * page);
            const Process_memory::Area *area = memory.find(address);
            uint64_t p = (address - base) / page;
            bool inside = address >= base && p < pages && model[p] != 0;
            ASSERT_EQ(area != nullptr, inside) << std::hex << address;
            if (area != nullptr) {
                EXPECT_LE(area->start, address);
                EXPECT_GT(area->end, address);
                EXPECT_EQ(area->prot + 1, model[p]);
            }
        }
        for (unsigned i = 0; i < memory.area_count(); ++i) {
            const Process_memory::Area &area = memory.area(i);
            ASSERT_EQ(memory.find(area.start), &area);
            ASSERT_EQ(memory.find(area.end - 1), &area);
            if (i == 0 || memory.area(i - 1).end != area.start) {
                ASSERT_EQ(memory.find(area.start - 1), nullptr);
            }
        }
    }
    EXPECT_EQ(memory.find(0), nullptr);
    EXPECT_EQ(memory.find(~uint64_t{0}), nullptr);
}

TEST_F(ProcessMemory, CopiesCrossPagesAndAreasAndStopAtAHole)
{
    Process_memory memory(pool);
    uint32_t rw = linux_abi::prot_read | linux_abi::prot_write;
    ASSERT_EQ(memory.add(0x10000, 0x12000, rw), Process_memory::Error::none);
    ASSERT_EQ(memory.add(0x12000, 0x13000, rw), Process_memory::Error::none);
    std::vector<uint8_t> bytes(3 * page - 200), back(bytes.size());
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<uint8_t>(i * 13 + 5);
    ASSERT_EQ(memory.copy_out(0x10064, bytes.data(), bytes.size()), Process_memory::Error::none);
    ASSERT_EQ(memory.copy_in(back.data(), 0x10064, back.size()), Process_memory::Error::none);
    EXPECT_EQ(back, bytes);
    EXPECT_EQ(memory.copy_out(0x12f00, bytes.data(), 0x200), Process_memory::Error::no_area);
    EXPECT_EQ(memory.copy_in(back.data(), 0xf000, 16), Process_memory::Error::no_area);
}

}  // namespace
