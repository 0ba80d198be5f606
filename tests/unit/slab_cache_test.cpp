// SPDX-License-Identifier: MIT
// Slab caches run over a Page_allocator whose "physical memory" is a host buffer at
// fake_base; the buffer is aligned to the largest block, so slabs are aligned in the direct
// map (virtual = buffer address + (physical - fake_base)) as they are in the kernel.
#include "slab_cache.hpp"

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
constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;
constexpr uint64_t max_block = page_size << Page_allocator::max_order;

// Kernel caches are constinit globals that exist before any memory does: construction is
// a constant expression, so the global below is constant-initialized too.
static_assert((Slab_cache("global", 48, 16), true));
Slab_cache global_cache("global", 48, 16);

static_assert(Slab_cache("small", 64, 8).slab_order() == 0);
static_assert(Slab_cache("small", 64, 8).objects_per_slab() >= Slab_cache::min_objects_per_slab);
static_assert(Slab_cache("tcb", 16 * kib, 16 * kib).objects_per_slab() >= Slab_cache::min_objects_per_slab);
static_assert(Slab_cache("big", 64 * kib, 8).usable());
static_assert(!Slab_cache("empty", 0, 8).usable());
static_assert(!Slab_cache("odd alignment", 64, 24).usable());

class Memory {
public:
    // skew moves the buffer off the largest-block alignment (to break the direct map's).
    explicit Memory(uint64_t size, uint64_t skew = 0) : size_(size)
    {
        uint64_t allocated = align_up(size + skew, max_block);  // aligned_alloc wants a multiple
        raw_ = static_cast<uint8_t *>(std::aligned_alloc(max_block, allocated));
        if (raw_ == nullptr)
            return;
        std::memset(raw_, 0, allocated);
        bytes_ = raw_ + skew;
        Range_set usable;
        EXPECT_EQ(usable.insert({fake_base, fake_base + size}), Range_set::Error::none);
        ok_ = pages.init(usable, reinterpret_cast<uintptr_t>(bytes_) - fake_base) == Page_allocator::Error::none;
    }
    ~Memory() { std::free(raw_); }
    Memory(const Memory &) = delete;
    Memory &operator=(const Memory &) = delete;

    bool ok() const { return ok_; }
    // Every byte the allocator could hand out; objects must lie inside.
    bool holds(const void *object, size_t size) const
    {
        auto *p = static_cast<const uint8_t *>(object);
        return p >= bytes_ && p + size <= bytes_ + size_;
    }

    Page_allocator pages;

private:
    uint64_t size_;
    uint8_t *raw_ = nullptr;
    uint8_t *bytes_ = nullptr;
    bool ok_ = false;
};

uint8_t marker_of(const void *object)
{
    return static_cast<uint8_t>(reinterpret_cast<uintptr_t>(object) * 0x9e37 >> 7 | 1);
}

void mark(void *object, size_t size) { std::memset(object, marker_of(object), size); }

::testing::AssertionResult marked(const void *object, size_t size)
{
    auto *bytes = static_cast<const uint8_t *>(object);
    for (size_t i = 0; i < size; ++i)
        if (bytes[i] != marker_of(object))
            return ::testing::AssertionFailure() << "object " << object << " byte " << i << " was overwritten";
    return ::testing::AssertionSuccess();
}

// Allocates until the cache fails; bounded so that a broken cache cannot loop forever.
std::vector<void *> drain(Slab_cache &cache, Page_allocator &pages)
{
    std::vector<void *> objects;
    size_t bound = pages.managed_pages() * page_size / cache.object_size() + 1;
    while (objects.size() <= bound) {
        void *object = cache.allocate(pages);
        if (object == nullptr)
            break;
        objects.push_back(object);
    }
    return objects;
}

::testing::AssertionResult disjoint(std::vector<void *> objects, size_t size)
{
    std::sort(objects.begin(), objects.end());
    for (size_t i = 1; i < objects.size(); ++i)
        if (static_cast<uint8_t *>(objects[i - 1]) + size > static_cast<uint8_t *>(objects[i]))
            return ::testing::AssertionFailure() << objects[i - 1] << " and " << objects[i] << " overlap";
    return ::testing::AssertionSuccess();
}

}  // namespace

