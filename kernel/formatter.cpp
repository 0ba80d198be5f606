// SPDX-License-Identifier: MIT
#include "formatter.hpp"

#include <stdint.h>

namespace {

struct Spec {
    bool left_align = false;
    bool zero_pad = false;
    bool plus_sign = false;
    bool space_sign = false;
    bool alternate = false;
    int width = 0;
    int precision = -1;  // -1: none given
};

enum class Length { none, hh, h, l, ll, z, t, j };

class Output {
public:
    Output(Formatter::Sink sink, void *context) : sink_(sink), context_(context) {}

    void put(char c)
    {
        sink_(context_, c);
        ++count_;
    }
    void repeat(char c, int times)
    {
        for (int i = 0; i < times; ++i)
            put(c);
    }
    size_t count() const { return count_; }

private:
    Formatter::Sink sink_;
    void *context_;
    size_t count_ = 0;
};

// Widths and precisions beyond this are clamped: nobody needs them and they cannot overflow.
constexpr int max_field = 100000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a decimal field; saturates instead of overflowing on absurd widths.
int read_number(const char *&cursor)
{
    int value = 0;
    while (is_digit(*cursor)) {
        value = value * 10 + (*cursor - '0');
        if (value > max_field)
            value = max_field;
        ++cursor;
    }
    return value;
}

void emit_string(Output &out, const Spec &spec, const char *text)
{
    if (text == nullptr)
        text = "(null)";
    int length = 0;
    while ((spec.precision < 0 || length < spec.precision) && text[length] != '\0')
        ++length;
    int padding = spec.width > length ? spec.width - length : 0;
    if (!spec.left_align)
        out.repeat(' ', padding);
    for (int i = 0; i < length; ++i)
        out.put(text[i]);
    if (spec.left_align)
        out.repeat(' ', padding);
}

// Prints magnitude in base with sign/prefix, honouring width, precision and flags the way
// C's printf does (precision disables zero padding; precision 0 with value 0 prints no digits).
void emit_number(Output &out, Spec spec, uint64_t magnitude, bool negative, unsigned base,
                 bool upper, bool is_pointer)
{
    char digits[24];
    int digit_count = 0;
    const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (uint64_t v = magnitude; v != 0; v /= base)
        digits[digit_count++] = alphabet[v % base];

    if (spec.precision < 0 && digit_count == 0)
        digits[digit_count++] = '0';

    int zeros = spec.precision > digit_count ? spec.precision - digit_count : 0;

    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (spec.plus_sign)
        prefix = "+";
    else if (spec.space_sign)
        prefix = " ";
    if (base == 16 && (spec.alternate || is_pointer) && (magnitude != 0 || is_pointer))
        prefix = upper ? "0X" : "0x";
    if (base == 8 && spec.alternate && zeros == 0 && (digit_count == 0 || digits[digit_count - 1] != '0'))
        zeros = 1;

    int prefix_length = 0;
    while (prefix[prefix_length] != '\0')
        ++prefix_length;

    int body = prefix_length + zeros + digit_count;
    int padding = spec.width > body ? spec.width - body : 0;

    if (spec.zero_pad && !spec.left_align && spec.precision < 0) {
        zeros += padding;
        padding = 0;
    }
    if (!spec.left_align)
        out.repeat(' ', padding);
    for (int i = 0; i < prefix_length; ++i)
        out.put(prefix[i]);
    out.repeat('0', zeros);
    while (digit_count > 0)
        out.put(digits[--digit_count]);
    if (spec.left_align)
        out.repeat(' ', padding);
}

bool is_conversion(char c)
{
    switch (c) {
    case '%': case 'c': case 's': case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p': return true;
    default: return false;
    }
}

// A negative width from '*' means left alignment, as in C; absurd widths are clamped.
void set_width(Spec &spec, int width)
{
    if (width < 0) {
        spec.left_align = true;
        width = width < -max_field ? max_field : -width;
    }
    spec.width = width > max_field ? max_field : width;
}

// '+' and ' ' apply to signed conversions only, as in C.
Spec without_sign(Spec spec)
{
    spec.plus_sign = false;
    spec.space_sign = false;
    return spec;
}

int64_t signed_argument(va_list &arguments, Length length)
{
    switch (length) {
    case Length::hh: return static_cast<signed char>(va_arg(arguments, int));
    case Length::h: return static_cast<short>(va_arg(arguments, int));
    case Length::l: return va_arg(arguments, long);
    case Length::ll: return va_arg(arguments, long long);
    case Length::z: return static_cast<int64_t>(va_arg(arguments, size_t));
    case Length::t: return va_arg(arguments, ptrdiff_t);
    case Length::j: return va_arg(arguments, intmax_t);
    case Length::none: break;
    }
    return va_arg(arguments, int);
}

uint64_t unsigned_argument(va_list &arguments, Length length)
{
    switch (length) {
    case Length::hh: return static_cast<unsigned char>(va_arg(arguments, unsigned));
    case Length::h: return static_cast<unsigned short>(va_arg(arguments, unsigned));
    case Length::l: return va_arg(arguments, unsigned long);
    case Length::ll: return va_arg(arguments, unsigned long long);
    case Length::z: return va_arg(arguments, size_t);
    case Length::t: return static_cast<uint64_t>(va_arg(arguments, ptrdiff_t));
    case Length::j: return va_arg(arguments, uintmax_t);
    case Length::none: break;
    }
    return va_arg(arguments, unsigned);
}

Length read_length(const char *&cursor)
{
    switch (*cursor) {
    case 'h':
        ++cursor;
        if (*cursor == 'h') {
            ++cursor;
            return Length::hh;
        }
        return Length::h;
    case 'l':
        ++cursor;
        if (*cursor == 'l') {
            ++cursor;
            return Length::ll;
        }
        return Length::l;
    case 'z': ++cursor; return Length::z;
    case 't': ++cursor; return Length::t;
    case 'j': ++cursor; return Length::j;
    default: return Length::none;
    }
}

struct Buffer_cursor {
    char *buffer;
    size_t capacity;  // characters that fit before the terminating NUL
    size_t used;
};

void buffer_sink(void *context, char c)
{
    auto *cursor = static_cast<Buffer_cursor *>(context);
    if (cursor->used < cursor->capacity)
        cursor->buffer[cursor->used++] = c;
}

}  // namespace

