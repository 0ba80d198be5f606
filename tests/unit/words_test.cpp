// SPDX-License-Identifier: MIT
// Host tests of the kernel's word fill and scan (words.hpp): every start, end and position
// of the word sought around the eight-word steps, against a plain loop.
#include <gtest/gtest.h>

#include <vector>

#include "words.hpp"

namespace {

size_t plain_find_with(const std::vector<uint64_t> &words, size_t from, size_t end, uint64_t mask)
{
    for (size_t i = from; i < end; ++i)
        if ((words[i] & mask) != 0)
            return i;
    return end;
}

}  // namespace

TEST(Words, FillSetsExactlyTheCountGiven)
{
    std::vector<uint64_t> words(40, 7);
    fill_words(words.data() + 8, 24, 0x5757);
    for (size_t i = 0; i < words.size(); ++i)
        EXPECT_EQ(words[i], i >= 8 && i < 32 ? 0x5757u : 7u) << i;
}

TEST(Words, FindWithMatchesAPlainLoopForEveryRangeAndPosition)
{
    constexpr size_t size = 40;
    for (size_t position = 0; position <= size; ++position) {
        std::vector<uint64_t> words(size, 0x2);  // bits outside the mask everywhere
        if (position < size)
            words[position] |= 1;
        for (size_t from = 0; from <= size; ++from)
            for (size_t end = from; end <= size; ++end)
                ASSERT_EQ(find_word_with(words.data(), from, end, 1), plain_find_with(words, from, end, 1))
                    << "position " << position << " from " << from << " end " << end;
    }
}

TEST(Words, FindWithReturnsTheFirstOfSeveral)
{
    std::vector<uint64_t> words(64, 0);
    words[13] = words[14] = words[40] = 1;
    EXPECT_EQ(find_word_with(words.data(), 0, 64, 1), 13u);
    EXPECT_EQ(find_word_with(words.data(), 14, 64, 1), 14u);
    EXPECT_EQ(find_word_with(words.data(), 15, 64, 1), 40u);
    EXPECT_EQ(find_word_with(words.data(), 41, 64, 1), 64u);
}

TEST(Words, FindOtherThanFindsTheFirstChangedWord)
{
    constexpr uint64_t fill = 0x5757'5757'5757'5757;
    for (size_t position = 0; position < 50; ++position) {
        std::vector<uint64_t> words(50, fill);
        words[position] = fill ^ (uint64_t{1} << 63);
        for (size_t from = 0; from <= 50; from += 3)
            ASSERT_EQ(find_word_other_than(words.data(), from, 50, fill), from <= position ? position : 50)
                << "position " << position << " from " << from;
    }
}

TEST(Words, CopyCopiesExactlyTheCountGiven)
{
    std::vector<uint64_t> source(40), target(48, 9);
    for (size_t i = 0; i < source.size(); ++i)
        source[i] = i * 0x0101'0101'0101'0101u;
    copy_words(target.data() + 8, source.data() + 8, 24);
    for (size_t i = 0; i < target.size(); ++i)
        EXPECT_EQ(target[i], i >= 8 && i < 32 ? source[i] : 9u) << i;
}
