// SPDX-License-Identifier: MIT
// libl4's memcpy, memmove and memset (libl4/runtime/string.c, compiled for the host with an
// l4_ prefix): word at a time in the middle, bytes at the edges. Every length up to three
// words past a 32-byte block and every misalignment of either side, against the host's.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
void *l4_memcpy(void *destination, const void *source, size_t size);
void *l4_memmove(void *destination, const void *source, size_t size);
void *l4_memset(void *destination, int value, size_t size);
}

namespace {

std::vector<unsigned char> pattern(size_t size, unsigned seed)
{
    std::vector<unsigned char> bytes(size);
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<unsigned char>(i * 131 + seed);
    return bytes;
}

constexpr size_t area = 4096 + 128;

TEST(Libl4String, MemcpyEveryLengthAndAlignment)
{
    for (size_t to_offset = 0; to_offset < 8; ++to_offset)
        for (size_t from_offset = 0; from_offset < 8; ++from_offset)
            for (size_t size : {0ul, 1ul, 7ul, 8ul, 9ul, 31ul, 32ul, 33ul, 63ul, 64ul, 100ul, 4096ul, 4097ul}) {
                std::vector<unsigned char> source = pattern(area, 7), mine = pattern(area, 1), host = mine;
                void *result = l4_memcpy(mine.data() + to_offset, source.data() + from_offset, size);
                std::memcpy(host.data() + to_offset, source.data() + from_offset, size);
                ASSERT_EQ(result, mine.data() + to_offset);
                ASSERT_EQ(mine, host) << "to +" << to_offset << " from +" << from_offset << " size " << size;
            }
}

TEST(Libl4String, MemsetEveryLengthAndAlignment)
{
    for (size_t offset = 0; offset < 8; ++offset)
        for (size_t size = 0; size < 32 * 3 + 8 * 3 + 8; ++size)
            for (int value : {0, 0xa5, 0x1ff}) {
                std::vector<unsigned char> mine = pattern(256, 3), host = mine;
                void *result = l4_memset(mine.data() + offset, value, size);
                std::memset(host.data() + offset, value, size);
                ASSERT_EQ(result, mine.data() + offset);
                ASSERT_EQ(mine, host) << "offset " << offset << " size " << size << " value " << value;
            }
    std::vector<unsigned char> page(4096, 0xee);
    l4_memset(page.data(), 0, page.size());
    EXPECT_EQ(page, std::vector<unsigned char>(4096, 0));
}

TEST(Libl4String, MemmoveOverlapsBothWays)
{
    for (size_t to = 0; to < 48; ++to)
        for (size_t from = 0; from < 48; ++from)
            for (size_t size : {0ul, 1ul, 8ul, 13ul, 32ul, 40ul, 77ul, 200ul}) {
                std::vector<unsigned char> mine = pattern(area, 9), host = mine;
                void *result = l4_memmove(mine.data() + to, mine.data() + from, size);
                std::memmove(host.data() + to, host.data() + from, size);
                ASSERT_EQ(result, mine.data() + to);
                ASSERT_EQ(mine, host) << "to " << to << " from " << from << " size " << size;
            }
}

}  // namespace
