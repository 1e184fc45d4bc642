/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Xen kernel modules through libkmod, opened on ROOT/lib/modules/RELEASE with
 * ROOT's modprobe.d: loaded (ROOT/proc/modules: libkmod reads the live
 * /proc/modules only, so that one file is read through the root), built in
 * (modules.builtin.bin), available as a module (modules.dep.bin), and
 * disabled by configuration (blacklist, or "install NAME /bin/false").
 *
 * `lsmod | grep xen`, the usual quick check, misses every built-in driver
 * and says nothing about drivers that are present but disabled.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe.h"

#define SRC "modules"

/* modprobe.d search order of kmod (libkmod.c default_config_paths) */
static const char *const config_dirs[] = {
        "etc/modprobe.d", "run/modprobe.d", "usr/local/lib/modprobe.d", "lib/modprobe.d",
        "usr/lib/modprobe.d",
};

static const char *const index_files[] = {
        "modules.dep.bin", "modules.builtin.bin", "modules.builtin.alias.bin", "modules.alias.bin",
        "modules.softdep", "modules.symbols.bin", "modules.builtin", "modules.dep", "modules.builtin.modinfo",
};

/* libkmod is loaded on first use (probes/dl.c): --short never needs it */
#define KMOD_FNS(X, t) \
        X(t, kmod_new) \
        X(t, kmod_unref) \
        X(t, kmod_set_log_fn) \
        X(t, kmod_set_log_priority) \
        X(t, kmod_config_get_blacklists) \
        X(t, kmod_config_get_install_commands) \
        X(t, kmod_config_iter_next) \
        X(t, kmod_config_iter_get_key) \
        X(t, kmod_config_iter_get_value) \
        X(t, kmod_config_iter_free_iter) \
        X(t, kmod_module_new_from_name_lookup) \
        X(t, kmod_module_get_path) \
        X(t, kmod_module_unref)
XP_DL_DEFINE(km, KMOD_FNS, "libkmod.so.2");

static void kmod_log_to_ctx(void *data, int priority, const char *file, int line, const char *fn,
                            const char *format, va_list args)
{
        struct xp_ctx *ctx = data;
        if (xp_ctx_get_log_priority(ctx) < LOG_DEBUG)
                return;
        char *msg;
        if (vasprintf(&msg, format, args) < 0)
                return;
        xp_strip(msg);
        /* libkmod's own complaints (a module file absent from the private
         * copy of the index, say) are diagnostics, not our errors */
        xp_ctx_log(ctx, LOG_DEBUG, file, line, fn, "libkmod: %s", msg);
        free(msg);
}

bool xp_parse_modules_has(const char *proc_modules, const char *name)
{
        size_t nl = strlen(name);
        for (const char *line = proc_modules; line && *line;) {
                if (strncmp(line, name, nl) == 0 && line[nl] == ' ')
                        return true;
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return false;
}

/* Note the files libkmod reads on our behalf, so `snapshot` copies them;
 * called by snapshot only, the report does not need the listing. */
void xp_modules_note_inputs(struct xp_root *root, const char *release)
{
        char path[256], moddir[160];
        if (!release[0])
                return;
        snprintf(moddir, sizeof(moddir), "lib/modules/%s", release);
        for (size_t i = 0; i < ELEMENTSOF(index_files); i++) {
                snprintf(path, sizeof(path), "%s/%s", moddir, index_files[i]);
                if (xp_root_exists(root, path))
                        xp_root_note(root, XP_LOG_FILE, path);
        }
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                char **names = NULL;
                if (xp_root_list_dir(root, config_dirs[i], &names) < 0)
                        continue;
                for (char **n = names; *n; n++) {
                        size_t l = strlen(*n);
                        if (l > 5 && strcmp(*n + l - 5, ".conf") == 0) {
                                snprintf(path, sizeof(path), "%s/%s", config_dirs[i], *n);
                                xp_root_note(root, XP_LOG_FILE, path);
                        }
                }
                xp_strv_free(names);
        }
}

