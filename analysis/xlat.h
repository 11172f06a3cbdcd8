/* Names of the sub-features of vectored system calls ("xlat" tables, as
 * strace calls them): ioctl requests, fcntl commands, prctl options, clock
 * ids, socket domains...
 *
 * A sub-feature is identified by a key: the selector argument normalised the
 * way the kernel reads it, so that the policy engine (--stub ioctl:TCGETS),
 * the recorder and the reports agree on one value per feature whatever junk
 * the guest leaves in the upper half of a 64-bit register.  Values are those
 * of the x86-64 kernel ABI. */
#ifndef HL_XLAT_H
#define HL_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The two classes of mmap, keyed by MAP_ANONYMOUS in its flags. */
#define XLAT_MMAP_FILE 0
#define XLAT_MMAP_ANON 1

/* How the selector register becomes a key (see xlat_key). */
enum xlat_form {
	XLAT_U32,  /* unsigned int or int command: the low 32 bits */
	XLAT_S32,  /* int that may be negative (clock ids, socket domains):
	              the low 32 bits, sign-extended */
	XLAT_MMAP  /* mmap flags: XLAT_MMAP_FILE or XLAT_MMAP_ANON */
};

/* One named value of a selector. */
struct xlat_entry {
	uint64_t value;
	const char *name;
};

/* A table: the first entry with a value gives its name; later entries with
 * the same value are aliases (TIOCINQ for FIONREAD), accepted by
 * xlat_parse only. */
struct xlat {
	const char *what; /* "ioctl request", "fcntl command"... */
	const struct xlat_entry *e;
	int n;
	uint8_t form;     /* enum xlat_form */
};

/* The table naming the sub-features of syscall nr, or NULL when nr has none. */
const struct xlat *xlat_for(long nr);

/* Index of the argument xlat_key reads for nr, or -1 when nr has no
 * sub-features.  It is the SA_SELECTOR argument of analysis/syscalls.c where
 * that table marks one. */
int xlat_arg(long nr);

/* The sub-feature key of one call: the selector argument normalised as the
 * kernel reads it (ioctl requests and fcntl/prctl/... commands as unsigned
 * 32-bit, clock ids and socket domains as a sign-extended int), and for mmap
 * the class from MAP_ANONYMOUS in the flags.  false when nr has no
 * sub-features. */
bool xlat_key(long nr, const long args[6], uint64_t *key);

/* Name of value in x, or NULL. */
const char *xlat_name(const struct xlat *x, uint64_t value);

/* Writes the name of value, or when unnamed the value in hex ("0x5401"; a
 * negative XLAT_S32 value in decimal, "-6", as xlat_parse reads it back),
 * into buf of len bytes (truncated, NUL-terminated when len > 0); returns
 * buf. */
const char *xlat_format(const struct xlat *x, uint64_t value, char *buf,
                        size_t len);

/* Parses a name ("TCGETS", case-sensitive as in the headers) or a number
 * (decimal, 0x hex, or negative: "-6" for a CPU clock) into the key
 * xlat_key would give for it; 0, or -EINVAL when text is neither a name of
 * x nor a number a 32-bit selector can hold. */
int xlat_parse(const struct xlat *x, const char *text, uint64_t *value);

#endif
