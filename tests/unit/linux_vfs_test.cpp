// SPDX-License-Identifier: MIT
// The Linux personality's file system (servers/linux/vfs*.cpp) on the host: its pages come
// from the heap through a provider that counts them and can be made to run out, so every
// test also checks that nothing leaks (the provider's destructor) and that a call failing
// for want of pages leaves everything as it was.
#include "vfs.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using Errno = linux_abi::Errno;
constexpr uint64_t kib = 1024, mib = 1024 * kib;
constexpr size_t page = Vfs_pages::page_size;

class Test_pages final : public Vfs_pages {
public:
    ~Test_pages() { EXPECT_TRUE(live_.empty()) << live_.size() << " pages leaked"; }

    void *allocate() override
    {
        if (live_.size() >= limit)
            return nullptr;
        void *p = std::aligned_alloc(page, page);
        std::memset(p, 0, page);
        live_.insert(p);
        ++allocations;
        return p;
    }
    void release(void *p) override
    {
        EXPECT_EQ(live_.erase(p), 1u) << "release of a page not allocated";
        std::memset(p, 0xa5, page);  // a use after release reads garbage
        std::free(p);
    }
    size_t in_use() const { return live_.size(); }
    // No more pages than are in use now.
    void freeze() { limit = live_.size(); }

    size_t limit = SIZE_MAX;
    size_t allocations = 0;

private:
    std::set<void *> live_;
};

// A newc archive built in memory.
class Cpio_builder {
public:
    struct Member {
        std::string name;
        uint32_t mode;
        std::string data;
        uint32_t uid = 0, gid = 0, mtime = 0, nlink = 1, ino = 0, rdev_major = 0, rdev_minor = 0;
    };

    Cpio_builder &add(const Member &m)
    {
        char header[111];
        std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
                      m.ino != 0 ? m.ino : ++next_ino_, m.mode, m.uid, m.gid, m.nlink, m.mtime,
                      static_cast<uint32_t>(m.data.size()), 0u, 0u, m.rdev_major, m.rdev_minor,
                      static_cast<uint32_t>(m.name.size() + 1), 0u);
        bytes_.insert(bytes_.end(), header, header + 110);
        bytes_.insert(bytes_.end(), m.name.begin(), m.name.end());
        bytes_.push_back(0);
        pad();
        bytes_.insert(bytes_.end(), m.data.begin(), m.data.end());
        pad();
        return *this;
    }
    Cpio_builder &dir(const std::string &name, uint32_t perm = 0755) { return add({name, 0040000 | perm, ""}); }
    Cpio_builder &file(const std::string &name, const std::string &data, uint32_t perm = 0644)
    {
        return add({name, 0100000 | perm, data});
    }
    Cpio_builder &link(const std::string &name, const std::string &target)
    {
        return add({name, 0120777, target});
    }
    std::vector<uint8_t> finish()
    {
        add({"TRAILER!!!", 0, ""});
        return bytes_;
    }

private:
    void pad()
    {
        while (bytes_.size() % 4 != 0)
            bytes_.push_back(0);
    }
    std::vector<uint8_t> bytes_;
    uint32_t next_ino_ = 100;
};

std::string pattern(size_t size, unsigned seed)
{
    std::string s(size, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (char &c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
    }
    return s;
}

class VfsTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(vfs.init(now), Errno::none); }

    static size_t len(const char *s) { return std::strlen(s); }

    uint32_t ino(const char *path, bool follow = true)
    {
        uint32_t result = 0;
        return vfs.resolve(cwd, path, len(path), follow, result) == Errno::none ? result : 0;
    }
    Errno resolve(const char *path, uint32_t &result, bool follow = true)
    {
        return vfs.resolve(cwd, path, len(path), follow, result);
    }
    Errno mkdir(const char *path, uint32_t perm = 0755) { return vfs.mkdir(cwd, path, len(path), perm, 0, 0, ++now); }
    Errno create(const char *path, uint32_t &result, bool exclusive = false, uint32_t perm = 0644)
    {
        bool created;
        return vfs.create(cwd, path, len(path), perm, exclusive, 0, 0, ++now, result, created);
    }
    Errno create(const char *path)
    {
        uint32_t ignored;
        return create(path, ignored);
    }
    Errno symlink(const char *target, const char *path)
    {
        return vfs.symlink(target, len(target), cwd, path, len(path), 0, 0, ++now);
    }
    Errno unlink(const char *path) { return vfs.unlink(cwd, path, len(path), ++now); }
    Errno rmdir(const char *path) { return vfs.rmdir(cwd, path, len(path), ++now); }
    Errno rename(const char *from, const char *to)
    {
        return vfs.rename(cwd, from, len(from), cwd, to, len(to), ++now);
    }
    Errno link(const char *from, const char *to)
    {
        uint32_t old = ino(from, false);
        return vfs.link(old, cwd, to, len(to), ++now);
    }
    Errno write(const char *path, const std::string &data, uint64_t offset = 0)
    {
        uint32_t file;
        if (Errno e = create(path, file); e != Errno::none)
            return e;
        size_t done;
        Errno e = vfs.write(file, offset, data.data(), data.size(), ++now, done);
        EXPECT_TRUE(e != Errno::none || done == data.size());
        return e;
    }
    std::string contents(uint32_t file)
    {
        Vfs::Stat st{};
        EXPECT_EQ(vfs.stat(file, st), Errno::none);
        std::string s(st.size, '\0');
        size_t done = 0;
        EXPECT_EQ(vfs.read(file, 0, s.data(), s.size(), done), Errno::none);
        EXPECT_EQ(done, s.size());
        return s;
    }
    std::string contents(const char *path) { return contents(ino(path)); }
    Vfs::Stat stat(uint32_t i)
    {
        Vfs::Stat st{};
        EXPECT_EQ(vfs.stat(i, st), Errno::none);
        return st;
    }
    Vfs::Stat stat(const char *path, bool follow = true) { return stat(ino(path, follow)); }
    std::string readlink(const char *path)
    {
        char buffer[Vfs::max_path];
        size_t n = 0;
        EXPECT_EQ(vfs.readlink(ino(path, false), buffer, sizeof buffer, n), Errno::none);
        return std::string(buffer, n);
    }
    // The names in a directory, "." and ".." included, in readdir order.
    std::vector<std::string> list(uint32_t dir)
    {
        std::vector<std::string> names;
        uint64_t cookie = 0;
        for (;;) {
            Vfs::Dir_entry entry;
            EXPECT_EQ(vfs.read_directory(dir, cookie, entry), Errno::none);
            if (entry.ino == 0)
                return names;
            EXPECT_GT(entry.next, cookie);
            names.emplace_back(entry.name, entry.name_length);
            cookie = entry.next;
        }
    }
    std::vector<std::string> list(const char *path) { return list(ino(path)); }
    std::set<std::string> names(const char *path)
    {
        auto v = list(path);
        return {v.begin(), v.end()};
    }

    Test_pages pages;  // declared first: outlives vfs
    Vfs vfs{pages};
    uint64_t now = 1000;
    uint32_t cwd = Vfs::root_ino;
};

// ----------------------------------------------------------------------------------------
// Vfs_page_tree

TEST(VfsPageTree, EnsureFindsAndCountsPages)
{
    Test_pages pages;
    Vfs_page_tree tree;
    EXPECT_TRUE(tree.empty());
    EXPECT_EQ(tree.find(0), nullptr);
    bool fresh;
    void *zero = tree.ensure(pages, 0, fresh);
    ASSERT_NE(zero, nullptr);
    EXPECT_TRUE(fresh);
    EXPECT_EQ(pages.in_use(), 1u);  // a one-page file is one page
    EXPECT_EQ(tree.ensure(pages, 0, fresh), zero);
    EXPECT_FALSE(fresh);
    EXPECT_EQ(tree.find(0), zero);

    void *one = tree.ensure(pages, 1, fresh);
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(pages.in_use(), 3u);  // + an index page
    void *far = tree.ensure(pages, 600, fresh);
    ASSERT_NE(far, nullptr);
    EXPECT_EQ(pages.in_use(), 6u);  // + a second level, an index page and the page
    void *last = tree.ensure(pages, Vfs_page_tree::max_pages - 1, fresh);
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(tree.find(0), zero);
    EXPECT_EQ(tree.find(1), one);
    EXPECT_EQ(tree.find(600), far);
    EXPECT_EQ(tree.find(599), nullptr);
    EXPECT_EQ(tree.find(Vfs_page_tree::max_pages - 1), last);
    EXPECT_EQ(tree.pages(), 4u);
    EXPECT_EQ(tree.ensure(pages, Vfs_page_tree::max_pages, fresh), nullptr);
    EXPECT_EQ(tree.find(Vfs_page_tree::max_pages), nullptr);
    tree.cut(pages, 0);
    EXPECT_TRUE(tree.empty());
    EXPECT_EQ(pages.in_use(), 0u);
}

TEST(VfsPageTree, EnsureWithoutPagesChangesNothing)
{
    Test_pages pages;
    Vfs_page_tree tree;
    bool fresh;
    void *zero = tree.ensure(pages, 0, fresh);
    std::memset(zero, 7, page);
    for (size_t allowed = 0; allowed < 3; ++allowed) {  // index 600 from depth 0 takes 4 pages
        pages.limit = pages.in_use() + allowed;
        EXPECT_EQ(tree.ensure(pages, 600, fresh), nullptr);
        EXPECT_EQ(pages.in_use(), 1u);
        EXPECT_EQ(tree.find(0), zero);
        EXPECT_EQ(tree.pages(), 1u);
    }
    pages.limit = SIZE_MAX;
    EXPECT_NE(tree.ensure(pages, 600, fresh), nullptr);
    EXPECT_EQ(tree.find(0), zero);
    EXPECT_EQ(static_cast<uint8_t *>(zero)[page - 1], 7);
    tree.cut(pages, 0);
}

TEST(VfsPageTree, CutFreesTheTailAndLowersTheTree)
{
    Test_pages pages;
    Vfs_page_tree tree;
    bool fresh;
    for (uint64_t i : {0u, 5u, 511u, 512u, 1000u, 70000u})
        ASSERT_NE(tree.ensure(pages, i, fresh), nullptr);
    tree.cut(pages, 512);
    EXPECT_EQ(tree.pages(), 3u);
    EXPECT_NE(tree.find(511), nullptr);
    EXPECT_EQ(tree.find(512), nullptr);
    EXPECT_EQ(tree.find(70000), nullptr);
    EXPECT_EQ(pages.in_use(), 4u);  // back to one level: an index page and three pages
    tree.cut(pages, 1);
    EXPECT_EQ(pages.in_use(), 1u);  // page 0 alone is the root
    EXPECT_NE(tree.find(0), nullptr);
    tree.cut(pages, 1);
    EXPECT_EQ(pages.in_use(), 1u);
    // A tree of holes below its only page also lowers completely.
    tree.cut(pages, 0);
    ASSERT_NE(tree.ensure(pages, 700, fresh), nullptr);
    tree.cut(pages, 1);
    EXPECT_TRUE(tree.empty());
    EXPECT_EQ(pages.in_use(), 0u);
}

// ----------------------------------------------------------------------------------------
// The root, inodes, references

static_assert(sizeof(Vfs) <= 2 * kib, "big tables live in pages");

