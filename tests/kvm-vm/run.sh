#!/bin/bash
# Run a command inside an emulated machine that has a real /dev/kvm with
# AMD SVM semantics, for testing the kvm engine where the host has no KVM.
#
#   tests/kvm-vm/run.sh CMD [ARGS...]
#
# QEMU's software CPU (TCG, `-cpu max`) emulates SVM, so a Debian kernel
# booted in it loads kvm_amd.  The machine sees the host's whole root
# read-only over 9p under a tmpfs overlay, and runs CMD in a chroot of it,
# in the same working directory: the build tree is there as on the host,
# and whatever the command writes is thrown away with the machine.  CMD's
# stdout and stderr are streamed back, and its status is ours.
#
# Exit 77 (skip) only when QEMU cannot be installed or the machine cannot
# boot; a command that fails inside it fails.  Needs root (apt-get, QEMU's
# 9p export of /).  The host's own kernel and boot are not touched: the
# kernel package is unpacked with dpkg -x into the cache.
#
# Environment:
#   HL_KVM_VM_CACHE    cache folder (default ${XDG_CACHE_HOME:-~/.cache}/hyperloupe/kvm-vm)
#   HL_KVM_VM_TIMEOUT  seconds before the machine is stopped (default 1800)
#   HL_KVM_VM_STALL    seconds after which the machine is taken for locked
#                      up when its heartbeat (init touches a file every 5 s)
#                      has stopped, or CMD has written nothing and the guest
#                      kernel has reported a soft lockup or an RCU stall
#                      meanwhile (default 60)
#   HL_KVM_VM_RETRY    boots to try again after a lockup (default 1); a
#                      command that fails, or a machine that only times out,
#                      is never retried
#   HL_KVM_VM_ACCEL    QEMU's -accel (default tcg,thread=multi)
#   HL_KVM_VM_SMP      vCPUs of the machine (default 1)
#   HL_KVM_VM_ENV      names of more variables to pass to CMD (LC_ALL, TZ, LANG
#                      and TMPDIR always are)
#   HL_KVM_VM_CONSOLE  set to 1 to print the machine's console log at the end
#                      (the last one is kept in the cache as last-console.log)
set -u
here=$(cd "$(dirname "$0")" && pwd)
cache=${HL_KVM_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hyperloupe/kvm-vm}
timeout_s=${HL_KVM_VM_TIMEOUT:-1800}
stall_s=${HL_KVM_VM_STALL:-60}
retries=${HL_KVM_VM_RETRY:-1}
# The modules the initramfs loads, in init's order.
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
9pnet 9pnet_virtio netfs fscache 9p overlay irqbypass kvm ccp kvm-amd"

skip() { echo "kvm-vm: skipped: $*" >&2; exit 77; }
fail() { echo "kvm-vm: $*" >&2; exit 1; }

# apt-get install, with an index update only when the first try fails
# (a fresh machine has none; an up-to-date one should not wait for it).
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
	apt-get update -qq >/dev/null 2>&1
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

need_packages() {
	command -v qemu-system-x86_64 >/dev/null || apt_install qemu-system-x86 ||
		skip "qemu-system-x86 cannot be installed here"
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "ok installed" ||
		apt_install busybox-static || skip "busybox-static cannot be installed here"
}

# The newest standard Debian 6.1 kernel package (not cloud: it lacks 9p).
kernel_package() {
	if [ -n "${HL_KVM_VM_KERNEL_PKG:-}" ]; then
		echo "$HL_KVM_VM_KERNEL_PKG"
		return
	fi
	local list
	list=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1)
	if [ -z "$list" ]; then
		apt-get update -qq >/dev/null 2>&1
		list=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1)
	fi
	echo "$list" | sort -V | tail -n 1
}

