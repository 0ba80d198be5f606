// SPDX-License-Identifier: MIT
// x86 I/O-port flexpages and a space's port slots and permission bitmap, on the host. The
// page allocator runs over a host buffer posing as physical memory at fake_base.
#include "io_fpage.hpp"
#include "io_space.hpp"
#include "tss.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace {

constexpr Phys_addr fake_base = 0x40000000;
constexpr uint64_t max_block = page_size << Page_allocator::max_order;
using Range = Io_fpage::Range;

class Memory {
public:
    explicit Memory(uint64_t size)
    {
        bytes_ = static_cast<uint8_t *>(std::aligned_alloc(max_block, align_up(size, max_block)));
        if (bytes_ == nullptr)
            return;
        Range_set usable;
        EXPECT_EQ(usable.insert({fake_base, fake_base + size}), Range_set::Error::none);
        ok_ = pages.init(usable, reinterpret_cast<uintptr_t>(bytes_) - fake_base) == Page_allocator::Error::none;
    }
    ~Memory() { std::free(bytes_); }
    Memory(const Memory &) = delete;
    Memory &operator=(const Memory &) = delete;
    bool ok() const { return ok_; }

    Page_allocator pages;

private:
    uint8_t *bytes_ = nullptr;
    bool ok_ = false;
};

// Nodes are only stored and compared, never dereferenced.
Mapping *node(uintptr_t n) { return reinterpret_cast<Mapping *>(0x1000 + n * 64); }

bool same(Range a, Range b) { return a.first == b.first && a.end == b.end; }

}  // namespace

// libl4's L4_IoFpageLog2(port, s) (libl4/include/l4/amd64/arch.h) makes these words.
TEST(Io_fpage, decodes_the_libl4_layout)
{
    Io_fpage f(uint64_t{0x70} << 16 | uint64_t{1} << 10 | 2u << 4);
    EXPECT_TRUE(Io_fpage::is_io(f.raw()));
    EXPECT_TRUE(f.is_valid());
    EXPECT_EQ(f.port(), 0x70u);
    EXPECT_EQ(f.size_log2(), 1u);
    EXPECT_TRUE(same(f.ports_named(), Range{0x70, 0x72}));
    EXPECT_EQ(Io_fpage::make(0x70, 1).raw(), f.raw());
    // Rights bits change nothing.
    EXPECT_TRUE(same(Io_fpage(f.raw() | 7).ports_named(), Range{0x70, 0x72}));
    // The whole I/O space.
    EXPECT_TRUE(same(Io_fpage::make(0, 16).ports_named(), Range{0, 0x10000}));
    EXPECT_TRUE(same(Io_fpage::make(0xffff, 0).ports_named(), Range{0xffff, 0x10000}));
}

TEST(Io_fpage, memory_fpages_are_not_io_fpages)
{
    EXPECT_FALSE(Io_fpage::is_io(0));                                 // nil
    EXPECT_FALSE(Io_fpage::is_io(Fpage::make(0, 1, 7).raw()));        // complete
    EXPECT_FALSE(Io_fpage::is_io(Fpage::make(0x1000, 12, 7).raw()));  // a page
    EXPECT_FALSE(Io_fpage(Fpage::make(0x20000, 12, 7).raw()).is_valid());
    EXPECT_TRUE(Io_fpage(Fpage::make(0x20000, 12, 7).raw()).ports_named().empty());
}

TEST(Io_fpage, invalid_io_fpages_name_no_port)
{
    EXPECT_FALSE(Io_fpage::make(0x71, 1).is_valid());    // not aligned to its size
    EXPECT_FALSE(Io_fpage::make(0x2f8, 4).is_valid());   // 0x2f8 is aligned to 8, not 16
    EXPECT_TRUE(Io_fpage::make(0x2f8, 3).is_valid());
    EXPECT_FALSE(Io_fpage::make(0, 17).is_valid());      // more than the I/O space
    EXPECT_FALSE(Io_fpage::make(0, 63).is_valid());
    EXPECT_FALSE(Io_fpage(Io_fpage::make(0x70, 1).raw() | uint64_t{1} << 32).is_valid());  // bits above 31
    EXPECT_FALSE(Io_fpage(Io_fpage::make(0x70, 1).raw() | uint64_t{1} << 63).is_valid());
    for (uint64_t raw : {Io_fpage::make(0x71, 1).raw(), Io_fpage::make(0, 17).raw()})
        EXPECT_TRUE(Io_fpage(raw).ports_named().empty());
}

