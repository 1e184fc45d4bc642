/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The root object: reads stay inside the root whatever the guest planted
 * (absolute and ".." symlinks, loops), refuse FIFOs and devices without
 * blocking, are bounded, and injected errors come back as -errno.  Every
 * test runs twice: with openat2(RESOLVE_IN_ROOT) and with the user-space walk.
 */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "harness.h"
#include "probe.h"
#include "test-hooks.h"

static char tmpl[] = "/tmp/xp-test-root-XXXXXX";

static void put(const char *rel, const char *content)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        FILE *f = fopen(p, "w");
        if (f) {
                fputs(content, f);
                fclose(f);
        }
}

static void mk(const char *rel)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        mkdir(p, 0755);
}

static void ln(const char *target, const char *rel)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
        if (symlink(target, p) < 0)
                perror(p);
}

/* The tree, with ERRORS (NULL: none) as the failed reads a snapshot
 * recorded (run/xenprobe/errors: "ERRNO PATH" lines), opened as a root. */
static struct xp_root *setup_recorded(const char *errors)
{
        if (!mkdtemp(tmpl))
                return NULL;
        mk("etc");
        put("etc/passwd", "inside\n");
        mk("sys");
        mk("sys/devices");
        mk("sys/devices/vbd-51712");
        put("sys/devices/vbd-51712/nodename", "device/vbd/51712\n");
        mk("sys/bus");
        ln("../devices/vbd-51712", "sys/bus/vbd-51712");
        ln("/etc/passwd", "sys/abs-escape");
        ln("../../../../../../../etc/passwd", "sys/dotdot-escape");
        ln("/dev/zero", "sys/zero");
        ln("loop-b", "sys/loop-a");
        ln("loop-a", "sys/loop-b");
        ln("nowhere/at/all", "sys/dangling");
        char p[512];
        snprintf(p, sizeof(p), "%s/sys/fifo", tmpl);
        mkfifo(p, 0644);
        if (errors) {
                mk("run");
                mk("run/xenprobe");
                put("run/xenprobe/errors", errors);
        }
        int e;
        return xp_root_new(tmpl, false, &e);
}

static struct xp_root *setup(void)
{
        return setup_recorded(NULL);
}

static void cleanup(struct xp_root *r)
{
        xp_root_free(r);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
        if (system(cmd) != 0)
                fprintf(stderr, "cleanup of %s failed\n", tmpl);
}

static int read_cases(void)
{
        struct xp_root *r = setup();
        CHECK(r);
        char *v = NULL;

        /* a relative link inside the root, as sysfs has them */
        CHECK_EQ_INT(xp_root_read_line(r, "sys/bus/vbd-51712/nodename", &v), 0);
        CHECK_STREQ(v, "device/vbd/51712");
        free(v);
        /* absolute link: resolved against the root, never the host's /etc */
        CHECK_EQ_INT(xp_root_read_line(r, "sys/abs-escape", &v), 0);
        CHECK_STREQ(v, "inside");
        free(v);
        /* ".." past the top is clamped at the root */
        CHECK_EQ_INT(xp_root_read_line(r, "sys/dotdot-escape", &v), 0);
        CHECK_STREQ(v, "inside");
        free(v);
        CHECK_EQ_INT(xp_root_read_line(r, "../../../../etc/passwd", &v), 0);
        CHECK_STREQ(v, "inside");
        free(v);
        /* a link to /dev/zero inside a guest image is ROOT/dev/zero: absent */
        CHECK_EQ_INT(xp_root_read_line(r, "sys/zero", &v), -ENOENT);
        /* a FIFO is refused without blocking */
        CHECK_EQ_INT(xp_root_read_line(r, "sys/fifo", &v), -EINVAL);
        CHECK_EQ_INT(xp_root_read_line(r, "sys/loop-a", &v), -ELOOP);
        CHECK_EQ_INT(xp_root_read_line(r, "sys/dangling", &v), -ENOENT);
        CHECK_EQ_INT(xp_root_read_line(r, "sys", &v), -EISDIR);
        CHECK_EQ_INT(xp_root_read_line(r, "etc/passwd/x", &v), -ENOTDIR);

        /* readlink gives the text, and logs it for snapshot */
        CHECK_EQ_INT(xp_root_readlink(r, "sys/bus/vbd-51712", &v), 0);
        CHECK_STREQ(v, "../devices/vbd-51712");
        free(v);
        CHECK_EQ_INT(xp_root_readlink(r, "etc/passwd", &v), -EINVAL);

        char **names = NULL;
        CHECK_EQ_INT(xp_root_list_dir(r, "sys/devices", &names), 0);
        CHECK_STREQ(names[0], "vbd-51712");
        CHECK(names[1] == NULL);
        xp_strv_free(names);

        CHECK(xp_root_exists(r, "sys/bus/vbd-51712"));
        CHECK(!xp_root_exists(r, "sys/nope"));
        cleanup(r);
        return 0;
}