TEST_F(VfsTest, RootIsADirectoryOfItsOwn)
{
    Vfs::Stat st = stat(Vfs::root_ino);
    EXPECT_EQ(st.ino, 1u);
    EXPECT_EQ(st.mode, 0040755u);
    EXPECT_EQ(st.nlink, 2u);
    EXPECT_EQ(vfs.root(), Vfs::root_ino);
    EXPECT_EQ(vfs.init(now), Errno::exist);
    uint32_t parent = 0;
    EXPECT_EQ(vfs.parent_of(Vfs::root_ino, parent), Errno::none);
    EXPECT_EQ(parent, Vfs::root_ino);
    EXPECT_EQ(list(Vfs::root_ino), (std::vector<std::string>{".", ".."}));
    EXPECT_EQ(vfs.inodes_in_use(), 1u);
}

TEST_F(VfsTest, BadInodeNumbersAreRefused)
{
    Vfs::Stat st;
    size_t done;
    char byte;
    for (uint32_t bad : {0u, 2u, Vfs::max_inodes, Vfs::max_inodes + 1, ~0u}) {
        EXPECT_EQ(vfs.stat(bad, st), Errno::badf);
        EXPECT_EQ(vfs.hold(bad), Errno::badf);
        vfs.drop(bad);
        EXPECT_EQ(vfs.read(bad, 0, &byte, 1, done), Errno::badf);
        EXPECT_EQ(vfs.write(bad, 0, &byte, 1, now, done), Errno::badf);
        EXPECT_EQ(vfs.truncate(bad, 0, now), Errno::badf);
        EXPECT_EQ(vfs.chmod(bad, 0, now), Errno::badf);
        EXPECT_EQ(vfs.link(bad, cwd, "x", 1, now), Errno::badf);
        uint32_t result;
        EXPECT_EQ(vfs.resolve(bad, "x", 1, true, result), Errno::badf);
    }
    size_t size;
    EXPECT_EQ(vfs.contiguous_data(0, size), nullptr);
}

TEST_F(VfsTest, UninitialisedFileSystemHasNoRoot)
{
    Test_pages other_pages;
    Vfs other(other_pages);
    uint32_t result;
    EXPECT_EQ(other.resolve(1, "/", 1, true, result), Errno::noent);
    EXPECT_EQ(other.load_cpio(nullptr, 0, 0), Errno::inval);
}

TEST_F(VfsTest, UnlinkedFileLivesWhileHeld)
{
    ASSERT_EQ(write("f", "hello"), Errno::none);
    uint32_t f = ino("f");
    ASSERT_EQ(vfs.hold(f), Errno::none);
    ASSERT_EQ(vfs.hold(f), Errno::none);
    const size_t before = pages.in_use();
    ASSERT_EQ(unlink("f"), Errno::none);
    EXPECT_EQ(ino("f"), 0u);
    EXPECT_EQ(stat(f).nlink, 0u);
    EXPECT_EQ(contents(f), "hello");
    size_t done;
    EXPECT_EQ(vfs.write(f, 5, " world", 6, now, done), Errno::none);
    EXPECT_EQ(contents(f), "hello world");
    EXPECT_EQ(vfs.link(f, cwd, "again", 5, now), Errno::noent);  // linkat(AT_EMPTY_PATH) of an unlinked file
    EXPECT_EQ(vfs.inodes_in_use(), 2u);
    vfs.drop(f);
    EXPECT_EQ(contents(f), "hello world");
    vfs.drop(f);
    Vfs::Stat st;
    EXPECT_EQ(vfs.stat(f, st), Errno::badf);
    EXPECT_EQ(vfs.inodes_in_use(), 1u);
    EXPECT_LT(pages.in_use(), before);
    vfs.drop(f);  // no longer there: ignored
}

TEST_F(VfsTest, DetachedFileIsInNoDirectoryAndGoesWithItsDrop)
{
    const size_t pages_before = pages.in_use();
    uint32_t f = 0;
    ASSERT_EQ(vfs.make_detached(0444, now, f), Errno::none);
    EXPECT_NE(f, 0u);
    EXPECT_EQ(stat(f).nlink, 0u);
    EXPECT_EQ(stat(f).mode, Vfs::type_regular | 0444);
    EXPECT_EQ(vfs.inodes_in_use(), 2u);
    size_t done;
    ASSERT_EQ(vfs.write(f, 0, "MemTotal: 1 kB\n", 15, now, done), Errno::none);
    EXPECT_EQ(contents(f), "MemTotal: 1 kB\n");
    EXPECT_EQ(vfs.link(f, cwd, "named", 5, now), Errno::noent);  // it cannot be given a name
    Vfs::Dir_entry entry;
    for (uint64_t cookie = 0; vfs.read_directory(cwd, cookie, entry) == Errno::none && entry.ino != 0;
         cookie = entry.next)
        EXPECT_NE(entry.ino, f);
    vfs.drop(f);
    Vfs::Stat st;
    EXPECT_EQ(vfs.stat(f, st), Errno::badf);
    EXPECT_EQ(vfs.inodes_in_use(), 1u);
    EXPECT_EQ(pages.in_use(), pages_before);
}

TEST_F(VfsTest, HeldFileSurvivesBeingReplacedByRename)
{
    ASSERT_EQ(write("old", "old data"), Errno::none);
    ASSERT_EQ(write("new", "new data"), Errno::none);
    uint32_t replaced = ino("old");
    ASSERT_EQ(vfs.hold(replaced), Errno::none);
    ASSERT_EQ(rename("new", "old"), Errno::none);
    EXPECT_EQ(contents("old"), "new data");
    EXPECT_EQ(contents(replaced), "old data");
    EXPECT_EQ(stat(replaced).nlink, 0u);
    vfs.drop(replaced);
    EXPECT_EQ(vfs.inodes_in_use(), 2u);
}

TEST_F(VfsTest, RemovedCurrentDirectory)
{
    ASSERT_EQ(mkdir("gone"), Errno::none);
    uint32_t dir = ino("gone");
    ASSERT_EQ(vfs.hold(dir), Errno::none);
    ASSERT_EQ(rmdir("gone"), Errno::none);
    EXPECT_EQ(stat(dir).nlink, 0u);
    EXPECT_EQ(stat(Vfs::root_ino).nlink, 2u);
    cwd = dir;
    uint32_t result;
    EXPECT_EQ(resolve(".", result), Errno::none);
    EXPECT_EQ(result, dir);
    EXPECT_EQ(resolve("..", result), Errno::noent);
    EXPECT_EQ(resolve("x", result), Errno::noent);
    EXPECT_EQ(create("x"), Errno::noent);
    EXPECT_EQ(mkdir("x"), Errno::noent);
    EXPECT_EQ(symlink("t", "x"), Errno::noent);
    EXPECT_EQ(vfs.rename(Vfs::root_ino, "/", 1, dir, "x", 1, now), Errno::busy);
    cwd = Vfs::root_ino;
    ASSERT_EQ(create("f"), Errno::none);
    EXPECT_EQ(vfs.rename(Vfs::root_ino, "f", 1, dir, "f", 1, now), Errno::noent);
    Vfs::Dir_entry entry;
    EXPECT_EQ(vfs.read_directory(dir, 0, entry), Errno::noent);
    uint32_t parent;
    EXPECT_EQ(vfs.parent_of(dir, parent), Errno::noent);
    vfs.drop(dir);
    EXPECT_EQ(vfs.inodes_in_use(), 2u);
}

TEST_F(VfsTest, ReferenceCountsAreChecked)
{
    ASSERT_EQ(create("f"), Errno::none);
    uint32_t f = ino("f");
    vfs.drop(f);  // not held: ignored, and the file stays
    EXPECT_EQ(ino("f"), f);
    EXPECT_EQ(vfs.hold(f), Errno::none);
    vfs.drop(f);
    EXPECT_EQ(ino("f"), f);
}

// ----------------------------------------------------------------------------------------
// Creating

TEST_F(VfsTest, CreateWriteRead)
{
    uint32_t f = 0;
    bool created = false;
    ASSERT_EQ(vfs.create(cwd, "file", 4, 0640, false, 7, 8, 5000, f, created), Errno::none);
    EXPECT_TRUE(created);
    Vfs::Stat st = stat(f);
    EXPECT_EQ(st.mode, 0100640u);
    EXPECT_EQ(st.uid, 7u);
    EXPECT_EQ(st.gid, 8u);
    EXPECT_EQ(st.nlink, 1u);
    EXPECT_EQ(st.size, 0u);
    EXPECT_EQ(st.atime, 5000u);
    EXPECT_EQ(st.mtime, 5000u);
    EXPECT_EQ(st.ctime, 5000u);
    EXPECT_EQ(stat(Vfs::root_ino).mtime, 5000u);
    size_t done = 0;
    ASSERT_EQ(vfs.write(f, 0, "abc", 3, 6000, done), Errno::none);
    EXPECT_EQ(done, 3u);
    st = stat(f);
    EXPECT_EQ(st.size, 3u);
    EXPECT_EQ(st.mtime, 6000u);
    EXPECT_EQ(st.ctime, 6000u);
    EXPECT_EQ(st.atime, 5000u);
    EXPECT_EQ(contents(f), "abc");

    uint32_t again = 0;
    ASSERT_EQ(vfs.create(cwd, "file", 4, 0600, false, 0, 0, now, again, created), Errno::none);
    EXPECT_FALSE(created);
    EXPECT_EQ(again, f);
    EXPECT_EQ(stat(f).mode, 0100640u);  // an existing file keeps its mode
    EXPECT_EQ(vfs.create(cwd, "file", 4, 0600, true, 0, 0, now, again, created), Errno::exist);
}

TEST_F(VfsTest, CreateErrors)
{
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(create("f"), Errno::none);
    uint32_t result;
    EXPECT_EQ(create("d", result), Errno::isdir);
    EXPECT_EQ(create("d", result, true), Errno::exist);
    EXPECT_EQ(create("new/", result), Errno::isdir);
    EXPECT_EQ(create("f/", result), Errno::isdir);
    EXPECT_EQ(create(".", result), Errno::isdir);
    EXPECT_EQ(create(".", result, true), Errno::exist);
    EXPECT_EQ(create("/", result), Errno::isdir);
    EXPECT_EQ(create("..", result), Errno::isdir);
    EXPECT_EQ(create("missing/x", result), Errno::noent);
    EXPECT_EQ(create("f/x", result), Errno::notdir);
    EXPECT_EQ(create("", result), Errno::noent);
    EXPECT_EQ(names("/"), (std::set<std::string>{".", "..", "d", "f"}));
}

TEST_F(VfsTest, CreateThroughDanglingSymlinkMakesTheTarget)
{
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(symlink("d/target", "link"), Errno::none);
    uint32_t result;
    EXPECT_EQ(create("link", result, true), Errno::exist);  // O_EXCL does not follow
    ASSERT_EQ(create("link", result), Errno::none);
    EXPECT_EQ(ino("d/target"), result);
    EXPECT_EQ(ino("link"), result);
    ASSERT_EQ(symlink("/d", "dirlink"), Errno::none);
    EXPECT_EQ(create("dirlink", result), Errno::isdir);
    ASSERT_EQ(symlink("nowhere/x", "deep"), Errno::none);
    EXPECT_EQ(create("deep", result), Errno::noent);
    ASSERT_EQ(symlink("loop", "loop"), Errno::none);
    EXPECT_EQ(create("loop", result), Errno::loop);
}

