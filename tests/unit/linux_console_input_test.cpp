// SPDX-License-Identifier: MIT
// The Linux personality's console line discipline (servers/linux/console_input.cpp).
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
    uint32_t type(const std::string &text) { return input.take(text.data(), text.size(), record); }
    void set_lflag(uint32_t on, uint32_t off)
    {
        linux_abi::Termios settings = input.settings();
        settings.lflag = (settings.lflag | on) & ~off;
        input.set_settings(settings);
    }
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
    type("ab\x7f" "c\x7f\x7fx\r");
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

TEST_F(ConsoleInput, ControlCharactersAreKeptAndEchoedAsCaretAndOverflowIsCounted)
{
    type("a\x01\x1b" "b\t\b\r");
    EXPECT_EQ(read_all(input), "a\x01\x1b" "b\t\b\n");
    EXPECT_EQ(echoed, "a^A^[b\t^H\r\n");
    std::string flood(Console_input::capacity + 10, 'z');
    type(flood);
    EXPECT_EQ(input.dropped(), 10u);
    type("\r");
    EXPECT_EQ(input.dropped(), 11u);  // no room for its newline either
    char buffer[Console_input::capacity];
    EXPECT_EQ(input.read(buffer, sizeof buffer), Console_input::capacity);
}

TEST_F(ConsoleInput, ErasingACaretCharacterErasesBothColumnsAndCtrlWAWord)
{
    type("x\x01\x7f");
    EXPECT_EQ(echoed, "x^A\b \b\b \b");
    type(" two words  \x17\r");
    EXPECT_EQ(read_all(input), "x two \n");
}

TEST_F(ConsoleInput, SignalKeysRaiseTheirSignalsFlushAndEcho)
{
    type("partial");
    EXPECT_EQ(type("\x03"), 1u << (2 - 1));  // SIGINT
    EXPECT_EQ(echoed, "partial^C");
    type("\r");
    EXPECT_EQ(read_all(input), "\n");  // what was typed before ^C is gone
    EXPECT_EQ(type("\x1c\x1a"), (1u << (3 - 1)) | (1u << (20 - 1)));  // SIGQUIT, SIGTSTP
    EXPECT_EQ(type("\x16\x03\x16\x7f\r"), 0u);  // ^V quotes the next byte
    EXPECT_EQ(read_all(input), "\x03\x7f\n");
    set_lflag(0, linux_abi::isig);
    EXPECT_EQ(type("\x03\r"), 0u);
    EXPECT_EQ(read_all(input), "\x03\n");
}

TEST_F(ConsoleInput, RawModeMakesEachByteReadableAtOnceAndEchoOffIsSilent)
{
    set_lflag(0, linux_abi::icanon | linux_abi::echo);
    type("q\x7f\r");
    EXPECT_TRUE(input.readable());
    EXPECT_EQ(input.available(), 3u);
    EXPECT_EQ(read_all(input), "q\x7f\n");  // no editing; ICRNL still maps CR
    EXPECT_EQ(echoed, "");
    EXPECT_FALSE(input.readable());
    linux_abi::Termios settings = input.settings();
    settings.cc[linux_abi::vmin] = 0;
    input.set_settings(settings);
    EXPECT_TRUE(input.readable());  // VMIN 0: a read returns at once
    EXPECT_EQ(read_all(input), "");
}

TEST_F(ConsoleInput, LeavingCanonicalModeReleasesTheLineBeingTypedAndFlushDropsIt)
{
    type("done\rhalf");
    EXPECT_EQ(input.available(), 5u);
    set_lflag(0, linux_abi::icanon);
    EXPECT_EQ(input.available(), 9u);
    EXPECT_EQ(read_all(input), "done\nhalf");
    set_lflag(linux_abi::icanon, 0);
    type("more");
    input.flush();
    type("\r");
    EXPECT_EQ(read_all(input), "\n");
}

TEST_F(ConsoleInput, InputFlagsTranslateOrDropCarriageReturns)
{
    linux_abi::Termios settings = input.settings();
    settings.iflag &= ~linux_abi::icrnl;
    settings.iflag |= linux_abi::igncr;
    input.set_settings(settings);
    type("a\rb\n");
    EXPECT_EQ(read_all(input), "ab\n");
    settings.iflag &= ~linux_abi::igncr;
    input.set_settings(settings);
    type("c\rd\n");  // CR is an ordinary byte: the line goes on
    EXPECT_EQ(read_all(input), "c\rd\n");
}

}  // namespace

TEST_F(ConsoleInput, ReprintShowsTheLineTypedSoFarOnALineOfItsOwn)
{
    type("ab\x7f" "cd");
    echoed.clear();
    type("\x12");
    EXPECT_EQ(echoed, "^R\r\nacd");
    EXPECT_FALSE(input.readable());  // the line is still being typed
    type("\r");
    EXPECT_EQ(read_all(input), "acd\n");
    set_lflag(0, linux_abi::iexten);
    type("x\x12");
    type("\r");
    EXPECT_EQ(read_all(input), "x\x12\n");  // without IEXTEN ^R is an ordinary byte
}
