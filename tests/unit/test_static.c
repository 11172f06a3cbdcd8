/* Static analysis (analysis/static.h): the backward scan on hand-assembled
 * code, the ld.so.cache parser, the library search order on a tree of
 * hand-made ELF files, and whole programs of this system. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "analysis/static.h"
#include "cli/static_cmd.h"
#include "tests/unit/json_check.h"

/* ---- the backward scan ---- */

/* The one site of code (at address 0x1000), which must be at offset at. */
static struct static_site one_site(const uint8_t *code, size_t len, size_t at)
{
	struct static_site *s;
	long n = static_scan_code(code, len, 0x1000, &s);
	assert_int_equal(n, 1);
	struct static_site site = s[0];
	free(s);
	assert_int_equal(site.addr, 0x1000 + at);
	assert_int_equal(site.offset, at);
	return site;
}

static void expect_nr(const uint8_t *code, size_t len, long nr)
{
	struct static_site s = one_site(code, len, len - 2);
	assert_string_equal(static_why_name(s.why), "resolved");
	assert_int_equal(s.nr, nr);
}

static void expect_why(const uint8_t *code, size_t len, size_t at, enum static_why why)
{
	struct static_site s = one_site(code, len, at);
	assert_string_equal(static_why_name(s.why), static_why_name(why));
	assert_int_equal(s.nr, -1);
}

#define EXPECT_NR(nr, ...)                                   \
	do {                                                 \
		static const uint8_t c[] = {__VA_ARGS__};    \
		expect_nr(c, sizeof(c), nr);                 \
	} while (0)

static void test_scan_constants(void **state)
{
	(void)state;
	EXPECT_NR(SYS_getpid, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05);         /* mov $39,%eax */
	EXPECT_NR(SYS_read, 0x31, 0xc0, 0x0f, 0x05);                     /* xor %eax,%eax */
	EXPECT_NR(SYS_read, 0x48, 0x29, 0xc0, 0x0f, 0x05);               /* sub %rax,%rax */
	EXPECT_NR(SYS_exit, 0x48, 0xc7, 0xc0, 0x3c, 0, 0, 0, 0x0f, 0x05); /* mov $60,%rax */
	EXPECT_NR(SYS_exit_group, 0x8d, 0x04, 0x25, 0xe7, 0, 0, 0, 0x0f, 0x05); /* lea 0xe7,%eax */
	/* mov $60,%edx; mov $1,%edi; mov %edx,%eax: the copy is followed */
	EXPECT_NR(SYS_exit, 0xba, 0x3c, 0, 0, 0, 0xbf, 1, 0, 0, 0, 0x89, 0xd0, 0x0f, 0x05);
	/* mov $39,%eax; test %edi,%edi; je +0; syscall: a conditional
	 * jump falls through with the registers it had */
	EXPECT_NR(SYS_getpid, 0xb8, 0x27, 0, 0, 0, 0x85, 0xff, 0x74, 0x00, 0x0f, 0x05);
	/* mov $39,%eax; jmp +2 (over ud2); syscall: the jump is followed,
	 * and nothing falls out of the ud2 */
	EXPECT_NR(SYS_getpid, 0xb8, 0x27, 0, 0, 0, 0xeb, 0x02, 0x0f, 0x0b, 0x0f, 0x05);
	/* test %edi,%edi; mov $39,%eax; je L; mov $39,%eax; L: syscall */
	EXPECT_NR(SYS_getpid, 0x85, 0xff, 0xb8, 0x27, 0, 0, 0, 0x74, 0x05, 0xb8, 0x27, 0, 0, 0, 0x0f, 0x05);
}

