/* elf_parse(): images built in memory, one rule broken at a time, and the
 * real binaries of the build host. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/elf.h"

#define BUF_SIZE 0x3000
#define PHOFF 64

/* The image under construction.  Aligned so Ehdr/Phdr can be written in
 * place. */
static _Alignas(16) uint8_t buf[BUF_SIZE];
static struct elf_image img;

static Elf64_Ehdr *eh(void)
{
	return (Elf64_Ehdr *)buf;
}

static Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(buf + eh()->e_phoff) + i;
}

/* A header for type with phnum program headers at PHOFF, all zero. */
static void new_image(uint16_t type, uint16_t phnum)
{
	memset(buf, 0, sizeof(buf));
	Elf64_Ehdr *e = eh();
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	e->e_type = type;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_phoff = PHOFF;
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = phnum;
}

static void set_ph(int i, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
		   uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *p = ph(i);
	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = offset;
	p->p_vaddr = p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = type == PT_LOAD ? 0x1000 : 8;
}

/* The valid static executable most cases start from:
 *   [0] PT_LOAD  R X  offset 0       vaddr 0x400000  0x1000/0x1000
 *   [1] PT_LOAD  RW   offset 0x1010  vaddr 0x402010  0x100/0x2000
 * entry 0x400100, no PT_PHDR. */
static void exec_image(uint16_t phnum)
{
	new_image(ET_EXEC, phnum);
	eh()->e_entry = 0x400100;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x1010, 0x402010, 0x100, 0x2000);
	for (int i = 2; i < phnum; i++)
		set_ph(i, PT_NOTE, PF_R, 0x200, 0x400200, 0x20, 0x20);
}

static int parse(size_t len, const char **why)
{
	*why = NULL;
	memset(&img, 0xa5, sizeof(img));
	return elf_parse(buf, len, &img, why);
}

/* elf_parse(buf, len) must fail with -ENOEXEC and a reason containing
 * needle. */
#define assert_rejected(len, needle)                                                   \
	do {                                                                           \
		const char *why_;                                                      \
		assert_int_equal(parse((len), &why_), -ENOEXEC);                       \
		assert_non_null(why_);                                                 \
		if (!strstr(why_, (needle)))                                           \
			fail_msg("reason \"%s\" does not mention \"%s\"", why_, (needle)); \
	} while (0)

static void parse_ok(size_t len)
{
	const char *why = NULL;
	int r = parse(len, &why);
	if (r)
		fail_msg("elf_parse failed: %d (%s)", r, why ? why : "no reason");
}

/* ---- valid images ---- */

static void test_exec_two_loads(void **state)
{
	(void)state;
	exec_image(2);
	parse_ok(BUF_SIZE);
	assert_int_equal(img.type, ET_EXEC);
	assert_int_equal(img.entry, 0x400100);
	assert_int_equal(img.phnum, 2);
	assert_int_equal(img.nsegs, 2);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x405000); /* PAGE_UP(0x402010 + 0x2000) */
	assert_int_equal(img.lo % 4096, 0);
	assert_int_equal(img.hi % 4096, 0);
	assert_int_equal(img.segs[0].vaddr, 0x400000);
	assert_int_equal(img.segs[0].offset, 0);
	assert_int_equal(img.segs[0].filesz, 0x1000);
	assert_int_equal(img.segs[0].memsz, 0x1000);
	assert_int_equal(img.segs[0].prot, PROT_READ | PROT_EXEC);
	assert_int_equal(img.segs[1].vaddr, 0x402010);
	assert_int_equal(img.segs[1].offset, 0x1010);
	assert_int_equal(img.segs[1].filesz, 0x100);
	assert_int_equal(img.segs[1].memsz, 0x2000);
	assert_int_equal(img.segs[1].prot, PROT_READ | PROT_WRITE);
	assert_string_equal(img.interp, "");
	/* No PT_PHDR: the headers are at file offset 64, in the first
	 * PT_LOAD. */
	assert_int_equal(img.phdr_vaddr, 0x400040);
}

