// SPDX-License-Identifier: MIT
// The buddy allocator runs on a host buffer that pretends to be physical memory at
// fake_base: the allocator's direct map offset is (buffer address - fake_base).
#include "page_allocator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <random>
#include <vector>

namespace {

constexpr Phys_addr fake_base = 0x40000000;
constexpr uint64_t mib = 1024 * 1024;
constexpr uint64_t max_block = page_size << Page_allocator::max_order;  // 4 MiB

class Fake_memory {
public:
    explicit Fake_memory(uint64_t size) : size_(size)
    {
        bytes_ = static_cast<uint8_t *>(std::aligned_alloc(max_block, size));
        if (bytes_ != nullptr)
            std::memset(bytes_, 0, size);
    }
    ~Fake_memory() { std::free(bytes_); }
    Fake_memory(const Fake_memory &) = delete;
    Fake_memory &operator=(const Fake_memory &) = delete;

    bool ok() const { return bytes_ != nullptr; }
    uintptr_t offset() const { return reinterpret_cast<uintptr_t>(bytes_) - fake_base; }
    Phys_addr begin() const { return fake_base; }
    Phys_addr end() const { return fake_base + size_; }
    uint8_t *at(Phys_addr address) const { return bytes_ + (address - fake_base); }

private:
    uint64_t size_;
    uint8_t *bytes_;
};

Range_set usable_of(std::initializer_list<Phys_range> ranges)
{
    Range_set set;
    for (Phys_range range : ranges)
        EXPECT_EQ(set.insert(range), Range_set::Error::none);
    return set;
}

uint64_t marker_for(Phys_addr page) { return page ^ 0x5a5a'a5a5'1234'8765; }

void mark_block(const Fake_memory &memory, Phys_addr address, unsigned order)
{
    for (uint64_t i = 0; i < (uint64_t{1} << order); ++i) {
        Phys_addr page = address + i * page_size;
        uint64_t marker = marker_for(page);
        std::memcpy(memory.at(page), &marker, sizeof marker);
        std::memcpy(memory.at(page) + page_size - sizeof marker, &marker, sizeof marker);
    }
}

::testing::AssertionResult block_marked(const Fake_memory &memory, Phys_addr address, unsigned order)
{
    for (uint64_t i = 0; i < (uint64_t{1} << order); ++i) {
        Phys_addr page = address + i * page_size;
        uint64_t head = 0;
        uint64_t tail = 0;
        std::memcpy(&head, memory.at(page), sizeof head);
        std::memcpy(&tail, memory.at(page) + page_size - sizeof tail, sizeof tail);
        if (head != marker_for(page) || tail != marker_for(page))
            return ::testing::AssertionFailure() << "page " << std::hex << page << " of block " << address
                                                 << " was overwritten while allocated";
    }
    return ::testing::AssertionSuccess();
}

// Allocates order-0 pages until the allocator runs dry. Stops one page past what it
// manages, so a corrupted allocator handing out pages forever fails instead of hanging.
std::vector<Phys_addr> drain(Page_allocator &allocator)
{
    std::vector<Phys_addr> pages;
    while (pages.size() <= allocator.managed_pages()) {
        Phys_addr page = allocator.allocate(0);
        if (page == 0)
            break;
        pages.push_back(page);
    }
    return pages;
}

}  // namespace

TEST(Page_allocator, init_without_whole_usable_page_is_nothing_usable)
{
    Page_allocator allocator;
    EXPECT_EQ(allocator.init(Range_set(), 0), Page_allocator::Error::nothing_usable);
    // Sub-page pieces and frame 0 alone do not count.
    Range_set crumbs = usable_of({{0, page_size}, {0x10800, 0x11400}, {0x20001, 0x20fff}});
    EXPECT_EQ(allocator.init(crumbs, 0), Page_allocator::Error::nothing_usable);
    EXPECT_EQ(allocator.allocate(0), 0u);
    EXPECT_EQ(allocator.free_pages(), 0u);
}

TEST(Page_allocator, init_without_a_range_big_enough_for_state_is_no_room_for_state)
{
    Page_allocator allocator;
    // A span of 16 MiB + 8 KiB needs two pages of state bytes; each range holds one.
    Range_set scattered = usable_of({{fake_base, fake_base + page_size},
                                     {fake_base + 16 * mib + page_size, fake_base + 16 * mib + 2 * page_size}});
    EXPECT_EQ(allocator.init(scattered, 0), Page_allocator::Error::no_room_for_state);
    EXPECT_EQ(allocator.allocate(0), 0u);
    // Memory exists but none of it is reachable yet.
    Range_set plenty = usable_of({{fake_base, fake_base + 16 * mib}});
    EXPECT_EQ(allocator.init(plenty, 0, fake_base), Page_allocator::Error::no_room_for_state);
    EXPECT_EQ(allocator.managed_pages(), 0u);
}

TEST(Page_allocator, manages_every_usable_page_except_the_state)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Range_set usable = usable_of({{memory.begin(), memory.end()}});
    ASSERT_EQ(allocator.init(usable, memory.offset()), Page_allocator::Error::none);
    Phys_range state = allocator.state_range();
    EXPECT_FALSE(state.empty());
    EXPECT_TRUE(usable.contains(state));
    EXPECT_EQ(state.size(), page_size);  // 4096 frames, one byte each
    EXPECT_EQ(allocator.managed_pages(), 16 * mib / page_size - 1);
    EXPECT_EQ(allocator.free_pages(), allocator.managed_pages());
}