static void test_scan_unresolved(void **state)
{
	(void)state;
	static const uint8_t from_reg[] = {0x89, 0xf8, 0x0f, 0x05}; /* mov %edi,%eax */
	static const uint8_t from_mem[] = {0x8b, 0x07, 0x0f, 0x05}; /* mov (%rdi),%eax */
	static const uint8_t computed[] = {0xb8, 0x27, 0, 0, 0, 0x83, 0xc0, 0x01, 0x0f, 0x05}; /* add $1 */
	static const uint8_t partial[] = {0xb0, 0x27, 0x0f, 0x05}; /* mov $39,%al */
	static const uint8_t call[] = {0xb8, 0x27, 0, 0, 0, 0xe8, 0xf6, 0xff, 0xff, 0xff, 0x0f, 0x05};
	static const uint8_t nothing[] = {0x0f, 0x05};
	/* after a ret, with no jump into it: only an indirect way in */
	static const uint8_t after_ret[] = {0xb8, 0x27, 0, 0, 0, 0xc3, 0x0f, 0x05};
	/* test %edi,%edi; mov $39,%eax; je L; mov $102,%eax; L: syscall */
	static const uint8_t merge[] = {0x85, 0xff, 0xb8, 0x27, 0, 0, 0, 0x74, 0x05, 0xb8, 0x66, 0, 0, 0, 0x0f, 0x05};
	/* mov $39,%eax; L: syscall; ret; call L: L is a function entry,
	 * its callers set eax */
	static const uint8_t entry[] = {0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3, 0xe8, 0xf8, 0xff, 0xff, 0xff, 0xc3};
	expect_why(from_reg, sizeof(from_reg), 2, SW_REGISTER);
	expect_why(from_mem, sizeof(from_mem), 2, SW_MEMORY);
	expect_why(computed, sizeof(computed), 8, SW_COMPUTED);
	expect_why(partial, sizeof(partial), 2, SW_COMPUTED);
	expect_why(call, sizeof(call), 10, SW_CALL);
	expect_why(nothing, sizeof(nothing), 0, SW_BLOCK);
	expect_why(after_ret, sizeof(after_ret), 6, SW_BLOCK);
	expect_why(merge, sizeof(merge), 14, SW_MERGE);
	expect_why(entry, sizeof(entry), 5, SW_BLOCK);
}

/* The mov is the STATIC_WINDOW-th instruction back, then one further. */
static void test_scan_window(void **state)
{
	(void)state;
	uint8_t code[5 + STATIC_WINDOW + 2] = {0xb8, 0x27, 0, 0, 0};
	memset(code + 5, 0x90, STATIC_WINDOW - 1); /* nop */
	code[4 + STATIC_WINDOW] = 0x0f, code[5 + STATIC_WINDOW] = 0x05;
	expect_nr(code, 6 + STATIC_WINDOW, SYS_getpid);
	memset(code + 5, 0x90, STATIC_WINDOW);
	code[5 + STATIC_WINDOW] = 0x0f, code[6 + STATIC_WINDOW] = 0x05;
	expect_why(code, sizeof(code), 5 + STATIC_WINDOW, SW_WINDOW);
}

/* Sites are counted at instruction boundaries only: the 0f 05 inside
 * the immediate of mov $0x50f,%eax is not one. */
static void test_scan_boundaries(void **state)
{
	(void)state;
	static const uint8_t code[] = {0xb8, 0x0f, 0x05, 0, 0, 0x0f, 0x05, 0xc3, 0x0f, 0x05};
	struct static_site *s;
	long n = static_scan_code(code, sizeof(code), 0x400000, &s);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].addr, 0x400005);
	assert_int_equal(s[0].nr, 0x50f);
	assert_null(sc_name(s[0].nr));
	assert_int_equal(s[1].why, SW_BLOCK);
	free(s);
}

/* glibc 2.36's _exit: exit_group then exit, both numbers set at entry
 * in esi and edx, the syscalls reached by jumps and a retry loop. */
