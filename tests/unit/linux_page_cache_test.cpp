// SPDX-License-Identifier: MIT
// The Linux personality's shared read-only file pages (servers/linux/page_cache.cpp) over a
// frame pool whose window is host memory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "frame_pool_fixture.hpp"
#include "page_cache.hpp"

namespace {

class PageCache : public Frame_pool_fixture {
protected:
    void SetUp() override
    {
        Frame_pool_fixture::SetUp();
        for (size_t i = 0; i < file.size(); ++i)
            file[i] = static_cast<uint8_t>(i * 7 + 1);
    }

    std::vector<uint8_t> file = std::vector<uint8_t>(5 * 4096 + 100);
};

TEST_F(PageCache, TheSamePageIsOneFrameWithAReferenceForEachUser)
{
    Page_cache cache(pool);
    uint8_t *first = cache.page(file.data() + 4096, 4096);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(std::memcmp(first, file.data() + 4096, 4096), 0);
    EXPECT_EQ(pool.references(first), 2u);  // the caller's and the cache's
    uint8_t *again = cache.page(file.data() + 4096, 4096);
    EXPECT_EQ(again, first);
    EXPECT_EQ(pool.references(first), 3u);
    pool.release(first);
    pool.release(again);
    EXPECT_EQ(pool.references(first), 1u);  // the users are gone, the cache keeps it
    EXPECT_EQ(cache.page(file.data() + 4096, 4096), first);
    EXPECT_EQ(cache.pages(), 1u);
}

TEST_F(PageCache, APartialPageEndsInZerosAndIsNotTheFullOne)
{
    Page_cache cache(pool);
    uint8_t *tail = cache.page(file.data() + 5 * 4096, 100);
    ASSERT_NE(tail, nullptr);
    EXPECT_EQ(std::memcmp(tail, file.data() + 5 * 4096, 100), 0);
    for (size_t i = 100; i < 4096; ++i)
        ASSERT_EQ(tail[i], 0) << i;
    uint8_t *longer = cache.page(file.data() + 5 * 4096, 50);
    EXPECT_NE(longer, tail);  // another length is another page
    EXPECT_EQ(cache.pages(), 2u);
}

TEST_F(PageCache, BeyondItsSizePagesArePrivateCopies)
{
    Page_cache cache(pool);
    std::vector<uint8_t> big((Page_cache::max_pages + 8) * 8);
    for (unsigned i = 0; i < Page_cache::max_pages; ++i)
        ASSERT_NE(cache.page(big.data() + i * 8, 8), nullptr) << i;
    EXPECT_EQ(cache.pages(), Page_cache::max_pages);
    uint8_t *extra = cache.page(big.data() + Page_cache::max_pages * 8, 8);
    ASSERT_NE(extra, nullptr);
    EXPECT_EQ(pool.references(extra), 1u);  // the caller's alone
    EXPECT_EQ(cache.pages(), Page_cache::max_pages);
}

TEST_F(PageCache, AnEmptyPoolGivesNothing)
{
    Frame_pool tiny;
    tiny.init(reinterpret_cast<uint64_t>(window), 0, window_present);
    Page_cache cache(tiny);
    EXPECT_EQ(cache.page(file.data(), 4096), nullptr);
    EXPECT_EQ(cache.pages(), 0u);
}

}  // namespace

TEST_F(PageCache, FramePoolCopiesAFrameWholeAndZeroesAFreshOne)
{
    auto *source = static_cast<uint8_t *>(pool.allocate());
    ASSERT_NE(source, nullptr);
    std::memcpy(source, file.data(), Frame_pool::frame_size);
    auto *copy = static_cast<uint8_t *>(pool.allocate_copy(source));
    ASSERT_NE(copy, nullptr);
    EXPECT_NE(copy, source);
    EXPECT_EQ(std::memcmp(copy, file.data(), Frame_pool::frame_size), 0);
    EXPECT_EQ(pool.references(copy), 1u);
    // A frame given back and taken again by allocate() shows nothing of what it held.
    pool.release(copy);
    auto *fresh = static_cast<uint8_t *>(pool.allocate());
    ASSERT_EQ(fresh, copy);
    for (size_t i = 0; i < Frame_pool::frame_size; ++i)
        ASSERT_EQ(fresh[i], 0) << i;
    pool.release(fresh);
    pool.release(source);
    EXPECT_EQ(pool.frames_in_use(), 0u);
}