static void test_prot_flags(void **state)
{
	(void)state;
	exec_image(2);
	ph(0)->p_flags = PF_X;
	ph(1)->p_flags = 0;
	parse_ok(BUF_SIZE);
	assert_int_equal(img.segs[0].prot, PROT_EXEC);
	assert_int_equal(img.segs[1].prot, PROT_NONE);
	exec_image(2);
	ph(0)->p_flags = PF_R | PF_W | PF_X;
	ph(1)->p_flags = PF_W;
	parse_ok(BUF_SIZE);
	assert_int_equal(img.segs[0].prot, PROT_READ | PROT_WRITE | PROT_EXEC);
	assert_int_equal(img.segs[1].prot, PROT_WRITE);
}

static void test_phdr_from_pt_phdr(void **state)
{
	(void)state;
	exec_image(3);
	/* A PT_PHDR whose address differs from what the PT_LOADs give, so
	 * the test sees which one was used. */
	set_ph(2, PT_PHDR, PF_R, PHOFF, 0x400abc, 3 * sizeof(Elf64_Phdr), 3 * sizeof(Elf64_Phdr));
	parse_ok(BUF_SIZE);
	assert_int_equal(img.phdr_vaddr, 0x400abc);
	assert_int_equal(img.phnum, 3);
	assert_int_equal(img.nsegs, 2);
}

static void test_phdr_from_second_load(void **state)
{
	(void)state;
	/* The table at file offset 0x1020, which the second PT_LOAD maps at
	 * 0x402020. */
	new_image(ET_EXEC, 2);
	eh()->e_phoff = 0x1020;
	eh()->e_entry = 0x400000;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	set_ph(1, PT_LOAD, PF_R | PF_W, 0x1010, 0x402010, 0x100, 0x2000);
	parse_ok(BUF_SIZE);
	assert_int_equal(img.phdr_vaddr, 0x402020);
	assert_int_equal(img.entry, 0x400000); /* == lo: inside */
}

static void test_phdr_not_loaded(void **state)
{
	(void)state;
	/* Headers at an offset no PT_LOAD maps: phdr_vaddr is 0 (unknown). */
	new_image(ET_EXEC, 1);
	eh()->e_phoff = 0x2000;
	eh()->e_entry = 0x400010;
	set_ph(0, PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000);
	parse_ok(BUF_SIZE);
	assert_int_equal(img.phdr_vaddr, 0);
}

static const char INTERP[] = "/lib64/ld-linux-x86-64.so.2";

/* A PIE: PT_PHDR, PT_INTERP, two PT_LOADs starting at 0. */
static void dyn_image(void)
{
	new_image(ET_DYN, 4);
	eh()->e_entry = 0x1040;
	set_ph(0, PT_PHDR, PF_R, PHOFF, PHOFF, 4 * sizeof(Elf64_Phdr), 4 * sizeof(Elf64_Phdr));
	set_ph(1, PT_INTERP, PF_R, 0x200, 0x200, sizeof(INTERP), sizeof(INTERP));
	set_ph(2, PT_LOAD, PF_R | PF_X, 0, 0, 0x1800, 0x1800);
	set_ph(3, PT_LOAD, PF_R | PF_W, 0x1800, 0x2800, 0x100, 0x180);
	memcpy(buf + 0x200, INTERP, sizeof(INTERP));
}

static void test_dyn_interp(void **state)
{
	(void)state;
	dyn_image();
	parse_ok(BUF_SIZE);
	assert_int_equal(img.type, ET_DYN);
	assert_string_equal(img.interp, INTERP);
	assert_int_equal(img.entry, 0x1040);
	assert_int_equal(img.lo, 0);
	assert_int_equal(img.hi, 0x3000);
	assert_int_equal(img.phdr_vaddr, PHOFF);
	assert_int_equal(img.nsegs, 2);
	assert_int_equal(img.phnum, 4);
}