static void test_scan_glibc_exit(void **state)
{
	(void)state;
	static const uint8_t code[] = {
		0x4c, 0x8b, 0x05, 0xf9, 0xe9, 0x0f, 0x00, 0xbe, 0xe7, 0x00, 0x00, 0x00, 0xba, 0x3c, 0x00,
		0x00, 0x00, 0xeb, 0x12, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x89, 0xd0, 0x0f, 0x05, 0x48, 0x3d,
		0x00, 0xf0, 0xff, 0xff, 0x77, 0x1c, 0xf4, 0x89, 0xf0, 0x0f, 0x05, 0x48, 0x3d, 0x00, 0xf0,
		0xff, 0xff, 0x76, 0xe7, 0xf7, 0xd8, 0x64, 0x41, 0x89, 0x00, 0xeb, 0xdf, 0x0f, 0x1f, 0x80,
		0x00, 0x00, 0x00, 0x00, 0xf7, 0xd8, 0x64, 0x41, 0x89, 0x00, 0xeb, 0xdc,
	};
	struct static_site *s;
	long n = static_scan_code(code, sizeof(code), 0xd43e0, &s);
	assert_int_equal(n, 2);
	assert_int_equal(s[0].addr, 0xd43fa);
	assert_int_equal(s[0].nr, SYS_exit);
	assert_int_equal(s[1].addr, 0xd4407);
	assert_int_equal(s[1].nr, SYS_exit_group);
	free(s);
}

/* ---- /etc/ld.so.cache ---- */

struct centry {
	uint32_t flags;
	const char *key, *value;
	uint64_t hwcap;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* s and its NUL at c + *str, within the size bytes of c; *str moves past it. */
static void put_str(uint8_t *c, size_t size, size_t *str, const char *s)
{
	size_t n = strlen(s) + 1;
	assert_true(n <= size - *str);
	memcpy(c + *str, s, n);
	*str += n;
}

/* A new-format cache at buf + at (buf holds size bytes), as ldconfig
 * writes it; returns its end. */
static size_t make_cache(uint8_t *buf, size_t size, size_t at, const struct centry *e, uint32_t n)
{
	uint8_t *c = buf + at;
	size_t str = 48 + 24 * (size_t)n;
	assert_true(at + str <= size);
	size -= at;
	memcpy(c, "glibc-ld.so.cache1.1", 20);
	put32(c + 20, n);
	c[28] = 2; /* little-endian */
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *ent = c + 48 + 24 * i;
		put32(ent, e[i].flags);
		put32(ent + 4, (uint32_t)str);
		put_str(c, size, &str, e[i].key);
		put32(ent + 8, (uint32_t)str);
		put_str(c, size, &str, e[i].value);
		memcpy(ent + 16, &e[i].hwcap, 8);
	}
	put32(c + 24, (uint32_t)(str - 48 - 24 * n));
	return at + str;
}

static const struct centry cache_entries[] = {
	{0x0003, "libfoo.so.1", "/lib32/libfoo.so.1", 0},               /* i386 */
	{0x0303, "libfoo.so.1", "/hw/x86-64-v3/libfoo.so.1", 1ull << 62}, /* glibc-hwcaps */
	{0x0303, "libfoo.so.1", "/lib64/libfoo.so.1", 0},
	{0x0001, "libbar.so", "/x/libbar.so", 0},
	{0x0803, "libx32.so", "/libx32/libx32.so", 0}, /* x32 */
};

static void test_cache_parse(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	struct ldcache c;
	size_t len = make_cache(buf, sizeof(buf), 0, cache_entries, 5);
	assert_int_equal(ldcache_parse(buf, len, &c), 0);
	assert_int_equal(c.nlibs, 5);
	assert_string_equal(ldcache_lookup(&c, "libfoo.so.1"), "/lib64/libfoo.so.1");
	assert_string_equal(ldcache_lookup(&c, "libbar.so"), "/x/libbar.so");
	assert_null(ldcache_lookup(&c, "libx32.so"));
	assert_null(ldcache_lookup(&c, "libnone.so"));
	/* Truncated, wrong magic, big-endian, more entries than bytes. */
	assert_int_equal(ldcache_parse(buf, 47, &c), -EINVAL);
	assert_int_equal(ldcache_parse(buf, 48 + 24 * 5 - 1, &c), -EINVAL);
	buf[28] = 3;
	assert_int_equal(ldcache_parse(buf, len, &c), -EINVAL);
	buf[28] = 2, buf[0] = 'G';
	assert_int_equal(ldcache_parse(buf, len, &c), -EINVAL);
	buf[0] = 'g';
	/* A string offset past the end: the entry is skipped, not read. */
	put32(buf + 48 + 24 * 3 + 8, (uint32_t)len + 100);
	assert_int_equal(ldcache_parse(buf, len, &c), 0);
	assert_null(ldcache_lookup(&c, "libbar.so"));
}