TEST(Slab_cache, geometry_fits_at_least_eight_objects_in_the_smallest_order)
{
    struct Case {
        size_t size, alignment;
        unsigned order;
    };
    for (Case c : std::vector<Case>{{1, 1, 0},
                                    {8, 8, 0},
                                    {100, 64, 0},
                                    {480, 8, 0},
                                    {500, 8, 1},
                                    {4 * kib, 8, 4},      // 8 pages of objects plus a header
                                    {4 * kib, 4 * kib, 4},  // header takes an object's place
                                    {16 * kib, 16 * kib, 6},
                                    {64 * kib, 8, 8}}) {
        Slab_cache cache("geometry", c.size, c.alignment);
        SCOPED_TRACE(::testing::Message() << "size " << c.size << " alignment " << c.alignment);
        ASSERT_TRUE(cache.usable());
        EXPECT_EQ(cache.slab_order(), c.order);
        EXPECT_EQ(cache.slab_bytes(), page_size << c.order);
        EXPECT_GE(cache.objects_per_slab(), Slab_cache::min_objects_per_slab);
        EXPECT_LE(cache.objects_per_slab(), Slab_cache::max_objects_per_slab);
        EXPECT_GE(cache.object_stride(), c.size);
        EXPECT_EQ(cache.object_stride() % c.alignment, 0u);
        EXPECT_EQ(cache.first_object_offset() % c.alignment, 0u);
        EXPECT_GE(cache.first_object_offset(), 64u);  // a header is there
        EXPECT_LE(cache.first_object_offset() + cache.objects_per_slab() * cache.object_stride(), cache.slab_bytes());
        // One more object would not fit, and one order less would not hold eight.
        EXPECT_GT(cache.first_object_offset() + (cache.objects_per_slab() + 1) * cache.object_stride(),
                  cache.slab_bytes());
        if (c.order > 0) {
            EXPECT_GT(cache.first_object_offset() + Slab_cache::min_objects_per_slab * cache.object_stride(),
                      page_size << (c.order - 1));
        }
        EXPECT_EQ(cache.objects_in_use(), 0u);
        EXPECT_EQ(cache.pages_in_use(), 0u);
    }
}

TEST(Slab_cache, bad_parameters_make_an_unusable_cache_that_never_allocates)
{
    Memory memory(4 * mib);
    ASSERT_TRUE(memory.ok());
    uint64_t free_before = memory.pages.free_pages();
    // The largest object: eight of them after the header just fit a 4 MiB block.
    size_t header = Slab_cache("header", 8, 8).first_object_offset();
    size_t largest_size = (max_block - header) / 8 / 8 * 8;
    Slab_cache largest("largest", largest_size, 8);
    EXPECT_TRUE(largest.usable());
    EXPECT_EQ(largest.slab_order(), Page_allocator::max_order);
    EXPECT_EQ(largest.objects_per_slab(), 8u);
    Slab_cache larger("larger", largest_size + 1, 8);
    EXPECT_FALSE(larger.usable());
    for (Slab_cache *cache :
         {new Slab_cache("zero size", 0, 8), new Slab_cache("zero alignment", 8, 0),
          new Slab_cache("odd alignment", 8, 12), new Slab_cache("too big", max_block / 8, 8),
          new Slab_cache("huge", ~size_t{0}, 8), new Slab_cache("huge alignment", 8, size_t{1} << 63),
          new Slab_cache("alignment beyond a block", 8, 2 * max_block)}) {
        SCOPED_TRACE(cache->name());
        EXPECT_FALSE(cache->usable());
        EXPECT_EQ(cache->objects_per_slab(), 0u);
        EXPECT_EQ(cache->slab_bytes(), 0u);
        EXPECT_EQ(cache->allocate(memory.pages), nullptr);
        int local = 0;
        EXPECT_EQ(cache->free(&local), Slab_cache::Error::not_from_this_cache);
        EXPECT_EQ(cache->free(nullptr), Slab_cache::Error::not_from_this_cache);
        EXPECT_EQ(cache->reclaim(memory.pages), 0u);
        delete cache;
    }
    EXPECT_EQ(memory.pages.free_pages(), free_before);
}

