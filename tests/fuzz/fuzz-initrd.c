/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: a whole initramfs image through the product's reader,
 * xp_image_check() (probes/boot/image.c: segment walk, every decompressor,
 * cpio newc/crc/odc walker, module index capture, .modinfo, the checks of
 * probes/boot/image-checks.c), then the renderers `xenprobe initrd` uses (text
 * and JSON).  The input is the image file, byte for byte: real images and
 * the synthetic ones of tests/test-initrd-synthetic.sh are valid seeds.
 *
 * The image goes into a memfd read as /proc/self/fd/N (a host path, as
 * `xenprobe initrd FILE` opens it), and a second time below a root object
 * as boot/initrd.img (as the boot probe opens it), with other queries.
 * Checked: no crash, leak or sanitizer report; a damaged image is never
 * "complete" with status ok; the JSON output parses (strict, valid UTF-8);
 * the text output is printable ASCII.
 */
#include "config.h"

#include <json-c/json.h>
#include <sys/mman.h>
#include <syslog.h>

#include "agent.h"
#include "json.h"
#include "render.h"
#include "fuzz-util.h"
#include "boot/initrd.h"
#include "probe.h"

static char logbuf[1024];
static void quiet_log(void *data, int priority, const char *file, int line, const char *fn, const char *format,
                      va_list args)
{
        (void)data, (void)priority, (void)file, (void)line, (void)fn;
        /* format every message: a bad format argument shows up here */
        vsnprintf(logbuf, sizeof(logbuf), format, args);
}

static int memfd = -1;
static char memfd_path[64];
static struct xp_root *root;
static int rootfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void)argc, (void)argv;
        memfd = memfd_create("xpfuzz-initrd", MFD_CLOEXEC);
        if (memfd < 0) {
                perror("memfd_create");
                abort();
        }
        snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
        const char *dir = fz_scratch();
        int err;
        root = xp_root_new(dir, false, &err);
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (!root || rootfd < 0)
                abort();
        return 0;
}

static void check_image(const struct xp_image *img)
{
        FUZZ_ASSERT(img->path, "image without a path");
        FUZZ_ASSERT(img->n_seg <= XP_IMAGE_MAX_SEGMENTS, "%zu segments", img->n_seg);
        FUZZ_ASSERT(img->n_versions <= XP_IMAGE_MAX_KVERS, "%zu versions", img->n_versions);
        if (img->error) {
                FUZZ_ASSERT(!img->complete, "damaged image (%d) marked complete", img->error);
                FUZZ_ASSERT(img->error_msg, "damaged image without a message");
                /* a damaged image is never wholly ok */
                bool any_not_ok = img->checks.n == 0;
                for (size_t i = 0; i < img->checks.n; i++)
                        if (img->checks.v[i].status != XP_CHECK_OK)
                                any_not_ok = true;
                FUZZ_ASSERT(any_not_ok, "damaged image (%s) with every check ok", img->error_msg);
        }
        for (size_t i = 0; i < img->checks.n; i++) {
                const struct xp_check *c = &img->checks.v[i];
                FUZZ_ASSERT(c->name && c->evidence, "check without name or evidence");
                FUZZ_ASSERT(c->status < _XP_CHECK_MAX, "check status %d", c->status);
        }
}

static void render(const struct xp_image *img, const char *path)
{
        char *text = NULL;
        size_t tlen = 0;
        FILE *m = open_memstream(&text, &tlen);
        if (!m)
                abort();
        xp_render_image_text(img, path, "  ", m);
        fclose(m);
        /* what reaches a terminal: printable ASCII lines */
        for (size_t i = 0; i < tlen; i++)
                FUZZ_ASSERT(text[i] == '\n' || (text[i] >= 0x20 && text[i] < 0x7f), "text byte 0x%02x at %zu",
                            (unsigned char)text[i], i);
        free(text);

        struct json_object *o = xp_json_image(img, path);
        if (!o)
                return;
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        FUZZ_ASSERT(s, "no JSON text");
        struct json_tokener *tok = json_tokener_new();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        struct json_object *back = json_tokener_parse_ex(tok, s, (int)strlen(s));
        FUZZ_ASSERT(back && json_tokener_get_error(tok) == json_tokener_success, "image JSON does not parse: %s",
                    json_tokener_error_desc(json_tokener_get_error(tok)));
        json_object_put(back);
        json_tokener_free(tok);
        json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (memfd < 0)
                LLVMFuzzerInitialize(NULL, NULL);
        if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
                abort();

        struct xp_ctx *ctx = xp_ctx_new(NULL);
        if (!ctx)
                abort();
        xp_ctx_set_log_fn(ctx, quiet_log, NULL);
        xp_ctx_set_log_priority(ctx, LOG_DEBUG);

        /* 1: `xenprobe initrd FILE`: the image's own kernel, ext4 root */
        struct xp_image_query q1 = { .fstype = "ext4", .threads = 1 };
        struct xp_image *img = NULL;
        if (xp_image_check(ctx, NULL, memfd_path, &q1, &img) == 0) {
                check_image(img);
                render(img, memfd_path);
                xp_image_free(img);
        }

        /* 2: the boot probe's way: below a root, a paired kernel whose
         * modules.builtin is known, quick mode, a network root */
        if (size <= 256 * 1024) {
                fz_write_at(rootfd, "boot/initrd.img", data, size);
                static const char *const builtin[] = { "ext4", "xen_netfront", NULL };
                struct xp_image_query q2 = {
                        .kernel_version = "6.1.0-13-amd64",
                        .fstype = size & 1 ? "xfs" : "btrfs",
                        .need_netfront = true,
                        .quick = true,
                        .threads = 2,
                        .builtin = builtin,
                        .root_generator = XP_GEN_DRACUT,
                };
                img = NULL;
                if (xp_image_check(ctx, root, "boot/initrd.img", &q2, &img) == 0) {
                        check_image(img);
                        xp_image_free(img);
                }
                xp_root_log_clear(root);
        }
        xp_ctx_unref(ctx);
        return 0;
}