/* glibc before 2.32 wrote the old format first; the new part follows it,
 * aligned to 8, with string offsets relative to its own start. */
static void test_cache_old_prefix(void **state)
{
	(void)state;
	static uint8_t buf[4096];
	struct ldcache c;
	memcpy(buf, "ld.so-1.7.0", 11);
	put32(buf + 12, 1); /* one 12-byte old entry: the new part at 32 */
	size_t len = make_cache(buf, sizeof(buf), 32, cache_entries + 2, 2);
	assert_int_equal(ldcache_parse(buf, len, &c), 0);
	assert_string_equal(ldcache_lookup(&c, "libfoo.so.1"), "/lib64/libfoo.so.1");
	assert_string_equal(ldcache_lookup(&c, "libbar.so"), "/x/libbar.so");
}

/* The real cache, when this system has one: libc is in it. */
static void test_cache_system(void **state)
{
	(void)state;
	struct ldcache c;
	if (access("/etc/ld.so.cache", R_OK) != 0)
		skip();
	assert_int_equal(ldcache_open("/etc/ld.so.cache", &c), 0);
	const char *libc = ldcache_lookup(&c, "libc.so.6");
	assert_non_null(libc);
	assert_int_equal(access(libc, R_OK), 0);
	ldcache_close(&c);
}

static void test_expand_dirs(void **state)
{
	(void)state;
	char out[512];
	static_expand_dirs("$ORIGIN/../lib:${ORIGIN}/x::/abs:$FOO/y:$ORIGINX:${PLATFORM}", "/o", out, sizeof(out));
	assert_string_equal(out, "/o/../lib:/o/x:.:/abs:$FOO/y:$ORIGINX:x86_64");
	static_expand_dirs("a;b:", "/o", out, sizeof(out));
	assert_string_equal(out, "a:b:.");
	static_expand_dirs("", "/o", out, sizeof(out));
	assert_string_equal(out, "");
	static_expand_dirs("/$LIB", "/o", out, sizeof(out));
	assert_true(!strcmp(out, "/lib/x86_64-linux-gnu") || !strcmp(out, "/lib64"));
	static_expand_dirs("$ORIGIN/abcdef", "/o", out, 8); /* truncated, terminated */
	assert_string_equal(out, "/o/abcd");
}

/* ---- the library search, on a tree of hand-made ELF files ---- */

struct fake_elf {
	const char *needed[4];
	const char *soname, *rpath, *runpath;
	bool nodeflib;
	const uint8_t *code; /* syscall code in the executable segment */
	size_t codelen;
};

static char root[64];

static const char *at_root(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 4];
	snprintf(b, PATH_MAX, "%s/%s", root, rel);
	return b;
}

