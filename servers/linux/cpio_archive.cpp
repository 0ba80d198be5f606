// SPDX-License-Identifier: MIT
#include "cpio_archive.hpp"

// Invariant: position_ <= size_. Every read is at an offset proven to be below size_ by a
// comparison of the form "length <= size_ - offset", which cannot wrap because offset <=
// size_; a sum of untrusted values is formed only after such a comparison.

namespace {

// The newc header: a 6-byte magic, then 13 fields of 8 ASCII hex digits each.
namespace Header {
constexpr size_t magic_size = 6;
constexpr size_t field_size = 8;
constexpr size_t size = magic_size + 13 * field_size;  // 110

enum Field : size_t { inode, mode, uid, gid, nlink, mtime, file_size, dev_major, dev_minor, rdev_major,
                      rdev_minor, name_size, check };

constexpr char magic[magic_size] = {'0', '7', '0', '7', '0', '1'};
constexpr char magic_crc[magic_size] = {'0', '7', '0', '7', '0', '2'};
}  // namespace Header

constexpr char trailer[] = "TRAILER!!!";
constexpr size_t trailer_length = sizeof trailer - 1;

// newc pads the header plus name, and the data, to a multiple of 4 from the archive's start.
constexpr size_t alignment = 4;

bool equal(const uint8_t *bytes, const char *text, size_t length)
{
    for (size_t i = 0; i < length; ++i)
        if (bytes[i] != static_cast<uint8_t>(text[i]))
            return false;
    return true;
}

// Eight hex digits, either case. Returns false on any other character.
bool parse_field(const uint8_t *text, uint32_t &value)
{
    uint32_t result = 0;
    for (size_t i = 0; i < Header::field_size; ++i) {
        uint8_t c = text[i];
        uint32_t digit;
        if (c >= '0' && c <= '9')
            digit = c - uint32_t{'0'};
        else if (c >= 'a' && c <= 'f')
            digit = c - uint32_t{'a'} + 10;
        else if (c >= 'A' && c <= 'F')
            digit = c - uint32_t{'A'} + 10;
        else
            return false;
        result = result << 4 | digit;
    }
    value = result;
    return true;
}

// The offset after padding offset to the alignment, or limit if that is further: no member
// can start past the end, and the caller then reports the missing trailer.
size_t padded(size_t offset, size_t limit)
{
    size_t padding = (alignment - offset % alignment) % alignment;
    return padding > limit - offset ? limit : offset + padding;
}

}  // namespace

Cpio_archive::Error Cpio_archive::next(Entry &entry)
{
    if (status_ != Error::none)
        return status_;
    const size_t size = archive_ == nullptr ? 0 : size_;
    const size_t start = position_;
    auto fail = [this](Error error) { return status_ = error; };

    if (start == size)
        return fail(Error::missing_trailer);
    if (Header::size > size - start)
        return fail(Error::truncated_header);
    const uint8_t *header = archive_ + start;
    if (!equal(header, Header::magic, Header::magic_size) && !equal(header, Header::magic_crc, Header::magic_size))
        return fail(Error::bad_magic);
    // All fields, the ignored checksum included, must be hex: a header that is not is not newc.
    uint32_t field[Header::check + 1];
    for (size_t i = 0; i <= Header::check; ++i)
        if (!parse_field(header + Header::magic_size + i * Header::field_size, field[i]))
            return fail(Error::bad_hex_digit);

    // name_size counts the NUL, so an empty name has name_size 1.
    const size_t name_size = field[Header::name_size];
    if (name_size <= 1)
        return fail(Error::empty_name);
    const size_t name_offset = start + Header::size;
    if (name_size > size - name_offset)
        return fail(Error::truncated_name);
    const uint8_t *name = archive_ + name_offset;
    if (name[name_size - 1] != 0)
        return fail(Error::name_not_terminated);
    for (size_t i = 0; i + 1 < name_size; ++i)
        if (name[i] == 0)
            return fail(Error::name_contains_nul);

    const size_t name_length = name_size - 1;
    if (name_length == trailer_length && equal(name, trailer, trailer_length)) {
        // The trailer's own size fields are ignored: nothing after it is read.
        position_ = padded(name_offset + name_size, size);
        return status_ = Error::end;
    }

    // The data starts after header and name padded; both offsets are at most size.
    const size_t data_offset = padded(name_offset + name_size, size);
    const size_t data_size = field[Header::file_size];
    if (data_size > size - data_offset)
        return fail(Error::truncated_data);

    entry.name = reinterpret_cast<const char *>(name);
    entry.name_length = name_length;
    entry.inode = field[Header::inode];
    entry.mode = field[Header::mode];
    entry.uid = field[Header::uid];
    entry.gid = field[Header::gid];
    entry.nlink = field[Header::nlink];
    entry.mtime = field[Header::mtime];
    entry.dev_major = field[Header::dev_major];
    entry.dev_minor = field[Header::dev_minor];
    entry.rdev_major = field[Header::rdev_major];
    entry.rdev_minor = field[Header::rdev_minor];
    entry.data = archive_ + data_offset;
    entry.data_size = data_size;
    position_ = padded(data_offset + data_size, size);
    return Error::none;
}

const char *Cpio_archive::describe(Error error)
{
    switch (error) {
    case Error::none: return "entry read";
    case Error::end: return "end of archive (trailer)";
    case Error::bad_magic: return "not a newc cpio header (bad magic)";
    case Error::truncated_header: return "header truncated by the end of the archive";
    case Error::bad_hex_digit: return "header field is not hexadecimal";
    case Error::empty_name: return "empty name";
    case Error::name_not_terminated: return "name not terminated by NUL";
    case Error::name_contains_nul: return "name contains NUL";
    case Error::truncated_name: return "name truncated by the end of the archive";
    case Error::truncated_data: return "file data truncated by the end of the archive";
    case Error::missing_trailer: return "archive ends without a trailer";
    }
    return "unknown error";
}
