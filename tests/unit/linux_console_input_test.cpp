// SPDX-License-Identifier: MIT
// The Linux personality's console line editing (servers/linux/console_input.cpp).
#include <gtest/gtest.h>

#include <string>

#include "console_input.hpp"

namespace {

std::string echoed;

void record(const char *bytes, size_t n)
{
    echoed.append(bytes, n);
}

std::string read_all(Console_input &input)
{
    char buffer[64];
    size_t n = input.read(buffer, sizeof buffer);
    return std::string(buffer, n);
}

class ConsoleInput : public ::testing::Test {
protected:
    void SetUp() override { echoed.clear(); }
    void type(const std::string &text) { input.take(text.data(), text.size(), record); }
    Console_input input;
};

TEST_F(ConsoleInput, ALineIsReadableOnlyWhenEnded)
{
    type("echo hi");
    EXPECT_FALSE(input.readable());
    EXPECT_EQ(echoed, "echo hi");
    type("\r");
    EXPECT_TRUE(input.readable());
    EXPECT_EQ(echoed, "echo hi\r\n");
    EXPECT_EQ(read_all(input), "echo hi\n");
    EXPECT_FALSE(input.readable());
}

TEST_F(ConsoleInput, BackspaceAndKillEditTheLineBeingTyped)
{
    type("ab\x7f" "c\b\bx\r");
    EXPECT_EQ(read_all(input), "x\n");
    type("first\x15second\n");
    EXPECT_EQ(read_all(input), "second\n");
    type("\x7f\x7f");  // nothing to erase: no echo
    EXPECT_EQ(echoed.substr(echoed.size() - 2), "\r\n");
}

TEST_F(ConsoleInput, EditsDoNotReachFinishedLines)
{
    type("one\r\x7f\x7f\x15two\r");
    EXPECT_EQ(read_all(input), "one\ntwo\n");
}

TEST_F(ConsoleInput, ReadsTakeWhatFitsAndLeaveTheRest)
{
    type("abcdef\rnext");
    char two[2];
    ASSERT_EQ(input.read(two, 2), 2u);
    EXPECT_EQ(std::string(two, 2), "ab");
    EXPECT_EQ(read_all(input), "cdef\n");
    EXPECT_FALSE(input.readable());  // "next" is still being typed
    type("\r");
    EXPECT_EQ(read_all(input), "next\n");
}

TEST_F(ConsoleInput, CtrlDOnAnEmptyLineIsOneEndOfFileAfterTheLinesBeforeIt)
{
    type("last\r\x04");
    EXPECT_TRUE(input.readable());
    EXPECT_EQ(read_all(input), "last\n");
    EXPECT_TRUE(input.readable());
    EXPECT_EQ(read_all(input), "");  // the end of file
    EXPECT_FALSE(input.readable());  // once
    type("partial\x04");             // Ctrl-D ends a typed line without a newline
    EXPECT_EQ(read_all(input), "partial");
}

TEST_F(ConsoleInput, ControlCharactersAreIgnoredAndOverflowIsCounted)
{
    type("a\x01\x1b" "b\r");
    EXPECT_EQ(read_all(input), "ab\n");
    std::string flood(Console_input::capacity + 10, 'z');
    type(flood);
    EXPECT_EQ(input.dropped(), 10u);
    type("\r");
    EXPECT_EQ(input.dropped(), 11u);  // no room for its newline either
    char buffer[Console_input::capacity];
    EXPECT_EQ(input.read(buffer, sizeof buffer), Console_input::capacity);
}

}  // namespace