static void test_interp_exactly_in_buffer(void **state)
{
	(void)state;
	/* The path ends at the last byte of the buffer. */
	dyn_image();
	size_t len = 0x200 + sizeof(INTERP);
	parse_ok(len);
	assert_string_equal(img.interp, INTERP);
	/* One byte short: out of range. */
	dyn_image();
	assert_rejected(len - 1, "PT_INTERP out of range");
}

static void test_phdrs_end_at_buffer_end(void **state)
{
	(void)state;
	exec_image(2);
	parse_ok(PHOFF + 2 * sizeof(Elf64_Phdr));
	assert_int_equal(img.nsegs, 2);
}

/* ---- rejected images ---- */

static void test_not_elf(void **state)
{
	(void)state;
	exec_image(2);
	buf[0] = 0x7e;
	assert_rejected(BUF_SIZE, "not an ELF");
	exec_image(2);
	memcpy(buf, "#!/b", 4);
	assert_rejected(BUF_SIZE, "not an ELF");
	exec_image(2);
	assert_rejected(3, "not an ELF"); /* "\x7f" "EL" only */
	assert_rejected(0, "not an ELF");
	/* Also straight from a tiny heap buffer, so ASan sees any overread. */
	uint8_t *tiny = malloc(3);
	memcpy(tiny, ELFMAG, 3);
	const char *why = NULL;
	assert_int_equal(elf_parse(tiny, 3, &img, &why), -ENOEXEC);
	assert_non_null(why);
	free(tiny);
}

static void test_truncated_header(void **state)
{
	(void)state;
	exec_image(2);
	assert_rejected(20, "truncated ELF header");
	assert_rejected(4, "truncated ELF header");
	assert_rejected(sizeof(Elf64_Ehdr) - 1, "truncated ELF header");
	uint8_t *h = malloc(20);
	memcpy(h, buf, 20);
	const char *why = NULL;
	assert_int_equal(elf_parse(h, 20, &img, &why), -ENOEXEC);
	assert_non_null(why);
	free(h);
}

static void test_class_and_byte_order(void **state)
{
	(void)state;
	exec_image(2);
	buf[EI_CLASS] = ELFCLASS32;
	assert_rejected(BUF_SIZE, "32-bit");
	exec_image(2);
	buf[EI_CLASS] = ELFCLASSNONE;
	assert_rejected(BUF_SIZE, "class or byte order");
	exec_image(2);
	buf[EI_DATA] = ELFDATA2MSB;
	assert_rejected(BUF_SIZE, "class or byte order");
	exec_image(2);
	buf[EI_DATA] = ELFDATANONE;
	assert_rejected(BUF_SIZE, "class or byte order");
}

static void test_machine(void **state)
{
	(void)state;
	exec_image(2);
	eh()->e_machine = EM_386;
	assert_rejected(BUF_SIZE, "machine");
	eh()->e_machine = EM_AARCH64;
	assert_rejected(BUF_SIZE, "machine");
}

static void test_type(void **state)
{
	(void)state;
	static const uint16_t bad[] = {ET_NONE, ET_REL, ET_CORE, 0xfe00 /* ET_LOOS */};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		exec_image(2);
		eh()->e_type = bad[i];
		assert_rejected(BUF_SIZE, "not an executable or shared object");
	}
}

static void test_phentsize_phnum(void **state)
{
	(void)state;
	exec_image(2);
	eh()->e_phentsize = sizeof(Elf64_Phdr) - 24; /* Elf32_Phdr's size */
	assert_rejected(BUF_SIZE, "malformed program header table");
	exec_image(2);
	eh()->e_phentsize = sizeof(Elf64_Phdr) + 8;
	assert_rejected(BUF_SIZE, "malformed program header table");
	exec_image(2);
	eh()->e_phnum = 0;
	assert_rejected(BUF_SIZE, "malformed program header table");
	exec_image(2);
	eh()->e_phnum = ELF_MAX_PHNUM + 1;
	assert_rejected(BUF_SIZE, "malformed program header table");
	exec_image(2);
	eh()->e_phnum = 0xffff; /* PN_XNUM */
	assert_rejected(BUF_SIZE, "malformed program header table");
}

