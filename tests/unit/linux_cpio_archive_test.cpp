// SPDX-License-Identifier: MIT
// Cpio_archive (servers/linux) against newc archives written here. Every archive is read
// from an exactly sized heap copy, so a read past its end is an ASan failure.
#include "cpio_archive.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

// One member as `cpio -H newc` writes it. name_size and file_size override the sizes the
// header claims (the bytes written stay name + NUL and data).
struct Member {
    std::string name{};
    uint32_t mode = 0100644;
    std::string data{};
    uint32_t inode = 0;
    uint32_t uid = 0, gid = 0, nlink = 1, mtime = 0;
    uint32_t dev_major = 0, dev_minor = 0, rdev_major = 0, rdev_minor = 0;
    int64_t name_size = -1;
    int64_t file_size = -1;
    const char *magic = "070701";
    bool uppercase = false;
    uint32_t check = 0;
};

std::string padded(std::string bytes)
{
    while (bytes.size() % 4 != 0)
        bytes += '\0';
    return bytes;
}

std::string hex(uint32_t value, bool uppercase)
{
    char text[9];
    std::snprintf(text, sizeof text, uppercase ? "%08X" : "%08x", value);
    return text;
}

// Header and name padded, then the data padded: starts and ends at a multiple of 4.
std::string record(const Member &m)
{
    uint32_t name_size = m.name_size >= 0 ? static_cast<uint32_t>(m.name_size) : static_cast<uint32_t>(m.name.size() + 1);
    uint32_t file_size = m.file_size >= 0 ? static_cast<uint32_t>(m.file_size) : static_cast<uint32_t>(m.data.size());
    std::string header = m.magic;
    for (uint32_t field : {m.inode, m.mode, m.uid, m.gid, m.nlink, m.mtime, file_size, m.dev_major, m.dev_minor,
                           m.rdev_major, m.rdev_minor, name_size, m.check})
        header += hex(field, m.uppercase);
    return padded(header + m.name + std::string(1, '\0')) + padded(m.data);
}

Member trailer_member()
{
    Member trailer;
    trailer.name = "TRAILER!!!";
    trailer.mode = 0;
    trailer.nlink = 1;
    return trailer;
}

// Where each member's parts start and end, for predicting what a truncated copy yields.
struct Layout {
    size_t header, name_end, data, data_end;
};

std::string archive(const std::vector<Member> &members, bool with_trailer = true,
                    std::vector<Layout> *layout = nullptr)
{
    std::string bytes;
    std::vector<Member> all = members;
    if (with_trailer)
        all.push_back(trailer_member());
    for (const Member &m : all) {
        size_t header = bytes.size();
        size_t name_end = header + 110 + m.name.size() + 1;
        size_t data = (name_end + 3) & ~size_t{3};
        if (layout != nullptr)
            layout->push_back({header, name_end, data, data + m.data.size()});
        bytes += record(m);
    }
    return bytes;
}

// An exactly sized copy that lives as long as the reader.
class Reader {
public:
    explicit Reader(const std::string &bytes)
        : copy_(new uint8_t[bytes.empty() ? 1 : bytes.size()]), archive_(copy_.get(), bytes.size())
    {
        if (!bytes.empty())
            std::memcpy(copy_.get(), bytes.data(), bytes.size());
    }
    Cpio_archive &operator*() { return archive_; }
    Cpio_archive *operator->() { return &archive_; }
    const uint8_t *begin() const { return copy_.get(); }

private:
    std::unique_ptr<uint8_t[]> copy_;
    Cpio_archive archive_;
};

std::string name_of(const Cpio_archive::Entry &entry) { return std::string(entry.name, entry.name_length); }

std::string data_of(const Cpio_archive::Entry &entry)
{
    return std::string(reinterpret_cast<const char *>(entry.data), entry.data_size);
}

// Reads to the first result that is not none; returns it and the names read.
Cpio_archive::Error read_all(Cpio_archive &archive, std::vector<std::string> *names = nullptr)
{
    Cpio_archive::Entry entry = {};
    for (int i = 0; i < 100000; ++i) {
        Cpio_archive::Error error = archive.next(entry);
        if (error != Cpio_archive::Error::none)
            return error;
        if (names != nullptr)
            names->push_back(name_of(entry));
    }
    ADD_FAILURE() << "next() never stopped";
    return Cpio_archive::Error::none;
}