TEST_F(VfsTest, Mkdir)
{
    ASSERT_EQ(vfs.mkdir(cwd, "a", 1, 07755, 3, 4, 777), Errno::none);
    Vfs::Stat st = stat("a");
    EXPECT_EQ(st.mode, 047755u);  // setuid, setgid, sticky kept as given
    EXPECT_EQ(st.nlink, 2u);
    EXPECT_EQ(st.uid, 3u);
    EXPECT_EQ(st.size, 40u);
    EXPECT_EQ(stat("/").nlink, 3u);
    EXPECT_EQ(mkdir("a/b/"), Errno::none);  // a trailing slash is fine for mkdir
    EXPECT_EQ(mkdir("a//c//"), Errno::none);
    EXPECT_EQ(stat("a").nlink, 4u);
    EXPECT_EQ(stat("a").size, 80u);
    EXPECT_EQ(mkdir("a"), Errno::exist);
    EXPECT_EQ(mkdir("a/"), Errno::exist);
    EXPECT_EQ(mkdir("."), Errno::exist);
    EXPECT_EQ(mkdir(".."), Errno::exist);
    EXPECT_EQ(mkdir("/"), Errno::exist);
    EXPECT_EQ(mkdir("a/."), Errno::exist);
    EXPECT_EQ(mkdir("x/y"), Errno::noent);
    ASSERT_EQ(create("f"), Errno::none);
    EXPECT_EQ(mkdir("f"), Errno::exist);
    EXPECT_EQ(mkdir("f/x"), Errno::notdir);
    ASSERT_EQ(symlink("nowhere", "dangling"), Errno::none);
    EXPECT_EQ(mkdir("dangling"), Errno::exist);
    EXPECT_EQ(mkdir("dangling/"), Errno::exist);
}

TEST_F(VfsTest, Mknod)
{
    const uint64_t tty = Vfs::make_device(5, 0);
    EXPECT_EQ(tty, 0x500u);
    EXPECT_EQ(Vfs::make_device(0x12345, 0x6789a), 0x0001'2000'6783'459au);
    ASSERT_EQ(vfs.mknod(cwd, "tty", 3, 0020666, tty, 0, 0, now), Errno::none);
    Vfs::Stat st = stat("tty");
    EXPECT_EQ(st.mode, 0020666u);
    EXPECT_EQ(st.rdev, tty);
    ASSERT_EQ(vfs.mknod(cwd, "sda", 3, 0060660, Vfs::make_device(8, 0), 0, 0, now), Errno::none);
    EXPECT_EQ(stat("sda").rdev, 0x800u);
    ASSERT_EQ(vfs.mknod(cwd, "fifo", 4, 0010600, 123, 0, 0, now), Errno::none);
    EXPECT_EQ(stat("fifo").mode, 0010600u);
    EXPECT_EQ(stat("fifo").rdev, 0u);  // only devices have one
    ASSERT_EQ(vfs.mknod(cwd, "sock", 4, 0140755, 0, 0, 0, now), Errno::none);
    ASSERT_EQ(vfs.mknod(cwd, "plain", 5, 0644, 0, 0, 0, now), Errno::none);
    EXPECT_EQ(stat("plain").mode, 0100644u);
    EXPECT_EQ(vfs.mknod(cwd, "dir", 3, 0040755, 0, 0, 0, now), Errno::perm);
    EXPECT_EQ(vfs.mknod(cwd, "bad", 3, 0030755, 0, 0, 0, now), Errno::inval);
    EXPECT_EQ(vfs.mknod(cwd, "tty", 3, 0020666, tty, 0, 0, now), Errno::exist);
    EXPECT_EQ(vfs.mknod(cwd, "new/", 4, 0020666, tty, 0, 0, now), Errno::noent);
    EXPECT_EQ(vfs.mknod(cwd, "tty/", 4, 0020666, tty, 0, 0, now), Errno::exist);
    size_t done;
    char byte = 0;
    EXPECT_EQ(vfs.read(ino("tty"), 0, &byte, 1, done), Errno::inval);
    EXPECT_EQ(vfs.write(ino("fifo"), 0, &byte, 1, now, done), Errno::inval);
    EXPECT_EQ(vfs.truncate(ino("fifo"), 0, now), Errno::inval);
}

TEST_F(VfsTest, SymlinkAndReadlink)
{
    const std::string short_target = "a";
    const std::string medium_target(32, 'm');
    const std::string long_target = "/" + std::string(200, 'x');
    const std::string longest(Vfs::max_path - 1, 'y');
    ASSERT_EQ(symlink(short_target.c_str(), "s"), Errno::none);
    ASSERT_EQ(symlink(medium_target.c_str(), "m"), Errno::none);
    ASSERT_EQ(symlink(long_target.c_str(), "l"), Errno::none);
    ASSERT_EQ(symlink(longest.c_str(), "longest"), Errno::none);
    EXPECT_EQ(readlink("s"), short_target);
    EXPECT_EQ(readlink("m"), medium_target);
    EXPECT_EQ(readlink("l"), long_target);
    EXPECT_EQ(readlink("longest"), longest);
    Vfs::Stat st = stat("l", false);
    EXPECT_EQ(st.mode, 0120777u);
    EXPECT_EQ(st.size, long_target.size());

    char buffer[4];
    size_t n = 0;
    EXPECT_EQ(vfs.readlink(ino("l", false), buffer, sizeof buffer, n), Errno::none);
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(std::string(buffer, 4), "/xxx");
    EXPECT_EQ(vfs.readlink(ino("l", false), buffer, 0, n), Errno::inval);
    ASSERT_EQ(create("f"), Errno::none);
    EXPECT_EQ(vfs.readlink(ino("f"), buffer, sizeof buffer, n), Errno::inval);

    EXPECT_EQ(symlink("", "empty"), Errno::noent);
    const std::string too_long(Vfs::max_path, 'z');
    EXPECT_EQ(vfs.symlink(too_long.data(), too_long.size(), cwd, "t", 1, 0, 0, now), Errno::nametoolong);
    EXPECT_EQ(vfs.symlink(nullptr, 0, cwd, "t", 1, 0, 0, now), Errno::noent);
    EXPECT_EQ(symlink("x", "s"), Errno::exist);
    EXPECT_EQ(symlink("x", "new/"), Errno::noent);
    EXPECT_EQ(symlink("x", "."), Errno::exist);
    EXPECT_EQ(vfs.inodes_in_use(), 6u);
}

TEST_F(VfsTest, HardLinks)
{
    ASSERT_EQ(write("f", "data"), Errno::none);
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(link("f", "d/g"), Errno::none);
    EXPECT_EQ(ino("d/g"), ino("f"));
    EXPECT_EQ(stat("f").nlink, 2u);
    EXPECT_EQ(contents("d/g"), "data");
    EXPECT_EQ(link("d", "e"), Errno::perm);
    EXPECT_EQ(link("f", "d/g"), Errno::exist);
    EXPECT_EQ(link("f", "d"), Errno::exist);
    EXPECT_EQ(link("f", "new/"), Errno::noent);
    EXPECT_EQ(link("f", "."), Errno::exist);
    EXPECT_EQ(link("f", "nowhere/x"), Errno::noent);
    ASSERT_EQ(symlink("f", "s"), Errno::none);
    ASSERT_EQ(link("s", "s2"), Errno::none);  // the link itself (linkat without AT_SYMLINK_FOLLOW)
    EXPECT_EQ(ino("s2", false), ino("s", false));
    ASSERT_EQ(unlink("f"), Errno::none);
    EXPECT_EQ(contents("d/g"), "data");
    EXPECT_EQ(stat("d/g").nlink, 1u);
}

// ----------------------------------------------------------------------------------------
// Removing

TEST_F(VfsTest, Unlink)
{
    ASSERT_EQ(write("f", "x"), Errno::none);
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(symlink("f", "s"), Errno::none);
    EXPECT_EQ(unlink("d"), Errno::isdir);
    EXPECT_EQ(unlink("d/"), Errno::isdir);
    EXPECT_EQ(unlink("f/"), Errno::notdir);
    EXPECT_EQ(unlink("missing/"), Errno::noent);
    EXPECT_EQ(unlink("missing"), Errno::noent);
    EXPECT_EQ(unlink("."), Errno::isdir);
    EXPECT_EQ(unlink(".."), Errno::isdir);
    EXPECT_EQ(unlink("/"), Errno::isdir);
    EXPECT_EQ(unlink("f/x"), Errno::notdir);
    const uint64_t before = now;
    ASSERT_EQ(unlink("s"), Errno::none);  // the link, not its target
    EXPECT_EQ(contents("f"), "x");
    EXPECT_GT(stat("/").mtime, before);
    ASSERT_EQ(unlink("f"), Errno::none);
    EXPECT_EQ(ino("f"), 0u);
    EXPECT_EQ(unlink("f"), Errno::noent);
    EXPECT_EQ(names("/"), (std::set<std::string>{".", "..", "d"}));
    EXPECT_EQ(vfs.inodes_in_use(), 2u);
}

TEST_F(VfsTest, Rmdir)
{
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(mkdir("d/e"), Errno::none);
    ASSERT_EQ(create("f"), Errno::none);
    EXPECT_EQ(rmdir("d"), Errno::notempty);
    EXPECT_EQ(rmdir("."), Errno::inval);
    EXPECT_EQ(rmdir("d/."), Errno::inval);
    EXPECT_EQ(rmdir("d/e/.."), Errno::notempty);
    EXPECT_EQ(rmdir(".."), Errno::notempty);
    EXPECT_EQ(rmdir("/"), Errno::busy);
    EXPECT_EQ(rmdir("//"), Errno::busy);
    EXPECT_EQ(rmdir("f"), Errno::notdir);
    EXPECT_EQ(rmdir("f/"), Errno::notdir);
    EXPECT_EQ(rmdir("missing"), Errno::noent);
    ASSERT_EQ(symlink("d/e", "s"), Errno::none);
    EXPECT_EQ(rmdir("s"), Errno::notdir);  // the last component is not followed
    EXPECT_EQ(stat("d").nlink, 3u);
    ASSERT_EQ(rmdir("d/e/"), Errno::none);
    EXPECT_EQ(stat("d").nlink, 2u);
    EXPECT_EQ(stat("/").nlink, 3u);
    ASSERT_EQ(rmdir("d"), Errno::none);
    EXPECT_EQ(stat("/").nlink, 2u);
    EXPECT_EQ(vfs.inodes_in_use(), 3u);  // the root, f, s
}

// ----------------------------------------------------------------------------------------
// Path resolution

TEST_F(VfsTest, ResolveComponentsDotsAndSlashes)
{
    ASSERT_EQ(mkdir("a"), Errno::none);
    ASSERT_EQ(mkdir("a/b"), Errno::none);
    ASSERT_EQ(create("a/b/f"), Errno::none);
    const uint32_t a = ino("a"), b = ino("a/b"), f = ino("a/b/f");
    EXPECT_NE(f, 0u);
    EXPECT_EQ(ino("/"), Vfs::root_ino);
    EXPECT_EQ(ino("///"), Vfs::root_ino);
    EXPECT_EQ(ino("."), Vfs::root_ino);
    EXPECT_EQ(ino(".."), Vfs::root_ino);
    EXPECT_EQ(ino("/../../.."), Vfs::root_ino);  // above the root is the root
    EXPECT_EQ(ino("//a///b//f"), f);
    EXPECT_EQ(ino("a/./b/../b/./f"), f);
    EXPECT_EQ(ino("a/b/"), b);
    EXPECT_EQ(ino("a/b/."), b);
    EXPECT_EQ(ino("a/b/.."), a);
    EXPECT_EQ(ino("a/b/../../.."), Vfs::root_ino);
    uint32_t result;
    EXPECT_EQ(resolve("a/b/f/", result), Errno::notdir);
    EXPECT_EQ(resolve("a/b/f/.", result), Errno::notdir);
    EXPECT_EQ(resolve("a/b/f/..", result), Errno::notdir);
    EXPECT_EQ(resolve("a/b/f/x", result), Errno::notdir);
    EXPECT_EQ(resolve("a/x/f", result), Errno::noent);
    EXPECT_EQ(resolve("", result), Errno::noent);
    EXPECT_EQ(vfs.resolve(cwd, nullptr, 0, true, result), Errno::noent);

    // Relative to another directory (a dirfd's, or the cwd).
    cwd = b;
    EXPECT_EQ(ino("f"), f);
    EXPECT_EQ(ino(".."), a);
    EXPECT_EQ(ino("/a"), a);
    cwd = f;
    EXPECT_EQ(resolve("x", result), Errno::notdir);
    EXPECT_EQ(ino("/a"), a);  // an absolute path ignores the start
    cwd = 999;
    EXPECT_EQ(resolve("x", result), Errno::badf);

    // A NUL ends a path.
    EXPECT_EQ(vfs.resolve(Vfs::root_ino, "a\0/b", 4, true, result), Errno::none);
    EXPECT_EQ(result, a);
    EXPECT_EQ(vfs.resolve(Vfs::root_ino, "\0a", 2, true, result), Errno::noent);
    // Only length bytes are read: "a/b/f" cut short is "a/b".
    EXPECT_EQ(vfs.resolve(Vfs::root_ino, "a/b/f", 3, true, result), Errno::none);
    EXPECT_EQ(result, b);
}

TEST_F(VfsTest, ResolveParent)
{
    ASSERT_EQ(mkdir("a"), Errno::none);
    ASSERT_EQ(create("a/f"), Errno::none);
    ASSERT_EQ(symlink("a", "l"), Errno::none);
    Vfs::Walk walked{};
    const char *path = "l/f/";
    ASSERT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::none);
    EXPECT_EQ(walked.dir, ino("a"));
    EXPECT_EQ(walked.ino, ino("a/f"));
    EXPECT_EQ(walked.last, Vfs::Last::normal);
    EXPECT_EQ(std::string(walked.name, walked.name_length), "f");
    EXPECT_EQ(walked.name, path + 2);
    EXPECT_TRUE(walked.trailing_slash);
    path = "l";
    ASSERT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::none);
    EXPECT_EQ(walked.dir, Vfs::root_ino);
    EXPECT_EQ(walked.ino, ino("l", false));  // not followed
    EXPECT_FALSE(walked.trailing_slash);
    path = "a/new";
    ASSERT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::none);
    EXPECT_EQ(walked.ino, 0u);
    path = "a/..";
    ASSERT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::none);
    EXPECT_EQ(walked.last, Vfs::Last::dotdot);
    EXPECT_EQ(walked.dir, ino("a"));
    EXPECT_EQ(walked.ino, Vfs::root_ino);
    path = "/.";
    ASSERT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::none);
    EXPECT_EQ(walked.last, Vfs::Last::dot);
    path = "//";
    ASSERT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::none);
    EXPECT_EQ(walked.last, Vfs::Last::root);
    EXPECT_EQ(walked.ino, Vfs::root_ino);
    path = "a/f/x";
    EXPECT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::notdir);
    path = "missing/x";
    EXPECT_EQ(vfs.resolve_parent(cwd, path, len(path), walked), Errno::noent);
}

