// SPDX-License-Identifier: MIT
// The kernel console's log (kernel/include/byte_log.hpp): positions, wrapping, word reads.
#include <gtest/gtest.h>

#include <string>

#include "byte_log.hpp"

namespace {

std::string read_all(const Byte_log<16> &log, uint64_t from)
{
    std::string text;
    for (uint64_t at = from < log.first() ? log.first() : from; at < log.total(); at += 8) {
        uint64_t word = log.word_at(at);
        for (unsigned i = 0; i < 8 && at + i < log.total(); ++i)
            text += static_cast<char>(word >> (8 * i));
    }
    return text;
}

}  // namespace

TEST(ByteLog, EmptyHoldsNothing)
{
    Byte_log<16> log;
    EXPECT_EQ(log.total(), 0u);
    EXPECT_EQ(log.first(), 0u);
    EXPECT_EQ(log.word_at(0), 0u);
    EXPECT_EQ(log.word_at(1000), 0u);
}

TEST(ByteLog, WordsAreLittleEndianAndZeroPastTheEnd)
{
    Byte_log<16> log;
    log.append("abcdefghij", 10);
    EXPECT_EQ(log.total(), 10u);
    EXPECT_EQ(log.word_at(0), 0x6867666564636261u);
    EXPECT_EQ(log.word_at(8), 0x6a69u);
    EXPECT_EQ(log.word_at(9), 0x6au);
    EXPECT_EQ(log.word_at(10), 0u);
    EXPECT_EQ(read_all(log, 0), "abcdefghij");
    EXPECT_EQ(read_all(log, 3), "defghij");
}

TEST(ByteLog, KeepsTheLastCapacityBytesAcrossWraps)
{
    Byte_log<16> log;
    std::string all;
    for (int round = 0; round < 10; ++round) {
        std::string piece = "line " + std::to_string(round) + "\n";
        log.append(piece.data(), piece.size());
        all += piece;
        EXPECT_EQ(log.total(), all.size());
        EXPECT_EQ(log.first(), all.size() > 16 ? all.size() - 16 : 0);
        EXPECT_EQ(read_all(log, 0), all.substr(log.first()));  // an old position reads from the oldest held
    }
    EXPECT_EQ(read_all(log, log.total() - 3), all.substr(all.size() - 3));
}
