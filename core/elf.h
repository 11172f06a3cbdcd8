/* ELF parsing (pure, fuzzable) and loading at the addresses the program
 * will use (the KVM engine: guest virtual == VMM virtual; the monitor: its
 * own process).  Freestanding: core/sys.h for mmap. */
#ifndef HL_ELF_H
#define HL_ELF_H

#include <linux/limits.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_LOADS 32
#define ELF_MAX_PHNUM 256
/* x86-64 user space ends here (47-bit, as Linux's TASK_SIZE). */
#define USER_VA_END 0x7ffffffff000ull

struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	int prot; /* PROT_* from p_flags */
};

struct elf_image {
	int type; /* ET_EXEC or ET_DYN */
	uint64_t entry;
	uint64_t phdr_vaddr; /* unbiased address of the program headers */
	uint16_t phnum;
	uint64_t lo, hi;     /* page-aligned unbiased span of the PT_LOADs */
	int nsegs;
	struct elf_seg segs[ELF_MAX_LOADS];
	char interp[PATH_MAX]; /* "" when there is no PT_INTERP */
};

/* Parse the first len bytes of a file.  Program headers and the
 * interpreter path must lie within them.  Returns 0, or -ENOEXEC with *why
 * set to a one-line reason. */
int elf_parse(const uint8_t *buf, size_t len, struct elf_image *img, const char **why);

/* A file loaded into host (and so guest) memory. */
struct elf_loaded {
	uint64_t bias;   /* added to every unbiased address */
	uint64_t entry, phdr, lo, hi;
	int nranges;
	struct {
		uint64_t start, end;
		int prot;
	} ranges[ELF_MAX_LOADS * 2];
};

/* Map img from fd (an ET_DYN near hint, 0: wherever mmap puts it).
 * Returns 0 or a negative errno (-EEXIST when a fixed
 * ET_EXEC would overlap memory the VMM already uses). */
int elf_load(int fd, const struct elf_image *img, uint64_t hint, struct elf_loaded *out);

/* "#!interp [arg]" in the first len bytes of a file, as Linux's
 * binfmt_script reads it: one optional argument, the rest of the line
 * included.  0, or -ENOEXEC when it is no such line. */
int elf_shebang(const uint8_t *head, size_t len, char *interp, size_t ilen, char *arg, size_t alen);

#endif