TEST(Io_fpage, receive_windows_accept_the_complete_space_or_the_io_ports_inside_them)
{
    Io_fpage sent = Io_fpage::make(0x70, 3);  // 0x70..0x77
    uint64_t complete = Fpage::make(0, 1, 0).raw();
    EXPECT_TRUE(same(Io_fpage::accepted(sent, complete), Range{0x70, 0x78}));
    EXPECT_TRUE(same(Io_fpage::accepted(sent, complete | 7), Range{0x70, 0x78}));
    // An I/O window takes what lies inside it, whichever is bigger.
    EXPECT_TRUE(same(Io_fpage::accepted(sent, Io_fpage::make(0, 16).raw()), Range{0x70, 0x78}));
    EXPECT_TRUE(same(Io_fpage::accepted(sent, Io_fpage::make(0x74, 2).raw()), Range{0x74, 0x78}));
    EXPECT_TRUE(Io_fpage::accepted(sent, Io_fpage::make(0x78, 3).raw()).empty());
    // Nil, memory windows, invalid I/O windows take nothing; nor does an invalid sent fpage.
    EXPECT_TRUE(Io_fpage::accepted(sent, 0).empty());
    EXPECT_TRUE(Io_fpage::accepted(sent, Fpage::make(0x100000, 20, 7).raw()).empty());
    EXPECT_TRUE(Io_fpage::accepted(sent, Fpage::make(0, 40, 7).raw()).empty());
    EXPECT_TRUE(Io_fpage::accepted(sent, Io_fpage::make(0x71, 1).raw()).empty());
    EXPECT_TRUE(Io_fpage::accepted(Io_fpage::make(0x71, 1), complete).empty());
}

class Io_space_test : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(memory.ok()); }
    void TearDown() override
    {
        io.release(memory.pages);
        EXPECT_EQ(memory.pages.free_pages(), free_at_start);
    }
    Memory memory{4u << 20};
    Io_space io;
    uint64_t free_at_start = memory.pages.free_pages();
};

TEST_F(Io_space_test, allocates_nothing_before_the_first_port)
{
    EXPECT_EQ(io.find(0x70), nullptr);
    EXPECT_FALSE(io.permits(0x70));
    EXPECT_EQ(io.key(), nullptr);
    EXPECT_EQ(io.bitmap(), nullptr);
    EXPECT_EQ(io.reserve(memory.pages, 5, 5), Io_space::Error::none);  // empty range
    EXPECT_EQ(memory.pages.free_pages(), free_at_start);
    EXPECT_EQ(io.reserve(memory.pages, 0, Io_space::ports + 1), Io_space::Error::bad_port);
    EXPECT_EQ(memory.pages.free_pages(), free_at_start);
}

TEST_F(Io_space_test, insert_permits_and_remove_denies_one_port_at_a_time)
{
    ASSERT_EQ(io.reserve(memory.pages, 0x70, 0x78), Io_space::Error::none);
    // Bitmap (2 pages), directory and one slot page.
    EXPECT_EQ(memory.pages.free_pages(), free_at_start - 4);
    EXPECT_EQ(io.key(), nullptr);  // reserved, but no port yet
    io.insert(0x71, node(1));
    EXPECT_EQ(io.find(0x71), node(1));
    EXPECT_EQ(io.find(0x70), nullptr);
    EXPECT_TRUE(io.permits(0x71));
    EXPECT_FALSE(io.permits(0x70));
    EXPECT_FALSE(io.permits(0x72));
    EXPECT_EQ(io.bitmap()[0x71 / 8], 0xff & ~(1u << 1));
    EXPECT_EQ(io.key(), io.bitmap());
    EXPECT_EQ(io.extent_begin(), 8u);  // byte 14, in whole words
    EXPECT_EQ(io.extent_end(), 16u);
    io.insert(0x70, node(2));
    EXPECT_EQ(io.port_count(), 2u);
    io.remove(0x71);
    EXPECT_FALSE(io.permits(0x71));
    EXPECT_EQ(io.find(0x71), nullptr);
    EXPECT_EQ(io.key(), io.bitmap());
    io.remove(0x70);
    EXPECT_EQ(io.port_count(), 0u);
    EXPECT_EQ(io.key(), nullptr);  // no ports: the TSS denies all again
    for (unsigned i = 0; i < Io_space::bitmap_bytes; ++i)
        ASSERT_EQ(io.bitmap()[i], 0xff) << i;
    // The extent only grows: it says which bytes may ever have permitted a port.
    EXPECT_EQ(io.extent_begin(), 8u);
    EXPECT_EQ(io.extent_end(), 16u);
}

