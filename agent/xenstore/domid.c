/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain ids, parsed once for every reader: the publisher's --domid, the
 * query's DOMID arguments, the names under /local/domain and the domid in
 * a watch event's path.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xenstore/xenstore.h"

int xp_domid_parse(const char *s, size_t len, enum xp_domid_form form, unsigned *out)
{
        if (len == 0 || (form == XP_DOMID_CANONICAL && len > 1 && s[0] == '0'))
                return -EINVAL;
        unsigned long v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long)(s[i] - '0');
                if (v >= XP_DOMID_FIRST_RESERVED)
                        return -ERANGE;
        }
        *out = (unsigned)v;
        return 0;
}

int xp_publish_home(const char *domid, char *home, size_t len)
{
        if (!domid) {
                home[0] = '\0';
                return 0;
        }
        unsigned id;
        if (xp_domid_parse(domid, strlen(domid), XP_DOMID_TYPED, &id) < 0)
                return -EINVAL;
        snprintf(home, len, "/local/domain/%u", id);
        return 0;
}