static void write_file(const char *rel, const void *data, size_t len)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", at_root(rel));
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	int fd = open(at_root(rel), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Appends a dynamic entry naming a string of the table at 0x100. */
static void dyn_str(uint8_t *img, Elf64_Dyn **d, size_t *str, Elf64_Sxword tag, const char *s)
{
	if (!s)
		return;
	Elf64_Dyn e = {.d_tag = tag, .d_un.d_val = *str - 0x100};
	memcpy((*d)++, &e, sizeof(e));
	*str += (size_t)sprintf((char *)img + *str, "%s", s) + 1;
}

static void dyn_val(Elf64_Dyn **d, Elf64_Sxword tag, uint64_t v)
{
	Elf64_Dyn e = {.d_tag = tag, .d_un.d_val = v};
	memcpy((*d)++, &e, sizeof(e));
}

static void set_headers(uint8_t *img, size_t ndyn, size_t codelen)
{
	Elf64_Ehdr eh = {.e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			 .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 3};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64, eh.e_ident[EI_DATA] = ELFDATA2LSB, eh.e_ident[EI_VERSION] = EV_CURRENT;
	Elf64_Phdr ph[3] = {
		{.p_type = PT_LOAD, .p_flags = PF_R, .p_filesz = 0x1000, .p_memsz = 0x1000, .p_align = 0x1000},
		{.p_type = PT_DYNAMIC, .p_flags = PF_R, .p_offset = 0x400, .p_vaddr = 0x400,
		 .p_filesz = ndyn * sizeof(Elf64_Dyn), .p_memsz = ndyn * sizeof(Elf64_Dyn)},
		{.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000, .p_vaddr = 0x1000,
		 .p_filesz = codelen, .p_memsz = codelen, .p_align = 0x1000},
	};
	memcpy(img, &eh, sizeof(eh));
	memcpy(img + sizeof(eh), ph, sizeof(ph));
}

/* An x86-64 shared object with no section headers: strings at 0x100,
 * the dynamic section at 0x400, code at 0x1000. */
static void write_elf(const char *rel, const struct fake_elf *f)
{
	static uint8_t img[0x1100];
	memset(img, 0, sizeof(img));
	Elf64_Dyn *d = (Elf64_Dyn *)(img + 0x400);
	size_t str = 0x101;
	for (int i = 0; i < 4 && f->needed[i]; i++)
		dyn_str(img, &d, &str, DT_NEEDED, f->needed[i]);
	dyn_str(img, &d, &str, DT_SONAME, f->soname);
	dyn_str(img, &d, &str, DT_RPATH, f->rpath);
	dyn_str(img, &d, &str, DT_RUNPATH, f->runpath);
	if (f->nodeflib)
		dyn_val(&d, DT_FLAGS_1, DF_1_NODEFLIB);
	dyn_val(&d, DT_STRTAB, 0x100);
	dyn_val(&d, DT_STRSZ, str - 0x100);
	dyn_val(&d, DT_NULL, 0);
	memcpy(img + 0x1000, f->code, f->codelen);
	set_headers(img, (size_t)(d - (Elf64_Dyn *)(img + 0x400)), f->codelen);
	write_file(rel, img, 0x1000 + f->codelen);
}

static const uint8_t getpid_code[] = {0xb8, 0x27, 0, 0, 0, 0x0f, 0x05, 0xc3};
static const uint8_t read_code[] = {0x31, 0xc0, 0x0f, 0x05, 0xc3};
static const uint8_t elf32[64] = {0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, EV_CURRENT};

#define LIB(...) (&(struct fake_elf){__VA_ARGS__, .code = read_code, .codelen = sizeof(read_code)})

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/hl-static-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
	(void)state;
	return nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct static_object *object(const struct static_result *r, const char *name)
{
	for (size_t i = 0; i < r->nobjects; i++)
		if (!strcmp(r->objects[i].name, name))
			return &r->objects[i];
	fail_msg("no object %s", name);
	return NULL;
}

static void expect_found(const struct static_result *r, const char *name, const char *rel, const char *via)
{
	const struct static_object *o = object(r, name);
	char found[PATH_MAX], want[PATH_MAX];
	assert_non_null(o->path);
	/* ld.so keeps the path as the search made it: lib/../x stays so. */
	assert_non_null(realpath(o->path, found));
	assert_non_null(realpath(at_root(rel), want));
	assert_string_equal(found, want);
	assert_string_equal(o->via, via);
	assert_null(o->error);
}

/* bin/prog and what it loads, for test_search_order. */
static void build_search_tree(const char *libq)
{
	write_elf("bin/prog", &(struct fake_elf){.needed = {"liba.so", "libb.so"}, .runpath = "$ORIGIN/../lib",
						 .code = getpid_code, .codelen = sizeof(getpid_code)});
	write_elf("lib/liba.so", LIB(.needed = {"libz.so"}, .soname = "liba.so"));
	write_elf("lib/libb.so", LIB(.soname = "libb.so"));
	write_elf("lib/libz.so", LIB(.soname = "libz.so"));
	write_file("llp/liba.so", elf32, sizeof(elf32));
	write_elf("llp/libb.so", LIB(.needed = {"liba.so", "libmissing.so"}));
	write_elf("def/libz.so", LIB(.needed = {"liba-link.so", "libq.so"}));
	assert_int_equal(symlink("../lib/liba.so", at_root("def/liba-link.so")), 0);
	write_elf("def/libq.so", LIB(.soname = "libq.so"));
	write_elf("cache/libq.so", LIB(.soname = "libq.so"));
	static uint8_t buf[1024];
	size_t len = make_cache(buf, sizeof(buf), 0, &(struct centry){0x0303, "libq.so", libq, 0}, 1);
	write_file("ld.so.cache", buf, len);
}

/* RUNPATH of the program for its own needs only, LD_LIBRARY_PATH before
 * it, a 32-bit candidate passed over, the cache before the default
 * directories, names and files loaded once, a name not found. */
static void test_search_order(void **state)
{
	(void)state;
	char llp[PATH_MAX], def[PATH_MAX], cache[PATH_MAX], libq[PATH_MAX];
	snprintf(llp, sizeof(llp), "%s", at_root("llp"));
	snprintf(def, sizeof(def), "%s", at_root("def"));
	snprintf(cache, sizeof(cache), "%s", at_root("ld.so.cache"));
	snprintf(libq, sizeof(libq), "%s", at_root("cache/libq.so"));
	build_search_tree(libq);
	const char *dirs[] = {def, NULL};
	struct static_opts opts = {.ld_library_path = llp, .cache_path = cache, .default_dirs = dirs};
	struct static_result r;
	assert_int_equal(static_analyze_opts(at_root("bin/prog"), &opts, &r), 0);
	static const char *const order[] = {"", "liba.so", "libb.so", "libz.so", "libmissing.so", "libq.so"};
	assert_int_equal(r.nobjects, 6);
	for (size_t i = 1; i < 6; i++)
		assert_string_equal(r.objects[i].name, order[i]);
	expect_found(&r, "liba.so", "lib/liba.so", "RUNPATH");
	expect_found(&r, "libb.so", "llp/libb.so", "LD_LIBRARY_PATH");
	expect_found(&r, "libz.so", "def/libz.so", "default");
	assert_string_equal(object(&r, "libq.so")->path, libq);
	assert_string_equal(object(&r, "libq.so")->via, "ld.so.cache");
	assert_int_equal(object(&r, "libz.so")->loader, 1);
	assert_int_equal(object(&r, "libq.so")->loader, 3);
	assert_null(object(&r, "libmissing.so")->path);
	assert_string_equal(object(&r, "libmissing.so")->error, "not found");
	assert_int_equal(r.nmissing, 1);
	assert_int_equal(r.nsites, 5);
	assert_int_equal(r.nresolved, 5);
	assert_int_equal(r.nsyscalls, 2);
	assert_true(static_has(&r, SYS_getpid) && static_has(&r, SYS_read) && !static_has(&r, SYS_write));
	static_result_free(&r);
}

/* DT_RPATH is inherited down the loader chain and comes before
 * LD_LIBRARY_PATH; -z nodeflib keeps the default directories out. */
static void test_rpath_chain(void **state)
{
	(void)state;
	char llp[PATH_MAX], def[PATH_MAX];
	snprintf(llp, sizeof(llp), "%s", at_root("r/llp"));
	snprintf(def, sizeof(def), "%s", at_root("r/def"));
	write_elf("r/bin/prog", LIB(.needed = {"libr1.so"}, .rpath = "$ORIGIN/../r"));
	write_elf("r/r/libr1.so", LIB(.needed = {"libr2.so", "libd.so"}, .nodeflib = true));
	write_elf("r/r/libr2.so", LIB(.soname = "libr2.so"));
	write_elf("r/llp/libr2.so", LIB(.soname = "libr2.so"));
	write_elf("r/def/libd.so", LIB(.soname = "libd.so"));
	const char *dirs[] = {def, NULL};
	struct static_opts opts = {.ld_library_path = llp, .cache_path = "", .default_dirs = dirs};
	struct static_result r;
	assert_int_equal(static_analyze_opts(at_root("r/bin/prog"), &opts, &r), 0);
	assert_int_equal(r.nobjects, 4);
	expect_found(&r, "libr1.so", "r/r/libr1.so", "RPATH");
	expect_found(&r, "libr2.so", "r/r/libr2.so", "RPATH");
	assert_null(object(&r, "libd.so")->path);
	/* Without nodeflib, the default directory has it. */
	write_elf("r/r/libr1.so", LIB(.needed = {"libd.so"}));
	static_result_free(&r);
	assert_int_equal(static_analyze_opts(at_root("r/bin/prog"), &opts, &r), 0);
	expect_found(&r, "libd.so", "r/def/libd.so", "default");
	static_result_free(&r);
}

/* An object with a DT_RUNPATH has its DT_RPATH ignored. */
static void test_runpath_hides_rpath(void **state)
{
	(void)state;
	const char *none[] = {NULL};
	write_elf("u/bin/prog", LIB(.needed = {"libr2.so"}, .rpath = "$ORIGIN/../r", .runpath = "${ORIGIN}/../u"));
	write_elf("u/r/libr2.so", LIB(.soname = "libr2.so"));
	write_elf("u/u/libr2.so", LIB(.soname = "libr2.so"));
	struct static_opts opts = {.ld_library_path = "", .cache_path = "", .default_dirs = none};
	struct static_result r;
	assert_int_equal(static_analyze_opts(at_root("u/bin/prog"), &opts, &r), 0);
	expect_found(&r, "libr2.so", "u/u/libr2.so", "RUNPATH");
	assert_null(r.objects[0].rpath);
	static_result_free(&r);
}

static void expect_error(const char *path, int err, const char *why)
{
	struct static_result r;
	assert_int_equal(static_analyze(path, &r), err);
	assert_string_equal(r.error, why);
	static_result_free(&r);
}

static void test_program_errors(void **state)
{
	(void)state;
	write_file("e/text", "hello\n", 6);
	write_file("e/elf32", elf32, sizeof(elf32));
	write_file("e/empty", "", 0);
	expect_error(at_root("e/none"), -ENOENT, strerror(ENOENT));
	expect_error(at_root("e/text"), -ENOEXEC, "not an ELF file");
	expect_error(at_root("e/empty"), -ENOEXEC, "not an ELF file");
	expect_error(at_root("e/elf32"), -ENOEXEC, "32-bit ELF is not supported (x86-64 only)");
	expect_error(at_root("e"), -EISDIR, strerror(EISDIR));
}

/* ---- whole programs of this system ---- */

static const struct static_object *object_role(const struct static_result *r, enum static_role role)
{
	for (size_t i = 0; i < r->nobjects; i++)
		if (r->objects[i].role == role)
			return &r->objects[i];
	return NULL;
}

/* /bin/true: dynamic, libc found, the interpreter analysed too. */
static void test_bin_true(void **state)
{
	(void)state;
	struct static_result r;
	assert_int_equal(static_analyze("/bin/true", &r), 0);
	assert_int_equal(r.nmissing, 0);
	const struct static_object *interp = object_role(&r, SR_INTERP);
	assert_non_null(interp);
	assert_true(interp->nsites > 0);
	const struct static_object *libc = object(&r, "libc.so.6");
	assert_non_null(libc->path);
	assert_true(libc->nsites > 100 && libc->nresolved > libc->nsites / 2);
	assert_true(static_has(&r, SYS_exit_group));
	assert_true(static_has(&r, SYS_write) && static_has(&r, SYS_openat) && static_has(&r, SYS_mmap));
	assert_true(r.nsyscalls > 50);
	static_result_free(&r);
}

/* A static program is one object, with its own syscalls. */
static void test_static_program(void **state)
{
	(void)state;
	struct static_result r;
	const char *path = HL_GUEST_DIR "/hello-glibc-static";
	if (access(path, R_OK) != 0)
		skip();
	assert_int_equal(static_analyze(path, &r), 0);
	assert_int_equal(r.nobjects, 1);
	assert_null(r.objects[0].interp);
	assert_true(r.nsites > 10);
	assert_true(static_has(&r, SYS_exit_group) && static_has(&r, SYS_write));
	static_result_free(&r);
}

/* Run `hyperloupe static ARGS` in a child; its stdout and stderr. */
static int run_cmd(char *const *args, char *out, size_t outlen, char *err, size_t errlen)
{
	char o[PATH_MAX], e[PATH_MAX];
	snprintf(o, sizeof(o), "%s", at_root("cmd.out"));
	snprintf(e, sizeof(e), "%s", at_root("cmd.err"));
	int argc = 0;
	while (args[argc])
		argc++;
	fflush(stdout), fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen(o, "w", stdout) || !freopen(e, "w", stderr))
			_exit(99);
		exit(cmd_static(argc, (char **)args));
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	FILE *f = fopen(o, "r");
	out[fread(out, 1, outlen - 1, f)] = '\0';
	fclose(f);
	f = fopen(e, "r");
	err[fread(err, 1, errlen - 1, f)] = '\0';
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_command(void **state)
{
	(void)state;
	static char out[4 << 20], err[4096], msg[PATH_MAX + 100];
	char *json[] = {"static", "--format", "json", "/bin/true", NULL};
	assert_int_equal(run_cmd(json, out, sizeof(out), err, sizeof(err)), 0);
	assert_true(is_json(out));
	assert_non_null(strstr(out, "\"exit_group\""));
	char *text[] = {"static", "--no-sites", "true", NULL}; /* found in PATH */
	assert_int_equal(run_cmd(text, out, sizeof(out), err, sizeof(err)), 0);
	assert_non_null(strstr(out, "libc.so.6 => "));
	assert_non_null(strstr(out, " exit_group "));
	write_file("c/elf32", elf32, sizeof(elf32));
	char *bad[] = {"static", (char *)at_root("c/elf32"), NULL};
	assert_int_equal(run_cmd(bad, out, sizeof(out), err, sizeof(err)), 2);
	snprintf(msg, sizeof(msg), "hyperloupe: static: %s: 32-bit ELF is not supported (x86-64 only)\n",
		 at_root("c/elf32"));
	assert_string_equal(err, msg);
	char *none[] = {"static", "/nonexistent/prog", NULL};
	assert_int_equal(run_cmd(none, out, sizeof(out), err, sizeof(err)), 2);
	assert_string_equal(err, "hyperloupe: static: /nonexistent/prog: No such file or directory\n");
	char *usage[] = {"static", "--format", "xml", "/bin/true", NULL};
	assert_int_equal(run_cmd(usage, out, sizeof(out), err, sizeof(err)), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_constants),
		cmocka_unit_test(test_scan_unresolved),
		cmocka_unit_test(test_scan_window),
		cmocka_unit_test(test_scan_boundaries),
		cmocka_unit_test(test_scan_glibc_exit),
		cmocka_unit_test(test_cache_parse),
		cmocka_unit_test(test_cache_old_prefix),
		cmocka_unit_test(test_cache_system),
		cmocka_unit_test(test_expand_dirs),
		cmocka_unit_test(test_search_order),
		cmocka_unit_test(test_rpath_chain),
		cmocka_unit_test(test_runpath_hides_rpath),
		cmocka_unit_test(test_program_errors),
		cmocka_unit_test(test_bin_true),
		cmocka_unit_test(test_static_program),
		cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
