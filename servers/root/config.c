/* SPDX-License-Identifier: MIT */
/* The boot configuration (docs/system.md): one server a line,
 *
 *     server NAME [priority=N] [irq=N] [ports=BASE/COUNT] [pager=root] [shutdown] [args=TEXT]
 *
 * '#' starts a comment line; args= takes the rest of the line. A line that does not parse
 * is reported with its number and skipped: a bad configuration never stops the root task. */
#include <l4io.h>

#include "root.h"

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static int equal_prefix(const char *word, L4_Word_t length, const char *key)
{
    L4_Word_t i = 0;
    for (; i < length && key[i] != '\0'; ++i)
        if (word[i] != key[i])
            return 0;
    return key[i] == '\0' && i <= length;
}

/* A decimal or 0x-hexadecimal number filling [text, text + length); 0 if none. */
static int parse_number(const char *text, L4_Word_t length, L4_Word_t *value)
{
    L4_Word_t base = 10, i = 0, result = 0;
    if (length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == length)
        return 0;
    for (; i < length; ++i) {
        char c = text[i];
        L4_Word_t digit;
        if (c >= '0' && c <= '9')
            digit = (L4_Word_t)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = (L4_Word_t)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = (L4_Word_t)(c - 'A' + 10);
        else
            return 0;
        if (result > (~0UL - digit) / base)
            return 0;
        result = result * base + digit;
    }
    *value = result;
    return 1;
}

/* One option word [word, word + length) into server; NULL or why it is wrong. */
static const char *parse_option(const char *word, L4_Word_t length, struct server_config *server)
{
    L4_Word_t value;
    if (equal_prefix(word, length, "priority=")) {
        if (!parse_number(word + 9, length - 9, &value) || value < 1 || value > 254)
            return "priority must be 1 to 254";
        server->priority = value;
    } else if (equal_prefix(word, length, "irq=")) {
        if (!parse_number(word + 4, length - 4, &value) || value > 23)
            return "irq must be 0 to 23";
        server->grants.irq = (long)value;
    } else if (equal_prefix(word, length, "ports=")) {
        L4_Word_t slash = 6;
        while (slash < length && word[slash] != '/')
            ++slash;
        L4_Word_t count;
        if (slash == length || !parse_number(word + 6, slash - 6, &value) ||
            !parse_number(word + slash + 1, length - slash - 1, &count) || count == 0 || value + count > 0x10000)
            return "ports must be BASE/COUNT within 0-0xffff";
        server->grants.port_base = value;
        server->grants.port_count = count;
    } else if (equal_prefix(word, length, "pager=")) {
        if (!(length == 10 && equal_prefix(word, length, "pager=root")))
            return "only pager=root is supported";
    } else if (length == 8 && equal_prefix(word, length, "shutdown")) {
        server->grants.shutdown = 1;
    } else {
        return "unknown option";
    }
    return 0;
}

/* One line (without its end); 1 when it added a server. */
static int parse_line(const char *line, L4_Word_t length, unsigned number, struct server_config *server)
{
    L4_Word_t at = 0;
    while (at < length && is_blank(line[at]))
        ++at;
    if (at == length || line[at] == '#')
        return 0;
    const char *why = 0;
    *server = (struct server_config){.priority = 100, .grants = {.irq = -1}};
    L4_Word_t word_end = at;
    while (word_end < length && !is_blank(line[word_end]))
        ++word_end;
    if (!equal_prefix(line + at, word_end - at, "server") || word_end - at != 6) {
        why = "a line must start with \"server\"";
    } else {
        at = word_end;
        while (at < length && is_blank(line[at]))
            ++at;
        word_end = at;
        while (word_end < length && !is_blank(line[word_end]))
            ++word_end;
        if (word_end == at || word_end - at > TERN_NAME_MAX)
            why = "the server needs a name of 1 to 31 characters";
        for (L4_Word_t i = 0; why == 0 && i < word_end - at; ++i)
            server->name[i] = line[at + i];
    }
    while (why == 0) {
        at = word_end;
        while (at < length && is_blank(line[at]))
            ++at;
        if (at == length)
            break;
        if (equal_prefix(line + at, length - at, "args=")) {
            L4_Word_t n = length - at - 5;
            if (n >= sizeof server->args) {
                why = "args= is longer than 255 characters";
                break;
            }
            for (L4_Word_t i = 0; i < n; ++i)
                server->args[i] = line[at + 5 + i];
            server->args[n] = '\0';
            break;
        }
        word_end = at;
        while (word_end < length && !is_blank(line[word_end]))
            ++word_end;
        why = parse_option(line + at, word_end - at, server);
    }
    if (why != 0) {
        printf("root: system configuration line %u: %s; line skipped\n", number, why);
        return 0;
    }
    return 1;
}

unsigned config_parse(const char *text, L4_Word_t size, struct server_config *out, unsigned max)
{
    unsigned count = 0, number = 0;
    for (L4_Word_t start = 0; start < size;) {
        L4_Word_t end = start;
        while (end < size && text[end] != '\n' && text[end] != '\0')
            ++end;
        ++number;
        if (count == max) {
            printf("root: system configuration line %u: more than %u servers; line skipped\n", number, max);
        } else if (parse_line(text + start, end - start, number, &out[count])) {
            ++count;
        }
        if (end < size && text[end] == '\0')
            break;
        start = end + 1;
    }
    return count;
}
