// SPDX-License-Identifier: MIT
// Utcb_table over a Page_allocator whose "physical memory" is a host buffer (direct map:
// buffer address + (physical - fake_base)). Threads are only compared, never used.
#include "utcb_table.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

namespace {

constexpr Phys_addr fake_base = 0x40000000;
constexpr uint64_t memory_bytes = 64 * page_size;

class Memory {
public:
    Memory()
    {
        raw_ = static_cast<uint8_t *>(std::aligned_alloc(page_size, memory_bytes));
        std::memset(raw_, 0xa5, memory_bytes);  // chunks must not rely on zeroed pages
        Range_set usable;
        EXPECT_EQ(usable.insert({fake_base, fake_base + memory_bytes}), Range_set::Error::none);
        ok_ = pages.init(usable, reinterpret_cast<uintptr_t>(raw_) - fake_base) == Page_allocator::Error::none;
    }
    ~Memory() { std::free(raw_); }
    Memory(const Memory &) = delete;
    Memory &operator=(const Memory &) = delete;
    bool ok() const { return ok_; }

    Page_allocator pages;

private:
    uint8_t *raw_ = nullptr;
    bool ok_ = false;
};

Thread *fake_thread(size_t n) { return reinterpret_cast<Thread *>(0x1000 + n * 16); }

}  // namespace

TEST(Utcb_table, empty_table_has_no_threads_or_frames_and_costs_nothing)
{
    Memory memory;
    ASSERT_TRUE(memory.ok());
    uint64_t free_before = memory.pages.free_pages();
    Utcb_table table;
    for (size_t slot : {size_t{0}, size_t{255}, size_t{4095}, Utcb_table::max_slots, ~size_t{0}}) {
        EXPECT_EQ(table.thread(slot), nullptr);
        EXPECT_EQ(table.frame(slot), 0u);
        table.set_thread(slot, fake_thread(1));  // unprepared: ignored
        EXPECT_EQ(table.thread(slot), nullptr);
    }
    table.release(memory.pages);
    EXPECT_EQ(memory.pages.free_pages(), free_before);
}

TEST(Utcb_table, slots_beyond_the_table_are_refused)
{
    Memory memory;
    ASSERT_TRUE(memory.ok());
    Utcb_table table;
    EXPECT_EQ(table.prepare(Utcb_table::max_slots, memory.pages), Utcb_table::Error::no_such_slot);
    EXPECT_EQ(table.prepare(~size_t{0}, memory.pages), Utcb_table::Error::no_such_slot);
    EXPECT_EQ(table.prepare(Utcb_table::max_slots - 1, memory.pages), Utcb_table::Error::none);
}

TEST(Utcb_table, a_chunk_serves_its_slots_and_frames_are_per_page)
{
    Memory memory;
    ASSERT_TRUE(memory.ok());
    uint64_t free_before = memory.pages.free_pages();
    Utcb_table table;
    ASSERT_EQ(table.prepare(5, memory.pages), Utcb_table::Error::none);
    EXPECT_EQ(memory.pages.free_pages(), free_before - 1);
    // Fresh chunk: every slot of it empty although its page was not zeroed.
    for (size_t slot = 0; slot < Utcb_table::slots_per_chunk; ++slot) {
        EXPECT_EQ(table.thread(slot), nullptr) << slot;
        EXPECT_EQ(table.frame(slot), 0u) << slot;
    }
    // Same chunk: no second page.
    ASSERT_EQ(table.prepare(Utcb_table::slots_per_chunk - 1, memory.pages), Utcb_table::Error::none);
    EXPECT_EQ(memory.pages.free_pages(), free_before - 1);
    table.set_thread(5, fake_thread(5));
    EXPECT_EQ(table.thread(5), fake_thread(5));
    EXPECT_EQ(table.thread(4), nullptr);
    EXPECT_EQ(table.thread(5 + Utcb_table::slots_per_chunk), nullptr);  // another chunk, not prepared
    Phys_addr frame = memory.pages.allocate();
    table.set_frame(5, frame);
    for (size_t slot = 4; slot < 8; ++slot)  // the four UTCBs of one page share it
        EXPECT_EQ(table.frame(slot), frame) << slot;
    EXPECT_EQ(table.frame(8), 0u);
    EXPECT_EQ(table.frame(3), 0u);
    table.set_thread(5, nullptr);
    EXPECT_EQ(table.thread(5), nullptr);
    table.release(memory.pages);
    EXPECT_EQ(memory.pages.free_pages(), free_before);  // chunk and frame given back
    EXPECT_EQ(table.frame(5), 0u);
}

TEST(Utcb_table, out_of_memory_changes_nothing)
{
    Memory memory;
    ASSERT_TRUE(memory.ok());
    std::vector<Phys_addr> taken;
    while (Phys_addr page = memory.pages.allocate())
        taken.push_back(page);
    Utcb_table table;
    EXPECT_EQ(table.prepare(300, memory.pages), Utcb_table::Error::out_of_memory);
    EXPECT_EQ(table.thread(300), nullptr);
    ASSERT_EQ(memory.pages.free(taken.back()), Page_allocator::Error::none);
    EXPECT_EQ(table.prepare(300, memory.pages), Utcb_table::Error::none);
    table.release(memory.pages);
    EXPECT_EQ(memory.pages.free_pages(), 1u);
    taken.pop_back();
    for (Phys_addr page : taken)
        ASSERT_EQ(memory.pages.free(page), Page_allocator::Error::none);
}

TEST(Utcb_table, random_use_matches_a_model)
{
    Memory memory;
    ASSERT_TRUE(memory.ok());
    uint64_t free_before = memory.pages.free_pages();
    Utcb_table table;
    std::map<size_t, Thread *> model;
    std::mt19937_64 random(11);
    for (size_t step = 0; step < 20000; ++step) {
        size_t slot = random() % (Utcb_table::max_slots + 16);
        if (random() % 2 == 0) {
            Utcb_table::Error error = table.prepare(slot, memory.pages);
            ASSERT_EQ(error, slot < Utcb_table::max_slots ? Utcb_table::Error::none : Utcb_table::Error::no_such_slot);
            Thread *thread = random() % 3 == 0 ? nullptr : fake_thread(step);
            table.set_thread(slot, thread);
            if (slot < Utcb_table::max_slots)
                model[slot] = thread;
        }
        size_t probe = random() % (Utcb_table::max_slots + 16);
        auto found = model.find(probe);
        ASSERT_EQ(table.thread(probe), found == model.end() ? nullptr : found->second) << probe;
    }
    // At most one page per chunk.
    EXPECT_GE(memory.pages.free_pages(), free_before - Utcb_table::max_slots / Utcb_table::slots_per_chunk);
    table.release(memory.pages);
    EXPECT_EQ(memory.pages.free_pages(), free_before);
}