size_t Formatter::format(Sink sink, void *context, const char *format, va_list arguments)
{
    Output out(sink, context);
    va_list args;
    va_copy(args, arguments);

    for (const char *cursor = format; *cursor != '\0';) {
        if (*cursor != '%') {
            out.put(*cursor++);
            continue;
        }
        const char *directive = cursor++;
        Spec spec;
        for (bool more = true; more;) {
            switch (*cursor) {
            case '-': spec.left_align = true; ++cursor; break;
            case '0': spec.zero_pad = true; ++cursor; break;
            case '+': spec.plus_sign = true; ++cursor; break;
            case ' ': spec.space_sign = true; ++cursor; break;
            case '#': spec.alternate = true; ++cursor; break;
            default: more = false; break;
            }
        }
        bool width_from_argument = false;
        bool precision_from_argument = false;
        if (*cursor == '*') {
            ++cursor;
            width_from_argument = true;
        } else {
            spec.width = read_number(cursor);
        }
        if (*cursor == '.') {
            ++cursor;
            if (*cursor == '*') {
                ++cursor;
                precision_from_argument = true;
            } else {
                spec.precision = read_number(cursor);
            }
        }
        Length length = read_length(cursor);
        if (!is_conversion(*cursor)) {
            // Unknown or truncated directive: print it as text and consume no argument.
            for (const char *c = directive; c != cursor; ++c)
                out.put(*c);
            if (*cursor != '\0')
                out.put(*cursor++);
            continue;
        }
        if (width_from_argument)
            set_width(spec, va_arg(args, int));
        if (precision_from_argument) {
            int precision = va_arg(args, int);
            spec.precision = precision < 0 ? -1 : (precision > max_field ? max_field : precision);
        }

        switch (*cursor) {
        case '%': out.put('%'); break;
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            int padding = spec.width > 1 ? spec.width - 1 : 0;
            if (!spec.left_align)
                out.repeat(' ', padding);
            out.put(c);
            if (spec.left_align)
                out.repeat(' ', padding);
            break;
        }
        case 's': emit_string(out, spec, va_arg(args, const char *)); break;
        case 'd':
        case 'i': {
            int64_t value = signed_argument(args, length);
            uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
            emit_number(out, spec, magnitude, value < 0, 10, false, false);
            break;
        }
        case 'u': emit_number(out, without_sign(spec), unsigned_argument(args, length), false, 10, false, false); break;
        case 'x': emit_number(out, without_sign(spec), unsigned_argument(args, length), false, 16, false, false); break;
        case 'X': emit_number(out, without_sign(spec), unsigned_argument(args, length), false, 16, true, false); break;
        case 'o': emit_number(out, without_sign(spec), unsigned_argument(args, length), false, 8, false, false); break;
        case 'p': {
            auto value = reinterpret_cast<uintptr_t>(va_arg(args, void *));
            emit_number(out, without_sign(spec), value, false, 16, false, true);
            break;
        }
        default: break;
        }
        ++cursor;
    }
    va_end(args);
    return out.count();
}

size_t Formatter::to_buffer_v(char *buffer, size_t size, const char *format, va_list arguments)
{
    Buffer_cursor cursor{buffer, size > 0 ? size - 1 : 0, 0};
    size_t length = Formatter::format(buffer_sink, &cursor, format, arguments);
    if (size > 0)
        buffer[cursor.used] = '\0';
    return length;
}

size_t Formatter::to_buffer(char *buffer, size_t size, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    size_t length = to_buffer_v(buffer, size, format, arguments);
    va_end(arguments);
    return length;
}