#define STAGE_FILE_MAX (64u << 20) /* modules.alias.bin of a distro kernel: ~1 MiB */
#define STAGE_CONF_MAX (1u << 20)
#define STAGE_CONF_FILES 512

static int write_all(const char *path, const char *data, size_t len)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        int r = xp_write_all(fd, data, len);
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

static int mkdirs(char *path)
{
        for (char *p = path + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        int r = mkdir(path, 0700) < 0 && errno != EEXIST ? -errno : 0;
                        *p = '/';
                        if (r < 0)
                                return r;
                }
        return mkdir(path, 0700) < 0 && errno != EEXIST ? -errno : 0;
}

/* Copy one file from the root into the stage, through xp_root (inside the
 * root, regular files only, bounded). */
static int stage_file(struct xp_root *root, const char *stage, const char *rel, size_t max)
{
        char *data, dst[PATH_MAX];
        size_t len;
        int e = xp_root_read_file(root, rel, max, &data, &len);
        if (e < 0)
                return e;
        if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", stage, rel) >= sizeof(dst))
                e = -ENAMETOOLONG;
        else
                e = write_all(dst, data, len);
        free(data);
        return e;
}

/*
 * libkmod opens files by name and follows whatever it finds: on a guest
 * image that is a planted symlink out of the root, a FIFO that blocks, or
 * /dev/zero.  So for any root but the live one, the index files and
 * modprobe.d configs are first copied through xp_root into a private
 * directory, and libkmod reads only that copy.
 */
static int stage_root(struct xp_ctx *ctx, const char *moddir, char *stage, size_t len)
{
        struct xp_root *root = xp_ctx_root(ctx);
        const char *tmp = getenv("TMPDIR");
        char path[PATH_MAX];
        snprintf(stage, len, "%s/xenprobe-kmod.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
        if (!mkdtemp(stage))
                return -errno;
        snprintf(path, sizeof(path), "%s/%s", stage, moddir);
        int e = mkdirs(path);
        if (e < 0)
                return e;
        for (size_t i = 0; i < ELEMENTSOF(index_files); i++) {
                snprintf(path, sizeof(path), "%s/%s", moddir, index_files[i]);
                e = stage_file(root, stage, path, STAGE_FILE_MAX);
                if (e < 0 && e != -ENOENT)
                        DBG(ctx, "%s: not staged for libkmod: %s", path, strerror(-e));
        }
        size_t files = 0;
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                char **names = NULL;
                snprintf(path, sizeof(path), "%s/%s", stage, config_dirs[i]);
                if (mkdirs(path) < 0 || xp_root_list_dir(root, config_dirs[i], &names) < 0)
                        continue;
                for (char **n = names; *n && files < STAGE_CONF_FILES; n++) {
                        size_t l = strlen(*n);
                        if (l <= 5 || strcmp(*n + l - 5, ".conf") != 0)
                                continue;
                        snprintf(path, sizeof(path), "%s/%s", config_dirs[i], *n);
                        if (stage_file(root, stage, path, STAGE_CONF_MAX) == 0)
                                files++;
                }
                xp_strv_free(names);
        }
        return 0;
}

static int rm_entry(const char *path, const struct stat *st _unused_, int flag _unused_, struct FTW *ftw _unused_)
{
        return remove(path) < 0 ? -1 : 0;
}