TEST(Slab_cache, global_cache_is_constant_initialized_and_works)
{
    Memory memory(1 * mib);
    ASSERT_TRUE(memory.ok());
    EXPECT_STREQ(global_cache.name(), "global");
    EXPECT_EQ(global_cache.object_size(), 48u);
    void *object = global_cache.allocate(memory.pages);
    ASSERT_NE(object, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(object) % 16, 0u);
    EXPECT_EQ(global_cache.free(object), Slab_cache::Error::none);
    EXPECT_EQ(global_cache.reclaim(memory.pages), 1u);
    EXPECT_EQ(global_cache.pages_in_use(), 0u);
}

TEST(Slab_cache, allocates_until_memory_runs_out_then_returns_nullptr)
{
    Memory memory(1 * mib);
    ASSERT_TRUE(memory.ok());
    Slab_cache cache("exhaust", 200, 8);
    const uint64_t managed = memory.pages.managed_pages();
    std::vector<void *> objects = drain(cache, memory.pages);
    EXPECT_EQ(memory.pages.free_pages(), 0u);
    EXPECT_EQ(cache.pages_in_use(), managed);
    EXPECT_EQ(objects.size(), managed * cache.objects_per_slab());
    EXPECT_EQ(cache.objects_in_use(), objects.size());
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(cache.allocate(memory.pages), nullptr);
    EXPECT_EQ(cache.objects_in_use(), objects.size());
    EXPECT_EQ(cache.pages_in_use(), managed);

    // Room in a slab again: exactly that object comes back, without a new page.
    void *victim = objects[objects.size() / 2];
    ASSERT_EQ(cache.free(victim), Slab_cache::Error::none);
    EXPECT_EQ(cache.allocate(memory.pages), victim);
    EXPECT_EQ(cache.allocate(memory.pages), nullptr);
}

TEST(Slab_cache, exhaustion_by_fragmentation_of_large_blocks_returns_nullptr)
{
    Memory memory(4 * mib);
    ASSERT_TRUE(memory.ok());
    // Pin one page in every 64 KiB, so no order-4 block is left although most pages are free.
    std::vector<Phys_addr> pinned;
    std::vector<Phys_addr> loose;
    for (Phys_addr page = memory.pages.allocate(0); page != 0; page = memory.pages.allocate(0))
        (page % (16 * page_size) == 0 ? pinned : loose).push_back(page);
    for (Phys_addr page : loose)
        ASSERT_EQ(memory.pages.free(page), Page_allocator::Error::none);
    ASSERT_GT(memory.pages.free_pages(), 900u);

    Slab_cache cache("fragmented", 4 * kib, 8);
    ASSERT_EQ(cache.slab_order(), 4u);
    EXPECT_EQ(cache.allocate(memory.pages), nullptr);
    EXPECT_EQ(cache.pages_in_use(), 0u);
    EXPECT_EQ(memory.pages.free_pages(), loose.size());
}

TEST(Slab_cache, objects_never_overlap_and_stay_inside_memory)
{
    Memory memory(2 * mib);
    ASSERT_TRUE(memory.ok());
    Slab_cache cache("markers", 72, 8);
    std::vector<void *> objects = drain(cache, memory.pages);
    ASSERT_FALSE(objects.empty());
    for (void *object : objects) {
        ASSERT_TRUE(memory.holds(object, cache.object_size()));
        mark(object, cache.object_size());
    }
    EXPECT_TRUE(disjoint(objects, cache.object_size()));
    for (void *object : objects)
        ASSERT_TRUE(marked(object, cache.object_size()));
    // Freeing every other object and allocating again refills exactly those.
    std::vector<void *> freed;
    for (size_t i = 0; i < objects.size(); i += 2) {
        ASSERT_EQ(cache.free(objects[i]), Slab_cache::Error::none);
        freed.push_back(objects[i]);
    }
    std::vector<void *> again = drain(cache, memory.pages);
    std::sort(freed.begin(), freed.end());
    std::sort(again.begin(), again.end());
    EXPECT_EQ(again, freed);
    for (size_t i = 1; i < objects.size(); i += 2)
        ASSERT_TRUE(marked(objects[i], cache.object_size()));
}

