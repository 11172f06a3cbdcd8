/* Static analysis of a program and the objects ld.so loads for it
 * (static.h): which files, what their ELF headers say, and the totals.
 * The disassembly is in static_scan.c, the library search in static_ld.c.
 *
 * This reads files, it does not run them: objects are mapped read-only
 * and checked as untrusted input, since a library in LD_LIBRARY_PATH or a
 * RUNPATH directory can be any file. */
#include "analysis/static_impl.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file mapped for reading, with its checked ELF header. */
struct mapped {
	const uint8_t *buf;
	size_t len;
	Elf64_Ehdr eh;
};

static int bad(const char **why, const char *reason)
{
	*why = reason;
	return -ENOEXEC;
}

/* The same checks, and words, as the loader's (core/elf.c): this file
 * must be something `hyperloupe run` could load. */
static int elf_check(struct mapped *m, const char **why)
{
	if (m->len < SELFMAG || memcmp(m->buf, ELFMAG, SELFMAG) != 0)
		return bad(why, "not an ELF file");
	if (m->len < sizeof(m->eh))
		return bad(why, "truncated ELF header");
	if (m->buf[EI_CLASS] == ELFCLASS32)
		return bad(why, "32-bit ELF is not supported (x86-64 only)");
	if (m->buf[EI_CLASS] != ELFCLASS64 || m->buf[EI_DATA] != ELFDATA2LSB)
		return bad(why, "malformed ELF header (class or byte order)");
	memcpy(&m->eh, m->buf, sizeof(m->eh));
	if (m->eh.e_machine != EM_X86_64)
		return bad(why, "unsupported machine (not x86-64)");
	if (m->eh.e_type != ET_EXEC && m->eh.e_type != ET_DYN)
		return bad(why, "not an executable or shared object");
	if (m->eh.e_phentsize != sizeof(Elf64_Phdr) || m->eh.e_phoff > m->len ||
	    (m->len - m->eh.e_phoff) / sizeof(Elf64_Phdr) < m->eh.e_phnum)
		return bad(why, "program headers out of range (truncated file?)");
	return 0;
}