TEST(Page_allocator, never_returns_reserved_memory)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    // Usable memory with holes, some edges not page-aligned.
    Phys_addr b = memory.begin();
    Range_set usable = usable_of({{b + 0x3000, b + 0x100800},
                                  {b + 0x180100, b + 0x400000},
                                  {b + 0x500000, b + 0x500fff},
                                  {b + 0x800000, b + 0x1000000 - 0x2345}});
    ASSERT_EQ(allocator.init(usable, memory.offset()), Page_allocator::Error::none);
    Phys_range state = allocator.state_range();
    uint64_t expected = (0x100000 - 0x3000) / page_size + (0x400000 - 0x181000) / page_size +
                        (0x1000000 - 0x3000 - 0x800000) / page_size - state.size() / page_size;
    EXPECT_EQ(allocator.managed_pages(), expected);

    std::vector<Phys_addr> pages = drain(allocator);
    EXPECT_EQ(pages.size(), expected);
    for (Phys_addr page : pages) {
        EXPECT_TRUE(usable.contains({page, page + page_size})) << std::hex << page;
        EXPECT_FALSE(state.overlaps({page, page + page_size})) << std::hex << page;
    }
}

TEST(Page_allocator, exhaustion_and_orders_above_max_return_zero)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    std::vector<Phys_addr> pages = drain(allocator);
    EXPECT_EQ(pages.size(), allocator.managed_pages());
    EXPECT_EQ(allocator.free_pages(), 0u);
    for (unsigned order = 0; order <= Page_allocator::max_order + 1; ++order)
        EXPECT_EQ(allocator.allocate(order), 0u) << "order " << order;
    EXPECT_EQ(allocator.free_pages(), 0u);

    ASSERT_EQ(allocator.free(pages.back()), Page_allocator::Error::none);
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order + 1), 0u);  // no such order, even with room
    EXPECT_EQ(allocator.allocate(64), 0u);
    EXPECT_EQ(allocator.free_pages(), 1u);
    EXPECT_EQ(allocator.allocate(0), pages.back());
}

TEST(Page_allocator, blocks_are_naturally_aligned_and_disjoint)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin() + page_size, memory.end()}}), memory.offset()),
              Page_allocator::Error::none);
    std::map<Phys_addr, unsigned> live;
    // Two blocks of every order, largest first: exactly the 4094 managed pages.
    for (int round = 0; round < 2; ++round) {
        for (unsigned order = Page_allocator::max_order + 1; order-- > 0;) {
            Phys_addr block = allocator.allocate(order);
            ASSERT_NE(block, 0u) << "order " << order;
            EXPECT_EQ(block % (page_size << order), 0u) << "order " << order;
            mark_block(memory, block, order);
            live[block] = order;
        }
    }
    for (auto [block, order] : live)
        EXPECT_TRUE(block_marked(memory, block, order));
}

TEST(Page_allocator, freeing_everything_coalesces_back_into_max_order_blocks)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    std::vector<Phys_addr> pages = drain(allocator);
    std::shuffle(pages.begin(), pages.end(), std::mt19937(7));
    for (Phys_addr page : pages)
        ASSERT_EQ(allocator.free(page), Page_allocator::Error::none);
    EXPECT_EQ(allocator.free_pages(), allocator.managed_pages());

    // The state page spoils the first 4 MiB block; the other three must be whole again.
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(allocator.allocate(Page_allocator::max_order), 0u) << "block " << i;
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), 0u);
    // What is left of the first block: 1023 pages as blocks of orders 9..0.
    for (unsigned order = Page_allocator::max_order; order-- > 0;)
        EXPECT_NE(allocator.allocate(order), 0u) << "order " << order;
    EXPECT_EQ(allocator.free_pages(), 0u);
}