TEST(Slab_cache, alignment_is_honoured)
{
    Memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    struct Case {
        size_t size, alignment;
    };
    for (Case c : std::vector<Case>{{1, 1}, {3, 2}, {24, 8}, {40, 64}, {100, 128}, {200, 512},
                                    {3000, 4096}, {5000, 8192}, {16 * kib, 16 * kib}, {8, 64 * kib}}) {
        SCOPED_TRACE(::testing::Message() << "size " << c.size << " alignment " << c.alignment);
        Slab_cache cache("aligned", c.size, c.alignment);
        ASSERT_TRUE(cache.usable());
        std::vector<void *> objects;
        for (size_t i = 0; i < 3 * cache.objects_per_slab(); ++i) {
            void *object = cache.allocate(memory.pages);
            ASSERT_NE(object, nullptr);
            EXPECT_EQ(reinterpret_cast<uintptr_t>(object) % c.alignment, 0u) << object;
            ASSERT_TRUE(memory.holds(object, c.size));
            mark(object, c.size);
            objects.push_back(object);
        }
        EXPECT_TRUE(disjoint(objects, c.size));
        EXPECT_EQ(cache.pages_in_use(), 3 * (size_t{1} << cache.slab_order()));
        for (void *object : objects) {
            EXPECT_TRUE(marked(object, c.size));
            ASSERT_EQ(cache.free(object), Slab_cache::Error::none);
        }
        EXPECT_EQ(cache.reclaim(memory.pages), 3 * (size_t{1} << cache.slab_order()));
    }
    EXPECT_EQ(memory.pages.free_pages(), memory.pages.managed_pages());
}

TEST(Slab_cache, big_objects_like_thread_control_blocks_work)
{
    Memory memory(16 * mib);
    ASSERT_TRUE(memory.ok());
    for (size_t size : {16 * kib, 64 * kib}) {
        SCOPED_TRACE(::testing::Message() << "size " << size);
        Slab_cache cache("tcb", size, size);
        std::vector<void *> objects = drain(cache, memory.pages);
        ASSERT_GE(objects.size(), 2 * cache.objects_per_slab());
        for (void *object : objects) {
            EXPECT_EQ(reinterpret_cast<uintptr_t>(object) % size, 0u);
            ASSERT_TRUE(memory.holds(object, size));
            mark(object, size);
        }
        EXPECT_TRUE(disjoint(objects, size));
        for (void *object : objects)
            ASSERT_TRUE(marked(object, size));
        EXPECT_EQ(cache.objects_in_use(), objects.size());
        // Interior pointers of a big object: its kernel stack, say.
        EXPECT_EQ(cache.free(static_cast<uint8_t *>(objects[0]) + size - 8), Slab_cache::Error::misaligned);
        for (void *object : objects)
            ASSERT_EQ(cache.free(object), Slab_cache::Error::none);
        EXPECT_EQ(cache.reclaim(memory.pages), objects.size() / cache.objects_per_slab() << cache.slab_order());
        EXPECT_EQ(memory.pages.free_pages(), memory.pages.managed_pages());
    }
}