static int bounded(void)
{
        struct xp_root *r = setup();
        CHECK(r);
        char big[9000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        put("sys/big", big);
        char *v = NULL;
        size_t len = 0;
        CHECK_EQ_INT(xp_root_read_file(r, "sys/big", 8000, &v, &len), -EFBIG);
        CHECK_EQ_INT(xp_root_read_file(r, "sys/big", 9000, &v, &len), 0);
        CHECK_EQ_INT(len, sizeof(big) - 1);
        free(v);
        put("sys/empty", "");
        CHECK_EQ_INT(xp_root_read_line(r, "sys/empty", &v), 0);
        CHECK_STREQ(v, "");
        free(v);
        cleanup(r);
        return 0;
}

/* A snapshot's recorded failures are replayed for those exact paths only;
 * malformed lines are skipped. */
static int recorded_errors(void)
{
        struct xp_root *r = setup_recorded("# ERRNO PATH\n"
                                           "5 sys/bus/vbd-51712/nodename\n"
                                           "13 etc/passwd\n"
                                           "5 sys/bus/vbd-51712\n"
                                           "x sys/devices\n"
                                           "0 sys/devices\n"
                                           "99999 sys/devices\n"
                                           "5\n");
        CHECK(r);
        char *v = NULL;
        CHECK_EQ_INT(xp_root_read_line(r, "sys/bus/vbd-51712/nodename", &v), -EIO);
        CHECK_EQ_INT(xp_root_read_line(r, "etc/passwd", &v), -EACCES);
        char **names;
        CHECK_EQ_INT(xp_root_list_dir(r, "sys/bus/vbd-51712", &names), -EIO);
        /* the same file by another path, and the malformed lines' path */
        CHECK_EQ_INT(xp_root_read_line(r, "sys/devices/vbd-51712/nodename", &v), 0);
        CHECK_STREQ(v, "device/vbd/51712");
        free(v);
        CHECK_EQ_INT(xp_root_list_dir(r, "sys/devices", &names), 0);
        xp_strv_free(names);
        cleanup(r);
        return 0;
}

/* The live root refuses device nodes: /dev/zero would never end. */
static int live_device(void)
{
        int e;
        struct xp_root *r = xp_root_new("/", true, &e);
        CHECK(r);
        char *v = NULL;
        size_t len;
        if (!xp_root_exists(r, "dev/zero")) {
                xp_root_free(r);
                return 77;
        }
        CHECK_EQ_INT(xp_root_read_file(r, "dev/zero", 4096, &v, &len), -EINVAL);
        xp_root_free(r);
        return 0;
}

DEFINE_TEST(root_openat2) { return read_cases(); }
DEFINE_TEST(root_userspace_walk)
{
        xp_resolve_force_userspace(true);
        return read_cases();
}
DEFINE_TEST(root_bounded_openat2) { return bounded(); }
DEFINE_TEST(root_bounded_userspace_walk)
{
        xp_resolve_force_userspace(true);
        return bounded();
}
DEFINE_TEST(root_recorded_errors) { return recorded_errors(); }
DEFINE_TEST(root_live_device) { return live_device(); }
DEFINE_TEST(root_live_device_userspace_walk)
{
        xp_resolve_force_userspace(true);
        return live_device();
}
