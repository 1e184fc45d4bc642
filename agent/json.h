/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON layer (agent/json.c): every renderer builds its tree with these
 * and never with json-c's own constructors and adders, whose NULL on an
 * allocation failure would leave nulls or a json-c assertion behind.  A
 * failure is noted; xp_json_print then prints nothing and says -ENOMEM, so a
 * report is whole or absent.  Emitters that do not use xp_json_print test
 * and reset the note with xp_json_failed().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;

/* checked constructors */
struct json_object *xp_json_object(void);
struct json_object *xp_json_array(void);
struct json_object *xp_json_string(const char *s);
struct json_object *xp_json_string_len(const char *s, size_t len);
struct json_object *xp_json_bool(bool b);
struct json_object *xp_json_int(int64_t i);
struct json_object *xp_json_uint(uint64_t u);
/* V itself, noting the failure when it is NULL */
struct json_object *xp_json_chk(struct json_object *v);
/* checked adders: -ENOMEM (V not released, as with json-c's own) */
int xp_json_add(struct json_object *o, const char *key, struct json_object *v);
int xp_json_append(struct json_object *a, struct json_object *v);

/* A string, or null for "" and NULL */
struct json_object *xp_json_str_or_null(const char *s);
/* the same for a string that is always there ("" stays ""): every string
 * that comes from a guest's files or names goes through one of the two */
struct json_object *xp_json_str(const char *s);
/* LEN bytes as a JSON string: invalid UTF-8 (and with PRINTABLE_ONLY,
 * control and invisible format characters) as U+FFFD */
struct json_object *xp_json_bytes(const char *s, size_t len, bool printable_only);

/* Was an allocation failure noted since the last call? */
bool xp_json_failed(void);
/* O as text, checked: json-c's serializer drops what it cannot append (a
 * string comes out as ""), so the text is walked along with O (allocating
 * nothing) and must spell it.  NULL when anything failed (xp_json_failed()
 * included); valid until O is put. */
const char *xp_json_to_string(struct json_object *o, int flags);
/* O pretty-printed on OUT, then released; -ENOMEM, -EIO */
int xp_json_print(struct json_object *o, FILE *out);
