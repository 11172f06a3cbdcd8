#!/bin/sh
# mkbadelf.sh ELF OUTDIR: make the programs hyperloupe must refuse to run.
#   not-executable  a valid ELF without any execute bit      -> 126
#   not-elf         an executable text file (no #!)           -> 126
#   elf32           a valid ELF with EI_CLASS patched to 32-bit -> 126
#   truncated-elf   the first 100 bytes of a valid ELF        -> 126
set -eu
elf=$1
out=$2
mkdir -p "$out"
rm -f "$out/not-executable" "$out/not-elf" "$out/elf32" "$out/truncated-elf"

cp "$elf" "$out/not-executable"
chmod 644 "$out/not-executable"

printf 'this is not a program\n' >"$out/not-elf"
chmod 755 "$out/not-elf"

cp "$elf" "$out/elf32"
printf '\001' | dd of="$out/elf32" bs=1 seek=4 conv=notrunc 2>/dev/null
chmod 755 "$out/elf32"

head -c 100 "$elf" >"$out/truncated-elf"
chmod 755 "$out/truncated-elf"
