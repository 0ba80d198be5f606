// SPDX-License-Identifier: MIT
// Filling and scanning memory a word at a time, eight words a step. Page tables, UTCB
// pages and thread stacks are filled when made and scanned when torn down (a fork and an
// exit do this for a dozen tables); a loop that moves one word a step spends most of its
// instructions on the loop itself.
#pragma once

#include <stddef.h>
#include <stdint.h>

// Sets count words to value; count is a multiple of eight.
inline void fill_words(uint64_t *words, size_t count, uint64_t value)
{
    for (uint64_t *end = words + count; words < end; words += 8) {
        words[0] = value;
        words[1] = value;
        words[2] = value;
        words[3] = value;
        words[4] = value;
        words[5] = value;
        words[6] = value;
        words[7] = value;
    }
}

// Copies count words (a multiple of eight) from source to target; the two do not overlap.
inline void copy_words(uint64_t *target, const uint64_t *source, size_t count)
{
    for (const uint64_t *end = source + count; source < end; source += 8, target += 8) {
        target[0] = source[0];
        target[1] = source[1];
        target[2] = source[2];
        target[3] = source[3];
        target[4] = source[4];
        target[5] = source[5];
        target[6] = source[6];
        target[7] = source[7];
    }
}

// The index of the first of words[from, end) for which bits(word) is not zero, or end.
template <typename Bits>
inline size_t find_word(const uint64_t *words, size_t from, size_t end, Bits bits)
{
    for (; from < end && (from & 7) != 0; ++from)
        if (bits(words[from]) != 0)
            return from;
    // Eight at a time through the aligned middle: most of a page table is empty.
    for (; from + 8 <= end; from += 8) {
        const uint64_t *w = words + from;
        if ((bits(w[0]) | bits(w[1]) | bits(w[2]) | bits(w[3]) | bits(w[4]) | bits(w[5]) | bits(w[6]) | bits(w[7])) != 0)
            break;
    }
    for (; from < end; ++from)
        if (bits(words[from]) != 0)
            return from;
    return end;
}

// The first word with any bit of mask set.
inline size_t find_word_with(const uint64_t *words, size_t from, size_t end, uint64_t mask)
{
    return find_word(words, from, end, [mask](uint64_t word) { return word & mask; });
}

// The first word that is not value.
inline size_t find_word_other_than(const uint64_t *words, size_t from, size_t end, uint64_t value)
{
    return find_word(words, from, end, [value](uint64_t word) { return word ^ value; });
}