TEST(Slab_cache, refused_frees_change_nothing)
{
    Memory memory(2 * mib);
    ASSERT_TRUE(memory.ok());
    Slab_cache cache("refuse", 96, 32);
    Slab_cache twin("twin", 96, 32);  // same geometry: only the owner check tells them apart
    std::vector<void *> objects;
    void *twin_object = nullptr;
    for (size_t i = 0; i < cache.objects_per_slab() + 3; ++i) {
        objects.push_back(cache.allocate(memory.pages));
        ASSERT_NE(objects.back(), nullptr);
        mark(objects.back(), cache.object_size());
        // The twin's slab between ours, so that only the header tells whose it is.
        if (i == 0)
            twin_object = twin.allocate(memory.pages);
    }
    ASSERT_NE(twin_object, nullptr);
    ASSERT_GT(twin_object, objects[0]);
    ASSERT_LT(twin_object, objects.back());
    void *freed = objects.back();
    objects.pop_back();
    ASSERT_EQ(cache.free(freed), Slab_cache::Error::none);

    auto *first = static_cast<uint8_t *>(objects[0]);
    auto slab = reinterpret_cast<uintptr_t>(first) & ~(uintptr_t{cache.slab_bytes()} - 1);
    // The last object of the partial slab that was never handed out.
    auto *untouched = reinterpret_cast<uint8_t *>(reinterpret_cast<uintptr_t>(freed) + 2 * cache.object_stride());
    int local = 0;
    struct Case {
        void *pointer;
        Slab_cache::Error error;
    };
    std::vector<Case> cases = {
        {nullptr, Slab_cache::Error::not_from_this_cache},
        {&local, Slab_cache::Error::not_from_this_cache},
        {&cache, Slab_cache::Error::not_from_this_cache},
        {twin_object, Slab_cache::Error::not_from_this_cache},
        {reinterpret_cast<void *>(~uintptr_t{0}), Slab_cache::Error::not_from_this_cache},
        {first + 1, Slab_cache::Error::misaligned},
        {first + 32, Slab_cache::Error::misaligned},
        {first + cache.object_size() - 1, Slab_cache::Error::misaligned},
        {reinterpret_cast<void *>(slab), Slab_cache::Error::misaligned},  // the header
        {reinterpret_cast<void *>(slab + 8), Slab_cache::Error::misaligned},
        {reinterpret_cast<void *>(slab + cache.slab_bytes() - 8), Slab_cache::Error::misaligned},  // slack
        // Where one more object would start if it fitted.
        {reinterpret_cast<void *>(slab + cache.first_object_offset() +
                                  cache.objects_per_slab() * cache.object_stride()),
         Slab_cache::Error::misaligned},
        {freed, Slab_cache::Error::double_free},
        {untouched, Slab_cache::Error::double_free},
    };
    uint64_t free_pages = memory.pages.free_pages();
    for (const Case &c : cases) {
        EXPECT_EQ(cache.free(c.pointer), c.error) << c.pointer;
        EXPECT_EQ(cache.objects_in_use(), objects.size());
        EXPECT_EQ(cache.pages_in_use(), 2u);
        EXPECT_EQ(memory.pages.free_pages(), free_pages);
    }
    // The twin refuses ours just the same.
    EXPECT_EQ(twin.free(objects[0]), Slab_cache::Error::not_from_this_cache);
    EXPECT_EQ(twin.objects_in_use(), 1u);
    for (void *object : objects)
        EXPECT_TRUE(marked(object, cache.object_size()));

    // The free list survived the refused double frees: freed comes back once, then untouched.
    EXPECT_EQ(cache.allocate(memory.pages), freed);
    EXPECT_EQ(cache.allocate(memory.pages), reinterpret_cast<uint8_t *>(freed) + cache.object_stride());
    EXPECT_EQ(cache.allocate(memory.pages), untouched);
    EXPECT_EQ(cache.objects_in_use(), objects.size() + 3);
    for (void *object : objects)
        EXPECT_EQ(cache.free(object), Slab_cache::Error::none);
    for (void *object : objects)
        EXPECT_EQ(cache.free(object), Slab_cache::Error::double_free);
    EXPECT_EQ(twin.free(twin_object), Slab_cache::Error::none);
}