Cpio_archive::Error read_all(const std::string &bytes, std::vector<std::string> *names = nullptr)
{
    Reader reader(bytes);
    return read_all(*reader, names);
}

using Error = Cpio_archive::Error;

}  // namespace

void PrintTo(Cpio_archive::Error error, std::ostream *out) { *out << '"' << Cpio_archive::describe(error) << '"'; }

TEST(Linux_cpio_archive, reads_every_field_of_every_member)
{
    Member directory{.name = "bin", .mode = 040755, .inode = 1, .uid = 0, .gid = 0, .nlink = 2, .mtime = 1700000000};
    Member file{.name = "bin/busybox", .mode = 0100755, .data = "\x7f" "ELF and more", .inode = 2,
                .uid = 1000, .gid = 100, .nlink = 1, .mtime = 0xdeadbeef};
    Member link{.name = "bin/sh", .mode = 0120777, .data = "busybox", .inode = 3};
    Member device{.name = "dev/console", .mode = 020600, .inode = 4, .dev_major = 8, .dev_minor = 1,
                  .rdev_major = 5, .rdev_minor = 1};
    Reader reader(archive({directory, file, link, device}));
    Cpio_archive::Entry entry = {};

    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(name_of(entry), "bin");
    EXPECT_EQ(entry.name[entry.name_length], '\0');
    EXPECT_EQ(entry.mode, 040755u);
    EXPECT_EQ(entry.mode & Cpio_archive::type_mask, Cpio_archive::type_directory);
    EXPECT_EQ(entry.inode, 1u);
    EXPECT_EQ(entry.nlink, 2u);
    EXPECT_EQ(entry.mtime, 1700000000u);
    EXPECT_EQ(entry.data_size, 0u);

    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(name_of(entry), "bin/busybox");
    EXPECT_EQ(entry.mode & Cpio_archive::type_mask, Cpio_archive::type_regular);
    EXPECT_EQ(entry.mode & 07777u, 0755u);
    EXPECT_EQ(entry.uid, 1000u);
    EXPECT_EQ(entry.gid, 100u);
    EXPECT_EQ(entry.mtime, 0xdeadbeefu);
    EXPECT_EQ(data_of(entry), "\x7f" "ELF and more");
    // Data is handed out in place, 4-aligned from the archive's start.
    EXPECT_EQ((entry.data - reader.begin()) % 4, 0);

    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(name_of(entry), "bin/sh");
    EXPECT_EQ(entry.mode & Cpio_archive::type_mask, Cpio_archive::type_symlink);
    EXPECT_EQ(data_of(entry), "busybox");

    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(name_of(entry), "dev/console");
    EXPECT_EQ(entry.mode & Cpio_archive::type_mask, Cpio_archive::type_char_device);
    EXPECT_EQ(entry.dev_major, 8u);
    EXPECT_EQ(entry.dev_minor, 1u);
    EXPECT_EQ(entry.rdev_major, 5u);
    EXPECT_EQ(entry.rdev_minor, 1u);

    // The end is reported again and again, and leaves the entry alone.
    Cpio_archive::Entry before = entry;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(reader->next(entry), Error::end);
        EXPECT_EQ(entry.name, before.name);
        EXPECT_EQ(entry.data, before.data);
    }

    reader->rewind();
    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(name_of(entry), "bin");
}

TEST(Linux_cpio_archive, full_32_bit_fields)
{
    Member m{.name = "x", .mode = 0xffffffff, .inode = 0xffffffff, .uid = 0xfffffffe, .gid = 0x80000000,
             .nlink = 0xffffffff, .mtime = 0xffffffff, .dev_major = 0xffffffff, .dev_minor = 0x12345678,
             .rdev_major = 0x9abcdef0, .rdev_minor = 0x0fedcba9};
    Reader reader(archive({m}));
    Cpio_archive::Entry entry = {};
    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(entry.mode, 0xffffffffu);
    EXPECT_EQ(entry.inode, 0xffffffffu);
    EXPECT_EQ(entry.uid, 0xfffffffeu);
    EXPECT_EQ(entry.gid, 0x80000000u);
    EXPECT_EQ(entry.nlink, 0xffffffffu);
    EXPECT_EQ(entry.mtime, 0xffffffffu);
    EXPECT_EQ(entry.dev_major, 0xffffffffu);
    EXPECT_EQ(entry.dev_minor, 0x12345678u);
    EXPECT_EQ(entry.rdev_major, 0x9abcdef0u);
    EXPECT_EQ(entry.rdev_minor, 0x0fedcba9u);
    EXPECT_EQ(reader->next(entry), Error::end);
}

