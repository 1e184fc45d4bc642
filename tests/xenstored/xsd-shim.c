/* xsd-shim.c: LD_PRELOAD shim that lets Debian 12's unmodified C xenstored
 * (Xen 4.17, /usr/lib/xen-4.17/bin/xenstored from xen-utils-4.17) run on a
 * machine without a hypervisor, serving only its Unix socket.  TEST-ONLY:
 * built and preloaded by tests/xenstored/xsd.sh, never part of the product.
 *
 * Why each piece is needed (xenstored -N without it):
 *  - libxenctrl: xc_interface_open() fails ("Could not obtain handle on
 *    privileged command interface") and xenstored exits.  With
 *    --no-domain-init it starts, but the first request dies in the node
 *    accounting ("Accounting called for non-existing domain 0").
 *  - xc_domain_getinfo(): xenstored asks it whether a domain exists, e.g.
 *    dom0 at start, or domain N when a node's owner is set to N (ENOENT to
 *    the client if not).  We answer "running" for every domain id, or only
 *    for the ids listed in $XSD_SHIM_DOMAINS (e.g. "0,5"), so a test can
 *    also model a domain that does not exist.
 *  - libxenevtchn: xenstored waits on the event channel fd with poll().  An
 *    eventfd that nobody ever writes is a valid fd that never fires, so
 *    xenevtchn_pending() is not called, and answers "nothing" anyway.
 *  - libxengnttab: used to map a domain's ring page on XS_INTRODUCE; we hand
 *    out a private zeroed page (an empty ring that never gets requests), so
 *    introducing a domain from a socket client works.
 *  - /proc/xen/xsd_port and /proc/xen/xsd_kva: dom0's own event channel
 *    port and ring page, read/mmap()ed at start.  They are served from
 *    memfds, so nothing is read from /proc/xen or written to disk.
 *  - syslog(): xenstored reports soft-quota violations and some errors only
 *    through syslog, i.e. into the host's log (if /dev/log exists).  They go
 *    to stderr instead, which xsd.sh keeps in DIR/run/xenstored.log, so a
 *    test run writes nothing outside its directory and can grep for them.
 *
 * The real libraries still get loaded (they are NEEDED by xenstored and
 * their code is harmless), but every function xenstored imports from them
 * is defined here first, so none of their hypercall paths run.
 * Unversioned definitions in a preloaded object satisfy xenstored's
 * versioned references (xc_interface_open@VERS_4.17.0 ...).
 */
#define _GNU_SOURCE
/* Fortified headers (the default on some distributions) turn open() and
 * syslog() into inline wrappers or macros, which would clash with the
 * definitions below. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#define SHIM_PAGE 4096 /* XC_PAGE_SIZE: size of a xenstore ring page */

/* Opaque handles: xenstored only passes them back to us. */
static int fake_handle;

/* ---- libxenctrl ----------------------------------------------------------- */

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	return &fake_handle;
}

int xc_interface_close(void *xch)
{
	(void)xch;
	return 0;
}

/* Whether domain `domid` exists: all of them unless $XSD_SHIM_DOMAINS lists
 * the ones that do. */