TEST(Page_allocator, split_blocks_merge_again_after_free)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin() + 4 * mib, memory.begin() + 8 * mib},
                                        {memory.begin(), memory.begin() + 2 * page_size}}),
                             memory.offset()),
              Page_allocator::Error::none);
    // The state page sits in the first range, leaving one whole 4 MiB block.
    Phys_addr big = allocator.allocate(Page_allocator::max_order);
    ASSERT_NE(big, 0u);
    ASSERT_EQ(allocator.free(big, Page_allocator::max_order), Page_allocator::Error::none);
    Phys_addr small = allocator.allocate(3);
    ASSERT_NE(small, 0u);
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), 0u);  // split now
    ASSERT_EQ(allocator.free(small, 3), Page_allocator::Error::none);
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), big);
}

TEST(Page_allocator, allocate_highest_takes_blocks_from_the_top_down)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    // The top 4 MiB block has a hole in its upper half: 2 MiB - 4 KiB usable there.
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end() - 2 * mib},
                                        {memory.end() - 2 * mib + page_size, memory.end()}}),
                             memory.offset()),
              Page_allocator::Error::none);
    uint64_t free_before = allocator.free_pages();
    // Order 9 skips the broken 2 MiB and takes the whole one below it, the lower half of
    // the same 4 MiB block; then the upper half of the next 4 MiB block, and so on down.
    EXPECT_EQ(allocator.allocate_highest(9), memory.end() - 4 * mib);
    EXPECT_EQ(allocator.allocate_highest(9), memory.end() - 6 * mib);
    EXPECT_EQ(allocator.allocate_highest(9), memory.end() - 8 * mib);
    EXPECT_EQ(allocator.free_pages(), free_before - 3 * 512);
    // Single pages come from the top of what is left: the broken half's last page.
    EXPECT_EQ(allocator.allocate_highest(0), memory.end() - page_size);
    // What allocate() finds at order 9 is the lowest block's upper half (the state page
    // spoils its lower half), not yet split.
    EXPECT_EQ(allocator.allocate(9), memory.begin() + 2 * mib);
    EXPECT_EQ(allocator.allocate_highest(Page_allocator::max_order + 1), 0u);
}

TEST(Page_allocator, allocate_highest_blocks_free_and_merge_like_any_other)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    uint64_t free_before = allocator.free_pages();
    std::vector<Phys_addr> blocks;
    for (Phys_addr block; (block = allocator.allocate_highest(9)) != 0;) {
        EXPECT_EQ(block % (2 * mib), 0u);
        if (!blocks.empty()) {
            EXPECT_LT(block, blocks.back());
        }
        mark_block(memory, block, 9);
        blocks.push_back(block);
        ASSERT_LE(blocks.size(), 8u);
    }
    EXPECT_EQ(blocks.size(), 7u);  // the state page spoils the lowest 2 MiB
    for (Phys_addr block : blocks)
        EXPECT_TRUE(block_marked(memory, block, 9));
    for (Phys_addr block : blocks)
        ASSERT_EQ(allocator.free(block, 9), Page_allocator::Error::none);
    EXPECT_EQ(allocator.free_pages(), free_before);
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(allocator.allocate(Page_allocator::max_order), 0u) << "block " << i;
}

TEST(Page_allocator, double_free_or_free_of_free_memory_is_refused)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    Phys_addr page = allocator.allocate(0);
    Phys_addr other = allocator.allocate(0);
    ASSERT_NE(page, 0u);
    ASSERT_NE(other, 0u);
    ASSERT_EQ(allocator.free(page), Page_allocator::Error::none);
    uint64_t before = allocator.free_pages();
    EXPECT_EQ(allocator.free(page), Page_allocator::Error::not_allocated);
    // Never allocated: the head of a free 4 MiB block, and pages inside one.
    EXPECT_EQ(allocator.free(memory.end() - max_block, Page_allocator::max_order), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free(memory.end() - max_block), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free(memory.end() - page_size), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free_pages(), before);
    // The freed page comes back exactly once.
    std::vector<Phys_addr> rest = drain(allocator);
    EXPECT_EQ(std::count(rest.begin(), rest.end(), page), 1);
    EXPECT_EQ(std::count(rest.begin(), rest.end(), other), 0);
}