static void test_phoff_out_of_range(void **state)
{
	(void)state;
	exec_image(2);
	eh()->e_phoff = BUF_SIZE + 1;
	assert_rejected(BUF_SIZE, "program headers out of range");
	eh()->e_phoff = ~0ull;
	assert_rejected(BUF_SIZE, "program headers out of range");
	eh()->e_phoff = ~0ull - 40; /* offset + size would wrap */
	assert_rejected(BUF_SIZE, "program headers out of range");
	eh()->e_phoff = BUF_SIZE;
	assert_rejected(BUF_SIZE, "program headers out of range");
}

static void test_phdrs_partly_beyond(void **state)
{
	(void)state;
	exec_image(2);
	/* Two headers need 112 bytes after offset 64; give 100. */
	assert_rejected(PHOFF + 100, "program headers out of range");
	assert_rejected(PHOFF + 2 * sizeof(Elf64_Phdr) - 1, "program headers out of range");
	/* The same from the heap: nothing may be read past len. */
	size_t len = PHOFF + 2 * sizeof(Elf64_Phdr) - 1;
	uint8_t *h = malloc(len);
	memcpy(h, buf, len);
	const char *why = NULL;
	assert_int_equal(elf_parse(h, len, &img, &why), -ENOEXEC);
	free(h);
	/* A table placed at the end of the buffer, crossing it. */
	exec_image(2);
	memmove(buf + BUF_SIZE - sizeof(Elf64_Phdr), buf + PHOFF, sizeof(Elf64_Phdr));
	eh()->e_phoff = BUF_SIZE - sizeof(Elf64_Phdr);
	assert_rejected(BUF_SIZE, "program headers out of range");
}

static void test_filesz_gt_memsz(void **state)
{
	(void)state;
	exec_image(2);
	ph(1)->p_filesz = ph(1)->p_memsz + 1;
	assert_rejected(BUF_SIZE, "file size exceeds memory size");
}

static void test_vaddr_beyond_user(void **state)
{
	(void)state;
	exec_image(2);
	ph(1)->p_vaddr = USER_VA_END + 0x10;
	ph(1)->p_offset = 0x10;
	assert_rejected(BUF_SIZE, "outside the user address space");
	exec_image(2);
	ph(1)->p_vaddr = 0xffffffff80002010ull; /* kernel half */
	assert_rejected(BUF_SIZE, "outside the user address space");
	/* Starts below the end, ends above it. */
	exec_image(2);
	ph(1)->p_vaddr = USER_VA_END - 0x1000 + 0x10;
	ph(1)->p_memsz = 0x2000;
	assert_rejected(BUF_SIZE, "outside the user address space");
	/* memsz so large that vaddr + memsz wraps. */
	exec_image(2);
	ph(1)->p_memsz = ~0ull - 0x100;
	assert_rejected(BUF_SIZE, "outside the user address space");
	/* Absurd file offset / size. */
	exec_image(2);
	ph(1)->p_offset = (1ull << 62) + 0x10;
	assert_rejected(BUF_SIZE, "outside the user address space");
}

static void test_misaligned(void **state)
{
	(void)state;
	exec_image(2);
	ph(1)->p_offset = 0x1020; /* vaddr 0x402010 */
	assert_rejected(BUF_SIZE, "modulo the page size");
	exec_image(2);
	ph(0)->p_vaddr = 0x400800;
	assert_rejected(BUF_SIZE, "modulo the page size");
}

static void test_overlap_descending(void **state)
{
	(void)state;
	exec_image(2);
	ph(1)->p_vaddr = 0x400ff0; /* inside [0x400000, 0x401000) */
	ph(1)->p_offset = 0xff0;
	assert_rejected(BUF_SIZE, "overlap");
	exec_image(2);
	/* Same start. */
	ph(1)->p_vaddr = 0x400000;
	ph(1)->p_offset = 0x1000;
	assert_rejected(BUF_SIZE, "overlap");
	exec_image(2);
	/* Below the first. */
	ph(1)->p_vaddr = 0x300010;
	assert_rejected(BUF_SIZE, "not in ascending order");
	/* Adjacent is fine. */
	exec_image(2);
	ph(1)->p_vaddr = 0x401000;
	ph(1)->p_offset = 0x1000;
	parse_ok(BUF_SIZE);
	assert_int_equal(img.hi, 0x403000);
}