TEST_F(VfsTest, NameAndPathLengthLimits)
{
    const std::string longest(Vfs::max_name, 'n');
    const std::string too_long(Vfs::max_name + 1, 'n');
    EXPECT_EQ(create(longest.c_str()), Errno::none);
    EXPECT_NE(ino(longest.c_str()), 0u);
    EXPECT_EQ(create(too_long.c_str()), Errno::nametoolong);
    EXPECT_EQ(mkdir(too_long.c_str()), Errno::nametoolong);
    uint32_t result;
    EXPECT_EQ(resolve((too_long + "/x").c_str(), result), Errno::nametoolong);
    EXPECT_EQ(vfs.resolve(cwd, too_long.data(), too_long.size(), true, result), Errno::nametoolong);

    // PATH_MAX counts the NUL: 4095 characters resolve, 4096 do not.
    std::string path;
    while (path.size() + 2 <= Vfs::max_path - 1)
        path += "./";
    path += std::string(Vfs::max_path - 1 - path.size(), '/');
    ASSERT_EQ(path.size(), Vfs::max_path - 1);
    EXPECT_EQ(resolve(path.c_str(), result), Errno::none);
    EXPECT_EQ(result, Vfs::root_ino);
    path += "/";
    EXPECT_EQ(resolve(path.c_str(), result), Errno::nametoolong);
    EXPECT_EQ(mkdir(path.c_str()), Errno::nametoolong);
}

TEST_F(VfsTest, SymlinksInTheMiddleAndAtTheEnd)
{
    ASSERT_EQ(mkdir("usr"), Errno::none);
    ASSERT_EQ(mkdir("usr/lib"), Errno::none);
    ASSERT_EQ(write("usr/lib/libc", "c"), Errno::none);
    ASSERT_EQ(symlink("usr/lib", "lib"), Errno::none);       // relative
    ASSERT_EQ(symlink("/usr/lib", "abslib"), Errno::none);   // absolute
    ASSERT_EQ(symlink("../lib/libc", "usr/lib/up"), Errno::none);  // relative to the link's directory
    ASSERT_EQ(symlink("lib", "lib2"), Errno::none);          // a chain
    ASSERT_EQ(symlink("libc", "usr/lib/cc"), Errno::none);
    const uint32_t libc = ino("usr/lib/libc"), dir = ino("usr/lib");
    EXPECT_EQ(ino("lib/libc"), libc);
    EXPECT_EQ(ino("abslib/libc"), libc);
    EXPECT_EQ(ino("lib2/libc"), libc);
    EXPECT_EQ(ino("lib2/cc"), libc);
    EXPECT_EQ(ino("usr/lib/up"), libc);
    EXPECT_EQ(ino("lib/../lib/libc"), libc);  // ".." after a link is the target's parent
    EXPECT_EQ(ino("lib/.."), ino("usr"));
    EXPECT_EQ(ino("lib"), dir);
    EXPECT_NE(ino("lib", false), dir);  // lstat sees the link
    EXPECT_EQ(stat("lib", false).mode & Vfs::type_mask, Vfs::type_symlink);
    EXPECT_EQ(ino("lib/", false), dir);  // a trailing slash follows anyway
    EXPECT_EQ(ino("lib/.", false), dir);
    EXPECT_EQ(ino("lib2/cc", false), ino("usr/lib/cc", false));

    uint32_t result;
    ASSERT_EQ(symlink("usr/lib/libc", "file_link"), Errno::none);
    EXPECT_EQ(resolve("file_link/", result), Errno::notdir);
    EXPECT_EQ(resolve("file_link/", result, false), Errno::notdir);
    EXPECT_EQ(resolve("file_link/x", result), Errno::notdir);
    ASSERT_EQ(symlink("usr/lib/libc/", "slashed"), Errno::none);  // a target with a slash needs a directory
    EXPECT_EQ(resolve("slashed", result), Errno::notdir);
    ASSERT_EQ(symlink("nowhere", "dangling"), Errno::none);
    EXPECT_EQ(resolve("dangling", result), Errno::noent);
    EXPECT_EQ(resolve("dangling", result, false), Errno::none);
    ASSERT_EQ(symlink("/", "rootlink"), Errno::none);
    EXPECT_EQ(ino("rootlink"), Vfs::root_ino);
    EXPECT_EQ(ino("rootlink/usr/../rootlink/lib/libc"), libc);
    ASSERT_EQ(symlink("//usr//lib//", "slashes"), Errno::none);
    EXPECT_EQ(ino("slashes"), dir);

    // Targets too long for the inode live in a page, in the middle of a path or at its end.
    std::string long_target;
    for (int i = 0; i < 30; ++i)
        long_target += "./";
    long_target += "usr/lib";
    ASSERT_EQ(symlink(long_target.c_str(), "long"), Errno::none);
    EXPECT_EQ(ino("long/libc"), libc);
    EXPECT_EQ(ino("long"), dir);
    ASSERT_EQ(symlink((long_target + "/new_through_long").c_str(), "dangling_long"), Errno::none);
    uint32_t made;
    ASSERT_EQ(create("dangling_long", made), Errno::none);
    EXPECT_EQ(ino("usr/lib/new_through_long"), made);
}

TEST_F(VfsTest, SymlinkLoopsAndTheFortyLinkLimit)
{
    ASSERT_EQ(symlink("b", "a"), Errno::none);
    ASSERT_EQ(symlink("a", "b"), Errno::none);
    ASSERT_EQ(symlink("self", "self"), Errno::none);
    ASSERT_EQ(symlink("self/x", "through"), Errno::none);
    uint32_t result;
    EXPECT_EQ(resolve("a", result), Errno::loop);
    EXPECT_EQ(resolve("a/x", result), Errno::loop);
    EXPECT_EQ(resolve("self", result), Errno::loop);
    EXPECT_EQ(resolve("through", result), Errno::loop);
    EXPECT_EQ(resolve("a", result, false), Errno::none);  // not followed: no loop
    EXPECT_EQ(resolve("a/", result, false), Errno::loop);

    // A chain l0 -> l1 -> ... -> l40 -> d: 41 links fail, 40 resolve.
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(symlink("d", "l40"), Errno::none);
    for (int i = 39; i >= 0; --i)
        ASSERT_EQ(symlink(("l" + std::to_string(i + 1)).c_str(), ("l" + std::to_string(i)).c_str()), Errno::none);
    EXPECT_EQ(ino("l1"), ino("d"));
    EXPECT_EQ(resolve("l0", result), Errno::loop);
    EXPECT_EQ(ino("l0", false), ino("l0", false));

    // Links nested in the middle (each target continues with more components): 40 deep.
    ASSERT_EQ(create("d/f"), Errno::none);
    ASSERT_EQ(symlink("d/.", "n40"), Errno::none);
    for (int i = 39; i >= 1; --i)
        ASSERT_EQ(symlink(("n" + std::to_string(i + 1) + "/.").c_str(), ("n" + std::to_string(i)).c_str()),
                  Errno::none);
    EXPECT_EQ(ino("n1/f"), ino("d/f"));
    ASSERT_EQ(symlink("n1/.", "n0"), Errno::none);
    EXPECT_EQ(resolve("n0/f", result), Errno::loop);
}

// ----------------------------------------------------------------------------------------
// Rename