TEST(Linux_cpio_archive, crc_format_and_uppercase_digits)
{
    Member m{.name = "etc/passwd", .data = "root:x:0:0::/:/bin/sh\n", .mtime = 0xABCDEF12,
             .magic = "070702", .uppercase = true, .check = 0x1234ABCD};  // the checksum is wrong and ignored
    Reader reader(archive({m, Member{.name = "a", .data = "b"}}));
    Cpio_archive::Entry entry = {};
    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(name_of(entry), "etc/passwd");
    EXPECT_EQ(entry.mtime, 0xabcdef12u);
    EXPECT_EQ(data_of(entry), m.data);
    ASSERT_EQ(reader->next(entry), Error::none);
    EXPECT_EQ(data_of(entry), "b");
    EXPECT_EQ(reader->next(entry), Error::end);
}

// newc pads header + name and the data to 4 bytes: every combination of remainders.
TEST(Linux_cpio_archive, padding_for_every_name_and_data_length)
{
    for (size_t name_length = 1; name_length <= 9; ++name_length)
        for (size_t data_size = 0; data_size <= 9; ++data_size) {
            std::string name(name_length, 'n');
            std::string data;
            for (size_t i = 0; i < data_size; ++i)
                data += static_cast<char>('a' + i);
            Reader reader(archive({Member{.name = name, .data = data}, Member{.name = "second", .data = "2"}}));
            Cpio_archive::Entry entry = {};
            ASSERT_EQ(reader->next(entry), Error::none) << name_length << " " << data_size;
            EXPECT_EQ(name_of(entry), name);
            EXPECT_EQ(data_of(entry), data);
            ASSERT_EQ(reader->next(entry), Error::none) << name_length << " " << data_size;
            EXPECT_EQ(name_of(entry), "second");
            EXPECT_EQ(data_of(entry), "2");
            EXPECT_EQ(reader->next(entry), Error::end);
        }
}

TEST(Linux_cpio_archive, trailer_alone_and_bytes_after_it)
{
    std::vector<std::string> names;
    EXPECT_EQ(read_all(archive({}), &names), Error::end);
    EXPECT_TRUE(names.empty());

    // cpio pads the archive to 512 bytes; the kernel's initramfs may carry more after that.
    std::string bytes = archive({Member{.name = "f", .data = "x"}});
    size_t trailer_end = bytes.size();
    bytes += std::string(512 - bytes.size() % 512, '\0') + "garbage after the end";
    Reader reader(bytes);
    EXPECT_EQ(read_all(*reader, &names), Error::end);
    EXPECT_EQ(names, std::vector<std::string>{"f"});
    EXPECT_EQ(reader->position(), trailer_end);

    // A trailer that ends the archive without its padding.
    bytes = archive({});
    bytes.resize(110 + 11);
    Reader unpadded(bytes);
    EXPECT_EQ(read_all(*unpadded), Error::end);
    EXPECT_EQ(unpadded->position(), bytes.size());
}

TEST(Linux_cpio_archive, missing_trailer)
{
    Cpio_archive none(nullptr, 0);
    Cpio_archive::Entry entry = {};
    EXPECT_EQ(none.next(entry), Error::missing_trailer);
    Cpio_archive null_with_size(nullptr, 4096);
    EXPECT_EQ(null_with_size.next(entry), Error::missing_trailer);
    EXPECT_EQ(read_all(std::string()), Error::missing_trailer);

    std::vector<std::string> names;
    EXPECT_EQ(read_all(archive({Member{.name = "a"}, Member{.name = "b", .data = "bb"}}, false), &names),
              Error::missing_trailer);
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
    // A trailer-like name is not the trailer.
    for (const char *name : {"TRAILER!!", "TRAILER!!!!", "trailer!!!", "TRAILER!!!/x"})
        EXPECT_EQ(read_all(archive({Member{.name = name}}, false)), Error::missing_trailer) << name;
}