static void test_no_load(void **state)
{
	(void)state;
	exec_image(2);
	ph(0)->p_type = PT_NOTE;
	ph(1)->p_type = PT_GNU_STACK;
	assert_rejected(BUF_SIZE, "no PT_LOAD");
	dyn_image();
	ph(2)->p_type = PT_NULL;
	ph(3)->p_type = PT_NULL;
	assert_rejected(BUF_SIZE, "no PT_LOAD");
}

static void test_too_many_loads(void **state)
{
	(void)state;
	new_image(ET_EXEC, ELF_MAX_LOADS + 1);
	eh()->e_entry = 0x400000;
	for (int i = 0; i <= ELF_MAX_LOADS; i++)
		set_ph(i, PT_LOAD, PF_R, 0, 0x400000 + (uint64_t)i * 0x1000, 0x10, 0x10);
	assert_rejected(BUF_SIZE, "too many PT_LOAD");
	/* Exactly the maximum is fine. */
	eh()->e_phnum = ELF_MAX_LOADS;
	parse_ok(BUF_SIZE);
	assert_int_equal(img.nsegs, ELF_MAX_LOADS);
}

static void test_interp_bad(void **state)
{
	(void)state;
	/* No NUL at the end. */
	dyn_image();
	buf[0x200 + sizeof(INTERP) - 1] = 'x';
	assert_rejected(BUF_SIZE, "NUL-terminated");
	/* A NUL in the middle. */
	dyn_image();
	buf[0x205] = '\0';
	assert_rejected(BUF_SIZE, "NUL-terminated");
	/* Offset past the buffer. */
	dyn_image();
	ph(1)->p_offset = BUF_SIZE + 0x10;
	assert_rejected(BUF_SIZE, "PT_INTERP out of range");
	/* Offset so large that offset + size wraps. */
	dyn_image();
	ph(1)->p_offset = ~0ull - 4;
	assert_rejected(BUF_SIZE, "PT_INTERP out of range");
	/* Size past the buffer. */
	dyn_image();
	ph(1)->p_filesz = BUF_SIZE;
	assert_rejected(BUF_SIZE, "PT_INTERP out of range");
	/* Longer than PATH_MAX. */
	dyn_image();
	ph(1)->p_filesz = PATH_MAX + 1;
	assert_rejected(BUF_SIZE, "PT_INTERP out of range");
	/* Empty. */
	dyn_image();
	ph(1)->p_filesz = 1;
	buf[0x200] = '\0';
	assert_rejected(BUF_SIZE, "PT_INTERP");
	dyn_image();
	ph(1)->p_filesz = 0;
	assert_rejected(BUF_SIZE, "PT_INTERP");
}

static void test_two_interps(void **state)
{
	(void)state;
	dyn_image();
	/* Replace PT_PHDR with a second PT_INTERP. */
	set_ph(0, PT_INTERP, PF_R, 0x200, 0x200, sizeof(INTERP), sizeof(INTERP));
	assert_rejected(BUF_SIZE, "more than one PT_INTERP");
}

static void test_entry_outside(void **state)
{
	(void)state;
	exec_image(2);
	eh()->e_entry = 0x3fffff;
	assert_rejected(BUF_SIZE, "entry point outside");
	eh()->e_entry = 0x405000; /* == hi */
	assert_rejected(BUF_SIZE, "entry point outside");
	eh()->e_entry = 0;
	assert_rejected(BUF_SIZE, "entry point outside");
	eh()->e_entry = ~0ull;
	assert_rejected(BUF_SIZE, "entry point outside");
	eh()->e_entry = 0x404fff; /* last byte: inside */
	parse_ok(BUF_SIZE);
}

