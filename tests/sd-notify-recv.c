/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-notify-recv PATH SECONDS [UNTIL]: play systemd's side of sd_notify(3)
 * for a test: bind a datagram socket at PATH and print every message
 * received (one line per message, newlines inside shown as '|') until one
 * holds UNTIL (default READY=1; exit 0) or SECONDS pass (exit 1).
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc != 3 && argc != 4) {
                fprintf(stderr, "usage: sd-notify-recv PATH SECONDS [UNTIL]\n");
                return 2;
        }
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(argv[1]) >= sizeof(sa.sun_path))
                return 2;
        strcpy(sa.sun_path, argv[1]);
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        unlink(argv[1]);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                perror(argv[1]);
                return 2;
        }
        time_t end = time(NULL) + atoi(argv[2]);
        int ready = 0;
        for (time_t now; (now = time(NULL)) < end;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, (int)(end - now) * 1000) <= 0)
                        break;
                char buf[4096];
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        break;
                buf[n] = '\0';
                for (char *c = buf; *c; c++)
                        if (*c == '\n')
                                *c = '|';
                printf("%s\n", buf);
                fflush(stdout);
                if (strstr(buf, argc == 4 ? argv[3] : "READY=1")) {
                        ready = 1;
                        break;
                }
        }
        unlink(argv[1]);
        return ready ? 0 : 1;
}