static int domain_exists(uint32_t domid)
{
	const char *list = getenv("XSD_SHIM_DOMAINS");
	if (!list)
		return 1;
	for (const char *p = list; *p;) {
		char *end;
		unsigned long id = strtoul(p, &end, 10);
		if (end != p && id == domid)
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* The leading fields of xenctrl.h's xc_dominfo_t, which are all xenstored
 * reads (domid, and the dying/crashed/shutdown bits).  The caller's struct
 * is larger (112 bytes on x86_64 in 4.17), so writing only this prefix is
 * safe, and needs no xenctrl.h. */
struct dominfo_prefix {
	uint32_t domid;
	uint32_t ssidref;
	unsigned int flags; /* dying:1, crashed:1, shutdown:1, ...: 0 = running */
	unsigned int shutdown_reason;
};

int xc_domain_getinfo(void *xch, uint32_t first_domid, unsigned int max_doms, void *info)
{
	(void)xch;
	/* xenstored asks for exactly one domain and then checks that the
	 * returned domid is the one asked for; report no domain otherwise. */
	if (max_doms < 1 || !domain_exists(first_domid))
		return 0;
	struct dominfo_prefix *d = info;
	memset(d, 0, sizeof(*d));
	d->domid = first_domid;
	return 1;
}

/* ---- libxengnttab ------------------------------------------------------------ */

void *xengnttab_open(void *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return &fake_handle;
}

int xengnttab_close(void *xgt)
{
	(void)xgt;
	return 0;
}

int xengnttab_set_max_grants(void *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

void *xengnttab_map_grant_ref(void *xgt, uint32_t domid, uint32_t ref, int prot)
{
	(void)xgt;
	(void)domid;
	(void)ref;
	void *page = mmap(NULL, SHIM_PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return page == MAP_FAILED ? NULL : page;
}

int xengnttab_unmap(void *xgt, void *start_address, uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)count * SHIM_PAGE);
}

/* ---- libxenevtchn ------------------------------------------------------------ */

static int evtchn_fd = -1;
static unsigned next_port = 10; /* local ports handed out by bind_* */

void *xenevtchn_open(void *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	if (evtchn_fd < 0)
		evtchn_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return evtchn_fd < 0 ? NULL : &fake_handle;
}

/* Used after a live update, to re-adopt the inherited event channel fd. */
void *xenevtchn_fdopen(void *logger, int fd, unsigned open_flags)
{
	(void)fd;
	return xenevtchn_open(logger, open_flags);
}

int xenevtchn_close(void *xce)
{
	(void)xce;
	return 0;
}

int xenevtchn_fd(void *xce)
{
	(void)xce;
	return evtchn_fd;
}

int xenevtchn_notify(void *xce, unsigned port)
{
	(void)xce;
	(void)port;
	return 0;
}

int xenevtchn_bind_virq(void *xce, unsigned virq)
{
	(void)xce;
	(void)virq;
	return (int)next_port++;
}

int xenevtchn_bind_interdomain(void *xce, uint32_t domid, unsigned remote_port)
{
	(void)xce;
	(void)domid;
	(void)remote_port;
	return (int)next_port++;
}

int xenevtchn_unbind(void *xce, unsigned port)
{
	(void)xce;
	(void)port;
	return 0;
}

int xenevtchn_pending(void *xce)
{
	(void)xce;
	errno = EAGAIN;
	return -1;
}

int xenevtchn_unmask(void *xce, unsigned port)
{
	(void)xce;
	(void)port;
	return 0;
}

/* ---- /proc/xen/xsd_port and /proc/xen/xsd_kva --------------------------------- */

/* A memfd holding `len` bytes of `data`, padded with zeros to `size`. */
static int memfd_with(const char *name, const void *data, size_t len, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0 || (len && pwrite(fd, data, len, 0) != (ssize_t)len)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* xenstored uses plain open() (open@GLIBC_2.2.5) for both files, and for
 * everything else it opens; only the two /proc/xen paths are diverted. */
int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!strcmp(path, "/proc/xen/xsd_port"))
		return memfd_with("xsd_port", "1", 1, 1); /* dom0's port, any value */
	if (!strcmp(path, "/proc/xen/xsd_kva"))
		return memfd_with("xsd_kva", NULL, 0, SHIM_PAGE); /* an empty ring */
	if (!real_open) {
		void *sym = dlsym(RTLD_NEXT, "open");
		if (!sym) {
			errno = ENOSYS;
			return -1;
		}
		memcpy(&real_open, &sym, sizeof(sym)); /* ISO C: no object->function cast */
	}
	return real_open(path, flags, mode);
}

/* ---- syslog -> stderr ----------------------------------------------------------- */

void openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

void closelog(void)
{
}

void vsyslog(int priority, const char *format, va_list ap)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), format, ap);
	if (n < 0)
		return;
	size_t len = strlen(msg); /* vsnprintf may have truncated */
	while (len && msg[len - 1] == '\n') /* one line per message */
		msg[--len] = '\0';
	fprintf(stderr, "syslog<%d>: %s\n", LOG_PRI(priority), msg);
	fflush(stderr);
}

void syslog(int priority, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	vsyslog(priority, format, ap);
	va_end(ap);
}

/* What xenstored actually calls: it is built with _FORTIFY_SOURCE. */
void __syslog_chk(int priority, int flag, const char *format, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, format);
	vsyslog(priority, format, ap);
	va_end(ap);
}