TEST_F(VfsTest, RenameFileWithinAndAcrossDirectories)
{
    ASSERT_EQ(write("f", "contents"), Errno::none);
    ASSERT_EQ(mkdir("d"), Errno::none);
    const uint32_t f = ino("f");
    ASSERT_EQ(rename("f", "g"), Errno::none);
    EXPECT_EQ(ino("f"), 0u);
    EXPECT_EQ(ino("g"), f);
    ASSERT_EQ(rename("g", "d/h"), Errno::none);
    EXPECT_EQ(ino("d/h"), f);
    EXPECT_EQ(contents("d/h"), "contents");
    EXPECT_EQ(stat(f).nlink, 1u);
    EXPECT_EQ(stat("/").nlink, 3u);
    EXPECT_EQ(stat("d").nlink, 2u);
    EXPECT_EQ(names("/"), (std::set<std::string>{".", "..", "d"}));
    EXPECT_EQ(stat(f).ctime, now);
    EXPECT_EQ(stat("d").mtime, now);
    EXPECT_EQ(stat("/").mtime, now);
}

TEST_F(VfsTest, RenameReplaces)
{
    ASSERT_EQ(write("a", "A"), Errno::none);
    ASSERT_EQ(write("b", "B"), Errno::none);
    ASSERT_EQ(rename("a", "b"), Errno::none);
    EXPECT_EQ(contents("b"), "A");
    EXPECT_EQ(ino("a"), 0u);
    EXPECT_EQ(vfs.inodes_in_use(), 2u);  // B's inode is gone

    ASSERT_EQ(mkdir("x"), Errno::none);
    ASSERT_EQ(mkdir("y"), Errno::none);
    ASSERT_EQ(mkdir("p"), Errno::none);
    ASSERT_EQ(mkdir("p/q"), Errno::none);
    ASSERT_EQ(create("x/inside"), Errno::none);
    const uint32_t x = ino("x");
    EXPECT_EQ(stat("/").nlink, 5u);
    ASSERT_EQ(rename("x", "y"), Errno::none);  // a directory over an empty one
    EXPECT_EQ(ino("y"), x);
    EXPECT_EQ(stat("/").nlink, 4u);
    ASSERT_EQ(rename("y", "p/q"), Errno::none);  // and across directories
    EXPECT_EQ(ino("p/q"), x);
    EXPECT_EQ(ino("p/q/.."), ino("p"));
    uint32_t parent = 0;
    EXPECT_EQ(vfs.parent_of(x, parent), Errno::none);
    EXPECT_EQ(parent, ino("p"));
    EXPECT_EQ(stat("/").nlink, 3u);
    EXPECT_EQ(stat("p").nlink, 3u);
    EXPECT_EQ(ino("p/q/inside"), ino("/p/q/./inside"));
    Vfs::Dir_entry dotdot;
    ASSERT_EQ(vfs.read_directory(x, 1, dotdot), Errno::none);
    EXPECT_EQ(dotdot.ino, ino("p"));
    EXPECT_EQ(vfs.inodes_in_use(), 5u);  // root, b, p, x (as p/q), inside
}

TEST_F(VfsTest, RenameMismatchesAndNonEmptyTargets)
{
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(mkdir("full"), Errno::none);
    ASSERT_EQ(create("full/f"), Errno::none);
    ASSERT_EQ(create("f"), Errno::none);
    EXPECT_EQ(rename("d", "f"), Errno::notdir);
    EXPECT_EQ(rename("f", "d"), Errno::isdir);
    EXPECT_EQ(rename("d", "full"), Errno::notempty);
    EXPECT_EQ(rename("f/", "g"), Errno::notdir);
    EXPECT_EQ(rename("f", "g/"), Errno::notdir);
    EXPECT_EQ(rename("missing", "g"), Errno::noent);
    EXPECT_EQ(rename("f", "missing/g"), Errno::noent);
    EXPECT_EQ(rename("f", "full/f/g"), Errno::notdir);
    EXPECT_EQ(rename(".", "g"), Errno::busy);
    EXPECT_EQ(rename("f", "."), Errno::busy);
    EXPECT_EQ(rename("d/..", "g"), Errno::busy);
    EXPECT_EQ(rename("/", "g"), Errno::busy);
    EXPECT_EQ(rename("f", "/"), Errno::busy);
    ASSERT_EQ(rename("d/", "e/"), Errno::none);  // slashes are fine on directories
    EXPECT_NE(ino("e"), 0u);
    EXPECT_EQ(names("/"), (std::set<std::string>{".", "..", "e", "full", "f"}));
}

TEST_F(VfsTest, RenameIntoItsOwnSubtree)
{
    ASSERT_EQ(mkdir("a"), Errno::none);
    ASSERT_EQ(mkdir("a/b"), Errno::none);
    ASSERT_EQ(mkdir("a/b/c"), Errno::none);
    EXPECT_EQ(rename("a", "a/x"), Errno::inval);
    EXPECT_EQ(rename("a", "a/b/c/x"), Errno::inval);
    EXPECT_EQ(rename("a", "a/b/c"), Errno::inval);
    EXPECT_EQ(rename("a/b", "a/b/c"), Errno::inval);
    EXPECT_EQ(rename("a/b/c", "a"), Errno::notempty);  // the target is above the source
    EXPECT_EQ(rename("a/b/c", "a/b"), Errno::notempty);
    ASSERT_EQ(symlink("a/b", "lb"), Errno::none);
    EXPECT_EQ(rename("a", "lb/x"), Errno::inval);  // through a link too
    ASSERT_EQ(rename("a/b/c", "c"), Errno::none);
    ASSERT_EQ(rename("a/b", "c/b"), Errno::none);
    EXPECT_NE(ino("c/b"), 0u);
    EXPECT_EQ(stat("a").nlink, 2u);
    EXPECT_EQ(stat("c").nlink, 3u);
}

TEST_F(VfsTest, RenameOfOneInodeOntoItselfDoesNothing)
{
    ASSERT_EQ(write("f", "x"), Errno::none);
    ASSERT_EQ(link("f", "g"), Errno::none);
    ASSERT_EQ(rename("f", "g"), Errno::none);
    EXPECT_NE(ino("f"), 0u);  // POSIX: both names stay
    EXPECT_EQ(ino("f"), ino("g"));
    EXPECT_EQ(stat("f").nlink, 2u);
    ASSERT_EQ(rename("f", "f"), Errno::none);
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(rename("d", "d"), Errno::none);
    ASSERT_EQ(rename("d", "./d/"), Errno::none);
    EXPECT_EQ(stat("/").nlink, 3u);
}

TEST_F(VfsTest, RenameWithinOneDirectoryKeepsItConsistent)
{
    for (int i = 0; i < 40; ++i)
        ASSERT_EQ(create(("f" + std::to_string(i)).c_str()), Errno::none);
    for (int i = 0; i < 40; ++i)
        ASSERT_EQ(rename(("f" + std::to_string(i)).c_str(), ("g" + std::to_string(i)).c_str()), Errno::none);
    std::set<std::string> expected{".", ".."};
    for (int i = 0; i < 40; ++i)
        expected.insert("g" + std::to_string(i));
    EXPECT_EQ(names("/"), expected);
    EXPECT_EQ(stat("/").size, 42u * 20);
}

// ----------------------------------------------------------------------------------------
// Contents

TEST_F(VfsTest, BigSparseFile)
{
    uint32_t f;
    ASSERT_EQ(create("big", f), Errno::none);
    const std::string a = pattern(10, 1), b = pattern(3 * page + 17, 2), c = pattern(100, 3);
    size_t done;
    ASSERT_EQ(vfs.write(f, 0, a.data(), a.size(), now, done), Errno::none);
    ASSERT_EQ(vfs.write(f, 10 * mib - 5, b.data(), b.size(), now, done), Errno::none);
    ASSERT_EQ(vfs.write(f, 63 * mib, c.data(), c.size(), now, done), Errno::none);
    Vfs::Stat st = stat(f);
    EXPECT_EQ(st.size, 63 * mib + 100);
    EXPECT_EQ(st.blocks, (1 + 5 + 1) * page / 512);  // only written pages exist
    EXPECT_LT(pages.in_use(), 20u);

    std::string out(page * 2, 'x');
    ASSERT_EQ(vfs.read(f, 5 * mib, out.data(), out.size(), done), Errno::none);
    EXPECT_EQ(done, out.size());
    EXPECT_EQ(out, std::string(out.size(), '\0'));  // a hole
    out.assign(b.size() + 20, 'x');
    ASSERT_EQ(vfs.read(f, 10 * mib - 15, out.data(), out.size(), done), Errno::none);
    EXPECT_EQ(out.substr(0, 10), std::string(10, '\0'));
    EXPECT_EQ(out.substr(10, b.size()), b);
    EXPECT_EQ(out.substr(10 + b.size()), std::string(10, '\0'));
    out.assign(1000, 'x');
    ASSERT_EQ(vfs.read(f, 63 * mib + 50, out.data(), out.size(), done), Errno::none);
    EXPECT_EQ(done, 50u);  // up to the end of the file
    EXPECT_EQ(out.substr(0, 50), c.substr(50));
    ASSERT_EQ(vfs.read(f, 63 * mib + 100, out.data(), out.size(), done), Errno::none);
    EXPECT_EQ(done, 0u);
    ASSERT_EQ(vfs.read(f, ~uint64_t{0}, out.data(), out.size(), done), Errno::none);
    EXPECT_EQ(done, 0u);
    ASSERT_EQ(unlink("big"), Errno::none);
    EXPECT_EQ(pages.in_use(), 1u);  // the inode page; the root's emptied entry page went too
}

TEST_F(VfsTest, ManyPagesWrittenInPiecesReadBackWhole)
{
    uint32_t f;
    ASSERT_EQ(create("f", f), Errno::none);
    const std::string data = pattern(5 * mib + 123, 9);
    size_t done;
    for (size_t at = 0; at < data.size(); at += 7777) {
        const size_t n = std::min<size_t>(7777, data.size() - at);
        ASSERT_EQ(vfs.write(f, at, data.data() + at, n, now, done), Errno::none);
        ASSERT_EQ(done, n);
    }
    EXPECT_EQ(contents(f), data);
    std::string piece(10000, '\0');
    ASSERT_EQ(vfs.read(f, 4095, piece.data(), piece.size(), done), Errno::none);
    EXPECT_EQ(piece, data.substr(4095, 10000));
    // Overwriting in the middle.
    ASSERT_EQ(vfs.write(f, 2 * mib - 1, "XY", 2, now, done), Errno::none);
    ASSERT_EQ(vfs.read(f, 2 * mib - 2, piece.data(), 4, done), Errno::none);
    EXPECT_EQ(piece.substr(0, 4), data.substr(2 * mib - 2, 1) + "XY" + data.substr(2 * mib + 1, 1));
    EXPECT_EQ(stat(f).size, data.size());
}

