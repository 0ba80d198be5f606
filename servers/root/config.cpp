// SPDX-License-Identifier: MIT
// The boot configuration (docs/system.md): one server or program a line,
//
//     server NAME [priority=N] [irq=N] [ports=BASE/COUNT] [pci=VENDOR:DEVICE] [pager=root] [shutdown] [spaces]
//                 [mode=kernel|user]
//            [args=TEXT]
//     program NAME [the same options]
//
// A server is started at boot; a program line only names what a task that RUN starts
// from module NAME is granted (its args= are unused: the runner gives the arguments).
// '#' starts a comment line; args= takes the rest of the line. A line that does not parse
// is reported with its number and skipped: a bad configuration never stops the root task.
#include <l4io.h>
#include <string.h>

#include "config.hpp"

namespace config {

namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

// The word [word, word + length) starts with key.
bool starts_with(const char *word, L4_Word_t length, const char *key)
{
    L4_Word_t n = strlen(key);
    return n <= length && strncmp(word, key, n) == 0;
}

// The word [word, word + length) is key.
bool is(const char *word, L4_Word_t length, const char *key)
{
    return length == strlen(key) && starts_with(word, length, key);
}

// A decimal or 0x-hexadecimal number filling [text, text + length); false if none.
bool parse_number(const char *text, L4_Word_t length, L4_Word_t &value)
{
    L4_Word_t base = 10, i = 0, result = 0;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == length)
        return false;
    for (; i < length; ++i) {
        char c = text[i];
        L4_Word_t digit;
        if (c >= '0' && c <= '9')
            digit = static_cast<L4_Word_t>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = static_cast<L4_Word_t>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = static_cast<L4_Word_t>(c - 'A' + 10);
        else
            return false;
        if (result > (~0UL - digit) / base)
            return false;
        result = result * base + digit;
    }
    value = result;
    return true;
}

// One option word [word, word + length) into server; nullptr or why it is wrong.
const char *parse_option(const char *word, L4_Word_t length, Server_config &server)
{
    L4_Word_t value;
    if (starts_with(word, length, "priority=")) {
        if (!parse_number(word + 9, length - 9, value) || value < 1 || value > 254)
            return "priority must be 1 to 254";
        server.priority = value;
    } else if (starts_with(word, length, "irq=")) {
        if (!parse_number(word + 4, length - 4, value) || value > 23)
            return "irq must be 0 to 23";
        server.grants.irq = static_cast<long>(value);
    } else if (starts_with(word, length, "ports=")) {
        L4_Word_t slash = 6;
        while (slash < length && word[slash] != '/')
            ++slash;
        L4_Word_t count;
        if (slash == length || !parse_number(word + 6, slash - 6, value) ||
            !parse_number(word + slash + 1, length - slash - 1, count) || count == 0 || value + count > 0x10000)
            return "ports must be BASE/COUNT within 0-0xffff";
        server.grants.port_base = value;
        server.grants.port_count = count;
    } else if (starts_with(word, length, "pci=")) {
        // Four hex digits, a colon, four hex digits (as lspci prints them).
        uint32_t ids[2] = {0, 0};
        bool good = length == 4 + 9 && word[8] == ':';
        for (L4_Word_t i = 0; good && i < 9; ++i) {
            if (i == 4)
                continue;
            char c = word[4 + i];
            uint32_t digit = c >= '0' && c <= '9' ? static_cast<uint32_t>(c - '0')
                             : c >= 'a' && c <= 'f' ? static_cast<uint32_t>(c - 'a' + 10)
                             : c >= 'A' && c <= 'F' ? static_cast<uint32_t>(c - 'A' + 10)
                                                    : 16;
            good = digit < 16;
            ids[i / 5] = ids[i / 5] << 4 | digit;
        }
        if (!good || ids[0] == 0xffff || ids[0] == 0)
            return "pci must be VENDOR:DEVICE, four hex digits each";
        server.grants.pci_id = ids[0] | ids[1] << 16;
    } else if (starts_with(word, length, "pager=")) {
        if (!is(word, length, "pager=root"))
            return "only pager=root is supported";
    } else if (is(word, length, "shutdown")) {
        server.grants.shutdown = true;
    } else if (is(word, length, "spaces")) {
        server.grants.spaces = true;
    } else if (starts_with(word, length, "mode=")) {
        if (!is(word, length, "mode=kernel") && !is(word, length, "mode=user"))
            return "mode must be kernel or user";
        server.grants.kernel_mode = is(word, length, "mode=kernel");
    } else {
        return "unknown option";
    }
    return nullptr;
}

// The end of the word that starts at at.
L4_Word_t word_end(const char *line, L4_Word_t length, L4_Word_t at)
{
    while (at < length && !is_blank(line[at]))
        ++at;
    return at;
}

L4_Word_t skip_blanks(const char *line, L4_Word_t length, L4_Word_t at)
{
    while (at < length && is_blank(line[at]))
        ++at;
    return at;
}

// One line (without its end); true when it added a server.
bool parse_line(const char *line, L4_Word_t length, unsigned number, Server_config &server)
{
    L4_Word_t at = skip_blanks(line, length, 0);
    if (at == length || line[at] == '#')
        return false;
    const char *why = nullptr;
    server = Server_config();
    L4_Word_t end = word_end(line, length, at);
    bool program = is(line + at, end - at, "program");
    if (!program && !is(line + at, end - at, "server")) {
        why = "a line must start with \"server\" or \"program\"";
    } else {
        server.run_only = program;
        at = skip_blanks(line, length, end);
        end = word_end(line, length, at);
        if (end == at || end - at > TERN_NAME_MAX)
            why = "the server needs a name of 1 to 31 characters";
        else
            memcpy(server.name, line + at, end - at);
    }
    while (why == nullptr) {
        at = skip_blanks(line, length, end);
        if (at == length)
            break;
        if (starts_with(line + at, length - at, "args=")) {
            L4_Word_t n = length - at - 5;
            if (n >= sizeof server.args) {
                why = "args= is longer than 255 characters";
                break;
            }
            memcpy(server.args, line + at + 5, n);
            server.args[n] = '\0';
            break;
        }
        end = word_end(line, length, at);
        why = parse_option(line + at, end - at, server);
    }
    if (why != nullptr) {
        printf("root: system configuration line %u: %s; line skipped\n", number, why);
        return false;
    }
    return true;
}

}  // namespace

unsigned parse(const char *text, L4_Word_t size, Server_config *out, unsigned max)
{
    unsigned count = 0, number = 0;
    for (L4_Word_t start = 0; start < size;) {
        L4_Word_t end = start;
        while (end < size && text[end] != '\n' && text[end] != '\0')
            ++end;
        ++number;
        if (count == max)
            printf("root: system configuration line %u: more than %u servers; line skipped\n", number, max);
        else if (parse_line(text + start, end - start, number, out[count]))
            ++count;
        if (end < size && text[end] == '\0')
            break;
        start = end + 1;
    }
    return count;
}

}  // namespace config