TEST(Slab_cache, emptied_slabs_stay_cached_until_reclaimed)
{
    Memory memory(4 * mib);
    ASSERT_TRUE(memory.ok());
    const uint64_t all_free = memory.pages.free_pages();
    Slab_cache cache("reclaim", 1000, 8);
    ASSERT_EQ(cache.slab_order(), 1u);
    void *only = cache.allocate(memory.pages);
    ASSERT_NE(only, nullptr);
    EXPECT_EQ(memory.pages.free_pages(), all_free - 2);
    ASSERT_EQ(cache.free(only), Slab_cache::Error::none);
    EXPECT_EQ(cache.pages_in_use(), 2u);
    EXPECT_EQ(memory.pages.free_pages(), all_free - 2);
    // The cached slab serves the next allocation without the page allocator.
    EXPECT_EQ(cache.allocate(memory.pages), only);
    EXPECT_EQ(memory.pages.free_pages(), all_free - 2);

    std::vector<void *> objects = {only};
    for (size_t i = 1; i < 5 * cache.objects_per_slab(); ++i)
        objects.push_back(cache.allocate(memory.pages));
    EXPECT_EQ(cache.pages_in_use(), 10u);
    EXPECT_EQ(cache.reclaim(memory.pages), 0u);  // nothing empty yet
    // Empty three slabs entirely and one partly. Backwards, so that reclaim() returns the
    // lowest slab first and a higher one then merges into it (see below).
    for (size_t i = 3 * cache.objects_per_slab() + 1; i-- > 0;)
        ASSERT_EQ(cache.free(objects[i]), Slab_cache::Error::none);
    EXPECT_EQ(cache.pages_in_use(), 10u);
    EXPECT_EQ(memory.pages.free_pages(), all_free - 10);
    // The partial slab serves first, so that empty ones stay empty.
    void *again = cache.allocate(memory.pages);
    EXPECT_EQ(again, objects[3 * cache.objects_per_slab()]);
    ASSERT_EQ(cache.free(again), Slab_cache::Error::none);
    EXPECT_EQ(cache.reclaim(memory.pages), 6u);
    EXPECT_EQ(cache.pages_in_use(), 4u);
    EXPECT_EQ(cache.slab_count(), 2u);
    EXPECT_EQ(memory.pages.free_pages(), all_free - 4);
    EXPECT_EQ(cache.reclaim(memory.pages), 0u);
    // Pointers into returned slabs are foreign now, also where the page allocator merged a
    // slab into its lower buddy and left the old header's bytes in place.
    for (size_t i = 0; i < 3 * cache.objects_per_slab(); ++i)
        EXPECT_EQ(cache.free(objects[i]), Slab_cache::Error::not_from_this_cache) << i;

    for (size_t i = 3 * cache.objects_per_slab() + 1; i < objects.size(); ++i)
        ASSERT_EQ(cache.free(objects[i]), Slab_cache::Error::none);
    EXPECT_EQ(cache.objects_in_use(), 0u);
    EXPECT_EQ(cache.reclaim(memory.pages), 4u);
    EXPECT_EQ(cache.pages_in_use(), 0u);
    EXPECT_EQ(memory.pages.free_pages(), all_free);
    // The buddy allocator merged everything back.
    EXPECT_NE(memory.pages.allocate(Page_allocator::max_order - 1), 0u);
}

TEST(Slab_cache, reclaim_into_the_wrong_allocator_keeps_the_slabs)
{
    Memory memory(1 * mib);
    Memory other(1 * mib);
    ASSERT_TRUE(memory.ok());
    ASSERT_TRUE(other.ok());
    Slab_cache cache("wrong", 64, 8);
    void *object = cache.allocate(memory.pages);
    ASSERT_NE(object, nullptr);
    ASSERT_EQ(cache.free(object), Slab_cache::Error::none);
    uint64_t other_free = other.pages.free_pages();
    EXPECT_EQ(cache.reclaim(other.pages), 0u);
    EXPECT_EQ(other.pages.free_pages(), other_free);
    EXPECT_EQ(cache.pages_in_use(), 1u);
    EXPECT_EQ(cache.allocate(memory.pages), object);  // the slab is intact and still ours
    ASSERT_EQ(cache.free(object), Slab_cache::Error::none);
    EXPECT_EQ(cache.reclaim(memory.pages), 1u);
}

TEST(Slab_cache, slab_not_aligned_in_the_direct_map_is_given_back)
{
    Memory memory(1 * mib, page_size);  // direct map offset only page-aligned
    ASSERT_TRUE(memory.ok());
    uint64_t free_pages = memory.pages.free_pages();
    Slab_cache cache("skewed", 1000, 8);
    ASSERT_EQ(cache.slab_order(), 1u);
    EXPECT_EQ(cache.allocate(memory.pages), nullptr);
    EXPECT_EQ(memory.pages.free_pages(), free_pages);
    EXPECT_EQ(cache.pages_in_use(), 0u);
    // Single pages are always page-aligned, so small objects still work.
    Slab_cache small("small", 64, 8);
    void *object = small.allocate(memory.pages);
    ASSERT_NE(object, nullptr);
    EXPECT_EQ(small.free(object), Slab_cache::Error::none);
}

