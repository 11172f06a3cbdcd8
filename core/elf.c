/* ELF parsing and loading (elf.h); freestanding, for both engines. */
#include "core/elf.h"
#include "core/lib.h"
#include "core/sys.h"

#include <asm/unistd_64.h>
#include <elf.h>
#include <linux/errno.h>
#include <linux/mman.h>

#define PAGE_SIZE 4096ul
#define PAGE_DOWN(x) ((uint64_t)(x) & ~(PAGE_SIZE - 1))
#define PAGE_UP(x) (((uint64_t)(x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

static long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	return hl_sys6(__NR_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
}

static void sys_munmap(uint64_t addr, uint64_t len)
{
	hl_sys6(__NR_munmap, (long)addr, (long)len, 0, 0, 0, 0);
}

static bool failed(long r)
{
	return r < 0 && r > -4096;
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -ENOEXEC;
}

static int check_ident(const uint8_t *buf, size_t len, const char **why)
{
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return fail(why, "not an ELF file");
	if (len < sizeof(Elf64_Ehdr))
		return fail(why, "truncated ELF header");
	if (buf[EI_CLASS] == ELFCLASS32)
		return fail(why, "32-bit ELF is not supported (x86-64 only)");
	if (buf[EI_CLASS] != ELFCLASS64 || buf[EI_DATA] != ELFDATA2LSB)
		return fail(why, "malformed ELF header (class or byte order)");
	return 0;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, const char **why)
{
	if (eh->e_machine != EM_X86_64)
		return fail(why, "unsupported machine (not x86-64)");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(why, "not an executable or shared object");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return fail(why, "malformed program header table");
	if (eh->e_phoff > len || (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return fail(why, "program headers out of range (truncated file?)");
	return 0;
}

static int add_load(struct elf_image *img, const Elf64_Phdr *ph, const char **why)
{
	if (img->nsegs == ELF_MAX_LOADS)
		return fail(why, "too many PT_LOAD segments");
	if (ph->p_filesz > ph->p_memsz)
		return fail(why, "PT_LOAD file size exceeds memory size");
	if (ph->p_vaddr >= USER_VA_END || ph->p_memsz >= USER_VA_END - ph->p_vaddr ||
	    ph->p_offset >= (1ull << 62) || ph->p_filesz >= (1ull << 62))
		return fail(why, "PT_LOAD outside the user address space");
	if ((ph->p_vaddr - ph->p_offset) % PAGE_SIZE)
		return fail(why, "PT_LOAD address and offset disagree modulo the page size");
	if (img->nsegs && ph->p_vaddr < img->segs[img->nsegs - 1].vaddr +
						 img->segs[img->nsegs - 1].memsz)
		return fail(why, "PT_LOAD segments overlap or are not in ascending order");
	struct elf_seg *s = &img->segs[img->nsegs++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->prot = (ph->p_flags & PF_R ? PROT_READ : 0) | (ph->p_flags & PF_W ? PROT_WRITE : 0) |
		  (ph->p_flags & PF_X ? PROT_EXEC : 0);
	return 0;
}

static int set_interp(struct elf_image *img, const uint8_t *buf, size_t len,
		      const Elf64_Phdr *ph, const char **why)
{
	if (img->interp[0])
		return fail(why, "more than one PT_INTERP");
	if (ph->p_filesz < 2 || ph->p_filesz > sizeof(img->interp) || ph->p_offset > len ||
	    len - ph->p_offset < ph->p_filesz)
		return fail(why, "PT_INTERP out of range");
	const char *s = (const char *)buf + ph->p_offset;
	if (s[ph->p_filesz - 1] != '\0' || strlen(s) != ph->p_filesz - 1)
		return fail(why, "PT_INTERP is not a NUL-terminated path");
	memcpy(img->interp, s, ph->p_filesz);
	return 0;
}

/* Where the program headers are in memory when there is no PT_PHDR: inside
 * the PT_LOAD that maps their file offset. */
static uint64_t phdr_from_loads(const struct elf_image *img, uint64_t phoff)
{
	for (int i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];
		if (phoff >= s->offset && phoff - s->offset < s->filesz)
			return s->vaddr + (phoff - s->offset);
	}
	return 0;
}

static int scan_phdrs(struct elf_image *img, const uint8_t *buf, size_t len,
		      const Elf64_Ehdr *eh, const char **why)
{
	int r = 0;
	for (int i = 0; i < eh->e_phnum && r == 0; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, buf + eh->e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD)
			r = add_load(img, &ph, why);
		else if (ph.p_type == PT_INTERP)
			r = set_interp(img, buf, len, &ph, why);
		else if (ph.p_type == PT_PHDR)
			img->phdr_vaddr = ph.p_vaddr;
	}
	return r;
}

int elf_parse(const uint8_t *buf, size_t len, struct elf_image *img, const char **why)
{
	Elf64_Ehdr eh;
	int r = check_ident(buf, len, why);
	if (r)
		return r;
	memcpy(&eh, buf, sizeof(eh));
	if ((r = check_ehdr(&eh, len, why)))
		return r;
	memset(img, 0, sizeof(*img));
	img->type = eh.e_type;
	img->entry = eh.e_entry;
	img->phnum = eh.e_phnum;
	if ((r = scan_phdrs(img, buf, len, &eh, why)))
		return r;
	if (img->nsegs == 0)
		return fail(why, "no PT_LOAD segment");
	if (!img->phdr_vaddr)
		img->phdr_vaddr = phdr_from_loads(img, eh.e_phoff);
	img->lo = PAGE_DOWN(img->segs[0].vaddr);
	const struct elf_seg *last = &img->segs[img->nsegs - 1];
	img->hi = PAGE_UP(last->vaddr + last->memsz);
	if (img->entry < img->lo || img->entry >= img->hi)
		return fail(why, "entry point outside the loaded segments");
	return 0;
}

static void add_range(struct elf_loaded *out, uint64_t start, uint64_t end, int prot)
{
	if (start >= end)
		return;
	out->ranges[out->nranges].start = start;
	out->ranges[out->nranges].end = end;
	out->ranges[out->nranges].prot = prot;
	out->nranges++;
}

/* Map one PT_LOAD like Linux's elf_map() + set_brk(): the file part
 * private, the tail of its last page zeroed, the rest anonymous. */
static int map_segment(int fd, const struct elf_seg *s, uint64_t bias, struct elf_loaded *out)
{
	uint64_t start = PAGE_DOWN(s->vaddr + bias), fend = s->vaddr + bias + s->filesz;
	uint64_t mend = PAGE_UP(s->vaddr + bias + s->memsz);
	int wprot = s->prot | (s->memsz > s->filesz ? PROT_WRITE : 0);
	if (s->filesz) {
		long p = sys_mmap(start, PAGE_UP(fend) - start, wprot, MAP_PRIVATE | MAP_FIXED, fd,
				  PAGE_DOWN(s->offset));
		if (failed(p))
			return (int)p;
		if (s->memsz > s->filesz && PAGE_UP(fend) != fend)
			memset((void *)fend, 0, PAGE_UP(fend) - fend);
		long r = wprot == s->prot ? 0 : hl_sys6(__NR_mprotect, p, (long)(PAGE_UP(fend) - start), s->prot, 0, 0, 0);
		if (r)
			return (int)r;
		add_range(out, start, PAGE_UP(fend), s->prot);
		start = PAGE_UP(fend);
	}
	if (mend > start) {
		long p = sys_mmap(start, mend - start, s->prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
		if (failed(p))
			return (int)p;
		add_range(out, start, mend, s->prot);
	}
	return 0;
}

/* Give back the parts of the reservation no segment uses, so the layout is
 * what Linux's loader leaves. */
static void unmap_holes(struct elf_loaded *out)
{
	uint64_t cur = out->lo;
	for (int i = 0; i < out->nranges; i++) {
		if (out->ranges[i].start > cur)
			sys_munmap(cur, out->ranges[i].start - cur);
		if (out->ranges[i].end > cur)
			cur = out->ranges[i].end;
	}
	if (out->hi > cur)
		sys_munmap(cur, out->hi - cur);
}

int elf_load(int fd, const struct elf_image *img, uint64_t hint, struct elf_loaded *out)
{
	uint64_t span = img->hi - img->lo;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	if (img->type == ET_EXEC)
		flags |= MAP_FIXED_NOREPLACE;
	long res = sys_mmap(img->type == ET_EXEC ? img->lo : hint, span, PROT_NONE, flags, -1, 0);
	if (failed(res))
		return (int)res;
	if (img->type == ET_EXEC && (uint64_t)res != img->lo) {
		sys_munmap((uint64_t)res, span); /* kernels before 4.17 treat NOREPLACE as a hint */
		return -EEXIST;
	}
	memset(out, 0, sizeof(*out));
	out->bias = (uint64_t)res - img->lo;
	out->lo = (uint64_t)res;
	out->hi = out->lo + span;
	out->entry = img->entry + out->bias;
	out->phdr = img->phdr_vaddr ? img->phdr_vaddr + out->bias : 0;
	for (int i = 0; i < img->nsegs; i++) {
		int r = map_segment(fd, &img->segs[i], out->bias, out);
		if (r) {
			sys_munmap((uint64_t)res, span);
			return r;
		}
	}
	unmap_holes(out);
	return 0;
}

int elf_shebang(const uint8_t *head, size_t len, char *interp, size_t ilen, char *arg, size_t alen)
{
	size_t n = len < 256 ? len : 256, i = 2, end = 2;
	const char *h = (const char *)head;
	while (end < n && h[end] != '\n')
		end++;
	while (i < end && (h[i] == ' ' || h[i] == '\t'))
		i++;
	size_t s = i;
	while (i < end && h[i] != ' ' && h[i] != '\t')
		i++;
	if (len < 2 || h[0] != '#' || h[1] != '!' || i == s || i - s >= ilen || !alen)
		return -ENOEXEC;
	memcpy(interp, h + s, i - s);
	interp[i - s] = 0;
	while (i < end && (h[i] == ' ' || h[i] == '\t'))
		i++;
	while (end > i && (h[end - 1] == ' ' || h[end - 1] == '\t' || h[end - 1] == '\r'))
		end--;
	size_t k = end - i < alen - 1 ? end - i : alen - 1;
	memcpy(arg, h + i, k);
	arg[k] = 0;
	return 0;
}
