// SPDX-License-Identifier: MIT
#include "initial_stack.hpp"

// build() works in virtual addresses. Every address it places something at is reached by
// take(), which moves the cursor down only while it stays at or above the buffer's bottom,
// so every later write lies in [bottom, top) = the buffer. All layout is decided before the
// first write: a failure leaves the buffer as it was.

namespace {

constexpr uint64_t word = 8;
constexpr uint64_t stack_alignment = 16;  // the x86-64 psABI's rsp at process entry

// The size of s including its NUL, or 0 if there is no NUL among its first limit bytes.
size_t terminated_size(const char *s, size_t limit)
{
    for (size_t i = 0; i < limit; ++i)
        if (s[i] == '\0')
            return i + 1;
    return 0;
}

// Moves cursor down by bytes, unless that would pass bottom.
bool take(uint64_t &cursor, uint64_t bytes, uint64_t bottom)
{
    if (bytes > cursor - bottom)
        return false;
    cursor -= bytes;
    return true;
}

bool align_down(uint64_t &cursor, uint64_t bottom) { return take(cursor, cursor % stack_alignment, bottom); }

}  // namespace

Initial_stack::Error Initial_stack::build(const Program &program)
{
    if (buffer_ == nullptr || top_ < size_)
        return Error::bad_region;
    const Strings *vectors[] = {&program.arguments, &program.environment};
    for (const Strings *strings : vectors) {
        if (strings->count > max_strings)
            return Error::too_many_strings;
        if (strings->count != 0 && strings->items == nullptr)
            return Error::null_pointer;
    }
    if (program.aux_count > max_aux)
        return Error::too_many_aux;
    if ((program.aux_count != 0 && program.aux == nullptr) || program.execfn == nullptr)
        return Error::null_pointer;
    for (size_t i = 0; i < program.aux_count; ++i) {
        uint64_t type = program.aux[i].type;
        if (type == at_null || type == at_random || type == at_execfn || type == at_platform)
            return Error::reserved_aux_type;
    }
    if (program.gap >= max_gap)
        return Error::gap_too_large;

    // At most 2^32 strings of at most 2^17 bytes: the total stays far below 2^64.
    uint64_t strings_size = 0;
    for (const Strings *strings : vectors)
        for (size_t i = 0; i < strings->count; ++i) {
            if (strings->items[i] == nullptr)
                return Error::null_pointer;
            size_t string_size = terminated_size(strings->items[i], max_string_length);
            if (string_size == 0)
                return Error::string_too_long;
            strings_size += string_size;
        }
    const size_t execfn_size = terminated_size(program.execfn, max_string_length);
    const size_t platform_size =
        program.platform == nullptr ? 0 : terminated_size(program.platform, max_string_length);
    if (execfn_size == 0 || (program.platform != nullptr && platform_size == 0))
        return Error::string_too_long;

    // argc, the argv and envp pointers each with their NULL, the caller's auxv, AT_RANDOM,
    // AT_EXECFN, AT_PLATFORM if any, AT_NULL. Counts are below 2^32, so no wrap.
    const uint64_t aux_entries = program.aux_count + 3 + (program.platform != nullptr ? 1 : 0);
    const uint64_t vector_words =
        1 + (program.arguments.count + 1) + (program.environment.count + 1) + 2 * aux_entries;

    const uint64_t bottom = top_ - size_;
    uint64_t cursor = top_;
    if (!take(cursor, word, bottom) || !take(cursor, execfn_size, bottom))
        return Error::does_not_fit;
    const uint64_t execfn = cursor;
    if (!take(cursor, strings_size, bottom))
        return Error::does_not_fit;
    const uint64_t strings = cursor;
    if (!take(cursor, program.gap, bottom) || !align_down(cursor, bottom) ||
        !take(cursor, platform_size, bottom))
        return Error::does_not_fit;
    const uint64_t platform = cursor;
    if (!take(cursor, sizeof program.random, bottom))
        return Error::does_not_fit;
    const uint64_t random = cursor;
    if (!take(cursor, vector_words * word, bottom) || !align_down(cursor, bottom))
        return Error::does_not_fit;
    const uint64_t stack_pointer = cursor;

    // Decided; now write. Padding and the top word are zero, as on fresh stack pages.
    uint8_t *const base = buffer_ + (stack_pointer - bottom);
    for (uint64_t i = 0; i < top_ - stack_pointer; ++i)
        base[i] = 0;
    auto bytes = [this, bottom](uint64_t address) { return buffer_ + (address - bottom); };
    auto put = [&bytes](uint64_t &address, uint64_t value) {
        uint8_t *p = bytes(address);
        for (uint64_t i = 0; i < word; ++i)
            p[i] = static_cast<uint8_t>(value >> (8 * i));
        address += word;
    };
    __builtin_memcpy(bytes(execfn), program.execfn, execfn_size);
    if (program.platform != nullptr)
        __builtin_memcpy(bytes(platform), program.platform, platform_size);
    __builtin_memcpy(bytes(random), program.random, sizeof program.random);

    uint64_t vector = stack_pointer;
    put(vector, program.arguments.count);
    // Strings are copied again with the same bound; should one have grown meanwhile, the
    // copy is cut at the end of the strings' area (still NUL-terminated), never beyond it.
    uint64_t string = strings;
    for (const Strings *list : vectors) {
        for (size_t i = 0; i < list->count; ++i) {
            put(vector, string);
            uint64_t room = execfn - string;
            size_t string_size = terminated_size(list->items[i], max_string_length);
            uint64_t copied = string_size == 0 || string_size > room ? room : string_size;
            if (copied != 0) {
                __builtin_memcpy(bytes(string), list->items[i], copied - 1);
                bytes(string)[copied - 1] = 0;
            }
            string += copied;
        }
        put(vector, 0);
    }
    for (size_t i = 0; i < program.aux_count; ++i) {
        put(vector, program.aux[i].type);
        put(vector, program.aux[i].value);
    }
    put(vector, at_random);
    put(vector, random);
    put(vector, at_execfn);
    put(vector, execfn);
    if (program.platform != nullptr) {
        put(vector, at_platform);
        put(vector, platform);
    }
    put(vector, at_null);
    put(vector, 0);

    stack_pointer_ = stack_pointer;
    random_ = random;
    execfn_ = execfn;
    platform_ = program.platform != nullptr ? platform : 0;
    return Error::none;
}

const uint8_t *Initial_stack::at(uint64_t address, size_t length) const
{
    if (buffer_ == nullptr || top_ < size_)
        return nullptr;
    const uint64_t bottom = top_ - size_;
    if (address < bottom || address - bottom > size_ || length > size_ - (address - bottom))
        return nullptr;
    return buffer_ + (address - bottom);
}

const char *Initial_stack::describe(Error error)
{
    switch (error) {
    case Error::none: return "built";
    case Error::bad_region: return "no buffer, or the buffer would reach below address 0";
    case Error::null_pointer: return "null string, string array or auxv";
    case Error::string_too_long: return "string longer than MAX_ARG_STRLEN";
    case Error::too_many_strings: return "more than MAX_ARG_STRINGS arguments or environment strings";
    case Error::too_many_aux: return "too many auxv entries";
    case Error::reserved_aux_type: return "auxv entry of a type build() adds itself (or AT_NULL)";
    case Error::gap_too_large: return "gap not below 8192 bytes";
    case Error::does_not_fit: return "does not fit in the stack buffer";
    }
    return "unknown error";
}