static Elf64_Phdr phdr(const struct mapped *m, int i)
{
	Elf64_Phdr ph;
	memcpy(&ph, m->buf + m->eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

/* Whether [off, off+n) lies in the file. */
static bool in_file(const struct mapped *m, uint64_t off, uint64_t n)
{
	return off <= m->len && n <= m->len - off;
}

/* The file offset of the n bytes at vaddr, through the PT_LOADs, or -1. */
static int64_t vaddr_off(const struct mapped *m, uint64_t vaddr, uint64_t n)
{
	for (int i = 0; i < m->eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr(m, i);
		if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz ||
		    n > ph.p_filesz - (vaddr - ph.p_vaddr))
			continue;
		uint64_t off = ph.p_offset + (vaddr - ph.p_vaddr);
		return in_file(m, off, n) ? (int64_t)off : -1;
	}
	return -1;
}

/* A copy of the string at off of a string table of size n, or NULL. */
static char *str_at(const uint8_t *tab, uint64_t n, uint64_t off)
{
	if (off >= n || !memchr(tab + off, '\0', n - off))
		return NULL;
	return strdup((const char *)tab + off);
}

static int read_interp(const struct mapped *m, struct static_object *o)
{
	for (int i = 0; i < m->eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr(m, i);
		if (ph.p_type != PT_INTERP)
			continue;
		if (!in_file(m, ph.p_offset, ph.p_filesz) || !(o->interp = str_at(m->buf + ph.p_offset, ph.p_filesz, 0)))
			return -ENOEXEC;
		return 0;
	}
	return 0;
}

static int add_needed(struct static_object *o, char *name)
{
	char **n = name ? realloc(o->needed, (o->nneeded + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(name);
		return name ? -ENOMEM : 0; /* a name outside the table: ignored */
	}
	o->needed = n;
	o->needed[o->nneeded++] = name;
	return 0;
}

/* The entries of the dynamic section that name other objects or say
 * where to look for them, in the order they appear (ld.so's order). */
static int read_dyn_entries(const uint8_t *dyn, size_t n, const uint8_t *str, uint64_t strsz,
			    struct static_object *o)
{
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		Elf64_Dyn d;
		memcpy(&d, dyn + i * sizeof(d), sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_NEEDED)
			r = add_needed(o, str_at(str, strsz, d.d_un.d_val));
		else if (d.d_tag == DT_SONAME && !o->soname)
			o->soname = str_at(str, strsz, d.d_un.d_val);
		else if (d.d_tag == DT_RPATH && !o->rpath)
			o->rpath = str_at(str, strsz, d.d_un.d_val);
		else if (d.d_tag == DT_RUNPATH && !o->runpath)
			o->runpath = str_at(str, strsz, d.d_un.d_val);
		else if (d.d_tag == DT_FLAGS_1)
			o->nodeflib = d.d_un.d_val & DF_1_NODEFLIB;
	}
	return r;
}

static int read_dynamic(const struct mapped *m, struct static_object *o)
{
	for (int i = 0; i < m->eh.e_phnum; i++) {
		Elf64_Phdr ph = phdr(m, i);
		if (ph.p_type != PT_DYNAMIC || !in_file(m, ph.p_offset, ph.p_filesz))
			continue;
		const uint8_t *dyn = m->buf + ph.p_offset;
		size_t n = ph.p_filesz / sizeof(Elf64_Dyn);
		uint64_t strtab = 0, strsz = 0;
		for (size_t j = 0; j < n; j++) {
			Elf64_Dyn d;
			memcpy(&d, dyn + j * sizeof(d), sizeof(d));
			if (d.d_tag == DT_NULL)
				break;
			strtab = d.d_tag == DT_STRTAB ? d.d_un.d_ptr : strtab;
			strsz = d.d_tag == DT_STRSZ ? d.d_un.d_val : strsz;
		}
		int64_t stroff = vaddr_off(m, strtab, strsz);
		if (!strtab || stroff < 0)
			return 0; /* no strings, so no names either */
		int r = read_dyn_entries(dyn, n, m->buf + stroff, strsz, o);
		if (o->runpath) { /* ld.so: DT_RUNPATH makes DT_RPATH ignored */
			free(o->rpath);
			o->rpath = NULL;
		}
		return r;
	}
	return 0;
}

/* ---- code ---- */

static bool sections_ok(const struct mapped *m)
{
	return m->eh.e_shoff && m->eh.e_shnum && m->eh.e_shentsize == sizeof(Elf64_Shdr) &&
	       m->eh.e_shoff <= m->len && (m->len - m->eh.e_shoff) / sizeof(Elf64_Shdr) >= m->eh.e_shnum;
}

static Elf64_Shdr shdr(const struct mapped *m, int i)
{
	Elf64_Shdr sh;
	memcpy(&sh, m->buf + m->eh.e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
	return sh;
}

/* Function symbols start blocks: whatever precedes one does not set eax
 * for it (its callers do). */
static int add_symbols(const struct mapped *m, const Elf64_Shdr *sh, struct scanner *s)
{
	if (sh->sh_entsize != sizeof(Elf64_Sym) || !in_file(m, sh->sh_offset, sh->sh_size))
		return 0;
	int r = 0;
	for (uint64_t k = 0; k < sh->sh_size / sizeof(Elf64_Sym) && r == 0; k++) {
		Elf64_Sym sym;
		memcpy(&sym, m->buf + sh->sh_offset + k * sizeof(sym), sizeof(sym));
		if (ELF64_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF && sym.st_value)
			r = scan_leader(s, sym.st_value);
	}
	return r;
}

/* The executable sections (.init, .plt*, .text, .fini...), so that the
 * sweep never starts in the headers or read-only data that share their
 * segment.  Returns how many there were, or a negative errno. */
static int scan_sections(const struct mapped *m, struct scanner *s)
{
	int n = 0, r = 0;
	if (!sections_ok(m))
		return 0;
	for (int i = 0; i < m->eh.e_shnum && r == 0; i++) {
		Elf64_Shdr sh = shdr(m, i);
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			r = add_symbols(m, &sh, s);
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size ||
		    !in_file(m, sh.sh_offset, sh.sh_size) || r)
			continue;
		r = scan_range(s, m->buf + sh.sh_offset, sh.sh_size, sh.sh_addr, sh.sh_offset);
		n++;
	}
	return r ? r : n;
}

/* Without section headers (stripped with sstrip, hand-made), the
 * executable PT_LOADs: less exact, since they may begin with the ELF
 * header. */
static int scan_segments(const struct mapped *m, struct scanner *s)
{
	int r = 0;
	for (int i = 0; i < m->eh.e_phnum && r == 0; i++) {
		Elf64_Phdr ph = phdr(m, i);
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && ph.p_filesz && in_file(m, ph.p_offset, ph.p_filesz))
			r = scan_range(s, m->buf + ph.p_offset, ph.p_filesz, ph.p_vaddr, ph.p_offset);
	}
	return r;
}