TEST_F(VfsTest, TruncateGrowsWithZerosAndShrinksFreeingPages)
{
    uint32_t f;
    ASSERT_EQ(create("f", f), Errno::none);
    const std::string data = pattern(4 * page, 4);
    size_t done;
    ASSERT_EQ(vfs.write(f, 0, data.data(), data.size(), now, done), Errno::none);
    const size_t with_data = pages.in_use();
    ASSERT_EQ(vfs.truncate(f, page + 10, 4242), Errno::none);
    EXPECT_EQ(stat(f).size, page + 10);
    EXPECT_EQ(stat(f).mtime, 4242u);
    EXPECT_EQ(pages.in_use(), with_data - 2);
    EXPECT_EQ(contents(f), data.substr(0, page + 10));
    ASSERT_EQ(vfs.truncate(f, 3 * page, now), Errno::none);  // what was cut reads as zeros
    EXPECT_EQ(contents(f), data.substr(0, page + 10) + std::string(2 * page - 10, '\0'));
    ASSERT_EQ(vfs.truncate(f, 20 * mib, now), Errno::none);
    EXPECT_EQ(stat(f).size, 20 * mib);
    EXPECT_EQ(pages.in_use(), with_data - 2);  // growing takes no pages
    ASSERT_EQ(vfs.truncate(f, 0, now), Errno::none);
    EXPECT_EQ(stat(f).size, 0u);
    EXPECT_EQ(stat(f).blocks, 0u);
    EXPECT_EQ(contents(f), "");
    ASSERT_EQ(vfs.truncate(f, Vfs::max_file_size, now), Errno::none);
    EXPECT_EQ(vfs.truncate(f, Vfs::max_file_size + 1, now), Errno::fbig);
    EXPECT_EQ(stat(f).size, Vfs::max_file_size);
    ASSERT_EQ(mkdir("d"), Errno::none);
    EXPECT_EQ(vfs.truncate(ino("d"), 0, now), Errno::isdir);
}

TEST_F(VfsTest, WriteLimitsAndNonFiles)
{
    uint32_t f;
    ASSERT_EQ(create("f", f), Errno::none);
    size_t done = 99;
    EXPECT_EQ(vfs.write(f, Vfs::max_file_size, "x", 1, now, done), Errno::fbig);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(vfs.write(f, ~uint64_t{0}, "x", 1, now, done), Errno::fbig);
    EXPECT_EQ(vfs.write(f, Vfs::max_file_size - 1, "xyz", 3, now, done), Errno::none);
    EXPECT_EQ(done, 1u);  // a short write up to the limit
    EXPECT_EQ(stat(f).size, Vfs::max_file_size);
    const uint64_t mtime = stat(f).mtime;
    EXPECT_EQ(vfs.write(f, 0, "x", 0, now + 100, done), Errno::none);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(stat(f).mtime, mtime);  // an empty write changes nothing
    ASSERT_EQ(mkdir("d"), Errno::none);
    char byte;
    EXPECT_EQ(vfs.write(ino("d"), 0, "x", 1, now, done), Errno::isdir);
    EXPECT_EQ(vfs.read(ino("d"), 0, &byte, 1, done), Errno::isdir);
    ASSERT_EQ(symlink("f", "s"), Errno::none);
    EXPECT_EQ(vfs.read(ino("s", false), 0, &byte, 1, done), Errno::inval);
    EXPECT_EQ(vfs.write(ino("s", false), 0, &byte, 1, now, done), Errno::inval);
    EXPECT_EQ(vfs.truncate(ino("s", false), 0, now), Errno::inval);
}

TEST_F(VfsTest, RandomWritesAndTruncatesMatchAModel)
{
    std::mt19937 random(1234);
    uint32_t f;
    ASSERT_EQ(create("f", f), Errno::none);
    std::string model;
    const uint64_t span = 3 * mib;  // over the one-level limit (2 MiB), so the tree grows and shrinks
    for (int step = 0; step < 400; ++step) {
        const uint64_t offset = random() % span;
        if (random() % 5 == 0) {
            ASSERT_EQ(vfs.truncate(f, offset, now), Errno::none);
            model.resize(offset, '\0');
        } else {
            const std::string data = pattern(random() % (3 * page), static_cast<unsigned>(step));
            size_t done;
            ASSERT_EQ(vfs.write(f, offset, data.data(), data.size(), now, done), Errno::none);
            ASSERT_EQ(done, data.size());
            if (!data.empty()) {
                if (model.size() < offset + data.size())
                    model.resize(offset + data.size(), '\0');
                model.replace(offset, data.size(), data);
            }
        }
        ASSERT_EQ(stat(f).size, model.size());
        if (step % 40 == 0) {
            ASSERT_EQ(contents(f), model) << "step " << step;
        }
    }
    EXPECT_EQ(contents(f), model);
    ASSERT_EQ(vfs.truncate(f, 0, now), Errno::none);
    EXPECT_EQ(pages.in_use(), 2u);  // the inode page and the root's entry page
}

// Paths are untrusted: garbage of every shape goes through every call (under ASan), and
// the tree stays consistent.
TEST_F(VfsTest, GarbagePathsAreSafe)
{
    std::mt19937 random(99);
    const char alphabet[] = {'/', '/', '.', '.', 'a', 'b', '\0', '\xff', 'x'};
    ASSERT_EQ(mkdir("a"), Errno::none);
    ASSERT_EQ(symlink("a/b/../..", "b"), Errno::none);
    ASSERT_EQ(symlink("/x/./a", "x"), Errno::none);
    auto garbage = [&] {
        std::string path(random() % 24, '\0');
        for (char &c : path)
            c = alphabet[random() % sizeof alphabet];
        if (random() % 50 == 0)
            path = std::string(random() % 5000, 'a');
        return path;
    };
    for (int i = 0; i < 20000; ++i) {
        const std::string p = garbage(), q = garbage();
        uint32_t result;
        bool created;
        switch (random() % 9) {
        case 0: (void)vfs.resolve(cwd, p.data(), p.size(), random() % 2 == 0, result); break;
        case 1: (void)vfs.create(cwd, p.data(), p.size(), 0644, random() % 2 == 0, 0, 0, now, result, created); break;
        case 2: (void)vfs.mkdir(cwd, p.data(), p.size(), 0755, 0, 0, now); break;
        case 3: (void)vfs.unlink(cwd, p.data(), p.size(), now); break;
        case 4: (void)vfs.rmdir(cwd, p.data(), p.size(), now); break;
        case 5: (void)vfs.rename(cwd, p.data(), p.size(), cwd, q.data(), q.size(), now); break;
        case 6: (void)vfs.symlink(q.data(), q.size(), cwd, p.data(), p.size(), 0, 0, now); break;
        case 7:
            if (vfs.resolve(cwd, q.data(), q.size(), false, result) == Errno::none)
                (void)vfs.link(result, cwd, p.data(), p.size(), now);
            break;
        case 8:
            if (vfs.resolve(cwd, p.data(), p.size(), true, result) == Errno::none) {
                Vfs::Stat st;
                if (vfs.stat(result, st) == Errno::none && (st.mode & Vfs::type_mask) == Vfs::type_directory)
                    cwd = random() % 4 == 0 ? result : cwd;
            }
            break;
        }
    }
    // Every directory reachable from the root has nlink 2 + its subdirectories, and ".."
    // names its parent.
    std::vector<uint32_t> work{Vfs::root_ino};
    size_t directories = 0;
    while (!work.empty()) {
        const uint32_t dir = work.back();
        work.pop_back();
        ++directories;
        uint32_t subdirectories = 0;
        for (uint64_t cookie = 2;;) {
            Vfs::Dir_entry entry;
            ASSERT_EQ(vfs.read_directory(dir, cookie, entry), Errno::none);
            if (entry.ino == 0)
                break;
            cookie = entry.next;
            if (entry.type == 4) {
                ++subdirectories;
                work.push_back(entry.ino);
                uint32_t parent;
                ASSERT_EQ(vfs.parent_of(entry.ino, parent), Errno::none);
                EXPECT_EQ(parent, dir);
            }
        }
        EXPECT_EQ(stat(dir).nlink, 2 + subdirectories);
    }
    EXPECT_GT(directories, 1u);
}

// ----------------------------------------------------------------------------------------
// Running out of memory

TEST_F(VfsTest, WriteWithoutPagesFailsOrWritesShort)
{
    uint32_t f;
    ASSERT_EQ(create("f", f), Errno::none);
    pages.freeze();
    size_t done = 9;
    EXPECT_EQ(vfs.write(f, 0, "abc", 3, now + 50, done), Errno::nospc);
    EXPECT_EQ(done, 0u);
    EXPECT_EQ(stat(f).size, 0u);
    EXPECT_NE(stat(f).mtime, now + 50);
    pages.limit = pages.in_use() + 3;  // page 0, then an index page and page 1
    const std::string data = pattern(3 * page, 5);
    EXPECT_EQ(vfs.write(f, 0, data.data(), data.size(), now, done), Errno::none);
    EXPECT_EQ(done, 2 * page);
    EXPECT_EQ(stat(f).size, 2 * page);
    pages.limit = SIZE_MAX;
    EXPECT_EQ(contents(f), data.substr(0, 2 * page));
}

TEST_F(VfsTest, OutOfPagesLeavesTheTreeUnchanged)
{
    // Fill the root's first entry page (15 entries), so the next name needs a page.
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(create("d/keep"), Errno::none);  // d has an entry page with room
    ASSERT_EQ(write("f", "data"), Errno::none);
    for (int i = 0; i < 13; ++i)
        ASSERT_EQ(create(("n" + std::to_string(i)).c_str()), Errno::none);
    const auto before = list(Vfs::root_ino);
    const uint32_t inodes = vfs.inodes_in_use();
    const Vfs::Stat root_before = stat("/");
    pages.freeze();
    const size_t in_use = pages.in_use();

    uint32_t result;
    EXPECT_EQ(create("new", result), Errno::nospc);
    EXPECT_EQ(mkdir("new"), Errno::nospc);
    EXPECT_EQ(symlink("target", "new"), Errno::nospc);
    EXPECT_EQ(vfs.mknod(cwd, "new", 3, 0010644, 0, 0, 0, now), Errno::nospc);
    EXPECT_EQ(link("f", "new"), Errno::nospc);
    EXPECT_EQ(rename("d/../f", "d/../new"), Errno::nospc);
    EXPECT_EQ(list(Vfs::root_ino), before);
    EXPECT_EQ(vfs.inodes_in_use(), inodes);
    EXPECT_EQ(stat("/").nlink, root_before.nlink);
    EXPECT_EQ(stat("/").mtime, root_before.mtime);
    EXPECT_EQ(stat("f").nlink, 1u);
    EXPECT_EQ(contents("f"), "data");
    EXPECT_EQ(pages.in_use(), in_use);

    // In d there is room for the entry, but not for a long symlink's target.
    EXPECT_EQ(create("d/x"), Errno::none);
    const std::string long_target(100, 't');
    EXPECT_EQ(symlink(long_target.c_str(), "d/long"), Errno::nospc);
    EXPECT_EQ(names("d"), (std::set<std::string>{".", "..", "keep", "x"}));
    EXPECT_EQ(vfs.inodes_in_use(), inodes + 1);
    EXPECT_EQ(symlink("short", "d/short"), Errno::none);  // short targets live in the inode
    EXPECT_EQ(rename("f", "d/f"), Errno::none);  // a rename into a free slot needs nothing
    EXPECT_EQ(pages.in_use(), in_use);

    pages.limit = SIZE_MAX;
    EXPECT_EQ(mkdir("new"), Errno::none);
    EXPECT_EQ(symlink(long_target.c_str(), "d/long"), Errno::none);
}