static void unstage(const char *stage)
{
        if (stage[0])
                nftw(stage, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* libkmod on ROOT/MODDIR with ROOT's modprobe.d; for any root but the live
 * one through a private copy (STAGE, removed by unstage()). */
static int open_kmod(struct xp_ctx *ctx, const char *moddir, char *stage, size_t stagelen,
                     struct kmod_ctx **ret)
{
        struct xp_root *root = xp_ctx_root(ctx);
        const char *rp = xp_root_path(root);
        const char *base = rp, *sep = strcmp(rp, "/") == 0 ? "" : "/";
        char cfgbuf[ELEMENTSOF(config_dirs)][PATH_MAX], path[PATH_MAX];
        const char *cfg[ELEMENTSOF(config_dirs) + 1];
        int e;

        stage[0] = '\0';
        if (xp_dlopen_syms(ctx, &km_lib) < 0)
                return -EOPNOTSUPP;
        if (!xp_root_is_live(root)) {
                e = stage_root(ctx, moddir, stage, stagelen);
                if (e < 0) {
                        unstage(stage);
                        stage[0] = '\0';
                        return e;
                }
                base = stage;
                sep = "/";
        }
        for (size_t i = 0; i < ELEMENTSOF(config_dirs); i++) {
                snprintf(cfgbuf[i], sizeof(cfgbuf[i]), "%s%s%s", base, sep, config_dirs[i]);
                cfg[i] = cfgbuf[i];
        }
        cfg[ELEMENTSOF(config_dirs)] = NULL;
        snprintf(path, sizeof(path), "%s%s%s", base, sep, moddir);
        *ret = km.kmod_new(path, cfg);
        if (!*ret)
                return -ENOMEM;
        km.kmod_set_log_fn(*ret, kmod_log_to_ctx, ctx);
        km.kmod_set_log_priority(*ret, xp_ctx_get_log_priority(ctx));
        return 0;
}

/* Look NAME up in libkmod's index: BUILTIN or MODULE; MISSING when the
 * lookup finds nothing, its error returned (-ENOMEM is not "missing"). */
static int kmod_state(struct kmod_ctx *kctx, const char *name, enum xp_kstate *ret)
{
        struct kmod_module *mod = NULL;
        int e = km.kmod_module_new_from_name_lookup(kctx, name, &mod);
        *ret = XP_KS_MISSING;
        if (e == 0 && mod) {
                *ret = km.kmod_module_get_path(mod) == NULL ? XP_KS_BUILTIN : XP_KS_MODULE;
                km.kmod_module_unref(mod);
        }
        return e;
}

int xp_modules_lookup(struct xp_ctx *ctx, const char *release, const char *const *names,
                      enum xp_kstate *ret)
{
        struct xp_root *root = xp_ctx_root(ctx);
        char moddir[160], path[256], stage[PATH_MAX];
        struct kmod_ctx *kctx = NULL;
        snprintf(moddir, sizeof(moddir), "lib/modules/%s", release);
        snprintf(path, sizeof(path), "%s/modules.dep.bin", moddir);
        if (!xp_root_exists(root, path))
                return -ENOENT;
        int e = open_kmod(ctx, moddir, stage, sizeof(stage), &kctx);
        if (e < 0)
                return e;
        for (size_t i = 0; names[i]; i++)
                (void)kmod_state(kctx, names[i], &ret[i]);
        km.kmod_unref(kctx);
        unstage(stage);
        return 0;
}

/* "modprobe.blacklist=a,b" on a kernel command line (libkmod reads the live
 * one, also for a --root run: see read_disables()). */
static bool cmdline_blacklists(const char *cmdline, const char *module)
{
        size_t l = 0;
        const char *p = cmdline ? xp_cmdline_find(cmdline, "modprobe.blacklist=", &l) : NULL;
        if (!p)
                return false;
        char list[1024];
        size_t n = l - strlen("modprobe.blacklist=");
        if (n >= sizeof(list))
                n = sizeof(list) - 1;
        memcpy(list, p + strlen("modprobe.blacklist="), n);
        list[n] = '\0';
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (xp_module_name_eq(t, module))
                        return true;
        return false;
}

/* proc/modules, NULL when unreadable (evidence then). */
static char *read_loaded(struct xp_ctx *ctx, struct xp_report *r)
{
        char *loaded = NULL;
        int e = xp_root_read_file(xp_ctx_root(ctx), "proc/modules", 4u << 20, &loaded, NULL);
        if (e < 0) {
                xp_evidence_add(r, SRC, "proc/modules", xp_status_from_errno(e), NULL,
                                "%s: loaded modules unknown (kernel built without module support, or no /proc)",
                                e == -ENOENT ? "absent" : strerror(-e));
                return NULL;
        }
        return loaded;
}

/* The running kernel's module index, opened through libkmod. */
struct module_index {
        char moddir[160];     /* lib/modules/RELEASE */
        char stage[PATH_MAX]; /* libkmod's private copy, "" for none */
        struct kmod_ctx *kctx;
        bool have_dep;        /* modules.dep.bin there: what it lacks is missing */
};

/* Index files there but unreadable (the read log has them): evidence, not
 * a silent "unknown". */
static void note_unreadable_index(struct xp_report *r, struct xp_root *root, const char *moddir)
{
        for (size_t i = 0; i < xp_root_log_count(root); i++) {
                enum xp_log_kind kind;
                const char *p = xp_root_log_path(root, i, &kind);
                if (kind == XP_LOG_ERROR && xp_startswith(p, moddir) && p[strlen(moddir)] == '/')
                        xp_evidence_add(r, SRC, p, XP_ST_UNREADABLE, NULL,
                                        "%s: libkmod works without it, so module states may show as unknown",
                                        strerror(xp_root_log_error(root, i)));
        }
}

/* Open lib/modules/RELEASE of the running kernel; IX->kctx stays NULL (with
 * evidence saying why) when there is none or libkmod cannot read it. */
static void open_index(struct xp_ctx *ctx, struct xp_report *r, struct module_index *ix)
{
        struct xp_root *root = xp_ctx_root(ctx);
        const char *release = r->facts.kernel.release;
        char path[PATH_MAX];

        if (!release[0])
                xp_evidence_add(r, SRC, "lib/modules", XP_ST_UNAVAILABLE, NULL,
                                "kernel release unknown: cannot open the module index");
        snprintf(ix->moddir, sizeof(ix->moddir), "lib/modules/%s", release);
        if (!release[0])
                return;
        if (!xp_root_exists(root, ix->moddir)) {
                xp_evidence_add(r, SRC, ix->moddir, XP_ST_ABSENT, NULL,
                                "no module tree for the running kernel: built-in and available drivers unknown");
                return;
        }
        int e = open_kmod(ctx, ix->moddir, ix->stage, sizeof(ix->stage), &ix->kctx);
        if (e == -EOPNOTSUPP)
                xp_evidence_add(r, SRC, "libkmod.so.2", XP_ST_UNAVAILABLE, NULL,
                                "libkmod could not be loaded: built-in and available drivers unknown");
        else if (e < 0)
                xp_evidence_add(r, SRC, ix->moddir, XP_ST_UNREADABLE, NULL,
                                "cannot copy the module index for libkmod: %s", strerror(-e));
        note_unreadable_index(r, root, ix->moddir);
        snprintf(path, sizeof(path), "%s/modules.dep.bin", ix->moddir);
        ix->have_dep = e == 0 && xp_root_exists(root, path);
}

static void close_index(struct module_index *ix)
{
        if (ix->kctx)
                km.kmod_unref(ix->kctx);
        unstage(ix->stage);
}

/* Set FLAGS[m] for the Xen module NAME names (kmod's spelling rules). */
static void mark_module(bool *flags, const char *name)
{
        for (int m = 0; m < _XP_XM_MAX; m++)
                if (xp_module_name_eq(name, xp_xen_module_name(m)))
                        flags[m] = true;
}

/* The live system's kernel command line (NULL when unreadable). */
static char *read_host_cmdline(void)
{
        char *host = NULL;
        int e;
        struct xp_root *live = xp_root_new("/", true, &e);
        if (!live)
                return NULL;
        if (xp_root_read_line(live, "proc/cmdline", &host) < 0)
                host = NULL;
        xp_root_free(live);
        return host;
}

/* "install NAME CMD" disables NAME only when CMD is nothing but true/false. */
static bool disabling_command(const char *cmd)
{
        char c[64] = "";
        if (cmd)
                snprintf(c, sizeof(c), "%s", cmd);
        xp_strip(c);
        return strcmp(c, "/bin/false") == 0 || strcmp(c, "/bin/true") == 0 ||
               strcmp(c, "/usr/bin/false") == 0 || strcmp(c, "/usr/bin/true") == 0 ||
               strcmp(c, "false") == 0 || strcmp(c, "true") == 0;
}

/* Blacklists and install overrides that disable a Xen driver.  libkmod
 * also takes modprobe.blacklist= from the live /proc/cmdline, even for
 * another root: under --root, entries only the host's command line names
 * are dropped and the root's own command line counts. */
static void read_disables(struct xp_ctx *ctx, struct xp_report *r, struct kmod_ctx *kctx)
{
        struct xp_modules_facts *mf = &r->facts.modules;
        const char *root_cmdline = r->facts.kernel.cmdline_text; /* read by the kernel probe */
        bool live = xp_root_is_live(xp_ctx_root(ctx));
        char *host_cmdline = NULL;

        if (!live) {
                host_cmdline = read_host_cmdline();
                for (int m = 0; m < _XP_XM_MAX; m++)
                        if (cmdline_blacklists(root_cmdline, xp_xen_module_name(m)))
                                mf->blacklisted[m] = true;
        }
        struct kmod_config_iter *it = km.kmod_config_get_blacklists(kctx);
        while (it && km.kmod_config_iter_next(it)) {
                const char *name = km.kmod_config_iter_get_key(it);
                if (live || !cmdline_blacklists(host_cmdline, name) || cmdline_blacklists(root_cmdline, name))
                        mark_module(mf->blacklisted, name);
        }
        if (it) /* NULL when libkmod could not allocate; it does not take NULL */
                km.kmod_config_iter_free_iter(it);
        it = km.kmod_config_get_install_commands(kctx);
        while (it && km.kmod_config_iter_next(it))
                if (disabling_command(km.kmod_config_iter_get_value(it)))
                        mark_module(mf->install_disabled, km.kmod_config_iter_get_key(it));
        if (it)
                km.kmod_config_iter_free_iter(it);
        free(host_cmdline);
}

/* How module NAME is present, and *HOW how that was told: loaded
 * (proc/modules), else what the index says; UNKNOWN without either. */
static enum xp_kstate module_state(const char *loaded, const struct module_index *ix, const char *name,
                                   const char **how)
{
        enum xp_kstate st;
        *how = NULL;
        if (loaded && xp_parse_modules_has(loaded, name)) {
                *how = "listed in proc/modules";
                return XP_KS_LOADED;
        }
        if (!ix->kctx)
                return XP_KS_UNKNOWN;
        if (kmod_state(ix->kctx, name, &st) == -ENOMEM)
                xp_note_enomem(); /* not "missing" */
        if (st == XP_KS_BUILTIN)
                *how = "built into the kernel (modules.builtin): invisible to lsmod";
        else if (st == XP_KS_MODULE)
                *how = "available as a module (modules.dep), not loaded";
        else if (ix->have_dep)
                *how = "neither built in nor in modules.dep";
        else
                st = XP_KS_UNKNOWN;
        return st;
}

/* The classic PV-on-HVM drivers (unmodified_drivers/linux-2.6 of the
 * xenlinux tree, packaged as RHEL 5/6's kmod-xenpv and installed under
 * lib/modules/RELEASE/extra or weak-updates) name their frontends
 * differently: their xen-vbd and xen-vnif do what xen-blkfront and
 * xen-netfront do, as the classic kernel-xen's own xenblk and xennet
 * (RHEL 5: mkinitrd --with=xenblk).  xen-platform-pci has the same name
 * in both. */
static const struct {
        enum xp_xen_module m;
        const char *name, *what;
} classic_names[] = {
        { XP_XM_BLKFRONT, "xenblk", "the classic xenlinux PV block frontend (kernel-xen's xenblk), in place of xen-blkfront" },
        { XP_XM_NETFRONT, "xennet", "the classic xenlinux PV network frontend (kernel-xen's xennet), in place of xen-netfront" },
        { XP_XM_BLKFRONT, "xen_vbd", "the classic PV-on-HVM block frontend (kmod-xenpv), in place of xen-blkfront" },
        { XP_XM_NETFRONT, "xen_vnif", "the classic PV-on-HVM network frontend (kmod-xenpv), in place of xen-netfront" },
};

/* Module M's state under its classic name when that one is there and the
 * pvops name is not loaded or built in; NAME and HOW then name it. */
static enum xp_kstate classic_state(const char *loaded, const struct module_index *ix, enum xp_xen_module m,
                                    enum xp_kstate st, const char **name, const char **how, const char **what)
{
        for (size_t i = 0; i < ELEMENTSOF(classic_names); i++) {
                if (classic_names[i].m != m || st == XP_KS_LOADED || st == XP_KS_BUILTIN)
                        continue;
                const char *h;
                enum xp_kstate cst = module_state(loaded, ix, classic_names[i].name, &h);
                if (cst == XP_KS_LOADED || (cst == XP_KS_MODULE && st != XP_KS_MODULE)) {
                        *name = classic_names[i].name;
                        *how = cst == XP_KS_LOADED ? "listed in proc/modules" : h;
                        *what = classic_names[i].what;
                        return cst;
                }
        }
        return st;
}

/* Each Xen module's state, as facts and evidence, and what lsmod would
 * have said about them. */
static void report_states(struct xp_report *r, const char *loaded, const struct module_index *ix)
{
        struct xp_modules_facts *mf = &r->facts.modules;
        int seen_xen_loaded = 0, seen_builtin = 0;
        char path[96];

        for (int m = 0; m < _XP_XM_MAX; m++) {
                const char *name = xp_xen_module_name(m), *how, *classic = NULL;
                enum xp_kstate st = module_state(loaded, ix, name, &how);
                st = classic_state(loaded, ix, m, st, &name, &how, &classic);
                seen_xen_loaded += st == XP_KS_LOADED;
                seen_builtin += st == XP_KS_BUILTIN;
                mf->state[m] = st;
                if (st == XP_KS_UNKNOWN || (st == XP_KS_MISSING && !mf->blacklisted[m]))
                        continue; /* absent drivers are summarized below, not listed one by one */
                snprintf(path, sizeof(path), "module %s", name);
                xp_evidence_add(r, SRC, path, XP_ST_FOUND, xp_kstate_to_string(st), "%s%s%s%s%s", how,
                                classic ? ": " : "", classic ? classic : "",
                                mf->blacklisted[m] ? "; BLACKLISTED in modprobe.d" : "",
                                mf->install_disabled[m] ? "; disabled by an 'install ... /bin/false' line" : "");
        }
        if (loaded)
                xp_evidence_add(r, SRC, "lsmod | grep xen (the classic admin check)", XP_ST_FOUND,
                                seen_xen_loaded ? "matches" : "no match", "%s",
                                seen_builtin ? "misleading here: some Xen drivers are built in and never appear in lsmod"
                                             : "lsmod shows loaded modules only; built-in drivers never appear");
}

static int run(struct xp_ctx *ctx, struct xp_report *r)
{
        struct xp_modules_facts *mf = &r->facts.modules;
        struct module_index ix = { 0 };

        /* module states explain an HVM verdict and feed warnings, but never
         * change the verdict itself */
        if (xp_ctx_get_verdict_only(ctx))
                return 1;

        char *loaded = read_loaded(ctx, r);
        open_index(ctx, r, &ix);
        if (ix.kctx)
                read_disables(ctx, r, ix.kctx);
        report_states(r, loaded, &ix);
        mf->status = (ix.kctx || loaded) ? XP_ST_FOUND : XP_ST_UNAVAILABLE;
        free(loaded);
        close_index(&ix);
        return mf->status == XP_ST_FOUND ? 0 : 1;
}

const struct xp_probe xp_modules_probe = {
        .name = SRC,
        .run = run,
};
