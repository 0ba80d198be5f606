// SPDX-License-Identifier: MIT
// Reader of a "newc" cpio archive in memory (the initramfs format: magic "070701", or
// "070702" whose checksum is ignored), for the Linux personality's initial file system.
//
// The archive is untrusted: next() checks every header field before using it, reads only
// inside [archive, archive + size), and hands out pointers into the archive, never copies.
// Freestanding: no allocation, no exceptions, no library beyond <stddef.h>/<stdint.h>.
#pragma once

#include <stddef.h>
#include <stdint.h>

class Cpio_archive {
public:
    // One member. name and data point into the archive and live as long as it does.
    // name_length excludes the terminating NUL (which next() checked is there), and the
    // name has no other NUL, so [name, name + name_length] is a C string. For a symbolic
    // link, data is the target (not NUL-terminated).
    struct Entry {
        const char *name;
        size_t name_length;
        uint32_t inode;
        uint32_t mode;  // st_mode: file type bits (type_mask) and permissions
        uint32_t uid;
        uint32_t gid;
        uint32_t nlink;
        uint32_t mtime;
        uint32_t dev_major;
        uint32_t dev_minor;
        uint32_t rdev_major;
        uint32_t rdev_minor;
        const uint8_t *data;
        size_t data_size;
    };

    // st_mode file types, as Linux defines them.
    static constexpr uint32_t type_mask = 0170000;
    static constexpr uint32_t type_socket = 0140000;
    static constexpr uint32_t type_symlink = 0120000;
    static constexpr uint32_t type_regular = 0100000;
    static constexpr uint32_t type_block_device = 0060000;
    static constexpr uint32_t type_directory = 0040000;
    static constexpr uint32_t type_char_device = 0020000;
    static constexpr uint32_t type_fifo = 0010000;

    // end: the trailer was reached; not a failure.
    enum class Error { none, end, bad_magic, truncated_header, bad_hex_digit, empty_name, name_not_terminated,
                       name_contains_nul, truncated_name, truncated_data, missing_trailer };

    Cpio_archive(const uint8_t *archive, size_t size) : archive_(archive), size_(size) {}

    // Fills entry with the next member and returns none, or returns why it cannot: end
    // after the trailer, or an error. Anything but none leaves entry untouched and is
    // returned again by every later call (the reader does not resynchronise after garbage).
    [[nodiscard]] Error next(Entry &entry);

    // Starts over at the first member.
    void rewind() { position_ = 0; status_ = Error::none; }

    // The offset of the next header: after end, the first byte after the trailer member
    // (with its padding, as far as the archive reaches).
    size_t position() const { return position_; }

    static const char *describe(Error error);

private:
    const uint8_t *archive_;
    size_t size_;
    size_t position_ = 0;
    Error status_ = Error::none;
};