TEST_F(VfsTest, InodeTableFillsUp)
{
    // 64 directories of 63 files, with the root: the whole table.
    for (uint32_t d = 0; d < 64 && vfs.inodes_in_use() < Vfs::max_inodes; ++d) {
        const std::string dir = "d" + std::to_string(d);
        ASSERT_EQ(mkdir(dir.c_str()), Errno::none);
        for (int i = 0; i < 63 && vfs.inodes_in_use() < Vfs::max_inodes; ++i)
            ASSERT_EQ(create((dir + "/" + std::to_string(i)).c_str()), Errno::none);
    }
    ASSERT_EQ(vfs.inodes_in_use(), Vfs::max_inodes);
    EXPECT_EQ(create("d0/another"), Errno::nospc);
    EXPECT_EQ(mkdir("another"), Errno::nospc);
    EXPECT_EQ(ino("d0/another"), 0u);
    ASSERT_EQ(link("d0/0", "d0/another"), Errno::none);  // a link takes no inode
    ASSERT_EQ(unlink("d5/7"), Errno::none);
    EXPECT_EQ(create("d0/reuse"), Errno::none);
    EXPECT_EQ(create("d0/more"), Errno::nospc);
}

// ----------------------------------------------------------------------------------------
// Directories

TEST_F(VfsTest, ReadDirectoryListsDotsThenEntries)
{
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(create("d/f"), Errno::none);
    ASSERT_EQ(mkdir("d/sub"), Errno::none);
    ASSERT_EQ(symlink("f", "d/s"), Errno::none);
    ASSERT_EQ(vfs.mknod(cwd, "d/c", 3, 0020600, Vfs::make_device(1, 3), 0, 0, now), Errno::none);
    ASSERT_EQ(vfs.mknod(cwd, "d/p", 3, 0010600, 0, 0, 0, now), Errno::none);
    const uint32_t d = ino("d");
    Vfs::Dir_entry entry;
    ASSERT_EQ(vfs.read_directory(d, 0, entry), Errno::none);
    EXPECT_EQ(std::string(entry.name, entry.name_length), ".");
    EXPECT_EQ(entry.ino, d);
    EXPECT_EQ(entry.type, 4);  // DT_DIR
    EXPECT_EQ(entry.next, 1u);
    ASSERT_EQ(vfs.read_directory(d, 1, entry), Errno::none);
    EXPECT_EQ(std::string(entry.name, entry.name_length), "..");
    EXPECT_EQ(entry.ino, Vfs::root_ino);
    std::vector<std::pair<std::string, uint8_t>> seen;
    for (uint64_t cookie = entry.next;;) {
        ASSERT_EQ(vfs.read_directory(d, cookie, entry), Errno::none);
        if (entry.ino == 0)
            break;
        EXPECT_EQ(entry.ino, ino(("d/" + std::string(entry.name, entry.name_length)).c_str(), false));
        seen.emplace_back(std::string(entry.name, entry.name_length), entry.type);
        cookie = entry.next;
    }
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, uint8_t>>{
                        {"f", 8}, {"sub", 4}, {"s", 10}, {"c", 2}, {"p", 1}}));
    ASSERT_EQ(vfs.read_directory(d, 1000000, entry), Errno::none);
    EXPECT_EQ(entry.ino, 0u);
    ASSERT_EQ(vfs.read_directory(d, ~uint64_t{0}, entry), Errno::none);
    EXPECT_EQ(entry.ino, 0u);
    EXPECT_EQ(vfs.read_directory(ino("d/f"), 0, entry), Errno::notdir);
    EXPECT_EQ(list("/"), (std::vector<std::string>{".", "..", "d"}));
}

TEST_F(VfsTest, ReadDirectoryWhileRemovingSkipsNothing)
{
    // rm -r's way: read an entry, remove it, read on from its cookie.
    std::set<std::string> made;
    ASSERT_EQ(mkdir("d"), Errno::none);
    for (int i = 0; i < 100; ++i) {
        made.insert("f" + std::to_string(i));
        ASSERT_EQ(create(("d/f" + std::to_string(i)).c_str()), Errno::none);
    }
    const uint32_t d = ino("d");
    const size_t with_entries = pages.in_use();
    std::multiset<std::string> seen;
    uint64_t cookie = 2;
    for (;;) {
        Vfs::Dir_entry entry;
        ASSERT_EQ(vfs.read_directory(d, cookie, entry), Errno::none);
        if (entry.ino == 0)
            break;
        const std::string name(entry.name, entry.name_length);
        seen.insert(name);
        cookie = entry.next;
        ASSERT_EQ(vfs.unlink(d, name.c_str(), name.size(), now), Errno::none);
    }
    EXPECT_EQ(seen, (std::multiset<std::string>(made.begin(), made.end())));
    EXPECT_EQ(list(d), (std::vector<std::string>{".", ".."}));
    EXPECT_LT(pages.in_use(), with_entries - 6);  // the entry pages went with their entries
    EXPECT_EQ(rmdir("d"), Errno::none);
}

TEST_F(VfsTest, ReadDirectoryCookiesSurviveOtherRemovals)
{
    ASSERT_EQ(mkdir("d"), Errno::none);
    for (int i = 0; i < 50; ++i)
        ASSERT_EQ(create(("d/f" + std::to_string(i)).c_str()), Errno::none);
    const uint32_t d = ino("d");
    // Read half, then remove every even entry, seen or not: the rest comes once each.
    std::vector<std::string> seen;
    uint64_t cookie = 0;
    Vfs::Dir_entry entry;
    for (int i = 0; i < 27; ++i) {
        ASSERT_EQ(vfs.read_directory(d, cookie, entry), Errno::none);
        seen.emplace_back(entry.name, entry.name_length);
        cookie = entry.next;
    }
    for (int i = 0; i < 50; i += 2)
        ASSERT_EQ(unlink(("d/f" + std::to_string(i)).c_str()), Errno::none);
    for (;;) {
        ASSERT_EQ(vfs.read_directory(d, cookie, entry), Errno::none);
        if (entry.ino == 0)
            break;
        seen.emplace_back(entry.name, entry.name_length);
        cookie = entry.next;
    }
    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size());
    for (int i = 1; i < 50; i += 2)
        EXPECT_EQ(unique.count("f" + std::to_string(i)), 1u) << i;
    EXPECT_EQ(seen.size(), 2 + 25 + 13u);  // ".", "..", f0-f24, then the odd ones from f25
}

TEST_F(VfsTest, ParentAndNameWalkToTheRoot)
{
    ASSERT_EQ(mkdir("usr"), Errno::none);
    ASSERT_EQ(mkdir("usr/local"), Errno::none);
    ASSERT_EQ(mkdir("usr/local/bin"), Errno::none);
    // getcwd: names from the directory up to the root.
    std::string path;
    for (uint32_t dir = ino("usr/local/bin"); dir != Vfs::root_ino;) {
        uint32_t parent = 0;
        ASSERT_EQ(vfs.parent_of(dir, parent), Errno::none);
        const char *name;
        size_t length;
        ASSERT_EQ(vfs.name_in(parent, dir, name, length), Errno::none);
        path = "/" + std::string(name, length) + path;
        dir = parent;
    }
    EXPECT_EQ(path, "/usr/local/bin");
    uint32_t parent;
    ASSERT_EQ(create("f"), Errno::none);
    EXPECT_EQ(vfs.parent_of(ino("f"), parent), Errno::notdir);
    const char *name;
    size_t length;
    EXPECT_EQ(vfs.name_in(Vfs::root_ino, ino("usr/local"), name, length), Errno::noent);
    EXPECT_EQ(vfs.name_in(Vfs::root_ino, 0, name, length), Errno::noent);
    EXPECT_EQ(vfs.name_in(ino("f"), 1, name, length), Errno::notdir);
}

// ----------------------------------------------------------------------------------------
// Attributes

TEST_F(VfsTest, ChmodChownAndTimes)
{
    ASSERT_EQ(create("f"), Errno::none);
    const uint32_t f = ino("f");
    ASSERT_EQ(vfs.chmod(f, 0104755, 2000), Errno::none);  // type bits in the argument are ignored
    EXPECT_EQ(stat(f).mode, 0104755u);
    EXPECT_EQ(stat(f).ctime, 2000u);
    ASSERT_EQ(vfs.chown(f, 5, ~0u, 2100), Errno::none);
    EXPECT_EQ(stat(f).uid, 5u);
    EXPECT_EQ(stat(f).gid, 0u);
    EXPECT_EQ(stat(f).mode, 0100755u);  // chown clears setuid
    ASSERT_EQ(vfs.chmod(f, 02775, now), Errno::none);
    ASSERT_EQ(vfs.chown(f, ~0u, 6, now), Errno::none);
    EXPECT_EQ(stat(f).mode, 0100775u);  // and setgid with group execute
    EXPECT_EQ(stat(f).uid, 5u);
    EXPECT_EQ(stat(f).gid, 6u);
    ASSERT_EQ(mkdir("d"), Errno::none);
    ASSERT_EQ(vfs.chmod(ino("d"), 03777, now), Errno::none);
    ASSERT_EQ(vfs.chown(ino("d"), 1, 1, now), Errno::none);
    EXPECT_EQ(stat("d").mode, 043777u);  // a directory keeps them

    ASSERT_EQ(vfs.set_times(f, 111, 222, 3000), Errno::none);
    Vfs::Stat st = stat(f);
    EXPECT_EQ(st.atime, 111u);
    EXPECT_EQ(st.mtime, 222u);
    EXPECT_EQ(st.ctime, 3000u);
    ASSERT_EQ(vfs.set_times(f, Vfs::time_now, Vfs::time_omit, 4000), Errno::none);
    st = stat(f);
    EXPECT_EQ(st.atime, 4000u);
    EXPECT_EQ(st.mtime, 222u);
    EXPECT_EQ(st.ctime, 4000u);
    ASSERT_EQ(vfs.set_times(f, Vfs::time_omit, Vfs::time_omit, 5000), Errno::none);
    EXPECT_EQ(stat(f).ctime, 4000u);
    ASSERT_EQ(vfs.set_times(f, Vfs::time_omit, Vfs::time_now, 6000), Errno::none);
    EXPECT_EQ(stat(f).mtime, 6000u);
    EXPECT_EQ(stat(f).atime, 4000u);
}

TEST_F(VfsTest, ReadsLeaveAtimeAlone)
{
    uint32_t f;
    bool created;
    ASSERT_EQ(vfs.create(cwd, "f", 1, 0644, false, 0, 0, 10, f, created), Errno::none);
    size_t done;
    ASSERT_EQ(vfs.write(f, 0, "abc", 3, 20, done), Errno::none);
    char buffer[3];
    ASSERT_EQ(vfs.read(f, 0, buffer, 3, done), Errno::none);
    EXPECT_EQ(stat(f).atime, 10u);
    EXPECT_EQ(stat(f).mtime, 20u);
}

// ----------------------------------------------------------------------------------------
// Loading a cpio archive

class VfsCpioTest : public VfsTest {
protected:
    Errno load(const std::vector<uint8_t> &archive)
    {
        archive_ = archive;
        pristine_ = archive;
        return vfs.load_cpio(archive_.data(), archive_.size(), 77);
    }
    void TearDown() override { EXPECT_EQ(archive_, pristine_) << "the archive was written to"; }
    const uint8_t *archive_begin() const { return archive_.data(); }
    const uint8_t *archive_end() const { return archive_.data() + archive_.size(); }

private:
    std::vector<uint8_t> archive_, pristine_;
};