/* ---- the build host's binaries ---- */

static size_t read_head(const char *path, uint8_t *out, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	size_t n = 0;
	while (n < max) {
		ssize_t r = read(fd, out + n, max - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	return n;
}

#define HEAD 65536

static void parse_file(const char *path, struct elf_image *out)
{
	uint8_t *head = malloc(HEAD);
	size_t n = read_head(path, head, HEAD);
	if (n == 0)
		fail_msg("cannot read %s", path);
	/* Exactly n bytes on the heap, so ASan catches reads past them. */
	uint8_t *exact = malloc(n);
	memcpy(exact, head, n);
	const char *why = NULL;
	int r = elf_parse(exact, n, out, &why);
	if (r)
		fail_msg("%s: %d (%s)", path, r, why ? why : "no reason");
	free(exact);
	free(head);
	assert_true(out->nsegs >= 1);
	assert_int_equal(out->lo % 4096, 0);
	assert_int_equal(out->hi % 4096, 0);
	assert_true(out->lo <= out->entry && out->entry < out->hi);
	for (int i = 1; i < out->nsegs; i++)
		assert_true(out->segs[i].vaddr >= out->segs[i - 1].vaddr + out->segs[i - 1].memsz);
}

static void test_bin_ls(void **state)
{
	(void)state;
	parse_file("/bin/ls", &img);
	assert_int_equal(img.type, ET_DYN);
	assert_string_equal(img.interp, "/lib64/ld-linux-x86-64.so.2");
	assert_int_equal(img.lo, 0);
	assert_int_equal(img.phdr_vaddr, 64); /* PT_PHDR */
	assert_true(img.nsegs >= 2);
	int exec = 0;
	for (int i = 0; i < img.nsegs; i++)
		exec += (img.segs[i].prot & PROT_EXEC) != 0;
	assert_int_equal(exec, 1);
}

static void test_ld_so(void **state)
{
	(void)state;
	parse_file("/lib64/ld-linux-x86-64.so.2", &img);
	assert_int_equal(img.type, ET_DYN);
	assert_string_equal(img.interp, "");
	assert_int_equal(img.lo, 0);
	assert_int_not_equal(img.phdr_vaddr, 0);
}

static void test_busybox(void **state)
{
	(void)state;
	if (access("/bin/busybox", R_OK)) {
		skip();
		return;
	}
	parse_file("/bin/busybox", &img);
	assert_string_equal(img.interp, "");
	if (img.type == ET_EXEC) {
		assert_true(img.lo >= 0x10000);
		/* Debian's static busybox has no PT_PHDR: computed from the
		 * PT_LOAD at offset 0. */
		assert_int_equal(img.phdr_vaddr, img.lo + 64);
	} else {
		assert_int_equal(img.type, ET_DYN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_two_loads),
		cmocka_unit_test(test_prot_flags),
		cmocka_unit_test(test_phdr_from_pt_phdr),
		cmocka_unit_test(test_phdr_from_second_load),
		cmocka_unit_test(test_phdr_not_loaded),
		cmocka_unit_test(test_dyn_interp),
		cmocka_unit_test(test_interp_exactly_in_buffer),
		cmocka_unit_test(test_phdrs_end_at_buffer_end),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_class_and_byte_order),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_phentsize_phnum),
		cmocka_unit_test(test_phoff_out_of_range),
		cmocka_unit_test(test_phdrs_partly_beyond),
		cmocka_unit_test(test_filesz_gt_memsz),
		cmocka_unit_test(test_vaddr_beyond_user),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_overlap_descending),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_too_many_loads),
		cmocka_unit_test(test_interp_bad),
		cmocka_unit_test(test_two_interps),
		cmocka_unit_test(test_entry_outside),
		cmocka_unit_test(test_bin_ls),
		cmocka_unit_test(test_ld_so),
		cmocka_unit_test(test_busybox),
	};
	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