TEST(Page_allocator, free_with_wrong_order_is_refused_and_changes_nothing)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    // An order-2 block that is also aligned for order 3, so only the order is wrong.
    Phys_addr block = 0;
    for (int tries = 0; tries < 8 && (block == 0 || block % (page_size << 3) != 0); ++tries)
        block = allocator.allocate(2);
    ASSERT_NE(block, 0u);
    ASSERT_EQ(block % (page_size << 3), 0u);
    mark_block(memory, block, 2);
    uint64_t before = allocator.free_pages();
    EXPECT_EQ(allocator.free(block, 1), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free(block, 0), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free(block + page_size, 0), Page_allocator::Error::not_allocated);  // interior
    EXPECT_EQ(allocator.free(block + 2 * page_size, 1), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free(block, 3), Page_allocator::Error::not_allocated);
    EXPECT_EQ(allocator.free(block, Page_allocator::max_order), Page_allocator::Error::misaligned);
    EXPECT_EQ(allocator.free_pages(), before);
    EXPECT_TRUE(block_marked(memory, block, 2));
    EXPECT_EQ(allocator.free(block, 2), Page_allocator::Error::none);
    EXPECT_EQ(allocator.free_pages(), before + 4);
}

TEST(Page_allocator, free_of_misaligned_address_is_refused)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    Phys_addr block = allocator.allocate(1);
    ASSERT_NE(block, 0u);
    uint64_t before = allocator.free_pages();
    EXPECT_EQ(allocator.free(block + 0x800, 0), Page_allocator::Error::misaligned);
    EXPECT_EQ(allocator.free(block + 1, 1), Page_allocator::Error::misaligned);
    EXPECT_EQ(allocator.free(block + page_size, 1), Page_allocator::Error::misaligned);
    EXPECT_EQ(allocator.free_pages(), before);
    EXPECT_EQ(allocator.free(block, 1), Page_allocator::Error::none);
}

TEST(Page_allocator, free_outside_managed_memory_is_refused)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr b = memory.begin();
    ASSERT_EQ(allocator.init(usable_of({{b, b + 4 * mib}, {b + 8 * mib, b + 16 * mib}}), memory.offset()),
              Page_allocator::Error::none);
    uint64_t before = allocator.free_pages();
    EXPECT_EQ(allocator.free(0), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.free(page_size), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.free(b - page_size), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.free(b + 16 * mib), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.free(b + 5 * mib), Page_allocator::Error::not_managed);  // hole in the span
    EXPECT_EQ(allocator.free(allocator.state_range().begin), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.free(0x7ffffffff000), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.free_pages(), before);
}

TEST(Page_allocator, free_with_bad_order_is_refused)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset()), Page_allocator::Error::none);
    Phys_addr block = allocator.allocate(Page_allocator::max_order);
    ASSERT_NE(block, 0u);
    uint64_t before = allocator.free_pages();
    EXPECT_EQ(allocator.free(block, Page_allocator::max_order + 1), Page_allocator::Error::bad_order);
    EXPECT_EQ(allocator.free(block, 63), Page_allocator::Error::bad_order);
    EXPECT_EQ(allocator.free(block, 64), Page_allocator::Error::bad_order);
    EXPECT_EQ(allocator.free_pages(), before);
    EXPECT_EQ(allocator.free(block, Page_allocator::max_order), Page_allocator::Error::none);
}

TEST(Page_allocator, free_before_init_is_refused)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    EXPECT_EQ(allocator.free(memory.begin()), Page_allocator::Error::not_managed);
    EXPECT_EQ(allocator.allocate(0), 0u);
    EXPECT_EQ(allocator.add({memory.begin(), memory.end()}), Page_allocator::Error::outside_span);
}

TEST(Page_allocator, init_touches_nothing_beyond_reachable_limit)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr limit = memory.begin() + 4 * mib;
    std::memset(memory.at(limit), 0xa5, 12 * mib);
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset(), limit),
              Page_allocator::Error::none);
    EXPECT_EQ(allocator.managed_pages(), 4 * mib / page_size - 1);
    EXPECT_LE(allocator.state_range().end, limit);
    // Every byte above the limit is as the test left it.
    std::vector<uint8_t> pattern(12 * mib, 0xa5);
    EXPECT_EQ(std::memcmp(memory.at(limit), pattern.data(), pattern.size()), 0);
    for (Phys_addr page : drain(allocator))
        EXPECT_LT(page, limit);
}