TEST_F(VfsCpioTest, LoadsEveryKindOfMember)
{
    Cpio_builder cpio;
    cpio.add({".", 0040700, "", 0, 0, 5})
        .add({"bin", 0040755, "", 1, 2, 10})
        .add({"bin/busybox", 0104755, "ELF!", 0, 0, 11})
        .add({"bin/sh", 0120777, "busybox", 0, 0, 12})
        .add({"dev/console", 0020600, "", 0, 5, 13, 1, 0, 5, 1})  // dev made on the way
        .add({"dev/fifo", 0010644, ""})
        .add({"./etc/passwd", 0100644, "root:x:0:0::/root:/bin/sh\n", 0, 0, 14})
        .add({"/usr/share/empty", 0100600, ""})
        .add({"var/", 0040755, ""});
    ASSERT_EQ(load(cpio.finish()), Errno::none);

    Vfs::Stat st = stat("/");
    EXPECT_EQ(st.mode, 0040700u);  // "." is the root
    EXPECT_EQ(st.mtime, 5'000'000'000u);
    st = stat("bin");
    EXPECT_EQ(st.mode, 0040755u);
    EXPECT_EQ(st.uid, 1u);
    EXPECT_EQ(st.gid, 2u);
    EXPECT_EQ(st.mtime, 10'000'000'000u);
    st = stat("bin/busybox");
    EXPECT_EQ(st.mode, 0104755u);
    EXPECT_EQ(st.size, 4u);
    EXPECT_EQ(st.mtime, 11'000'000'000u);
    EXPECT_EQ(st.atime, 11'000'000'000u);
    EXPECT_EQ(st.ctime, 77u);
    EXPECT_EQ(contents("bin/busybox"), "ELF!");
    EXPECT_EQ(readlink("bin/sh"), "busybox");
    EXPECT_EQ(ino("bin/sh"), ino("bin/busybox"));
    st = stat("dev/console");
    EXPECT_EQ(st.mode, 0020600u);
    EXPECT_EQ(st.rdev, Vfs::make_device(5, 1));
    EXPECT_EQ(st.gid, 5u);
    EXPECT_EQ(stat("dev").mode, 0040755u);  // made with 0755
    EXPECT_EQ(stat("dev/fifo").mode, 0010644u);
    EXPECT_EQ(contents("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
    EXPECT_EQ(stat("usr/share/empty").size, 0u);
    EXPECT_EQ(stat("var").mode, 0040755u);
    EXPECT_EQ(names("/"), (std::set<std::string>{".", "..", "bin", "dev", "etc", "usr", "var"}));
    EXPECT_EQ(stat("/").nlink, 7u);
}

TEST_F(VfsCpioTest, FilesAreReadInPlaceAndCopiedOnWrite)
{
    const std::string binary = pattern(2 * mib + 100, 7);
    Cpio_builder cpio;
    cpio.file("bin/busybox", binary, 0755).file("small", "0123456789");
    ASSERT_EQ(load(cpio.finish()), Errno::none);
    const uint32_t busybox = ino("bin/busybox");
    size_t size = 0;
    const uint8_t *data = vfs.contiguous_data(busybox, size);
    ASSERT_NE(data, nullptr);
    EXPECT_GE(data, archive_begin());  // the archive's own bytes, no copy
    EXPECT_LE(data + size, archive_end());
    EXPECT_EQ(size, binary.size());
    EXPECT_EQ(std::memcmp(data, binary.data(), size), 0);
    EXPECT_EQ(contents(busybox), binary);
    const size_t before = pages.in_use();

    // A write copies just the page it changes.
    size_t done;
    ASSERT_EQ(vfs.write(busybox, page + 10, "XY", 2, now, done), Errno::none);
    EXPECT_EQ(pages.in_use(), before + 2);  // the page and an index page
    EXPECT_EQ(vfs.contiguous_data(busybox, size), nullptr);
    std::string expected = binary;
    expected.replace(page + 10, 2, "XY");
    EXPECT_EQ(contents(busybox), expected);
    // Across the end of the archive's bytes, and beyond.
    ASSERT_EQ(vfs.write(busybox, binary.size() - 2, "tail!", 5, now, done), Errno::none);
    expected.replace(binary.size() - 2, 2, "tail!");
    EXPECT_EQ(contents(busybox), expected);
    EXPECT_EQ(stat(busybox).size, binary.size() + 3);

    // Truncating: shrinking keeps it in place, growing reads zeros past the archive's bytes.
    const uint32_t small = ino("small");
    ASSERT_EQ(vfs.truncate(small, 4, now), Errno::none);
    data = vfs.contiguous_data(small, size);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(size, 4u);
    EXPECT_EQ(contents(small), "0123");
    ASSERT_EQ(vfs.truncate(small, 8, now), Errno::none);
    EXPECT_EQ(contents(small), std::string("0123") + std::string(4, '\0'));
    EXPECT_EQ(vfs.contiguous_data(small, size), nullptr);
    ASSERT_EQ(vfs.write(small, 6, "ab", 2, now, done), Errno::none);
    EXPECT_EQ(contents(small), std::string("0123\0\0ab", 8));
}

TEST_F(VfsCpioTest, CopyOnWriteWithoutPagesChangesNothing)
{
    Cpio_builder cpio;
    cpio.file("f", "archive bytes");
    ASSERT_EQ(load(cpio.finish()), Errno::none);
    const uint32_t f = ino("f");
    pages.freeze();
    size_t done;
    EXPECT_EQ(vfs.write(f, 0, "X", 1, now, done), Errno::nospc);
    EXPECT_EQ(contents(f), "archive bytes");
    size_t size;
    EXPECT_NE(vfs.contiguous_data(f, size), nullptr);
}

TEST_F(VfsCpioTest, UnlinkedArchiveFileReadableWhileHeld)
{
    Cpio_builder cpio;
    cpio.file("f", "still here");
    ASSERT_EQ(load(cpio.finish()), Errno::none);
    const uint32_t f = ino("f");
    ASSERT_EQ(vfs.hold(f), Errno::none);
    ASSERT_EQ(unlink("f"), Errno::none);
    EXPECT_EQ(contents(f), "still here");
    vfs.drop(f);
    EXPECT_EQ(vfs.inodes_in_use(), 1u);
}

TEST_F(VfsCpioTest, HardLinksBecomeSeparateFiles)
{
    Cpio_builder cpio;
    cpio.add({"a", 0100644, "same", 0, 0, 0, 2, 42}).add({"b", 0100644, "same", 0, 0, 0, 2, 42});
    ASSERT_EQ(load(cpio.finish()), Errno::none);
    EXPECT_NE(ino("a"), ino("b"));
    EXPECT_EQ(stat("a").nlink, 1u);
    EXPECT_EQ(contents("b"), "same");
}

TEST_F(VfsCpioTest, LaterMembersReplaceEarlierOnes)
{
    Cpio_builder cpio;
    cpio.file("x", "first")
        .file("x", "second")
        .link("y", "x")
        .file("y", "file now")
        .dir("d", 0700)
        .file("d/f", "in d")
        .dir("d", 0750)  // an existing directory takes the new attributes and keeps its entries
        .dir("e")
        .file("e", "was an empty directory");
    ASSERT_EQ(load(cpio.finish()), Errno::none);
    EXPECT_EQ(contents("x"), "second");
    EXPECT_EQ(contents("y"), "file now");
    EXPECT_EQ(stat("y", false).mode & Vfs::type_mask, Vfs::type_regular);
    EXPECT_EQ(stat("d").mode, 0040750u);
    EXPECT_EQ(contents("d/f"), "in d");
    EXPECT_EQ(contents("e"), "was an empty directory");
    EXPECT_EQ(stat("/").nlink, 3u);
    EXPECT_EQ(vfs.inodes_in_use(), 6u);

    Cpio_builder more;
    more.file("d", "not over a directory with entries");
    EXPECT_EQ(load(more.finish()), Errno::notempty);
    Cpio_builder root;
    root.file(".", "the root is no file");
    EXPECT_EQ(load(root.finish()), Errno::exist);
}

TEST_F(VfsCpioTest, SymlinksToDirectoriesAreFollowedOnTheWay)
{
    Cpio_builder cpio;
    cpio.dir("usr").dir("usr/lib").link("lib", "usr/lib").file("lib/libc.so", "c").file("lib/../top", "t");
    ASSERT_EQ(load(cpio.finish()), Errno::none);
    EXPECT_EQ(contents("usr/lib/libc.so"), "c");
    EXPECT_EQ(contents("usr/top"), "t");  // ".." of the link's target
    EXPECT_EQ(stat("lib", false).mode, 0120777u);
}

TEST_F(VfsCpioTest, BadMembersAreRefused)
{
    {
        Cpio_builder cpio;
        cpio.file("f", "x").link("l", "");
        EXPECT_EQ(load(cpio.finish()), Errno::noent);
        EXPECT_EQ(contents("f"), "x");  // what came before stays
    }
    {
        Cpio_builder cpio;
        cpio.link("nul", std::string("a\0b", 3));
        EXPECT_EQ(load(cpio.finish()), Errno::inval);
    }
    {
        Cpio_builder cpio;
        cpio.link("huge", std::string(Vfs::max_path, 'x'));
        EXPECT_EQ(load(cpio.finish()), Errno::nametoolong);
    }
    {
        Cpio_builder cpio;
        cpio.file(std::string(256, 'n'), "x");
        EXPECT_EQ(load(cpio.finish()), Errno::nametoolong);
    }
    {
        Cpio_builder cpio;
        cpio.add({"weird", 0030644, ""});
        EXPECT_EQ(load(cpio.finish()), Errno::inval);
    }
    {
        Cpio_builder cpio;
        cpio.file("plain", "x").file("plain/below", "y");
        EXPECT_EQ(load(cpio.finish()), Errno::notdir);
    }
    {
        Cpio_builder cpio;
        cpio.file("t", "x");
        std::vector<uint8_t> archive = cpio.finish();
        archive.resize(archive.size() - 20);  // no trailer
        EXPECT_EQ(load(archive), Errno::inval);
        archive[0] = 'X';
        EXPECT_EQ(load(archive), Errno::inval);
        EXPECT_EQ(load({}), Errno::inval);
    }
    EXPECT_EQ(ino("nul"), 0u);
    EXPECT_EQ(ino("weird"), 0u);
}

TEST_F(VfsCpioTest, GarbageArchivesAreSafe)
{
    Cpio_builder cpio;
    cpio.dir("d").file("d/f", "data").link("l", "d").file("l/g", "more");
    const std::vector<uint8_t> good = cpio.finish();
    std::mt19937 random(5);
    for (int i = 0; i < 300; ++i) {
        std::vector<uint8_t> bad = good;
        for (int n = 0; n < 3; ++n)
            bad[random() % bad.size()] = static_cast<uint8_t>(random());
        bad.resize(bad.size() - random() % 8);
        (void)load(bad);
    }
}

TEST_F(VfsCpioTest, ArchiveWithoutPagesFailsCleanly)
{
    Cpio_builder cpio;
    for (int i = 0; i < 40; ++i)
        cpio.file("dir/f" + std::to_string(i), "x");
    pages.freeze();
    EXPECT_EQ(load(cpio.finish()), Errno::nospc);
}
}  // namespace