# $kdir/vmlinuz and $kdir/modules/*.ko from the package, unpacked once.
fetch_kernel() {
	[ -s "$kdir/vmlinuz" ] && return 0
	local tmp ko m
	tmp=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
	(cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1 && dpkg -x ./*.deb root) || {
		rm -rf "$tmp"
		return 1
	}
	mkdir -p "$tmp/modules"
	for m in $MODULES; do
		ko=$(find "$tmp/root/lib/modules" -name "$m.ko*" | head -n 1)
		[ -n "$ko" ] || { rm -rf "$tmp"; return 1; }
		case $ko in
		*.xz) xz -dc "$ko" > "$tmp/modules/$m.ko" ;;
		*.zst) zstd -qdc "$ko" > "$tmp/modules/$m.ko" ;;
		*) cp "$ko" "$tmp/modules/$m.ko" ;;
		esac
	done
	mkdir -p "$kdir" && mv "$tmp/modules" "$kdir/" &&
		mv "$tmp"/root/boot/vmlinuz-* "$kdir/vmlinuz"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# The initramfs: busybox, the modules and our init, rebuilt when init changes.
build_initrd() {
	local sum tmp
	sum=$(cat "$here/init" /bin/busybox | md5sum | cut -c1-12)
	initrd=$kdir/initrd-$sum.gz
	[ -s "$initrd" ] && return 0
	tmp=$(mktemp -d "$cache/initrd.XXXXXX") || return 1
	mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/modules"
	cp /bin/busybox "$tmp/bin/busybox" && cp "$here/init" "$tmp/init" &&
		cp "$kdir"/modules/*.ko "$tmp/modules/" && chmod 755 "$tmp/init" || return 1
	(cd "$tmp" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp" &&
		mv "$initrd.tmp" "$initrd"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

# job.sh: CMD in the caller's directory with a few of its variables.
write_job() {
	local v
	{
		echo "cd $(printf '%q' "$PWD") || exit 125"
		for v in LC_ALL TZ LANG TMPDIR ${HL_KVM_VM_ENV:-}; do
			[ -n "${!v+x}" ] && echo "export $v=$(printf '%q' "${!v}")"
		done
		printf 'exec'
		printf ' %q' "$@"
		echo
	} > "$job/job.sh"
}

# The emulated machine sometimes locks up under load (docs/kvm-svm.md):
# nothing in it runs any more, with or without soft lockup and RCU stall
# reports on its console.  Stop it (and leave the reason in $job/lockup)
# when its heartbeat has stopped for $stall_s seconds, or CMD has written
# nothing for $stall_s seconds and the console has shown such a report in
# that time.  A test that hangs in a live machine is left to its timeout.
watchdog() {
	local qemu=$1 size last=-1 csize mark=0 quiet=0 beat
	while kill -0 "$qemu" 2>/dev/null; do
		sleep 5
		if [ -e "$job/alive" ]; then
			beat=$(($(date +%s) - $(stat -c %Y "$job/alive")))
			if [ "$beat" -ge "$stall_s" ]; then
				echo "no heartbeat for ${beat}s" > "$job/lockup"
				kill "$qemu" 2>/dev/null
				return
			fi
		fi
		size=$(cat "$job/stdout" "$job/stderr" 2>/dev/null | wc -c)
		csize=$(wc -c < "$job/console.log" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size mark=$csize quiet=0
			continue
		fi
		quiet=$((quiet + 5))
		[ "$quiet" -ge "$stall_s" ] || continue
		if tail -c +$((mark + 1)) "$job/console.log" 2>/dev/null |
			grep -qE 'soft lockup|rcu: INFO: .*stall'; then
			echo "no output for ${quiet}s, lockup reports on the console" > "$job/lockup"
			kill "$qemu" 2>/dev/null
			return
		fi
	done
}

# Boot, streaming the job's output files while the machine runs.
boot() {
	rm -f "$job/booted" "$job/rc" "$job/lockup" "$job/alive"
	: > "$job/stdout"
	: > "$job/stderr"
	: > "$job/console.log"
	timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel "${HL_KVM_VM_ACCEL:-tcg,thread=multi}" \
		-cpu max -smp "${HL_KVM_VM_SMP:-1}" -m 4096 \
		-display none -monitor none -serial "file:$job/console.log" -nic none -no-reboot \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$job,mount_tag=job,security_model=none" \
		-append "console=ttyS0 quiet panic=-1 hl_job=$job" < /dev/null > "$job/qemu.log" 2>&1 &
	local qemu=$!
	# A caller's timeout (CTest's) must not leave the machine running.
	trap 'kill $qemu 2>/dev/null; exit 143' TERM INT HUP
	tail -n +1 -f --pid=$qemu "$job/stdout" &
	local t1=$!
	tail -n +1 -f --pid=$qemu "$job/stderr" >&2 &
	local t2=$!
	watchdog $qemu &
	local w=$!
	wait $qemu
	qemu_rc=$?
	wait $t1 $t2
	kill $w 2>/dev/null
	wait $w 2>/dev/null
}

# Did the machine lock up (rather than CMD fail or hang)?  Either the
# watchdog stopped it, or it timed out with lockup reports on the console.
locked_up() {
	[ -e "$job/booted" ] && [ ! -s "$job/rc" ] || return 1
	[ -e "$job/lockup" ] || grep -qE 'soft lockup|rcu: INFO: .*stall' "$job/console.log" 2>/dev/null
}

finish() {
	[ "${HL_KVM_VM_CONSOLE:-0}" = 1 ] && cat "$job/console.log" >&2
	cp "$job/console.log" "$cache/last-console.log" 2>/dev/null # for a post-mortem
	if [ ! -e "$job/booted" ]; then
		tail -n 20 "$job/qemu.log" "$job/console.log" >&2
		skip "the emulated machine did not boot (qemu status $qemu_rc)"
	fi
	if [ ! -s "$job/rc" ]; then
		tail -n 20 "$job/console.log" >&2
		[ -e "$job/lockup" ] && fail "the emulated machine locked up ($(cat "$job/lockup"))"
		fail "the command did not finish in the emulated machine (qemu status $qemu_rc; timeout ${timeout_s}s)"
	fi
	return "$(cat "$job/rc")"
}

main() {
	[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
	[ "$(id -u)" = 0 ] || skip "needs root (apt-get, QEMU's 9p export of /)"
	need_packages
	mkdir -p "$cache" || skip "cannot create $cache"
	exec 9> "$cache/lock"
	flock 9 # one fetch and build of the kernel and initramfs at a time
	pkg=$(kernel_package)
	[ -n "$pkg" ] || skip "no linux-image-6.1.0-*-amd64 package in the apt sources"
	kdir=$cache/$pkg
	fetch_kernel || skip "cannot fetch and unpack $pkg"
	build_initrd || skip "cannot build the initramfs"
	flock -u 9
	case $cache in *[[:space:]]*) skip "the cache path has white space: $cache" ;; esac
	job=$(mktemp -d "$cache/job.XXXXXX") || skip "cannot create a job folder"
	trap 'rm -rf "$job"' EXIT
	write_job "$@"
	boot
	while [ "$retries" -gt 0 ] && locked_up; do
		retries=$((retries - 1))
		cp "$job/console.log" "$cache/lockup-console.log" 2>/dev/null
		grep -E 'soft lockup|rcu: INFO' "$job/console.log" | tail -n 4 >&2
		echo "kvm-vm: THE EMULATED MACHINE LOCKED UP ($(cat "$job/lockup" 2>/dev/null ||
			echo "timeout ${timeout_s}s with lockup reports on the console")," \
			"console kept as lockup-console.log); booting again to run the command once more" >&2
		boot
	done
	finish
}

main "$@"
