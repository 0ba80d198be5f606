// SPDX-License-Identifier: MIT
// mmap of files and large allocations under Tern's Linux personality (LXM0001): a file of the
// boot archive (the program itself) and one written at run time, whole and from an offset,
// private copies that writes do not carry back, MAP_SHARED for reading, the errors Linux
// gives, and 64 MiB of anonymous memory touched page by page. It passes on Linux too. One TAP
// line per check; the exit status is the number that failed.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 7 + i / 4096);
}

int main(void)
{
    printf("TAP version 13\n");
    int self = open("/proc/self/exe", O_RDONLY);
    const unsigned char *image = self >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self, 0) : MAP_FAILED;
    check(image != MAP_FAILED && memcmp(image, "\177ELF", 4) == 0,
          "mmap of the program's own file (from the boot archive) shows its ELF header");
    if (image != MAP_FAILED)
        munmap((void *)image, 4096);
    if (self >= 0)
        close(self);

    enum { size = 10000 };
    static unsigned char bytes[size];
    for (size_t i = 0; i < size; ++i)
        bytes[i] = pattern(i);
    int file = open("/tmp/lxm-file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(file >= 0 && write(file, bytes, size) == size, "a 10000-byte file is written");
    unsigned char *whole = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE, file, 0);
    int zeros = 1;
    for (size_t i = size; whole != MAP_FAILED && i < 3 * 4096; ++i)
        zeros = zeros && whole[i] == 0;
    check(whole != MAP_FAILED && memcmp(whole, bytes, size) == 0 && zeros,
          "mmap of a file written at run time shows its bytes, and zeros after its end in the last page");
    unsigned char *second = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, file, 4096);
    check(second != MAP_FAILED && memcmp(second, bytes + 4096, 4096) == 0, "mmap from offset 4096 shows those bytes");
    unsigned char *copy = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
    unsigned char first = 0;
    int wrote = copy != MAP_FAILED;
    if (wrote) {
        copy[0] = (unsigned char)(bytes[0] ^ 0xff);
        copy[100] = 42;
    }
    check(wrote && copy[0] == (unsigned char)(bytes[0] ^ 0xff) && pread(file, &first, 1, 0) == 1 && first == bytes[0],
          "a private writable mapping takes writes that the file does not see");
    unsigned char *shared = mmap(NULL, size, PROT_READ, MAP_SHARED, file, 0);
    check(shared != MAP_FAILED && memcmp(shared, bytes, size) == 0, "a read-only MAP_SHARED mapping shows the bytes");
    check(whole == MAP_FAILED || (munmap(whole, 3 * 4096) == 0 && munmap(second, 4096) == 0 && munmap(copy, 4096) == 0),
          "the mappings unmap");

    int ends[2];
    errno = 0;
    void *piped = pipe(ends) == 0 ? mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, ends[0], 0) : MAP_FAILED;
    int piped_errno = errno;
    errno = 0;
    void *closed = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 999, 0);
    int closed_errno = errno;
    int write_only = open("/tmp/lxm-file", O_WRONLY);
    errno = 0;
    void *unreadable = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, write_only, 0);
    int unreadable_errno = errno;
    errno = 0;
    void *misaligned = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, file, 100);
    int misaligned_errno = errno;
    check(piped == MAP_FAILED && piped_errno == ENODEV && closed == MAP_FAILED && closed_errno == EBADF &&
              unreadable == MAP_FAILED && unreadable_errno == EACCES && misaligned == MAP_FAILED &&
              misaligned_errno == EINVAL,
          "mmap of a pipe is ENODEV, of no descriptor EBADF, of a write-only one EACCES, at offset 100 EINVAL");

    enum { big = 64 << 20 };
    unsigned char *large = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int touched = large != MAP_FAILED;
    for (size_t at = 0; touched && at < big; at += 4096)
        large[at] = (unsigned char)(at >> 12);
    for (size_t at = 0; touched && at < big; at += 4096)
        touched = large[at] == (unsigned char)(at >> 12);
    check(touched && munmap(large, big) == 0, "64 MiB of anonymous memory is taken, every page touched, and given back");

    printf("1..%d\n", checks);
    return failures;
}