TEST(Slab_cache, random_allocations_and_frees_keep_objects_intact_and_account_exactly)
{
    Memory memory(8 * mib);
    ASSERT_TRUE(memory.ok());
    const uint64_t managed = memory.pages.managed_pages();
    std::vector<Slab_cache *> caches = {new Slab_cache("a", 8, 8), new Slab_cache("b", 56, 8),
                                        new Slab_cache("c", 200, 64), new Slab_cache("d", 1500, 16),
                                        new Slab_cache("e", 16 * kib, 16 * kib), new Slab_cache("f", 40 * kib, 4096)};
    std::map<void *, size_t> live;  // object -> cache index
    std::vector<size_t> live_count(caches.size());
    std::vector<std::pair<void *, size_t>> dead;  // freed objects, to try again
    std::mt19937_64 random(0x51ab);
    std::uniform_int_distribution<int> percent(0, 99);
    std::uniform_int_distribution<size_t> cache_of(0, caches.size() - 1);
    size_t failures = 0;

    for (int step = 0; step < 20000; ++step) {
        SCOPED_TRACE(::testing::Message() << "step " << step);
        int roll = percent(random);
        // Phases of growth and shrinkage so memory runs out and empties again.
        bool growing = step % 5000 < 3000;
        if (live.empty() || roll < (growing ? 65 : 35)) {
            size_t which = cache_of(random);
            Slab_cache &cache = *caches[which];
            void *object = cache.allocate(memory.pages);
            if (object == nullptr) {
                ++failures;
                // Only when the page allocator really has no block for a slab.
                Phys_addr probe = memory.pages.allocate(cache.slab_order());
                if (probe != 0) {
                    ASSERT_EQ(memory.pages.free(probe, cache.slab_order()), Page_allocator::Error::none);
                }
                ASSERT_EQ(probe, 0u) << cache.name();
                continue;
            }
            ASSERT_TRUE(memory.holds(object, cache.object_size()));
            auto next = live.lower_bound(object);
            if (next != live.end()) {
                ASSERT_LE(static_cast<uint8_t *>(object) + cache.object_size(), next->first);
            }
            if (next != live.begin()) {
                auto previous = std::prev(next);
                ASSERT_LE(static_cast<uint8_t *>(previous->first) + caches[previous->second]->object_size(), object);
            }
            mark(object, cache.object_size());
            live[object] = which;
            ++live_count[which];
        } else if (roll < 97) {
            auto victim = live.begin();
            std::advance(victim, std::uniform_int_distribution<size_t>(0, live.size() - 1)(random));
            Slab_cache &cache = *caches[victim->second];
            ASSERT_TRUE(marked(victim->first, cache.object_size()));
            // Interior pointers of live objects are refused; another cache refuses outright.
            if (cache.object_size() > 8) {
                ASSERT_EQ(cache.free(static_cast<uint8_t *>(victim->first) + 8), Slab_cache::Error::misaligned);
            }
            ASSERT_EQ(caches[(victim->second + 1) % caches.size()]->free(victim->first),
                      Slab_cache::Error::not_from_this_cache);
            ASSERT_EQ(cache.free(victim->first), Slab_cache::Error::none);
            dead.emplace_back(victim->first, victim->second);
            --live_count[victim->second];
            live.erase(victim);
        } else {
            for (Slab_cache *cache : caches)
                cache->reclaim(memory.pages);
        }
        // An old pointer, unless reused since, is refused: as a double free while its slab
        // lives, as foreign once the slab went back.
        if (!dead.empty() && step % 7 == 0) {
            auto [object, which] = dead[std::uniform_int_distribution<size_t>(0, dead.size() - 1)(random)];
            auto owner = live.find(object);
            if (owner == live.end()) {
                Slab_cache::Error error = caches[which]->free(object);
                ASSERT_TRUE(error == Slab_cache::Error::double_free || error == Slab_cache::Error::not_from_this_cache)
                    << static_cast<int>(error);
            }
        }

        size_t pages_in_use = 0;
        for (size_t i = 0; i < caches.size(); ++i) {
            ASSERT_EQ(caches[i]->objects_in_use(), live_count[i]) << caches[i]->name();
            ASSERT_GE(caches[i]->slab_count() * caches[i]->objects_per_slab(), live_count[i]);
            pages_in_use += caches[i]->pages_in_use();
        }
        ASSERT_EQ(memory.pages.free_pages() + pages_in_use, managed);
    }
    EXPECT_GT(failures, 0u) << "memory never ran out; the test lost its edge";

    for (auto [object, which] : live) {
        EXPECT_TRUE(marked(object, caches[which]->object_size()));
        ASSERT_EQ(caches[which]->free(object), Slab_cache::Error::none);
    }
    for (Slab_cache *cache : caches) {
        cache->reclaim(memory.pages);
        EXPECT_EQ(cache->pages_in_use(), 0u) << cache->name();
        delete cache;
    }
    EXPECT_EQ(memory.pages.free_pages(), managed);
}
