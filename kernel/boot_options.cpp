// SPDX-License-Identifier: MIT
#include "boot_options.hpp"

namespace {

struct Word {
    const char *text;
    size_t length;

    bool is(const char *name) const
    {
        size_t i = 0;
        for (; i < length && name[i] != '\0'; ++i)
            if (text[i] != name[i])
                return false;
        return i == length && name[i] == '\0';
    }
    bool contains(char c) const
    {
        for (size_t i = 0; i < length; ++i)
            if (text[i] == c)
                return true;
        return false;
    }
    void copy_to(char *buffer, size_t capacity) const
    {
        size_t n = length < capacity - 1 ? length : capacity - 1;
        for (size_t i = 0; i < n; ++i)
            buffer[i] = text[i];
        buffer[n] = '\0';
    }
};

// Parses a decimal number; false on anything else or on a value above limit.
bool parse_number(Word word, unsigned limit, unsigned &out)
{
    if (word.length == 0)
        return false;
    uint64_t value = 0;
    for (size_t i = 0; i < word.length; ++i) {
        if (word.text[i] < '0' || word.text[i] > '9')
            return false;
        value = value * 10 + static_cast<unsigned>(word.text[i] - '0');
        if (value > limit)
            return false;
    }
    out = static_cast<unsigned>(value);
    return true;
}

}  // namespace

Boot_options Boot_options::parse(const char *command_line)
{
    Boot_options options;
    const char *cursor = command_line;
    while (*cursor != '\0') {
        while (*cursor == ' ' || *cursor == '\t')
            ++cursor;
        const char *start = cursor;
        while (*cursor != '\0' && *cursor != ' ' && *cursor != '\t')
            ++cursor;
        Word word{start, static_cast<size_t>(cursor - start)};
        if (word.length == 0 || word.contains('/'))
            continue;

        size_t equals = 0;
        while (equals < word.length && word.text[equals] != '=')
            ++equals;
        Word name{word.text, equals};
        Word value{word.text + equals + (equals < word.length ? 1 : 0),
                   equals < word.length ? word.length - equals - 1 : 0};
        bool has_value = equals < word.length;

        bool understood = true;
        if (name.is("shutdown") && !has_value)
            options.shutdown = true;
        else if (name.is("ticks") && has_value)
            understood = parse_number(value, 1000, options.ticks);
        else if (name.is("check") && value.is("memory"))
            options.check_memory = true;
        else if (name.is("ipc") && value.is("general"))
            options.direct_ipc = false;
        else if (name.is("roottask") && value.is("kernel"))
            options.root_task_kernel_mode = true;
        else if (name.is("fault") && value.length > 0 && value.length < word_capacity)
            value.copy_to(options.fault, word_capacity);
        else
            understood = false;

        if (!understood && options.unknown_count < max_unknown)
            word.copy_to(options.unknown[options.unknown_count++], word_capacity);
    }
    return options;
}
