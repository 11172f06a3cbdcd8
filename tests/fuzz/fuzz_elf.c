/* libFuzzer target for elf_parse(): it must never read outside the buffer
 * (ASan), never hit undefined behaviour (UBSan), and whatever it accepts
 * must satisfy what elf_load() and the loader rely on. */
#include "core/elf.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CHECK(c)                          \
	do {                              \
		if (!(c))                 \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_image img;
	const char *why = NULL;
	int r = elf_parse(data, size, &img, &why);
	if (r) {
		CHECK(r == -ENOEXEC);
		CHECK(why != NULL && why[0] != '\0');
		return 0;
	}
	CHECK(img.type == 2 /* ET_EXEC */ || img.type == 3 /* ET_DYN */);
	CHECK(img.nsegs >= 1 && img.nsegs <= ELF_MAX_LOADS);
	CHECK(img.lo % 4096 == 0 && img.hi % 4096 == 0);
	CHECK(img.lo <= img.entry && img.entry < img.hi);
	CHECK(img.hi <= USER_VA_END);
	CHECK(img.phnum >= 1 && img.phnum <= ELF_MAX_PHNUM);
	CHECK(memchr(img.interp, '\0', sizeof(img.interp)) != NULL);
	for (int i = 0; i < img.nsegs; i++) {
		const struct elf_seg *s = &img.segs[i];
		CHECK(s->filesz <= s->memsz);
		CHECK(s->vaddr < USER_VA_END && s->memsz < USER_VA_END - s->vaddr);
		CHECK((s->vaddr - s->offset) % 4096 == 0);
		CHECK(s->vaddr >= img.lo && s->vaddr + s->memsz <= img.hi);
		if (i > 0)
			CHECK(s->vaddr >= img.segs[i - 1].vaddr + img.segs[i - 1].memsz);
	}
	return 0;
}
