/* The sub-feature name tables.
 *
 * Values are written as numbers (ioctl requests through the _IOC encoding
 * with x86-64 struct sizes) so that they are those of the x86-64 kernel ABI
 * whatever the headers of the build host; tests/unit/test_xlat.c checks them
 * against those headers where the host has them.  Names are the kernel's,
 * stringified from the identifier so that they cannot drift from it. */
#include "analysis/xlat.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/syscalls.h"

#define X(v, name) {(uint64_t)(v), #name}
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define TABLE(var, what_, form_) \
	static const struct xlat var = {what_, var##_e, COUNT(var##_e), form_}

/* The generic ioctl encoding, which x86-64 uses: direction in bits 30-31,
 * argument size in 16-29, type in 8-15, number in 0-7. */
#define IOC(dir, type, nr, size) \
	(((uint32_t)(dir) << 30) | ((uint32_t)(size) << 16) | \
	 ((uint32_t)(type) << 8) | (uint32_t)(nr))
#define IO_(t, n) IOC(0, t, n, 0)
#define IOW_(t, n, sz) IOC(1, t, n, sz)
#define IOR_(t, n, sz) IOC(2, t, n, sz)
#define IOWR_(t, n, sz) IOC(3, t, n, sz)

/* x86-64 sizes of ioctl argument structs. */
#define SZ_TERMIOS2 44
#define SZ_ISO7816 40
#define SZ_TIMESPEC64 16  /* long long[2] */
#define SZ_FSTRIM 24
#define SZ_CLONE_RANGE 32
#define SZ_DEDUPE_RANGE 24
#define SZ_FIEMAP 32
#define SZ_FSXATTR 28
#define SZ_FSLABEL 256
#define SZ_FSUUID2 17
#define SZ_SYSFS_PATH 129
#define SZ_SOCK_FPROG 16
#define SZ_RTC_TIME 36
#define SZ_RTC_WKALRM 40

static const struct xlat_entry xl_mmap_class_e[] = {
	{XLAT_MMAP_FILE, "file"},
	{XLAT_MMAP_ANON, "anon"},
};
TABLE(xl_mmap_class, "mmap class", XLAT_MMAP);

/* Terminals (asm-generic/ioctls.h, which x86 uses as is). */
#define IOCTL_TTY \
	X(0x5401, TCGETS), X(0x5402, TCSETS), X(0x5403, TCSETSW), \
	X(0x5404, TCSETSF), X(0x5405, TCGETA), X(0x5406, TCSETA), \
	X(0x5407, TCSETAW), X(0x5408, TCSETAF), X(0x5409, TCSBRK), \
	X(0x540A, TCXONC), X(0x540B, TCFLSH), X(0x540C, TIOCEXCL), \
	X(0x540D, TIOCNXCL), X(0x540E, TIOCSCTTY), X(0x540F, TIOCGPGRP), \
	X(0x5410, TIOCSPGRP), X(0x5411, TIOCOUTQ), X(0x5412, TIOCSTI), \
	X(0x5413, TIOCGWINSZ), X(0x5414, TIOCSWINSZ), X(0x5415, TIOCMGET), \
	X(0x5416, TIOCMBIS), X(0x5417, TIOCMBIC), X(0x5418, TIOCMSET), \
	X(0x5419, TIOCGSOFTCAR), X(0x541A, TIOCSSOFTCAR), \
	X(0x541B, FIONREAD), X(0x541C, TIOCLINUX), X(0x541D, TIOCCONS), \
	X(0x541E, TIOCGSERIAL), X(0x541F, TIOCSSERIAL), X(0x5420, TIOCPKT), \
	X(0x5421, FIONBIO), X(0x5422, TIOCNOTTY), X(0x5423, TIOCSETD), \
	X(0x5424, TIOCGETD), X(0x5425, TCSBRKP), X(0x5427, TIOCSBRK), \
	X(0x5428, TIOCCBRK), X(0x5429, TIOCGSID), \
	X(IOR_('T', 0x2A, SZ_TERMIOS2), TCGETS2), \
	X(IOW_('T', 0x2B, SZ_TERMIOS2), TCSETS2), \
	X(IOW_('T', 0x2C, SZ_TERMIOS2), TCSETSW2), \
	X(IOW_('T', 0x2D, SZ_TERMIOS2), TCSETSF2), \
	X(0x542E, TIOCGRS485), X(0x542F, TIOCSRS485), \
	X(IOR_('T', 0x30, 4), TIOCGPTN), X(IOW_('T', 0x31, 4), TIOCSPTLCK), \
	X(IOR_('T', 0x32, 4), TIOCGDEV), X(0x5432, TCGETX), \
	X(0x5433, TCSETX), X(0x5434, TCSETXF), X(0x5435, TCSETXW), \
	X(IOW_('T', 0x36, 4), TIOCSIG), X(0x5437, TIOCVHANGUP), \
	X(IOR_('T', 0x38, 4), TIOCGPKT), X(IOR_('T', 0x39, 4), TIOCGPTLCK), \
	X(IOR_('T', 0x40, 4), TIOCGEXCL), X(IO_('T', 0x41), TIOCGPTPEER), \
	X(IOR_('T', 0x42, SZ_ISO7816), TIOCGISO7816), \
	X(IOWR_('T', 0x43, SZ_ISO7816), TIOCSISO7816), \
	X(0x5450, FIONCLEX), X(0x5451, FIOCLEX), X(0x5452, FIOASYNC), \
	X(0x5453, TIOCSERCONFIG), X(0x5454, TIOCSERGWILD), \
	X(0x5455, TIOCSERSWILD), X(0x5456, TIOCGLCKTRMIOS), \
	X(0x5457, TIOCSLCKTRMIOS), X(0x5458, TIOCSERGSTRUCT), \
	X(0x5459, TIOCSERGETLSR), X(0x545A, TIOCSERGETMULTI), \
	X(0x545B, TIOCSERSETMULTI), X(0x545C, TIOCMIWAIT), \
	X(0x545D, TIOCGICOUNT), X(0x5460, FIOQSIZE)

/* Sockets and network interfaces (asm-generic/sockios.h, linux/sockios.h). */
#define IOCTL_SOCK \
	X(0x8901, FIOSETOWN), X(0x8902, SIOCSPGRP), X(0x8903, FIOGETOWN), \
	X(0x8904, SIOCGPGRP), X(0x8905, SIOCATMARK), X(0x8906, SIOCGSTAMP), \
	X(0x8907, SIOCGSTAMPNS), \
	X(IOR_(0x89, 0x06, SZ_TIMESPEC64), SIOCGSTAMP_NEW), \
	X(IOR_(0x89, 0x07, SZ_TIMESPEC64), SIOCGSTAMPNS_NEW), \
	X(0x890B, SIOCADDRT), X(0x890C, SIOCDELRT), X(0x890D, SIOCRTMSG), \
	X(0x8910, SIOCGIFNAME), X(0x8911, SIOCSIFLINK), \
	X(0x8912, SIOCGIFCONF), X(0x8913, SIOCGIFFLAGS), \
	X(0x8914, SIOCSIFFLAGS), X(0x8915, SIOCGIFADDR), \
	X(0x8916, SIOCSIFADDR), X(0x8917, SIOCGIFDSTADDR), \
	X(0x8918, SIOCSIFDSTADDR), X(0x8919, SIOCGIFBRDADDR), \
	X(0x891A, SIOCSIFBRDADDR), X(0x891B, SIOCGIFNETMASK), \
	X(0x891C, SIOCSIFNETMASK), X(0x891D, SIOCGIFMETRIC), \
	X(0x891E, SIOCSIFMETRIC), X(0x891F, SIOCGIFMEM), \
	X(0x8920, SIOCSIFMEM), X(0x8921, SIOCGIFMTU), X(0x8922, SIOCSIFMTU), \
	X(0x8923, SIOCSIFNAME), X(0x8924, SIOCSIFHWADDR), \
	X(0x8925, SIOCGIFENCAP), X(0x8926, SIOCSIFENCAP), \
	X(0x8927, SIOCGIFHWADDR), X(0x8929, SIOCGIFSLAVE), \
	X(0x8930, SIOCSIFSLAVE), X(0x8931, SIOCADDMULTI), \
	X(0x8932, SIOCDELMULTI), X(0x8933, SIOCGIFINDEX), \
	X(0x8934, SIOCSIFPFLAGS), X(0x8935, SIOCGIFPFLAGS), \
	X(0x8936, SIOCDIFADDR), X(0x8937, SIOCSIFHWBROADCAST), \
	X(0x8938, SIOCGIFCOUNT), X(0x8940, SIOCGIFBR), X(0x8941, SIOCSIFBR), \
	X(0x8942, SIOCGIFTXQLEN), X(0x8943, SIOCSIFTXQLEN), \
	X(0x8946, SIOCETHTOOL), X(0x8947, SIOCGMIIPHY), \
	X(0x8948, SIOCGMIIREG), X(0x8949, SIOCSMIIREG), \
	X(0x894A, SIOCWANDEV), X(0x894B, SIOCOUTQNSD), X(0x894C, SIOCGSKNS), \
	X(0x8953, SIOCDARP), X(0x8954, SIOCGARP), X(0x8955, SIOCSARP), \
	X(0x8960, SIOCDRARP), X(0x8961, SIOCGRARP), X(0x8962, SIOCSRARP), \
	X(0x8970, SIOCGIFMAP), X(0x8971, SIOCSIFMAP), \
	X(0x8980, SIOCADDDLCI), X(0x8981, SIOCDELDLCI), \
	X(0x8982, SIOCGIFVLAN), X(0x8983, SIOCSIFVLAN), \
	X(0x8990, SIOCBONDENSLAVE), X(0x8991, SIOCBONDRELEASE), \
	X(0x8992, SIOCBONDSETHWADDR), X(0x8993, SIOCBONDSLAVEINFOQUERY), \
	X(0x8994, SIOCBONDINFOQUERY), X(0x8995, SIOCBONDCHANGEACTIVE), \
	X(0x89A0, SIOCBRADDBR), X(0x89A1, SIOCBRDELBR), \
	X(0x89A2, SIOCBRADDIF), X(0x89A3, SIOCBRDELIF), \
	X(0x89B0, SIOCSHWTSTAMP), X(0x89B1, SIOCGHWTSTAMP)

/* Block devices and file systems (linux/fs.h, linux/f2fs.h, linux/hdreg.h,
 * linux/loop.h, scsi/sg.h): cp's reflinks, sqlite's f2fs atomic writes,
 * busybox's losetup/blockdev/hdparm. */
#define IOCTL_FS \
	X(IO_(0x00, 1), FIBMAP), X(IO_(0x00, 2), FIGETBSZ), \
	X(0x0301, HDIO_GETGEO), X(0x030D, HDIO_GET_IDENTITY), \
	X(IO_(0x12, 93), BLKROSET), X(IO_(0x12, 94), BLKROGET), \
	X(IO_(0x12, 95), BLKRRPART), X(IO_(0x12, 96), BLKGETSIZE), \
	X(IO_(0x12, 97), BLKFLSBUF), X(IO_(0x12, 98), BLKRASET), \
	X(IO_(0x12, 99), BLKRAGET), X(IO_(0x12, 100), BLKFRASET), \
	X(IO_(0x12, 101), BLKFRAGET), X(IO_(0x12, 102), BLKSECTSET), \
	X(IO_(0x12, 103), BLKSECTGET), X(IO_(0x12, 104), BLKSSZGET), \
	X(IOR_(0x12, 112, 8), BLKBSZGET), X(IOW_(0x12, 113, 8), BLKBSZSET), \
	X(IOR_(0x12, 114, 8), BLKGETSIZE64), X(IO_(0x12, 119), BLKDISCARD), \
	X(IO_(0x12, 120), BLKIOMIN), X(IO_(0x12, 121), BLKIOOPT), \
	X(IO_(0x12, 122), BLKALIGNOFF), X(IO_(0x12, 123), BLKPBSZGET), \
	X(IO_(0x12, 124), BLKDISCARDZEROES), \
	X(IO_(0x12, 125), BLKSECDISCARD), X(IO_(0x12, 126), BLKROTATIONAL), \
	X(IO_(0x12, 127), BLKZEROOUT), X(IOR_(0x12, 128, 8), BLKGETDISKSEQ), \
	X(0x2282, SG_GET_VERSION_NUM), X(0x2285, SG_IO), \
	X(0x4C00, LOOP_SET_FD), X(0x4C01, LOOP_CLR_FD), \
	X(0x4C02, LOOP_SET_STATUS), X(0x4C03, LOOP_GET_STATUS), \
	X(0x4C04, LOOP_SET_STATUS64), X(0x4C05, LOOP_GET_STATUS64), \
	X(0x4C06, LOOP_CHANGE_FD), X(0x4C07, LOOP_SET_CAPACITY), \
	X(0x4C08, LOOP_SET_DIRECT_IO), X(0x4C09, LOOP_SET_BLOCK_SIZE), \
	X(0x4C0A, LOOP_CONFIGURE), X(0x4C80, LOOP_CTL_ADD), \
	X(0x4C81, LOOP_CTL_REMOVE), X(0x4C82, LOOP_CTL_GET_FREE), \
	X(IOR_('f', 1, 8), FS_IOC_GETFLAGS), X(IOW_('f', 2, 8), FS_IOC_SETFLAGS), \
	X(IOWR_('f', 11, SZ_FIEMAP), FS_IOC_FIEMAP), \
	X(IOR_('f', 1, 4), FS_IOC32_GETFLAGS), \
	X(IOW_('f', 2, 4), FS_IOC32_SETFLAGS), \
	X(IOR_('v', 1, 8), FS_IOC_GETVERSION), \
	X(IOW_('v', 2, 8), FS_IOC_SETVERSION), \
	X(IOR_('X', 31, SZ_FSXATTR), FS_IOC_FSGETXATTR), \
	X(IOW_('X', 32, SZ_FSXATTR), FS_IOC_FSSETXATTR), \
	X(IOWR_('X', 119, 4), FIFREEZE), X(IOWR_('X', 120, 4), FITHAW), \
	X(IOWR_('X', 121, SZ_FSTRIM), FITRIM), \
	X(IOW_(0x94, 9, 4), FICLONE), \
	X(IOW_(0x94, 13, SZ_CLONE_RANGE), FICLONERANGE), \
	X(IOWR_(0x94, 54, SZ_DEDUPE_RANGE), FIDEDUPERANGE), \
	X(IOR_(0x94, 49, SZ_FSLABEL), FS_IOC_GETFSLABEL), \
	X(IOW_(0x94, 50, SZ_FSLABEL), FS_IOC_SETFSLABEL), \
	X(IOR_(0x15, 0, SZ_FSUUID2), FS_IOC_GETFSUUID), \
	X(IOR_(0x15, 1, SZ_SYSFS_PATH), FS_IOC_GETFSSYSFSPATH), \
	X(IO_(0xF5, 1), F2FS_IOC_START_ATOMIC_WRITE), \
	X(IO_(0xF5, 2), F2FS_IOC_COMMIT_ATOMIC_WRITE), \
	X(IO_(0xF5, 3), F2FS_IOC_START_VOLATILE_WRITE), \
	X(IO_(0xF5, 4), F2FS_IOC_RELEASE_VOLATILE_WRITE), \
	X(IO_(0xF5, 5), F2FS_IOC_ABORT_ATOMIC_WRITE), \
	X(IOR_(0xF5, 12, 4), F2FS_IOC_GET_FEATURES)

/* Devices and kernel objects: the entropy pool, tun/tap, the console
 * (linux/kd.h, linux/vt.h), the RTC, perf events, namespaces. */
#define IOCTL_DEV \
	X(IOR_('R', 0, 4), RNDGETENTCNT), X(IOW_('R', 1, 4), RNDADDTOENTCNT), \
	X(IOR_('R', 2, 8), RNDGETPOOL), X(IOW_('R', 3, 8), RNDADDENTROPY), \
	X(IO_('R', 4), RNDZAPENTCNT), X(IO_('R', 6), RNDCLEARPOOL), \
	X(IO_('R', 7), RNDRESEEDCRNG), \
	X(IOW_('T', 200, 4), TUNSETNOCSUM), X(IOW_('T', 201, 4), TUNSETDEBUG), \
	X(IOW_('T', 202, 4), TUNSETIFF), X(IOW_('T', 203, 4), TUNSETPERSIST), \
	X(IOW_('T', 204, 4), TUNSETOWNER), X(IOW_('T', 205, 4), TUNSETLINK), \
	X(IOW_('T', 206, 4), TUNSETGROUP), \
	X(IOR_('T', 207, 4), TUNGETFEATURES), \
	X(IOW_('T', 208, 4), TUNSETOFFLOAD), \
	X(IOW_('T', 209, 4), TUNSETTXFILTER), X(IOR_('T', 210, 4), TUNGETIFF), \
	X(IOR_('T', 211, 4), TUNGETSNDBUF), X(IOW_('T', 212, 4), TUNSETSNDBUF), \
	X(IOW_('T', 213, SZ_SOCK_FPROG), TUNATTACHFILTER), \
	X(IOW_('T', 214, SZ_SOCK_FPROG), TUNDETACHFILTER), \
	X(IOR_('T', 215, 4), TUNGETVNETHDRSZ), \
	X(IOW_('T', 216, 4), TUNSETVNETHDRSZ), \
	X(IOW_('T', 217, 4), TUNSETQUEUE), X(IOW_('T', 218, 4), TUNSETIFINDEX), \
	X(IOR_('T', 219, SZ_SOCK_FPROG), TUNGETFILTER), \
	X(IOW_('T', 220, 4), TUNSETVNETLE), X(IOR_('T', 221, 4), TUNGETVNETLE), \
	X(IOW_('T', 222, 4), TUNSETVNETBE), X(IOR_('T', 223, 4), TUNGETVNETBE), \
	X(IOR_('T', 224, 4), TUNSETSTEERINGEBPF), \
	X(IOR_('T', 225, 4), TUNSETFILTEREBPF), \
	X(IOW_('T', 226, 4), TUNSETCARRIER), X(IO_('T', 227), TUNGETDEVNETNS), \
	X(0x4B2F, KIOCSOUND), X(0x4B30, KDMKTONE), X(0x4B31, KDGETLED), \
	X(0x4B32, KDSETLED), X(0x4B33, KDGKBTYPE), X(0x4B34, KDADDIO), \
	X(0x4B35, KDDELIO), X(0x4B36, KDENABIO), X(0x4B37, KDDISABIO), \
	X(0x4B3A, KDSETMODE), X(0x4B3B, KDGETMODE), X(0x4B3C, KDMAPDISP), \
	X(0x4B3D, KDUNMAPDISP), X(0x4B40, GIO_SCRNMAP), X(0x4B41, PIO_SCRNMAP), \
	X(0x4B44, KDGKBMODE), X(0x4B45, KDSKBMODE), X(0x4B46, KDGKBENT), \
	X(0x4B47, KDSKBENT), X(0x4B48, KDGKBSENT), X(0x4B49, KDSKBSENT), \
	X(0x4B4A, KDGKBDIACR), X(0x4B4B, KDSKBDIACR), \
	X(0x4B4C, KDGETKEYCODE), X(0x4B4D, KDSETKEYCODE), \
	X(0x4B4E, KDSIGACCEPT), X(0x4B52, KDKBDREP), X(0x4B60, GIO_FONT), \
	X(0x4B61, PIO_FONT), X(0x4B62, KDGKBMETA), X(0x4B63, KDSKBMETA), \
	X(0x4B64, KDGKBLED), X(0x4B65, KDSKBLED), X(0x4B66, GIO_UNIMAP), \
	X(0x4B67, PIO_UNIMAP), X(0x4B68, PIO_UNIMAPCLR), \
	X(0x4B69, GIO_UNISCRNMAP), X(0x4B6A, PIO_UNISCRNMAP), \
	X(0x4B6B, GIO_FONTX), X(0x4B6C, PIO_FONTX), X(0x4B6D, PIO_FONTRESET), \
	X(0x4B70, GIO_CMAP), X(0x4B71, PIO_CMAP), X(0x4B72, KDFONTOP), \
	X(0x4BFA, KDGKBDIACRUC), X(0x4BFB, KDSKBDIACRUC), \
	X(0x5600, VT_OPENQRY), X(0x5601, VT_GETMODE), X(0x5602, VT_SETMODE), \
	X(0x5603, VT_GETSTATE), X(0x5604, VT_SENDSIG), X(0x5605, VT_RELDISP), \
	X(0x5606, VT_ACTIVATE), X(0x5607, VT_WAITACTIVE), \
	X(0x5608, VT_DISALLOCATE), X(0x5609, VT_RESIZE), \
	X(0x560A, VT_RESIZEX), X(0x560B, VT_LOCKSWITCH), \
	X(0x560C, VT_UNLOCKSWITCH), X(0x560D, VT_GETHIFONTMASK), \
	X(0x560E, VT_WAITEVENT), X(0x560F, VT_SETACTIVATE), \
	X(IO_('p', 0x01), RTC_AIE_ON), X(IO_('p', 0x02), RTC_AIE_OFF), \
	X(IO_('p', 0x03), RTC_UIE_ON), X(IO_('p', 0x04), RTC_UIE_OFF), \
	X(IO_('p', 0x05), RTC_PIE_ON), X(IO_('p', 0x06), RTC_PIE_OFF), \
	X(IOW_('p', 0x07, SZ_RTC_TIME), RTC_ALM_SET), \
	X(IOR_('p', 0x08, SZ_RTC_TIME), RTC_ALM_READ), \
	X(IOR_('p', 0x09, SZ_RTC_TIME), RTC_RD_TIME), \
	X(IOW_('p', 0x0A, SZ_RTC_TIME), RTC_SET_TIME), \
	X(IOR_('p', 0x0B, 8), RTC_IRQP_READ), \
	X(IOW_('p', 0x0C, 8), RTC_IRQP_SET), \
	X(IOW_('p', 0x0F, SZ_RTC_WKALRM), RTC_WKALM_SET), \
	X(IOR_('p', 0x10, SZ_RTC_WKALRM), RTC_WKALM_RD), \
	X(IO_('$', 0), PERF_EVENT_IOC_ENABLE), \
	X(IO_('$', 1), PERF_EVENT_IOC_DISABLE), \
	X(IO_('$', 2), PERF_EVENT_IOC_REFRESH), \
	X(IO_('$', 3), PERF_EVENT_IOC_RESET), \
	X(IOW_('$', 4, 8), PERF_EVENT_IOC_PERIOD), \
	X(IO_('$', 5), PERF_EVENT_IOC_SET_OUTPUT), \
	X(IOW_('$', 6, 8), PERF_EVENT_IOC_SET_FILTER), \
	X(IOR_('$', 7, 8), PERF_EVENT_IOC_ID), \
	X(IOW_('$', 8, 4), PERF_EVENT_IOC_SET_BPF), \
	X(IOW_('$', 9, 4), PERF_EVENT_IOC_PAUSE_OUTPUT), \
	X(IOWR_('$', 10, 8), PERF_EVENT_IOC_QUERY_BPF), \
	X(IOW_('$', 11, 8), PERF_EVENT_IOC_MODIFY_ATTRIBUTES), \
	X(IO_(0xB7, 1), NS_GET_USERNS), X(IO_(0xB7, 2), NS_GET_PARENT), \
	X(IO_(0xB7, 3), NS_GET_NSTYPE), X(IO_(0xB7, 4), NS_GET_OWNER_UID)

/* Other names of values above: parsed, never printed. */
#define IOCTL_ALIASES \
	X(0x541B, TIOCINQ), X(0x541B, SIOCINQ), X(0x5411, SIOCOUTQ), \
	X(0x8906, SIOCGSTAMP_OLD), X(0x8907, SIOCGSTAMPNS_OLD)

static const struct xlat_entry xl_ioctl_e[] = {
	IOCTL_TTY, IOCTL_SOCK, IOCTL_FS, IOCTL_DEV, IOCTL_ALIASES,
};
TABLE(xl_ioctl, "ioctl request", XLAT_U32);

/* F_GETLK64 and friends are 32-bit only: on x86-64 they are F_GETLK... */
static const struct xlat_entry xl_fcntl_e[] = {
	X(0, F_DUPFD), X(1, F_GETFD), X(2, F_SETFD), X(3, F_GETFL),
	X(4, F_SETFL), X(5, F_GETLK), X(6, F_SETLK), X(7, F_SETLKW),
	X(8, F_SETOWN), X(9, F_GETOWN), X(10, F_SETSIG), X(11, F_GETSIG),
	X(15, F_SETOWN_EX), X(16, F_GETOWN_EX), X(17, F_GETOWNER_UIDS),
	X(36, F_OFD_GETLK), X(37, F_OFD_SETLK), X(38, F_OFD_SETLKW),
	X(1024, F_SETLEASE), X(1025, F_GETLEASE), X(1026, F_NOTIFY),
	X(1027, F_DUPFD_QUERY), X(1028, F_CREATED_QUERY),
	X(1029, F_CANCELLK), X(1030, F_DUPFD_CLOEXEC),
	X(1031, F_SETPIPE_SZ), X(1032, F_GETPIPE_SZ), X(1033, F_ADD_SEALS),
	X(1034, F_GET_SEALS), X(1035, F_GET_RW_HINT), X(1036, F_SET_RW_HINT),
	X(1037, F_GET_FILE_RW_HINT), X(1038, F_SET_FILE_RW_HINT),
};
TABLE(xl_fcntl, "fcntl command", XLAT_U32);

static const struct xlat_entry xl_prctl_e[] = {
	X(1, PR_SET_PDEATHSIG), X(2, PR_GET_PDEATHSIG),
	X(3, PR_GET_DUMPABLE), X(4, PR_SET_DUMPABLE), X(5, PR_GET_UNALIGN),
	X(6, PR_SET_UNALIGN), X(7, PR_GET_KEEPCAPS), X(8, PR_SET_KEEPCAPS),
	X(9, PR_GET_FPEMU), X(10, PR_SET_FPEMU), X(11, PR_GET_FPEXC),
	X(12, PR_SET_FPEXC), X(13, PR_GET_TIMING), X(14, PR_SET_TIMING),
	X(15, PR_SET_NAME), X(16, PR_GET_NAME), X(19, PR_GET_ENDIAN),
	X(20, PR_SET_ENDIAN), X(21, PR_GET_SECCOMP), X(22, PR_SET_SECCOMP),
	X(23, PR_CAPBSET_READ), X(24, PR_CAPBSET_DROP), X(25, PR_GET_TSC),
	X(26, PR_SET_TSC), X(27, PR_GET_SECUREBITS), X(28, PR_SET_SECUREBITS),
	X(29, PR_SET_TIMERSLACK), X(30, PR_GET_TIMERSLACK),
	X(31, PR_TASK_PERF_EVENTS_DISABLE), X(32, PR_TASK_PERF_EVENTS_ENABLE),
	X(33, PR_MCE_KILL), X(34, PR_MCE_KILL_GET), X(35, PR_SET_MM),
	X(36, PR_SET_CHILD_SUBREAPER), X(37, PR_GET_CHILD_SUBREAPER),
	X(38, PR_SET_NO_NEW_PRIVS), X(39, PR_GET_NO_NEW_PRIVS),
	X(40, PR_GET_TID_ADDRESS), X(41, PR_SET_THP_DISABLE),
	X(42, PR_GET_THP_DISABLE), X(43, PR_MPX_ENABLE_MANAGEMENT),
	X(44, PR_MPX_DISABLE_MANAGEMENT), X(45, PR_SET_FP_MODE),
	X(46, PR_GET_FP_MODE), X(47, PR_CAP_AMBIENT), X(50, PR_SVE_SET_VL),
	X(51, PR_SVE_GET_VL), X(52, PR_GET_SPECULATION_CTRL),
	X(53, PR_SET_SPECULATION_CTRL), X(54, PR_PAC_RESET_KEYS),
	X(55, PR_SET_TAGGED_ADDR_CTRL), X(56, PR_GET_TAGGED_ADDR_CTRL),
	X(57, PR_SET_IO_FLUSHER), X(58, PR_GET_IO_FLUSHER),
	X(59, PR_SET_SYSCALL_USER_DISPATCH), X(60, PR_PAC_SET_ENABLED_KEYS),
	X(61, PR_PAC_GET_ENABLED_KEYS), X(62, PR_SCHED_CORE),
	X(63, PR_SME_SET_VL), X(64, PR_SME_GET_VL), X(65, PR_SET_MDWE),
	X(66, PR_GET_MDWE), X(67, PR_SET_MEMORY_MERGE),
	X(68, PR_GET_MEMORY_MERGE), X(69, PR_RISCV_V_SET_CONTROL),
	X(70, PR_RISCV_V_GET_CONTROL), X(71, PR_RISCV_SET_ICACHE_FLUSH_CTX),
	X(72, PR_PPC_GET_DEXCR), X(73, PR_PPC_SET_DEXCR),
	X(74, PR_GET_SHADOW_STACK_STATUS), X(75, PR_SET_SHADOW_STACK_STATUS),
	X(76, PR_LOCK_SHADOW_STACK_STATUS), X(77, PR_TIMER_CREATE_RESTORE_IDS),
	X(78, PR_FUTEX_HASH), X(79, PR_RSEQ_SLICE_EXTENSION),
	X(80, PR_GET_CFI), X(81, PR_SET_CFI),
	X(0x41555856, PR_GET_AUXV), X(0x53564d41, PR_SET_VMA),
	X(0x59616d61, PR_SET_PTRACER),
};
TABLE(xl_prctl, "prctl option", XLAT_U32);

static const struct xlat_entry xl_arch_prctl_e[] = {
	X(0x1001, ARCH_SET_GS), X(0x1002, ARCH_SET_FS), X(0x1003, ARCH_GET_FS),
	X(0x1004, ARCH_GET_GS), X(0x1011, ARCH_GET_CPUID),
	X(0x1012, ARCH_SET_CPUID), X(0x1021, ARCH_GET_XCOMP_SUPP),
	X(0x1022, ARCH_GET_XCOMP_PERM), X(0x1023, ARCH_REQ_XCOMP_PERM),
	X(0x1024, ARCH_GET_XCOMP_GUEST_PERM),
	X(0x1025, ARCH_REQ_XCOMP_GUEST_PERM), X(0x2001, ARCH_MAP_VDSO_X32),
	X(0x2002, ARCH_MAP_VDSO_32), X(0x2003, ARCH_MAP_VDSO_64),
	X(0x4001, ARCH_GET_UNTAG_MASK), X(0x4002, ARCH_ENABLE_TAGGED_ADDR),
	X(0x4003, ARCH_GET_MAX_TAG_BITS), X(0x4004, ARCH_FORCE_TAGGED_SVA),
	X(0x5001, ARCH_SHSTK_ENABLE), X(0x5002, ARCH_SHSTK_DISABLE),
	X(0x5003, ARCH_SHSTK_LOCK), X(0x5004, ARCH_SHSTK_UNLOCK),
	X(0x5005, ARCH_SHSTK_STATUS),
};
TABLE(xl_arch_prctl, "arch_prctl code", XLAT_U32);

static const struct xlat_entry xl_madvise_e[] = {
	X(0, MADV_NORMAL), X(1, MADV_RANDOM), X(2, MADV_SEQUENTIAL),
	X(3, MADV_WILLNEED), X(4, MADV_DONTNEED), X(8, MADV_FREE),
	X(9, MADV_REMOVE), X(10, MADV_DONTFORK), X(11, MADV_DOFORK),
	X(12, MADV_MERGEABLE), X(13, MADV_UNMERGEABLE), X(14, MADV_HUGEPAGE),
	X(15, MADV_NOHUGEPAGE), X(16, MADV_DONTDUMP), X(17, MADV_DODUMP),
	X(18, MADV_WIPEONFORK), X(19, MADV_KEEPONFORK), X(20, MADV_COLD),
	X(21, MADV_PAGEOUT), X(22, MADV_POPULATE_READ),
	X(23, MADV_POPULATE_WRITE), X(24, MADV_DONTNEED_LOCKED),
	X(25, MADV_COLLAPSE), X(100, MADV_HWPOISON), X(101, MADV_SOFT_OFFLINE),
	X(102, MADV_GUARD_INSTALL), X(103, MADV_GUARD_REMOVE),
};
TABLE(xl_madvise, "madvise advice", XLAT_U32);

static const struct xlat_entry xl_rlimit_e[] = {
	X(0, RLIMIT_CPU), X(1, RLIMIT_FSIZE), X(2, RLIMIT_DATA),
	X(3, RLIMIT_STACK), X(4, RLIMIT_CORE), X(5, RLIMIT_RSS),
	X(6, RLIMIT_NPROC), X(7, RLIMIT_NOFILE), X(8, RLIMIT_MEMLOCK),
	X(9, RLIMIT_AS), X(10, RLIMIT_LOCKS), X(11, RLIMIT_SIGPENDING),
	X(12, RLIMIT_MSGQUEUE), X(13, RLIMIT_NICE), X(14, RLIMIT_RTPRIO),
	X(15, RLIMIT_RTTIME),
};
TABLE(xl_rlimit, "resource limit", XLAT_U32);

static const struct xlat_entry xl_family_e[] = {
	X(0, AF_UNSPEC), X(1, AF_UNIX), X(2, AF_INET), X(3, AF_AX25),
	X(4, AF_IPX), X(5, AF_APPLETALK), X(6, AF_NETROM), X(7, AF_BRIDGE),
	X(8, AF_ATMPVC), X(9, AF_X25), X(10, AF_INET6), X(11, AF_ROSE),
	X(12, AF_DECnet), X(13, AF_NETBEUI), X(14, AF_SECURITY), X(15, AF_KEY),
	X(16, AF_NETLINK), X(17, AF_PACKET), X(18, AF_ASH), X(19, AF_ECONET),
	X(20, AF_ATMSVC), X(21, AF_RDS), X(22, AF_SNA), X(23, AF_IRDA),
	X(24, AF_PPPOX), X(25, AF_WANPIPE), X(26, AF_LLC), X(27, AF_IB),
	X(28, AF_MPLS), X(29, AF_CAN), X(30, AF_TIPC), X(31, AF_BLUETOOTH),
	X(32, AF_IUCV), X(33, AF_RXRPC), X(34, AF_ISDN), X(35, AF_PHONET),
	X(36, AF_IEEE802154), X(37, AF_CAIF), X(38, AF_ALG), X(39, AF_NFC),
	X(40, AF_VSOCK), X(41, AF_KCM), X(42, AF_QIPCRTR), X(43, AF_SMC),
	X(44, AF_XDP), X(45, AF_MCTP),
	X(1, AF_LOCAL), X(1, AF_FILE), X(16, AF_ROUTE),
};
TABLE(xl_family, "socket domain", XLAT_S32);

/* Negative ids (CPU-time clocks of a pid, dynamic clocks of an fd) encode
 * their target: they stay unnamed. */
static const struct xlat_entry xl_clock_e[] = {
	X(0, CLOCK_REALTIME), X(1, CLOCK_MONOTONIC),
	X(2, CLOCK_PROCESS_CPUTIME_ID), X(3, CLOCK_THREAD_CPUTIME_ID),
	X(4, CLOCK_MONOTONIC_RAW), X(5, CLOCK_REALTIME_COARSE),
	X(6, CLOCK_MONOTONIC_COARSE), X(7, CLOCK_BOOTTIME),
	X(8, CLOCK_REALTIME_ALARM), X(9, CLOCK_BOOTTIME_ALARM),
	X(10, CLOCK_SGI_CYCLE), X(11, CLOCK_TAI), X(16, CLOCK_AUX),
};
TABLE(xl_clock, "clock id", XLAT_S32);

static const struct xlat_entry xl_fadvise_e[] = {
	X(0, POSIX_FADV_NORMAL), X(1, POSIX_FADV_RANDOM),
	X(2, POSIX_FADV_SEQUENTIAL), X(3, POSIX_FADV_WILLNEED),
	X(4, POSIX_FADV_DONTNEED), X(5, POSIX_FADV_NOREUSE),
};
TABLE(xl_fadvise, "fadvise advice", XLAT_U32);

/* LOCK_NB makes a distinct, non-blocking, operation. */
static const struct xlat_entry xl_flock_e[] = {
	X(1, LOCK_SH), X(2, LOCK_EX), X(4, LOCK_NB), X(8, LOCK_UN),
	X(32, LOCK_MAND), {5, "LOCK_SH|LOCK_NB"}, {6, "LOCK_EX|LOCK_NB"},
	{12, "LOCK_UN|LOCK_NB"},
};
TABLE(xl_flock, "flock operation", XLAT_U32);

/* The key keeps FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256):
 * process-private and shared futexes are different kernel paths. */
#define FUTEX_RT(v, name) {(v) | 256, #name "|FUTEX_CLOCK_REALTIME"}
static const struct xlat_entry xl_futex_e[] = {
	X(0, FUTEX_WAIT), X(1, FUTEX_WAKE), X(2, FUTEX_FD), X(3, FUTEX_REQUEUE),
	X(4, FUTEX_CMP_REQUEUE), X(5, FUTEX_WAKE_OP), X(6, FUTEX_LOCK_PI),
	X(7, FUTEX_UNLOCK_PI), X(8, FUTEX_TRYLOCK_PI), X(9, FUTEX_WAIT_BITSET),
	X(10, FUTEX_WAKE_BITSET), X(11, FUTEX_WAIT_REQUEUE_PI),
	X(12, FUTEX_CMP_REQUEUE_PI), X(13, FUTEX_LOCK_PI2),
	X(128, FUTEX_WAIT_PRIVATE), X(129, FUTEX_WAKE_PRIVATE),
	X(131, FUTEX_REQUEUE_PRIVATE), X(132, FUTEX_CMP_REQUEUE_PRIVATE),
	X(133, FUTEX_WAKE_OP_PRIVATE), X(134, FUTEX_LOCK_PI_PRIVATE),
	X(135, FUTEX_UNLOCK_PI_PRIVATE), X(136, FUTEX_TRYLOCK_PI_PRIVATE),
	X(137, FUTEX_WAIT_BITSET_PRIVATE), X(138, FUTEX_WAKE_BITSET_PRIVATE),
	X(139, FUTEX_WAIT_REQUEUE_PI_PRIVATE),
	X(140, FUTEX_CMP_REQUEUE_PI_PRIVATE), X(141, FUTEX_LOCK_PI2_PRIVATE),
	FUTEX_RT(0, FUTEX_WAIT), FUTEX_RT(9, FUTEX_WAIT_BITSET),
	FUTEX_RT(11, FUTEX_WAIT_REQUEUE_PI), FUTEX_RT(13, FUTEX_LOCK_PI2),
	FUTEX_RT(128, FUTEX_WAIT_PRIVATE), FUTEX_RT(137, FUTEX_WAIT_BITSET_PRIVATE),
	FUTEX_RT(139, FUTEX_WAIT_REQUEUE_PI_PRIVATE),
	FUTEX_RT(141, FUTEX_LOCK_PI2_PRIVATE),
};
TABLE(xl_futex, "futex operation", XLAT_U32);

static const struct xlat_entry xl_epoll_ctl_e[] = {
	X(1, EPOLL_CTL_ADD), X(2, EPOLL_CTL_DEL), X(3, EPOLL_CTL_MOD),
};
TABLE(xl_epoll_ctl, "epoll_ctl operation", XLAT_U32);

static const struct xlat_entry xl_shutdown_e[] = {
	X(0, SHUT_RD), X(1, SHUT_WR), X(2, SHUT_RDWR),
};
TABLE(xl_shutdown, "shutdown how", XLAT_U32);

/* Protocol levels are the IPPROTO_* numbers under their SOL_* names. */
static const struct xlat_entry xl_sol_e[] = {
	X(0, SOL_IP), X(1, SOL_SOCKET), X(6, SOL_TCP), X(17, SOL_UDP),
	X(41, SOL_IPV6), X(58, SOL_ICMPV6), X(132, SOL_SCTP),
	X(136, SOL_UDPLITE), X(255, SOL_RAW), X(256, SOL_IPX),
	X(257, SOL_AX25), X(258, SOL_ATALK), X(259, SOL_NETROM),
	X(260, SOL_ROSE), X(261, SOL_DECNET), X(262, SOL_X25),
	X(263, SOL_PACKET), X(264, SOL_ATM), X(265, SOL_AAL), X(266, SOL_IRDA),
	X(267, SOL_NETBEUI), X(268, SOL_LLC), X(269, SOL_DCCP),
	X(270, SOL_NETLINK), X(271, SOL_TIPC), X(272, SOL_RXRPC),
	X(273, SOL_PPPOL2TP), X(274, SOL_BLUETOOTH), X(275, SOL_PNPIPE),
	X(276, SOL_RDS), X(277, SOL_IUCV), X(278, SOL_CAIF), X(279, SOL_ALG),
	X(280, SOL_NFC), X(281, SOL_KCM), X(282, SOL_TLS), X(283, SOL_XDP),
	X(284, SOL_MPTCP), X(285, SOL_MCTP), X(286, SOL_SMC),
	X(287, SOL_VSOCK),
};
TABLE(xl_sol, "socket option level", XLAT_U32);

static const struct xlat_entry xl_keyctl_e[] = {
	X(0, KEYCTL_GET_KEYRING_ID), X(1, KEYCTL_JOIN_SESSION_KEYRING),
	X(2, KEYCTL_UPDATE), X(3, KEYCTL_REVOKE), X(4, KEYCTL_CHOWN),
	X(5, KEYCTL_SETPERM), X(6, KEYCTL_DESCRIBE), X(7, KEYCTL_CLEAR),
	X(8, KEYCTL_LINK), X(9, KEYCTL_UNLINK), X(10, KEYCTL_SEARCH),
	X(11, KEYCTL_READ), X(12, KEYCTL_INSTANTIATE), X(13, KEYCTL_NEGATE),
	X(14, KEYCTL_SET_REQKEY_KEYRING), X(15, KEYCTL_SET_TIMEOUT),
	X(16, KEYCTL_ASSUME_AUTHORITY), X(17, KEYCTL_GET_SECURITY),
	X(18, KEYCTL_SESSION_TO_PARENT), X(19, KEYCTL_REJECT),
	X(20, KEYCTL_INSTANTIATE_IOV), X(21, KEYCTL_INVALIDATE),
	X(22, KEYCTL_GET_PERSISTENT), X(23, KEYCTL_DH_COMPUTE),
	X(24, KEYCTL_PKEY_QUERY), X(25, KEYCTL_PKEY_ENCRYPT),
	X(26, KEYCTL_PKEY_DECRYPT), X(27, KEYCTL_PKEY_SIGN),
	X(28, KEYCTL_PKEY_VERIFY), X(29, KEYCTL_RESTRICT_KEYRING),
	X(30, KEYCTL_MOVE), X(31, KEYCTL_CAPABILITIES), X(32, KEYCTL_WATCH_KEY),
};
TABLE(xl_keyctl, "keyctl operation", XLAT_U32);

static const struct xlat_entry xl_bpf_e[] = {
	X(0, BPF_MAP_CREATE), X(1, BPF_MAP_LOOKUP_ELEM),
	X(2, BPF_MAP_UPDATE_ELEM), X(3, BPF_MAP_DELETE_ELEM),
	X(4, BPF_MAP_GET_NEXT_KEY), X(5, BPF_PROG_LOAD), X(6, BPF_OBJ_PIN),
	X(7, BPF_OBJ_GET), X(8, BPF_PROG_ATTACH), X(9, BPF_PROG_DETACH),
	X(10, BPF_PROG_TEST_RUN), X(11, BPF_PROG_GET_NEXT_ID),
	X(12, BPF_MAP_GET_NEXT_ID), X(13, BPF_PROG_GET_FD_BY_ID),
	X(14, BPF_MAP_GET_FD_BY_ID), X(15, BPF_OBJ_GET_INFO_BY_FD),
	X(16, BPF_PROG_QUERY), X(17, BPF_RAW_TRACEPOINT_OPEN),
	X(18, BPF_BTF_LOAD), X(19, BPF_BTF_GET_FD_BY_ID),
	X(20, BPF_TASK_FD_QUERY), X(21, BPF_MAP_LOOKUP_AND_DELETE_ELEM),
	X(22, BPF_MAP_FREEZE), X(23, BPF_BTF_GET_NEXT_ID),
	X(24, BPF_MAP_LOOKUP_BATCH), X(25, BPF_MAP_LOOKUP_AND_DELETE_BATCH),
	X(26, BPF_MAP_UPDATE_BATCH), X(27, BPF_MAP_DELETE_BATCH),
	X(28, BPF_LINK_CREATE), X(29, BPF_LINK_UPDATE),
	X(30, BPF_LINK_GET_FD_BY_ID), X(31, BPF_LINK_GET_NEXT_ID),
	X(32, BPF_ENABLE_STATS), X(33, BPF_ITER_CREATE), X(34, BPF_LINK_DETACH),
	X(35, BPF_PROG_BIND_MAP), X(36, BPF_TOKEN_CREATE),
	X(37, BPF_PROG_STREAM_READ_BY_FD), X(10, BPF_PROG_RUN),
};
TABLE(xl_bpf, "bpf command", XLAT_U32);

static const struct xlat_entry xl_seccomp_e[] = {
	X(0, SECCOMP_SET_MODE_STRICT), X(1, SECCOMP_SET_MODE_FILTER),
	X(2, SECCOMP_GET_ACTION_AVAIL), X(3, SECCOMP_GET_NOTIF_SIZES),
};
TABLE(xl_seccomp, "seccomp operation", XLAT_U32);

/* Which table names which syscall's sub-features, and from which argument.
 * SEL is the SA_SELECTOR argument of analysis/syscalls.c; an explicit index
 * stands for a call whose selector that table does not mark. */
#define SEL (-1)
static const struct binding {
	uint16_t nr;
	int8_t arg;
	const struct xlat *x;
} bindings[] = {
	{9, SEL, &xl_mmap_class},   /* mmap: the flags */
	{16, SEL, &xl_ioctl},       /* ioctl */
	{28, SEL, &xl_madvise},     /* madvise */
	{41, SEL, &xl_family},      /* socket */
	{48, 1, &xl_shutdown},      /* shutdown: how is SA_INT */
	{53, SEL, &xl_family},      /* socketpair */
	{54, SEL, &xl_sol},         /* setsockopt: the level */
	{55, SEL, &xl_sol},         /* getsockopt: the level */
	{72, SEL, &xl_fcntl},       /* fcntl */
	{73, 1, &xl_flock},         /* flock: operation is SA_FLAGS */
	{97, SEL, &xl_rlimit},      /* getrlimit */
	{157, SEL, &xl_prctl},      /* prctl */
	{158, SEL, &xl_arch_prctl}, /* arch_prctl */
	{160, SEL, &xl_rlimit},     /* setrlimit */
	{202, SEL, &xl_futex},      /* futex */
	{221, SEL, &xl_fadvise},    /* fadvise64 */
	{222, SEL, &xl_clock},      /* timer_create */
	{227, SEL, &xl_clock},      /* clock_settime */
	{228, SEL, &xl_clock},      /* clock_gettime */
	{229, SEL, &xl_clock},      /* clock_getres */
	{230, SEL, &xl_clock},      /* clock_nanosleep */
	{233, SEL, &xl_epoll_ctl},  /* epoll_ctl */
	{250, SEL, &xl_keyctl},     /* keyctl */
	{283, SEL, &xl_clock},      /* timerfd_create */
	{302, SEL, &xl_rlimit},     /* prlimit64 */
	{305, SEL, &xl_clock},      /* clock_adjtime */
	{317, SEL, &xl_seccomp},    /* seccomp */
	{321, SEL, &xl_bpf},        /* bpf */
	{440, SEL, &xl_madvise},    /* process_madvise */
	{449, SEL, &xl_clock},      /* futex_waitv: the clock id */
	{455, SEL, &xl_clock},      /* futex_wait: the clock id */
};

static const struct binding *binding_for(long nr)
{
	for (size_t i = 0; i < sizeof(bindings) / sizeof(bindings[0]); i++)
		if (bindings[i].nr == nr)
			return &bindings[i];
	return NULL;
}

const struct xlat *xlat_for(long nr)
{
	const struct binding *b = binding_for(nr);

	return b ? b->x : NULL;
}

static int binding_arg(const struct binding *b)
{
	return b->arg == SEL ? sc_selector_arg(b->nr) : b->arg;
}

int xlat_arg(long nr)
{
	const struct binding *b = binding_for(nr);

	return b ? binding_arg(b) : -1;
}

#define MAP_ANONYMOUS_X86_64 0x20

/* The kernel declares these selectors int or unsigned int, so it reads only
 * the low half of the register; a clock id is an int that may be negative. */
static uint64_t normalise(enum xlat_form form, uint64_t reg)
{
	switch (form) {
	case XLAT_S32:
		return (uint64_t)(int64_t)(int32_t)(uint32_t)reg;
	case XLAT_MMAP:
		return (reg & MAP_ANONYMOUS_X86_64) ? XLAT_MMAP_ANON
		                                    : XLAT_MMAP_FILE;
	case XLAT_U32:
	default:
		return (uint32_t)reg;
	}
}

bool xlat_key(long nr, const long args[6], uint64_t *key)
{
	const struct binding *b = binding_for(nr);
	int i = b ? binding_arg(b) : -1;

	if (!b || i < 0 || i >= SC_MAX_ARGS)
		return false;
	*key = normalise(b->x->form, (uint64_t)args[i]);
	return true;
}

const char *xlat_name(const struct xlat *x, uint64_t value)
{
	for (int i = 0; i < x->n; i++)
		if (x->e[i].value == value)
			return x->e[i].name;
	return NULL;
}

const char *xlat_format(const struct xlat *x, uint64_t value, char *buf,
                        size_t len)
{
	const char *name = xlat_name(x, value);

	if (len == 0)
		return buf;
	if (name)
		snprintf(buf, len, "%s", name);
	else if (x->form == XLAT_S32 && (int64_t)value < 0)
		snprintf(buf, len, "%" PRId64, (int64_t)value);
	else
		snprintf(buf, len, "0x%" PRIx64, value);
	return buf;
}

/* A decimal or 0x-hex magnitude with an optional leading '-'; strtoull
 * alone would also take spaces, '+', and octal. */
static int parse_number(const char *s, bool *neg, uint64_t *mag)
{
	int base = 10;
	char *end;

	*neg = *s == '-';
	if (*neg)
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*s)
	                 : isdigit((unsigned char)*s)))
		return -EINVAL;
	errno = 0;
	*mag = strtoull(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int xlat_parse(const struct xlat *x, const char *text, uint64_t *value)
{
	bool neg;
	uint64_t mag;

	for (int i = 0; i < x->n; i++)
		if (strcmp(x->e[i].name, text) == 0) {
			*value = x->e[i].value;
			return 0;
		}
	if (parse_number(text, &neg, &mag) < 0)
		return -EINVAL;
	/* A number no 32-bit selector register could hold matches no call. */
	if (neg ? mag > (uint64_t)INT32_MAX + 1 : mag > UINT32_MAX)
		return -EINVAL;
	if (x->form == XLAT_MMAP && (neg || mag > XLAT_MMAP_ANON))
		return -EINVAL;
	*value = x->form == XLAT_MMAP ? mag
	                              : normalise(x->form, neg ? -mag : mag);
	return 0;
}