TEST(Page_allocator, add_brings_in_memory_beyond_reachable_limit)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr limit = memory.begin() + 4 * mib;
    ASSERT_EQ(allocator.init(usable_of({{memory.begin(), memory.end()}}), memory.offset(), limit),
              Page_allocator::Error::none);
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), 0u);  // first block holds the state

    ASSERT_EQ(allocator.add({limit, memory.end()}), Page_allocator::Error::none);
    EXPECT_EQ(allocator.managed_pages(), 16 * mib / page_size - 1);
    EXPECT_EQ(allocator.free_pages(), allocator.managed_pages());
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(allocator.allocate(Page_allocator::max_order), 0u) << "block " << i;
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), 0u);
}

TEST(Page_allocator, add_rounds_inward_and_merges_with_neighbours)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr b = memory.begin();
    Phys_addr limit = b + 4 * mib;
    ASSERT_EQ(allocator.init(usable_of({{b, b + 16 * mib}}), memory.offset(), limit), Page_allocator::Error::none);
    uint64_t before = allocator.managed_pages();
    ASSERT_EQ(allocator.add({limit + 0x800, limit + 0x3800}), Page_allocator::Error::none);  // 2 whole pages
    EXPECT_EQ(allocator.managed_pages(), before + 2);
    ASSERT_EQ(allocator.add({limit + 0x10, limit + 0xff0}), Page_allocator::Error::none);  // no whole page
    EXPECT_EQ(allocator.managed_pages(), before + 2);
    ASSERT_EQ(allocator.add({limit, limit + page_size}), Page_allocator::Error::none);
    ASSERT_EQ(allocator.add({limit + 3 * page_size, limit + 4 * mib}), Page_allocator::Error::none);
    // [limit, limit + 4 MiB) was added piecewise and must have merged into one block.
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), limit);
}

TEST(Page_allocator, add_refuses_memory_outside_the_span)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr b = memory.begin();
    ASSERT_EQ(allocator.init(usable_of({{b + 4 * mib, b + 8 * mib}}), memory.offset(), b + 6 * mib),
              Page_allocator::Error::none);
    uint64_t managed = allocator.managed_pages();
    EXPECT_EQ(allocator.add({b + 6 * mib, b + 9 * mib}), Page_allocator::Error::outside_span);
    EXPECT_EQ(allocator.add({b, b + 5 * mib}), Page_allocator::Error::outside_span);
    EXPECT_EQ(allocator.add({b + 12 * mib, b + 16 * mib}), Page_allocator::Error::outside_span);
    EXPECT_EQ(allocator.managed_pages(), managed);
    EXPECT_EQ(allocator.free_pages(), managed);
    EXPECT_EQ(allocator.add({b + 6 * mib, b + 8 * mib}), Page_allocator::Error::none);
}

TEST(Page_allocator, add_refuses_memory_already_managed)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr b = memory.begin();
    Phys_addr limit = b + 4 * mib;
    ASSERT_EQ(allocator.init(usable_of({{b, b + 16 * mib}}), memory.offset(), limit), Page_allocator::Error::none);
    uint64_t managed = allocator.managed_pages();
    EXPECT_EQ(allocator.add({limit - page_size, limit + page_size}), Page_allocator::Error::already_managed);
    EXPECT_EQ(allocator.add(allocator.state_range()), Page_allocator::Error::already_managed);
    EXPECT_EQ(allocator.add({b, b + 16 * mib}), Page_allocator::Error::already_managed);
    EXPECT_EQ(allocator.managed_pages(), managed);
    EXPECT_EQ(allocator.free_pages(), managed);

    ASSERT_EQ(allocator.add({limit, limit + mib}), Page_allocator::Error::none);
    // A range that is only partly new is refused as a whole.
    EXPECT_EQ(allocator.add({limit + mib - page_size, limit + 2 * mib}), Page_allocator::Error::already_managed);
    EXPECT_EQ(allocator.managed_pages(), managed + mib / page_size);
}

