/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stderr and syslog sinks for the xp_ctx logger. */
#include "config.h"

#include <stdio.h>
#include <syslog.h>

#include "agent.h"

static const char *prio_name(int p)
{
        switch (p) {
        case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR: return "error";
        case LOG_WARNING: return "warning";
        case LOG_NOTICE: case LOG_INFO: return "info";
        default: return "debug";
        }
}

void xp_log_stderr(void *data _unused_, int priority, const char *file _unused_, int line _unused_,
                   const char *fn, const char *format, va_list args)
{
        if (priority >= LOG_DEBUG)
                fprintf(stderr, "xenprobe: %s: %s: ", prio_name(priority), fn);
        else
                fprintf(stderr, "xenprobe: %s: ", prio_name(priority));
        vfprintf(stderr, format, args);
        fputc('\n', stderr);
}

void xp_log_syslog(void *data _unused_, int priority, const char *file _unused_, int line _unused_,
                   const char *fn _unused_, const char *format, va_list args)
{
        vsyslog(priority, format, args);
}