// Every prefix of an archive: the members wholly inside it are read, then the error that
// names where it was cut. ASan catches any read beyond the prefix.
TEST(Linux_cpio_archive, truncated_at_every_byte)
{
    std::vector<Layout> layout;
    std::vector<Member> members = {Member{.name = "dir", .mode = 040755}, Member{.name = "file", .data = "12345"},
                                   Member{.name = "link", .mode = 0120777, .data = "file"},
                                   Member{.name = "empty"}};
    const std::string full = archive(members, true, &layout);
    for (size_t length = 0; length < full.size(); ++length) {
        Error expected = Error::end;
        size_t complete = 0;
        for (size_t i = 0; i < layout.size() && expected == Error::end; ++i) {
            const Layout &part = layout[i];
            bool is_trailer = i + 1 == layout.size();
            if (length <= part.header)  // cut at or before the header: the padding ends it
                expected = Error::missing_trailer;
            else if (length < part.header + 110)
                expected = Error::truncated_header;
            else if (length < part.name_end)
                expected = Error::truncated_name;
            else if (!is_trailer && part.data_end != part.data && length < part.data_end)
                expected = Error::truncated_data;
            else if (!is_trailer)
                ++complete;
        }
        std::vector<std::string> names;
        EXPECT_EQ(read_all(full.substr(0, length), &names), expected) << length;
        EXPECT_EQ(names.size(), complete) << length;
    }
}

TEST(Linux_cpio_archive, bad_magic)
{
    const std::string good = archive({Member{.name = "a"}});
    for (size_t byte = 0; byte < 6; ++byte) {
        std::string bytes = good;
        bytes[byte] = static_cast<char>(bytes[byte] ^ 0x01);
        EXPECT_EQ(read_all(bytes), Error::bad_magic) << byte;
    }
    // The other cpio formats: old binary, odc ("070707"), and one that does not exist.
    for (const char *magic : {"070707", "070703", "070700", "\xc7\x71" "0000"}) {
        Member m{.name = "a"};
        m.magic = magic;
        EXPECT_EQ(read_all(archive({m})), Error::bad_magic) << magic;
    }
    EXPECT_EQ(read_all(std::string(512, '\0')), Error::bad_magic);
    // The second member's magic.
    std::vector<Layout> layout;
    std::string bytes = archive({Member{.name = "a", .data = "x"}, Member{.name = "b"}}, true, &layout);
    bytes[layout[1].header + 5] = '7';
    std::vector<std::string> names;
    EXPECT_EQ(read_all(bytes, &names), Error::bad_magic);
    EXPECT_EQ(names, std::vector<std::string>{"a"});
}

TEST(Linux_cpio_archive, bad_hex_digit_in_any_field)
{
    const std::string good = archive({Member{.name = "a", .data = "x"}});
    for (size_t byte = 6; byte < 110; ++byte)
        for (char bad : {'g', 'G', 'x', ' ', '\0', '/', ':', '@', '`', '-', '+', '\xff'}) {
            std::string bytes = good;
            bytes[byte] = bad;
            EXPECT_EQ(read_all(bytes), Error::bad_hex_digit) << byte << " " << int{bad};
        }
}

TEST(Linux_cpio_archive, empty_name)
{
    for (int64_t name_size : {0, 1}) {
        Member m{.name = "", .name_size = name_size};
        EXPECT_EQ(read_all(archive({m})), Error::empty_name) << name_size;
    }
}

TEST(Linux_cpio_archive, name_not_terminated)
{
    // The size leaves out the NUL, so the name's last byte is 'e'.
    Member m{.name = "name", .name_size = 4};
    EXPECT_EQ(read_all(archive({m})), Error::name_not_terminated);
    // A size that runs past the NUL and the padding into the data.
    Member longer{.name = "name", .data = "data", .name_size = 8};
    EXPECT_EQ(read_all(archive({longer})), Error::name_not_terminated);
}

TEST(Linux_cpio_archive, name_contains_nul)
{
    Member m{.name = std::string("bin\0sh", 6)};
    EXPECT_EQ(read_all(archive({m})), Error::name_contains_nul);
    // The size runs past the NUL into padding (also NUL).
    Member padded_name{.name = "ab", .name_size = 4};  // byte 113 is padding
    EXPECT_EQ(read_all(archive({padded_name})), Error::name_contains_nul);
}

