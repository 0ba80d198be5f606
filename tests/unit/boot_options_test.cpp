// SPDX-License-Identifier: MIT
#include "boot_options.hpp"

#include <gtest/gtest.h>

#include <string>

TEST(Boot_options, empty_command_line_gives_defaults)
{
    for (const char *line : {"", "   ", "\t \t"}) {
        Boot_options options = Boot_options::parse(line);
        EXPECT_FALSE(options.shutdown);
        EXPECT_EQ(options.ticks, 3u);
        EXPECT_FALSE(options.check_memory);
        EXPECT_STREQ(options.fault, "");
        EXPECT_EQ(options.unknown_count, 0u);
    }
}

TEST(Boot_options, recognises_every_option_between_blanks)
{
    Boot_options options = Boot_options::parse("shutdown ticks=42 check=memory fault=page");
    EXPECT_TRUE(options.shutdown);
    EXPECT_EQ(options.ticks, 42u);
    EXPECT_TRUE(options.check_memory);
    EXPECT_STREQ(options.fault, "page");
    EXPECT_EQ(options.unknown_count, 0u);

    // Any run of spaces and tabs separates words.
    Boot_options spaced = Boot_options::parse("\t  ticks=7\t\tshutdown   ");
    EXPECT_TRUE(spaced.shutdown);
    EXPECT_EQ(spaced.ticks, 7u);
    EXPECT_EQ(spaced.unknown_count, 0u);
}

TEST(Boot_options, ticks_accepts_zero_to_one_thousand)
{
    EXPECT_EQ(Boot_options::parse("ticks=0").ticks, 0u);
    EXPECT_EQ(Boot_options::parse("ticks=1000").ticks, 1000u);
    EXPECT_EQ(Boot_options::parse("ticks=0007").ticks, 7u);
    EXPECT_EQ(Boot_options::parse("ticks=1000").unknown_count, 0u);
    EXPECT_EQ(Boot_options::parse("ticks=5 ticks=9").ticks, 9u);  // the last one counts
}

TEST(Boot_options, bad_ticks_value_keeps_default_and_is_reported)
{
    for (const char *word : {"ticks=1001", "ticks=", "ticks=-1", "ticks=12a", "ticks=+5", "ticks=99999999999999999999999",
                             "ticks"}) {
        Boot_options options = Boot_options::parse(word);
        EXPECT_EQ(options.ticks, 3u) << word;
        ASSERT_EQ(options.unknown_count, 1u) << word;
        EXPECT_STREQ(options.unknown[0], word);
    }
}

TEST(Boot_options, options_must_match_whole_words)
{
    for (const char *word : {"shutdown=1", "shutdownx", "shut", "check=mem", "check=memoryx", "check", "ticksx=4",
                             "Shutdown", "=shutdown"}) {
        Boot_options options = Boot_options::parse(word);
        EXPECT_FALSE(options.shutdown) << word;
        EXPECT_FALSE(options.check_memory) << word;
        EXPECT_EQ(options.ticks, 3u) << word;
        ASSERT_EQ(options.unknown_count, 1u) << word;
        EXPECT_STREQ(options.unknown[0], word);
    }
}

TEST(Boot_options, fault_takes_a_non_empty_value_that_fits)
{
    std::string longest(Boot_options::word_capacity - 1, 'k');
    Boot_options fits = Boot_options::parse(("fault=" + longest).c_str());
    EXPECT_EQ(std::string(fits.fault), longest);
    EXPECT_EQ(fits.unknown_count, 0u);

    Boot_options too_long = Boot_options::parse(("fault=" + longest + "k").c_str());
    EXPECT_STREQ(too_long.fault, "");
    EXPECT_EQ(too_long.unknown_count, 1u);

    Boot_options empty = Boot_options::parse("fault=");
    EXPECT_STREQ(empty.fault, "");
    ASSERT_EQ(empty.unknown_count, 1u);
    EXPECT_STREQ(empty.unknown[0], "fault=");

    EXPECT_STREQ(Boot_options::parse("fault=gp=1").fault, "gp=1");  // the value runs to the word's end
}

TEST(Boot_options, words_with_a_slash_are_skipped)
{
    Boot_options options = Boot_options::parse("/boot/tern.elf shutdown path/ticks=9 fault=a/b");
    EXPECT_TRUE(options.shutdown);
    EXPECT_EQ(options.ticks, 3u);
    EXPECT_STREQ(options.fault, "");
    EXPECT_EQ(options.unknown_count, 0u);
}

TEST(Boot_options, unknown_words_are_recorded_up_to_the_limit)
{
    Boot_options options = Boot_options::parse("one two=2 shutdown three four five six");
    EXPECT_TRUE(options.shutdown);
    ASSERT_EQ(options.unknown_count, Boot_options::max_unknown);
    EXPECT_STREQ(options.unknown[0], "one");
    EXPECT_STREQ(options.unknown[1], "two=2");
    EXPECT_STREQ(options.unknown[2], "three");
    EXPECT_STREQ(options.unknown[3], "four");
}

TEST(Boot_options, long_unknown_word_is_cut_to_fit)
{
    std::string word(100, 'w');
    Boot_options options = Boot_options::parse((word + " shutdown").c_str());
    ASSERT_EQ(options.unknown_count, 1u);
    EXPECT_EQ(std::string(options.unknown[0]), word.substr(0, Boot_options::word_capacity - 1));
    EXPECT_TRUE(options.shutdown);
}

TEST(Boot_options, ipc_general_turns_the_direct_path_off)
{
    EXPECT_TRUE(Boot_options::parse("shutdown").direct_ipc);
    EXPECT_FALSE(Boot_options::parse("ipc=general").direct_ipc);
    Boot_options other = Boot_options::parse("ipc=fast");
    EXPECT_TRUE(other.direct_ipc);
    EXPECT_EQ(other.unknown_count, 1u);
}

TEST(Boot_options, roottask_kernel_makes_the_root_task_a_kernel_mode_task)
{
    EXPECT_FALSE(Boot_options::parse("shutdown").root_task_kernel_mode);
    EXPECT_TRUE(Boot_options::parse("ticks=0 roottask=kernel").root_task_kernel_mode);
    Boot_options other = Boot_options::parse("roottask=user");
    EXPECT_FALSE(other.root_task_kernel_mode);
    EXPECT_EQ(other.unknown_count, 1u);
}