TEST_F(Io_space_test, slot_pages_come_per_512_ports_when_reserved)
{
    ASSERT_EQ(io.reserve(memory.pages, 0, 1), Io_space::Error::none);
    uint64_t after_first = memory.pages.free_pages();
    ASSERT_EQ(io.reserve(memory.pages, 0, 512), Io_space::Error::none);
    EXPECT_EQ(memory.pages.free_pages(), after_first);
    ASSERT_EQ(io.reserve(memory.pages, 511, 513), Io_space::Error::none);
    EXPECT_EQ(memory.pages.free_pages(), after_first - 1);
    ASSERT_EQ(io.reserve(memory.pages, 0, Io_space::ports), Io_space::Error::none);
    EXPECT_EQ(memory.pages.free_pages(), after_first - (Io_space::slot_pages - 1));
    io.insert(Io_space::ports - 1, node(3));
    EXPECT_EQ(io.find(Io_space::ports - 1), node(3));
    EXPECT_TRUE(io.permits(Io_space::ports - 1));
    EXPECT_EQ(io.extent_begin(), Io_space::bitmap_bytes - 8);  // a high port alone: a word at the end
    EXPECT_EQ(io.extent_end(), Io_space::bitmap_bytes);
    io.insert(0x70, node(4));
    EXPECT_EQ(io.extent_begin(), 8u);
    EXPECT_EQ(io.extent_end(), Io_space::bitmap_bytes);
    EXPECT_EQ(io.find(Io_space::ports), nullptr);
    EXPECT_FALSE(io.permits(Io_space::ports));
}

TEST_F(Io_space_test, reserve_out_of_memory_changes_no_answer)
{
    std::vector<Phys_addr> held;
    for (Phys_addr page; (page = memory.pages.allocate()) != 0;)
        held.push_back(page);
    EXPECT_EQ(io.reserve(memory.pages, 0x70, 0x71), Io_space::Error::out_of_memory);
    EXPECT_EQ(io.find(0x70), nullptr);
    EXPECT_EQ(io.key(), nullptr);
    // Room for the bitmap and directory but not the slot page.
    for (int i = 0; i < 3; ++i) {
        ASSERT_FALSE(held.empty());
        ASSERT_EQ(memory.pages.free(held.back()), Page_allocator::Error::none);
        held.pop_back();
    }
    // Three single pages: the bitmap needs two contiguous ones, which may or may not be
    // among them; either way nothing observable changes.
    EXPECT_EQ(io.reserve(memory.pages, 0x70, 0x71), Io_space::Error::out_of_memory);
    EXPECT_EQ(io.find(0x70), nullptr);
    EXPECT_FALSE(io.permits(0x70));
    EXPECT_EQ(io.key(), nullptr);
    for (Phys_addr page : held)
        ASSERT_EQ(memory.pages.free(page), Page_allocator::Error::none);
}

// Random inserts and removes against a plain model: find, permits, key and the extent agree.
TEST_F(Io_space_test, next_port_finds_the_ports_with_a_node_in_a_range)
{
    // Without ports (nothing allocated yet) no range holds one.
    EXPECT_EQ(io.next_port(0, Io_space::ports), Io_space::ports);
    EXPECT_EQ(io.next_port(0x70, 0x78), 0x78u);
    ASSERT_EQ(io.reserve(memory.pages, 0, Io_space::ports), Io_space::Error::none);
    EXPECT_EQ(io.next_port(0, Io_space::ports), Io_space::ports);  // reserved is not had
    for (unsigned port : {0x3fu, 0x40u, 0x85u, 0x1f0u})
        io.insert(port, node(port));
    EXPECT_EQ(io.next_port(0, Io_space::ports), 0x3fu);
    EXPECT_EQ(io.next_port(0x3f, Io_space::ports), 0x3fu);  // first is included
    EXPECT_EQ(io.next_port(0x40, Io_space::ports), 0x40u);  // across a word boundary
    EXPECT_EQ(io.next_port(0x41, Io_space::ports), 0x85u);
    EXPECT_EQ(io.next_port(0x86, Io_space::ports), 0x1f0u);
    EXPECT_EQ(io.next_port(0x1f1, Io_space::ports), Io_space::ports);
    // end is excluded, and a port at or beyond it answers end.
    EXPECT_EQ(io.next_port(0x41, 0x85), 0x85u);
    EXPECT_EQ(io.next_port(0x41, 0x86), 0x85u);
    EXPECT_EQ(io.next_port(0x86, 0x1f0), 0x1f0u);
    EXPECT_EQ(io.next_port(0x90, 0x90), 0x90u);
    io.remove(0x85);
    EXPECT_EQ(io.next_port(0x41, Io_space::ports), 0x1f0u);
    // The highest port: the extent reaches the end of the bitmap.
    io.insert(Io_space::ports - 1, node(1));
    EXPECT_EQ(io.next_port(0x1f1, Io_space::ports), Io_space::ports - 1);
    EXPECT_EQ(io.next_port(Io_space::ports - 1, Io_space::ports), Io_space::ports - 1);
}