static int scan_object(const struct mapped *m, struct static_object *o)
{
	struct scanner *s = scan_new();
	if (!s)
		return -ENOMEM;
	int r = scan_sections(m, s);
	if (r == 0)
		r = scan_segments(m, s);
	if (r < 0) {
		struct static_site *none;
		scan_finish(s, &none);
		free(none);
		return r;
	}
	long n = scan_finish(s, &o->sites);
	if (n < 0)
		return (int)n;
	o->nsites = (size_t)n;
	return 0;
}

/* An fd on the regular file at path, or a negative errno. */
static int open_regular(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -EACCES;
	}
	return fd;
}

/* Map o->path and read what the analysis needs from it. */
static int analyze_file(struct static_object *o, bool program, const char **why)
{
	struct stat st;
	int fd = open_regular(o->path, &st);
	if (fd < 0)
		return fd;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	struct mapped m = {.buf = NULL, .len = (size_t)st.st_size};
	void *map = m.len ? mmap(NULL, m.len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	m.buf = map ? map : (const uint8_t *)"";
	int r = elf_check(&m, why);
	if (r == 0 && program && (r = read_interp(&m, o)) != 0)
		*why = "PT_INTERP is not a NUL-terminated path";
	if (r == 0)
		r = read_dynamic(&m, o);
	if (r == 0)
		r = scan_object(&m, o);
	if (map)
		munmap(map, m.len);
	return r;
}

/* ---- the objects ---- */

static int add_object(struct static_result *r, const char *name, const char *path, enum static_role role,
		      int loader, const char *via)
{
	struct static_object *objs = realloc(r->objects, (r->nobjects + 1) * sizeof(*objs));
	if (!objs)
		return -ENOMEM;
	r->objects = objs;
	struct static_object *o = &objs[r->nobjects];
	memset(o, 0, sizeof(*o));
	o->name = strdup(name);
	o->path = path ? strdup(path) : NULL;
	o->role = role;
	o->loader = loader;
	o->via = via;
	r->nobjects++;
	if (!o->name || (path && !o->path))
		return -ENOMEM;
	return (int)r->nobjects - 1;
}

/* Already loaded under that name, as ld.so's _dl_name_match_p: the name
 * an object was asked for, its path or its DT_SONAME.  Names that were
 * not found count too, so each is reported once. */
static bool known_name(const struct static_result *r, const char *name)
{
	for (size_t i = 0; i < r->nobjects; i++) {
		const struct static_object *o = &r->objects[i];
		if (!strcmp(o->name, name) || (o->path && !strcmp(o->path, name)) ||
		    (o->soname && !strcmp(o->soname, name)))
			return true;
	}
	return false;
}

/* Already loaded as another name: ld.so compares device and inode. */
static bool known_file(const struct static_result *r, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	for (size_t i = 0; i < r->nobjects; i++)
		if (r->objects[i].path && r->objects[i].dev == st.st_dev && r->objects[i].ino == st.st_ino)
			return true;
	return false;
}

/* Analyse object i, found at its path; a failure is its error, except
 * running out of memory. */
static int analyze_lib(struct static_result *r, int i)
{
	const char *why = NULL;
	struct static_object *o = &r->objects[i];
	int e = o->path ? analyze_file(o, false, &why) : 0;
	if (!o->path)
		o->error = "not found";
	else if (e && e != -ENOMEM)
		o->error = why ? why : strerror(-e);
	return e == -ENOMEM ? e : 0;
}

static int load_needed(struct static_result *r, const struct ld_env *env, int loader, const char *name)
{
	char path[PATH_MAX];
	if (known_name(r, name))
		return 0;
	const char *via = ld_find(env, r, loader, name, path, sizeof(path));
	if (via && known_file(r, path))
		return 0;
	int i = add_object(r, name, via ? path : NULL, SR_NEEDED, loader, via);
	return i < 0 ? i : analyze_lib(r, i);
}

/* The interpreter, which the kernel maps from its exact path, then the
 * DT_NEEDED names breadth-first, each once, as ld.so loads them. */
static int load_all(struct static_result *r, const struct ld_env *env)
{
	int e = 0;
	const char *interp = r->objects[0].interp;
	if (interp) {
		bool there = access(interp, F_OK) == 0;
		int i = add_object(r, interp, there ? interp : NULL, SR_INTERP, -1, there ? "PT_INTERP" : NULL);
		e = i < 0 ? i : analyze_lib(r, i);
	}
	for (size_t i = 0; i < r->nobjects && !e; i++)
		for (size_t j = 0; j < r->objects[i].nneeded && !e; j++)
			e = load_needed(r, env, (int)i, r->objects[i].needed[j]);
	return e;
}

static void add_totals(struct static_result *r)
{
	for (size_t i = 0; i < r->nobjects; i++) {
		struct static_object *o = &r->objects[i];
		r->nmissing += !o->path;
		for (size_t k = 0; k < o->nsites; k++) {
			const struct static_site *s = &o->sites[k];
			if (s->why != SW_RESOLVED)
				continue;
			o->nresolved++;
			if (sc_name(s->nr) && !static_has(r, s->nr)) {
				r->syscalls[s->nr / 64] |= 1ull << (s->nr % 64);
				r->nsyscalls++;
			}
		}
		r->nsites += o->nsites;
		r->nresolved += o->nresolved;
	}
}

int static_analyze_opts(const char *path, const struct static_opts *opts, struct static_result *out)
{
	memset(out, 0, sizeof(*out));
	int r = add_object(out, path, path, SR_PROGRAM, -1, "path");
	if (r >= 0)
		r = analyze_file(&out->objects[0], true, &out->error);
	if (r >= 0) {
		struct ld_env env;
		ld_env_init(&env, opts, path);
		r = load_all(out, &env);
		ld_env_free(&env);
	}
	if (r < 0) {
		out->error = out->error ? out->error : strerror(-r);
		return r;
	}
	add_totals(out);
	return 0;
}

int static_analyze(const char *path, struct static_result *out)
{
	return static_analyze_opts(path, NULL, out);
}

void static_result_free(struct static_result *r)
{
	for (size_t i = 0; i < r->nobjects; i++) {
		struct static_object *o = &r->objects[i];
		for (size_t j = 0; j < o->nneeded; j++)
			free(o->needed[j]);
		free(o->needed);
		free(o->name);
		free(o->path);
		free(o->interp);
		free(o->soname);
		free(o->rpath);
		free(o->runpath);
		free(o->sites);
	}
	free(r->objects);
	memset(r, 0, sizeof(*r));
}

const char *static_why_name(enum static_why why)
{
	static const char *const names[SW__COUNT] = {
		"resolved", "register", "memory", "computed", "call", "merge", "block", "window",
	};
	return why < SW__COUNT ? names[why] : "?";
}

const char *static_role_name(enum static_role role)
{
	return role == SR_PROGRAM ? "program" : role == SR_INTERP ? "interpreter" : "needed";
}
