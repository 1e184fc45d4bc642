/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Read one key of a kernel module's .modinfo section from memory: modules
 * inside an initramfs are never written to disk (libkmod opens files by
 * path, and a guest image is not ours to unpack).  ELF64 little-endian
 * only, every offset checked against the buffer.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <string.h>

#include "initrd.h"

int xp_modinfo_get(const uint8_t *data, size_t len, const char *key, char *buf, size_t buflen)
{
        Elf64_Ehdr eh;
        if (len < sizeof(eh))
                return -EBADMSG;
        memcpy(&eh, data, sizeof(eh));
        if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
            eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_shentsize != sizeof(Elf64_Shdr))
                return -EBADMSG;
        if (eh.e_shoff > len || (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > len - eh.e_shoff ||
            eh.e_shstrndx >= eh.e_shnum)
                return -EBADMSG;
        Elf64_Shdr strh;
        memcpy(&strh, data + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof(strh));
        if (strh.sh_offset > len || strh.sh_size > len - strh.sh_offset)
                return -EBADMSG;
        const char *names = (const char *)data + strh.sh_offset;
        size_t klen = strlen(key);
        for (unsigned i = 0; i < eh.e_shnum; i++) {
                Elf64_Shdr sh;
                memcpy(&sh, data + eh.e_shoff + (size_t)i * sizeof(Elf64_Shdr), sizeof(sh));
                if (sh.sh_name >= strh.sh_size ||
                    strnlen(names + sh.sh_name, strh.sh_size - sh.sh_name) == strh.sh_size - sh.sh_name ||
                    strcmp(names + sh.sh_name, ".modinfo") != 0)
                        continue;
                if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
                        return -EBADMSG;
                const char *p = (const char *)data + sh.sh_offset, *end = p + sh.sh_size;
                while (p < end) {
                        size_t l = strnlen(p, (size_t)(end - p));
                        if (l > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
                                size_t vl = l - klen - 1;
                                if (vl >= buflen)
                                        vl = buflen - 1;
                                memcpy(buf, p + klen + 1, vl);
                                buf[vl] = '\0';
                                return 0;
                        }
                        p += l + 1;
                }
                return 1;
        }
        return 1;
}