TEST_F(Io_space_test, matches_a_model_under_random_operations)
{
    std::mt19937 random(5);
    std::vector<Mapping *> model(Io_space::ports, nullptr);
    unsigned count = 0, extent_begin = 0, extent_end = 0;
    for (int step = 0; step < 20000; ++step) {
        unsigned port = random() % 4 == 0 ? static_cast<unsigned>(random() % Io_space::ports)
                                          : static_cast<unsigned>(random() % 256);
        if (model[port] == nullptr) {
            ASSERT_EQ(io.reserve(memory.pages, port, port + 1), Io_space::Error::none);
            io.insert(port, node(static_cast<uintptr_t>(step) + 1));
            model[port] = node(static_cast<uintptr_t>(step) + 1);
            ++count;
            auto begin = static_cast<unsigned>(align_down(port / 8, 8));
            extent_begin = extent_end == 0 ? begin : std::min(extent_begin, begin);
            extent_end = std::max(extent_end, static_cast<unsigned>(align_up(port / 8 + 1, 8)));
        } else {
            io.remove(port);
            model[port] = nullptr;
            --count;
        }
        ASSERT_EQ(io.port_count(), count);
        ASSERT_EQ(io.key() != nullptr, count != 0);
        ASSERT_EQ(io.extent_begin(), extent_begin);
        ASSERT_EQ(io.extent_end(), extent_end);
        unsigned probe = static_cast<unsigned>(random() % Io_space::ports);
        ASSERT_EQ(io.find(probe), model[probe]);
        ASSERT_EQ(io.permits(probe), model[probe] != nullptr);
        unsigned from = static_cast<unsigned>(random() % 512), end = from + static_cast<unsigned>(random() % 512);
        unsigned expected = from;
        while (expected < end && model[expected] == nullptr)
            ++expected;
        ASSERT_EQ(io.next_port(from, end), expected) << from << " " << end;
    }
    for (unsigned port = 0; port < Io_space::ports; ++port) {
        ASSERT_EQ(io.find(port), model[port]) << port;
        ASSERT_EQ(io.permits(port), model[port] != nullptr) << port;
    }
}

// The TSS copies only each space's extent and sets the previous one's back to "denied":
// whatever the order of switches between spaces whose ports lie low, high or far apart,
// the CPU's bitmap is the running space's, byte for byte.
TEST(Tss_io_bitmap, holds_the_last_loaded_space_s_bitmap_whatever_came_before)
{
    Memory memory{8u << 20};
    ASSERT_TRUE(memory.ok());
    auto tss = std::make_unique<Tss>();
    tss->init();
    EXPECT_TRUE(tss->denies_all_ports());
    for (unsigned i = 0; i < Tss::io_bitmap_bytes; ++i)
        ASSERT_EQ(tss->io_bitmap()[i], 0xff) << i;
    const std::vector<std::vector<unsigned>> port_sets = {
        {0x70, 0x71},                      // the CMOS: low
        {0xc000, 0xc01f},                  // a PCI card's I/O BAR: high
        {0x3f8, 0xc040, Io_space::ports - 1},  // far apart: the extent spans them
        {0x2f8},
    };
    std::vector<std::unique_ptr<Io_space>> spaces;
    for (const auto &ports : port_sets) {
        spaces.push_back(std::make_unique<Io_space>());
        for (unsigned port : ports) {
            ASSERT_EQ(spaces.back()->reserve(memory.pages, port, port + 1), Io_space::Error::none);
            spaces.back()->insert(port, node(port + 1));
        }
    }
    std::mt19937 random(7);
    for (int step = 0; step < 200; ++step) {
        const Io_space &space = *spaces[random() % spaces.size()];
        tss->load_io_bitmap(space.bitmap(), space.extent_begin(), space.extent_end());
        EXPECT_FALSE(tss->denies_all_ports());
        ASSERT_EQ(std::memcmp(tss->io_bitmap(), space.bitmap(), Tss::io_bitmap_bytes), 0) << "step " << step;
    }
    for (auto &space : spaces)
        space->release(memory.pages);
}