TEST(Page_allocator, random_allocations_never_overlap_and_account_exactly)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    Phys_addr b = memory.begin();
    // Holes with odd edges; their bytes must never be touched.
    std::vector<Phys_range> holes = {{b, b + 0x2345}, {b + 0x300800, b + 0x341000}, {b + 0x9ff000, b + 0xa00001}};
    Range_set usable = usable_of({{b, b + 16 * mib}});
    for (Phys_range hole : holes)
        ASSERT_EQ(usable.remove(hole), Range_set::Error::none);
    for (Phys_range hole : holes)
        std::memset(memory.at(hole.begin), 0xc3, hole.size());
    ASSERT_EQ(allocator.init(usable, memory.offset()), Page_allocator::Error::none);
    const Phys_range state = allocator.state_range();
    const uint64_t managed = allocator.managed_pages();

    std::mt19937_64 random(0x7e57);
    std::uniform_int_distribution<int> percent(0, 99);
    std::geometric_distribution<unsigned> order_of(0.45);
    std::map<Phys_addr, unsigned> live;  // block -> order
    uint64_t live_pages = 0;
    size_t failures = 0;

    for (int step = 0; step < 6000; ++step) {
        bool allocating = live.empty() || percent(random) < (step % 2000 < 1200 ? 70 : 30);
        if (allocating) {
            unsigned order = order_of(random) % (Page_allocator::max_order + 1);
            Phys_addr block = allocator.allocate(order);
            if (block == 0) {
                ++failures;
                ASSERT_LT(allocator.free_pages(), managed) << "step " << step;
            } else {
                Phys_range range{block, block + (page_size << order)};
                ASSERT_EQ(block % (page_size << order), 0u) << "step " << step;
                ASSERT_TRUE(usable.contains(range)) << "step " << step << std::hex << " block " << block;
                ASSERT_FALSE(range.overlaps(state)) << "step " << step;
                auto next = live.lower_bound(block);
                if (next != live.end()) {
                    ASSERT_LE(range.end, next->first) << "step " << step << ": overlaps a live block";
                }
                if (next != live.begin()) {
                    auto previous = std::prev(next);
                    ASSERT_LE(previous->first + (page_size << previous->second), block)
                        << "step " << step << ": overlaps a live block";
                }
                mark_block(memory, block, order);
                live[block] = order;
                live_pages += uint64_t{1} << order;
            }
        } else {
            auto victim = live.begin();
            std::advance(victim, std::uniform_int_distribution<size_t>(0, live.size() - 1)(random));
            ASSERT_TRUE(block_marked(memory, victim->first, victim->second)) << "step " << step;
            ASSERT_EQ(allocator.free(victim->first, victim->second), Page_allocator::Error::none) << "step " << step;
            live_pages -= uint64_t{1} << victim->second;
            live.erase(victim);
        }
        ASSERT_EQ(allocator.free_pages() + live_pages, managed) << "step " << step;
    }
    EXPECT_GT(failures, 0u) << "the walk never exhausted a size; the test lost its edge";

    for (auto [block, order] : live) {
        EXPECT_TRUE(block_marked(memory, block, order));
        ASSERT_EQ(allocator.free(block, order), Page_allocator::Error::none);
    }
    EXPECT_EQ(allocator.free_pages(), managed);
    for (Phys_range hole : holes) {
        std::vector<uint8_t> pattern(hole.size(), 0xc3);
        EXPECT_EQ(std::memcmp(memory.at(hole.begin), pattern.data(), pattern.size()), 0)
            << std::hex << "hole at " << hole.begin << " was written";
    }
    // Fully coalesced again: the 4 MiB blocks at 4 and 12 MiB hold no hole and no state.
    Phys_addr first = allocator.allocate(Page_allocator::max_order);
    Phys_addr second = allocator.allocate(Page_allocator::max_order);
    EXPECT_EQ(std::min(first, second), b + 4 * mib);
    EXPECT_EQ(std::max(first, second), b + 12 * mib);
    EXPECT_EQ(allocator.allocate(Page_allocator::max_order), 0u);
}

TEST(Page_allocator, sub_page_range_at_top_of_address_space_is_ignored)
{
    Fake_memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    Page_allocator allocator;
    // Usable_memory clamps a region reaching past 2^64 to end at 2^64 - 1, so a range
    // starting inside the last page is a possible input. It holds no whole page.
    Phys_range top{0xfffffffffffff800, 0xffffffffffffffff};
    Range_set usable = usable_of({{memory.begin(), memory.end()}, top});
    Phys_addr limit = memory.end();  // as the kernel does: only the boot window is reachable
    EXPECT_EQ(allocator.init(usable, memory.offset(), limit), Page_allocator::Error::none);
    EXPECT_EQ(allocator.managed_pages(), 16 * mib / page_size - 1);
}
