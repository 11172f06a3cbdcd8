#!/bin/sh
# Seed corpus for fuzz_elf, made at build time: gen_corpus.sh CC OUTDIR
#
#   min-exec      ET_EXEC, one PT_LOAD, written byte by byte below (120 B)
#   min-dyn       ET_DYN with PT_PHDR, PT_INTERP and two PT_LOADs (~300 B)
#   true-head     the first 4 KiB of /bin/true (PIE with an interpreter)
#   ldso-head     the first 4 KiB of the dynamic loader (ET_DYN, no interp)
#   tiny-static   a static no-libc program built with CC (ET_EXEC)
#   tiny-spie     the same as a static PIE (ET_DYN, no interp), when CC can
#
# Only the first 4 KiB of each file is kept: elf_parse() needs the headers
# and the interpreter path, which are there.
set -e
CC=$1
OUT=$2
[ -n "$CC" ] && [ -n "$OUT" ] || { echo "usage: $0 CC OUTDIR" >&2; exit 2; }
mkdir -p "$OUT"
rm -f "$OUT"/* "$OUT"/.stamp
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# le VALUE NBYTES: VALUE little-endian (values below 2^63).
le() {
	v=$1 n=$2
	while [ "$n" -gt 0 ]; do
		printf "\\$(printf '%03o' $((v & 255)))"
		v=$((v >> 8)) n=$((n - 1))
	done
}

# ehdr TYPE ENTRY PHNUM
ehdr() {
	printf '\177ELF'; le 2 1; le 1 1; le 1 1; le 0 9  # class, data, version, OSABI + pad
	le "$1" 2; le 62 2; le 1 4; le "$2" 8             # type, EM_X86_64, version, entry
	le 64 8; le 0 8; le 0 4                           # phoff, shoff, flags
	le 64 2; le 56 2; le "$3" 2; le 64 2; le 0 2; le 0 2
}

# phdr TYPE FLAGS OFFSET VADDR FILESZ MEMSZ ALIGN
phdr() {
	le "$1" 4; le "$2" 4; le "$3" 8; le "$4" 8; le "$4" 8; le "$5" 8; le "$6" 8; le "$7" 8
}

{
	ehdr 2 $((0x400078)) 1
	phdr 1 5 0 $((0x400000)) 120 120 4096
} > "$OUT/min-exec"

INTERP=/lib64/ld-linux-x86-64.so.2
{
	ehdr 3 $((0x100)) 4
	phdr 6 4 64 64 224 224 8                   # PT_PHDR
	phdr 3 4 288 288 28 28 1                   # PT_INTERP
	phdr 1 5 0 0 316 316 4096                  # PT_LOAD R X
	phdr 1 6 316 $((0x1000 + 316)) 0 64 4096   # PT_LOAD RW, all bss
	printf '%s\000' "$INTERP"
} > "$OUT/min-dyn"

head -c 4096 /bin/true > "$OUT/true-head"
for ld in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
	if [ -r "$ld" ]; then
		head -c 4096 "$ld" > "$OUT/ldso-head"
		break
	fi
done

cat > "$TMP/tiny.s" <<'ASM'
	.globl _start
_start:
	mov $60, %eax
	xor %edi, %edi
	syscall
ASM
if "$CC" -nostdlib -static -no-pie -Wl,--build-id=none -s -o "$TMP/tiny-static" "$TMP/tiny.s" 2>/dev/null; then
	head -c 4096 "$TMP/tiny-static" > "$OUT/tiny-static"
fi
if "$CC" -nostdlib -static-pie -fPIE -Wl,--build-id=none -s -o "$TMP/tiny-spie" "$TMP/tiny.s" 2>/dev/null; then
	head -c 4096 "$TMP/tiny-spie" > "$OUT/tiny-spie"
fi
touch "$OUT/.stamp"