TEST(Linux_cpio_archive, sizes_beyond_the_archive)
{
    for (int64_t name_size : {int64_t{0x100}, int64_t{0x7fffffff}, int64_t{0xffffffff}}) {
        Member m{.name = "a", .name_size = name_size};
        EXPECT_EQ(read_all(archive({m})), Error::truncated_name) << name_size;
    }
    for (int64_t file_size : {int64_t{5}, int64_t{0x100}, int64_t{0x7fffffff}, int64_t{0xffffffff}}) {
        Member m{.name = "a", .data = "x", .file_size = file_size};
        // Without the trailer, the exact end: one byte more than there is.
        EXPECT_EQ(read_all(archive({m}, false)), Error::truncated_data) << file_size;
    }
    // A size that skips over the trailer into nothing.
    Member skip{.name = "a", .data = "x", .file_size = 4 + 124};
    EXPECT_EQ(read_all(archive({skip})), Error::missing_trailer);
    Member into{.name = "a", .data = "x", .file_size = 4 + 124 + 1};
    EXPECT_EQ(read_all(archive({into})), Error::truncated_data);
}

TEST(Linux_cpio_archive, errors_stay)
{
    std::vector<Layout> layout;
    std::string bytes = archive({Member{.name = "a"}, Member{.name = "b"}}, true, &layout);
    bytes[layout[1].header + 20] = 'z';
    Reader reader(bytes);
    Cpio_archive::Entry entry = {};
    ASSERT_EQ(reader->next(entry), Error::none);
    size_t position = reader->position();
    EXPECT_EQ(position, layout[1].header);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(reader->next(entry), Error::bad_hex_digit);
        EXPECT_EQ(name_of(entry), "a");
        EXPECT_EQ(reader->position(), position);
    }
    reader->rewind();
    EXPECT_EQ(reader->next(entry), Error::none);
}

TEST(Linux_cpio_archive, every_error_has_its_own_description)
{
    std::set<std::string> seen;
    for (int value = 0; value <= static_cast<int>(Error::missing_trailer); ++value) {
        std::string text = Cpio_archive::describe(static_cast<Error>(value));
        EXPECT_FALSE(text.empty());
        EXPECT_TRUE(seen.insert(text).second) << text;
    }
    EXPECT_STREQ(Cpio_archive::describe(static_cast<Error>(99)), "unknown error");
}

// Random damage: whatever is read must lie inside the archive and be consistent.
TEST(Linux_cpio_archive, random_corruption_stays_inside)
{
    const std::string good = archive({Member{.name = "bin", .mode = 040755}, Member{.name = "bin/a", .data = "hello"},
                                      Member{.name = "l", .mode = 0120777, .data = "bin/a"}});
    std::mt19937_64 random(0xc910);
    const char interesting[] = "0123456789abcdefABCDEFgz\0\xff";
    std::set<Error> results;
    for (int round = 0; round < 20000; ++round) {
        std::string bytes = good;
        int changes = 1 + static_cast<int>(random() % 4);
        for (int i = 0; i < changes; ++i)
            bytes[random() % bytes.size()] = interesting[random() % (sizeof interesting - 1)];
        if (random() % 4 == 0)
            bytes.resize(random() % bytes.size());
        Reader reader(bytes);
        Cpio_archive::Entry entry = {};
        Error error;
        while ((error = reader->next(entry)) == Error::none) {
            const uint8_t *begin = reader.begin();
            ASSERT_GE(reinterpret_cast<const uint8_t *>(entry.name), begin);
            ASSERT_LE(reinterpret_cast<const uint8_t *>(entry.name) + entry.name_length, begin + bytes.size());
            ASSERT_EQ(entry.name[entry.name_length], '\0');
            ASSERT_EQ(std::strlen(entry.name), entry.name_length);
            ASSERT_GE(entry.data, begin);
            ASSERT_LE(entry.data + entry.data_size, begin + bytes.size());
            ASSERT_LE(reader->position(), bytes.size());
        }
        results.insert(error);
    }
    // The damage reached more than one check.
    EXPECT_GE(results.size(), 5u);
}
