// SPDX-License-Identifier: MIT
#include "console.hpp"

#include "console_output.hpp"
#include "formatter.hpp"

// Collects output in small chunks so the device sees a few writes per line, not one per byte.
struct Console_chunk {
    char bytes[64];
    size_t used = 0;

    void flush()
    {
        Console_output::write(bytes, used);
        Console::log_.append(bytes, used);
        used = 0;
    }
};

namespace {

void chunk_sink(void *context, char c)
{
    auto *chunk = static_cast<Console_chunk *>(context);
    chunk->bytes[chunk->used++] = c;
    if (chunk->used == sizeof chunk->bytes)
        chunk->flush();
}

}  // namespace

void Console::print_v(const char *format, va_list arguments)
{
    Console_chunk chunk;
    Formatter::format(chunk_sink, &chunk, format, arguments);
    chunk.flush();
}

void Console::print(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    print_v(format, arguments);
    va_end(arguments);
}
