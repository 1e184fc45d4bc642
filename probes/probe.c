/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ordered probe list and the run loop. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "probe.h"

static const struct xp_probe *const xp_probes[] = {
        /* kernel first: the release names lib/modules/RELEASE and
         * boot/config-RELEASE, and the cmdline explains missing Xen (nopv) */
        &xp_kernel_probe,
        &xp_container_probe,
        &xp_hypervisor_probe,
        &xp_cpuid_probe,
        &xp_cpuinfo_probe,
        &xp_dmi_probe,
        /* modules after kernel (release) */
        &xp_modules_probe,
        &xp_xenbus_probe,
        &xp_pci_probe,
        /* os-release: for the reader, not the verdict */
        &xp_os_release_probe,
        /* block last: its root-disk verdict uses every disk it listed */
        &xp_block_probe,
};

int xp_probe_all(struct xp_ctx *ctx, struct xp_report **ret)
{
        struct xp_report *r = xp_report_new();
        if (!r)
                return -ENOMEM;
        r->live = xp_root_is_live(xp_ctx_root(ctx));
        (void)xp_take_enomem();
        for (size_t i = 0; i < ELEMENTSOF(xp_probes); i++) {
                int e = xp_probes[i]->run(ctx, r);
                if (e == -ENOMEM)
                        xp_note_enomem();
                if (e < 0 && e != -ENOENT) {
                        /* a source that fails is evidence too, never the end
                         * of the report: the other probes still run, and the
                         * report says what could not be read */
                        DBG(ctx, "probe %s: %s", xp_probes[i]->name, strerror(-e));
                        xp_evidence_add(r, xp_probes[i]->name, "(probe)", XP_ST_UNREADABLE, NULL, "probe failed: %s",
                                        strerror(-e));
                }
        }
        xp_classify(r);
        /* a report with evidence lost to an allocation failure could give
         * another verdict, or a lower confidence, without saying why */
        if (xp_take_enomem()) {
                xp_report_free(r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}
