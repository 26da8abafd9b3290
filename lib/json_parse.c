/* The JSON tokenizer: validation of a request's text in one pass, and a
 * cursor that reads the validated text in place (json_parse.h).
 *
 * Requests are not parsed with jansson's own json_loadb, for three reasons:
 * it builds a value for every member, used or not (a 32 MiB request of
 * ignored empty objects cost 2.5 GB); it stores integers as signed 64-bit
 * and refuses larger literals, while memory sizes are unsigned 64-bit and
 * valid JSON may hold any integer; and it has no nesting limit.
 *
 * Validation accepts exactly RFC 8259 JSON with an object or an array at the
 * top, in UTF-8 by jansson's rules (utf8.c). Its errors give the line and the
 * column of the last character of the offending token, counted as jansson
 * counts them: lines from 1, columns in characters from 1, column 0 for empty
 * input. The cursor then trusts the text: it finds the ends of strings and
 * containers without checking what lies between. */
#include "json_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "utf8.h"

/* The nesting of the containers being validated is kept as bits. */
_Static_assert(EXOPLACE_MAX_JSON_DEPTH <= 64, "one bit per open container in a uint64_t");

/* ---- byte classes -------------------------------------------------------- */

enum {
    CLASS_SPACE = 1,       /* JSON whitespace */
    CLASS_DIGIT = 2,       /* 0-9 */
    CLASS_WORD = 4,        /* continues a bare token (number or literal) in messages */
    CLASS_STRING_PLAIN = 8, /* printable ASCII that stands for itself in a string */
    CLASS_STRUCTURE = 16   /* what a container skip stops at: a string or a bracket */
};

#define IS_DIGIT_(b) ((b) >= '0' && (b) <= '9')
#define IS_LETTER_(b) (((b) >= 'a' && (b) <= 'z') || ((b) >= 'A' && (b) <= 'Z'))
#define BYTE_CLASS_(b)                                                                                        \
    (((b) == ' ' || (b) == '\t' || (b) == '\n' || (b) == '\r' ? CLASS_SPACE : 0) |                            \
     (IS_DIGIT_(b) ? CLASS_DIGIT : 0) |                                                                       \
     (IS_DIGIT_(b) || IS_LETTER_(b) || (b) == '+' || (b) == '-' || (b) == '.' ? CLASS_WORD : 0) |             \
     ((b) >= 0x20 && (b) < 0x80 && (b) != '"' && (b) != '\\' ? CLASS_STRING_PLAIN : 0) |                      \
     ((b) == '"' || (b) == '[' || (b) == ']' || (b) == '{' || (b) == '}' ? CLASS_STRUCTURE : 0))
#define BYTE_CLASS_4_(b) BYTE_CLASS_(b), BYTE_CLASS_((b) + 1), BYTE_CLASS_((b) + 2), BYTE_CLASS_((b) + 3)
#define BYTE_CLASS_16_(b) BYTE_CLASS_4_(b), BYTE_CLASS_4_((b) + 4), BYTE_CLASS_4_((b) + 8), BYTE_CLASS_4_((b) + 12)
#define BYTE_CLASS_64_(b) \
    BYTE_CLASS_16_(b), BYTE_CLASS_16_((b) + 16), BYTE_CLASS_16_((b) + 32), BYTE_CLASS_16_((b) + 48)

static const unsigned char byte_class[256] = {BYTE_CLASS_64_(0), BYTE_CLASS_64_(64), BYTE_CLASS_64_(128),
                                              BYTE_CLASS_64_(192)};

static int has_class(char c, unsigned mask)
{
    return (byte_class[(unsigned char)c] & mask) != 0;
}

static size_t skip_space(const char *t, size_t len, size_t i)
{
    while (i < len && has_class(t[i], CLASS_SPACE))
        i++;
    return i;
}

/* Offset just past the word-byte run that starts at i (i itself included). */
static size_t word_end(const char *t, size_t len, size_t i)
{
    while (i < len && has_class(t[i], CLASS_WORD))
        i++;
    return i;
}

/* ---- scanning strings, many bytes per step ----
 *
 * Most of a request's bytes are inside strings. Two scans find where a
 * string's plain run ends: the first quote or backslash (the cursor, in
 * trusted text) and the first byte that does not stand for itself (the
 * validation: also control characters and bytes outside ASCII). Each looks
 * at a block of bytes per step, with SSE2 where the compiler offers it (16
 * bytes), else in a 64-bit word (8 bytes); a byte loop finishes the tail. */

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__)) && !defined(EXOPLACE_JSON_NO_SSE2)
#include <emmintrin.h>

enum { BLOCK = 16 };
typedef unsigned block_marks;

/* Bit k is set where byte k of the block at p is a quote or a backslash. */
static block_marks quote_marks(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return (block_marks)_mm_movemask_epi8(_mm_or_si128(quote, backslash));
}

/* ... or does not stand for itself in a string: signed, bytes outside ASCII
 * are negative, so one comparison finds them and the control characters. */
static block_marks string_special_marks(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i below_space = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return (block_marks)_mm_movemask_epi8(_mm_or_si128(below_space, _mm_or_si128(quote, backslash)));
}

#define FIRST_MARK_(marks) ((size_t)__builtin_ctz(marks))
#else
enum { BLOCK = 8 };
typedef uint64_t block_marks;

/* Bit 7 of each byte of the result is set where that byte of word is zero,
 * and nowhere when none is; borrows run only towards later bytes on a
 * little-endian machine, so there the lowest mark is exact. */
#define ONES_ 0x0101010101010101u
#define HIGHS_ 0x8080808080808080u
static uint64_t zero_bytes(uint64_t word)
{
    return (word - ONES_) & ~word & HIGHS_;
}

static uint64_t load_word(const char *p)
{
    uint64_t word;
    memcpy(&word, p, sizeof word);
    return word;
}

static block_marks quote_marks(const char *p)
{
    uint64_t word = load_word(p);
    return zero_bytes(word ^ ('"' * ONES_)) | zero_bytes(word ^ ('\\' * ONES_));
}

static block_marks string_special_marks(const char *p)
{
    uint64_t word = load_word(p);
    /* Bit 7 of (word - 0x20...) | word is set for bytes below 0x20 or above 0x7F. */
    uint64_t outside = ((word - 0x20 * ONES_) | word) & HIGHS_;
    return outside | zero_bytes(word ^ ('"' * ONES_)) | zero_bytes(word ^ ('\\' * ONES_));
}

#if (defined(__GNUC__) || defined(__clang__)) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_MARK_(marks) ((size_t)__builtin_ctzll(marks) / 8)
#else
#define FIRST_MARK_(marks) ((void)(marks), (size_t)0) /* the byte loop finds it */
#endif
#endif

/* Offset of the first quote or backslash at or after i (len when none). */
static size_t quote_or_backslash(const char *t, size_t len, size_t i)
{
    while (len - i >= BLOCK) {
        block_marks marks = quote_marks(t + i);
        if (marks) {
            i += FIRST_MARK_(marks);
            break;
        }
        i += BLOCK;
    }
    while (i < len && t[i] != '"' && t[i] != '\\')
        i++;
    return i;
}

/* Offset of the first byte at or after i that does not stand for itself in a
 * string (len when none). */
static size_t string_plain_end(const char *t, size_t len, size_t i)
{
    while (len - i >= BLOCK) {
        block_marks marks = string_special_marks(t + i);
        if (marks) {
            i += FIRST_MARK_(marks);
            break;
        }
        i += BLOCK;
    }
    while (i < len && has_class(t[i], CLASS_STRING_PLAIN))
        i++;
    return i;
}

/* Four hex digits at s, or -1. */
static long hex4(const char *s)
{
    long value = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)s[i];
        int digit = IS_DIGIT_(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* ---- error messages ---------------------------------------------------------- */

/* Line and column of the character at offset (offset len: the last one). */
static void text_position(const char *text, size_t len, size_t offset, int *line_out, int *column_out)
{
    int line = 1, column = 0;
    for (size_t i = 0; i <= offset && i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            line++;
            column = 0;
        } else if ((c & 0xC0) != 0x80) {
            column++;
        }
    }
    *line_out = line;
    *column_out = column;
}

/* Offset of the last byte of the token that starts at start < len: a whole
 * string, a run of word bytes, or one UTF-8 character. */
static size_t token_end(const char *t, size_t len, size_t start)
{
    size_t i = start;
    if (t[start] == '"') {
        for (i = start + 1; i < len && t[i] != '"'; i++)
            if (t[i] == '\\' && i + 1 < len)
                i++;
        return i < len ? i : len - 1;
    }
    if (has_class(t[start], CLASS_WORD))
        return word_end(t, len, start) - 1;
    while (i + 1 < len && ((unsigned char)t[i + 1] & 0xC0) == 0x80)
        i++;
    return i;
}

/* "line L, column C: <problem>" at offset. */
static exoplace_status fail_at(exoplace_error *err, const char *t, size_t len, size_t offset, const char *problem)
{
    int line, column;
    text_position(t, len, offset, &line, &column);
    return exoplace__fail(err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s", line, column, problem);
}

exoplace_status exoplace__json_fail_near(exoplace_error *err, const char *text, size_t len, size_t start,
                                         const char *problem)
{
    int line, column;
    if (start >= len) {
        text_position(text, len, len, &line, &column);
        return exoplace__fail(err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s near end of file", line,
                              column, problem);
    }
    size_t end = token_end(text, len, start);
    enum { NEAR_BYTES = 24 };
    /* Printable ASCII as it is, other bytes as \xNN: the message stays valid
     * UTF-8 and shows nothing a terminal would act on. */
    char near[NEAR_BYTES * 4 + 1];
    size_t n = 0, shown = 0;
    for (size_t i = start; i <= end && shown < NEAR_BYTES; i++, shown++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7F) {
            near[n++] = (char)c;
        } else {
            static const char hex[] = "0123456789abcdef";
            near[n++] = '\\';
            near[n++] = 'x';
            near[n++] = hex[c >> 4];
            near[n++] = hex[c & 0xF];
        }
    }
    near[n] = '\0';
    text_position(text, len, end, &line, &column);
    return exoplace__fail(err, EXOPLACE_E_INVALID_JSON, NULL, "line %d, column %d: %s near '%s%s'", line, column,
                          problem, near, end - start + 1 > shown ? "..." : "");
}

/* ---- validation --------------------------------------------------------------- */

/* Whether the string whose body starts at start has a closing quote, each
 * backslash escaping the byte after it. */
static int string_is_closed(const char *t, size_t len, size_t start)
{
    size_t i = start;
    while (i < len && t[i] != '"')
        i += t[i] == '\\' && i + 1 < len ? 2 : 1;
    return i < len;
}

/* Checks the escape whose backslash is at *i and moves past it; returns NULL,
 * or the problem with its offset in *at. */
static const char *check_escape(const char *t, size_t len, size_t *i, size_t *at)
{
    size_t k = *i;
    char kind = k + 1 < len ? t[k + 1] : '\0';
    if (kind == '"' || kind == '\\' || kind == '/' || kind == 'b' || kind == 'f' || kind == 'n' || kind == 'r' ||
        kind == 't') {
        *i = k + 2;
        return NULL;
    }
    if (kind != 'u') {
        *at = k + 1;
        return "invalid escape in a string";
    }
    long code = k + 6 <= len ? hex4(t + k + 2) : -1;
    if (code < 0) {
        *at = k + 1;
        return "invalid \\u escape in a string";
    }
    k += 6;
    *at = k - 1;
    if (code >= 0xDC00 && code <= 0xDFFF)
        return "lone low surrogate in a string";
    if (code >= 0xD800 && code <= 0xDBFF) {
        long low = k + 6 <= len && t[k] == '\\' && t[k + 1] == 'u' ? hex4(t + k + 2) : -1;
        if (low < 0xDC00 || low > 0xDFFF)
            return "high surrogate without a low surrogate in a string";
        k += 6;
    }
    *i = k;
    return NULL;
}

/* The rest of check_string(): the string's plain run ends at i, at a byte
 * other than its closing quote. Kept out of line, so that the common case
 * stays small enough to inline. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static exoplace_status check_string_rest(exoplace_error *err, const char *t, size_t len, size_t *pos, size_t i)
{
    int escaped = 0;
    const char *problem;
    size_t at;
    for (;;) {
        i = string_plain_end(t, len, i);
        if (i >= len)
            return fail_at(err, t, len, len, "premature end of input in a string");
        unsigned char c = (unsigned char)t[i];
        if (c == '"') {
            *pos = i + 1;
            return EXOPLACE_OK;
        }
        if (c == '\\') {
            escaped = 1;
            problem = check_escape(t, len, &i, &at);
            if (problem)
                break;
            continue;
        }
        if (c < 0x20) {
            problem = "control character in a string";
            at = i;
            break;
        }
        size_t n = exoplace__utf8_sequence((const unsigned char *)t + i, len - i);
        if (!n) {
            problem = "invalid UTF-8 in a string";
            at = i;
            break;
        }
        i += n;
    }
    /* Once a string has an escape, a missing closing quote is reported first. */
    if (escaped && !string_is_closed(t, len, *pos + 1))
        return fail_at(err, t, len, len, "premature end of input in a string");
    return fail_at(err, t, len, at, problem);
}

/* Checks the string whose opening quote is at *pos and moves past it. The
 * common string, plain ASCII, is done here. */
static exoplace_status check_string(exoplace_error *err, const char *t, size_t len, size_t *pos)
{
    size_t i = string_plain_end(t, len, *pos + 1);
    if (i < len && t[i] == '"') {
        *pos = i + 1;
        return EXOPLACE_OK;
    }
    return check_string_rest(err, t, len, pos, i);
}

static size_t skip_digits(const char *t, size_t len, size_t i)
{
    while (i < len && has_class(t[i], CLASS_DIGIT))
        i++;
    return i;
}

/* Checks the number that starts at *pos ('-' or a digit) and moves past it. */
static exoplace_status check_number(exoplace_error *err, const char *t, size_t len, size_t *pos)
{
    size_t start = *pos;
    size_t i = start + (t[start] == '-');
    if (i >= len || !has_class(t[i], CLASS_DIGIT))
        return exoplace__json_fail_near(err, t, len, start, "invalid number");
    i = t[i] == '0' ? i + 1 : skip_digits(t, len, i);
    if (i < len && t[i] == '.') {
        if (++i >= len || !has_class(t[i], CLASS_DIGIT))
            return exoplace__json_fail_near(err, t, len, start, "invalid number");
        i = skip_digits(t, len, i);
    }
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < len && (t[i] == '+' || t[i] == '-'))
            i++;
        if (i >= len || !has_class(t[i], CLASS_DIGIT))
            return exoplace__json_fail_near(err, t, len, start, "invalid number");
        i = skip_digits(t, len, i);
    }
    if (i < len && has_class(t[i], CLASS_WORD))
        return exoplace__json_fail_near(err, t, len, start, "invalid number");
    *pos = i;
    return EXOPLACE_OK;
}

/* true, false or null at *pos, not followed by a word byte: moves past it. */
static int take_literal(const char *t, size_t len, size_t *pos)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t n = strlen(words[w]);
        if (len - *pos >= n && memcmp(t + *pos, words[w], n) == 0 &&
            (*pos + n == len || !has_class(t[*pos + n], CLASS_WORD))) {
            *pos += n;
            return 1;
        }
    }
    return 0;
}

/* A member's key and its ':' from i (whitespace skipped); moves to its value. */
static exoplace_status check_key(exoplace_error *err, const char *t, size_t len, size_t *pos)
{
    size_t i = *pos;
    if (i >= len || t[i] != '"')
        return exoplace__json_fail_near(err, t, len, i, "string or '}' expected");
    exoplace_status status = check_string(err, t, len, &i);
    if (status != EXOPLACE_OK)
        return status;
    i = skip_space(t, len, i);
    if (i >= len || t[i] != ':')
        return exoplace__json_fail_near(err, t, len, i, "':' expected");
    *pos = skip_space(t, len, i + 1);
    return EXOPLACE_OK;
}

exoplace_status exoplace__json_validate(const char *text, size_t len, exoplace_error *err)
{
    if (len > EXOPLACE_MAX_INPUT_BYTES)
        return exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "request larger than %u bytes",
                              (unsigned)EXOPLACE_MAX_INPUT_BYTES);
    const char *t = text;
    size_t i = skip_space(t, len, 0);
    if (i >= len || (t[i] != '{' && t[i] != '['))
        return exoplace__json_fail_near(err, t, len, i, "'[' or '{' expected");
    /* The open containers, innermost in bit 0: 1 for an object. */
    uint64_t objects = 0;
    unsigned depth = 0;
    exoplace_status status = EXOPLACE_OK;
    for (;;) {
        /* A value starts at i. */
        if (i >= len)
            return exoplace__json_fail_near(err, t, len, i, "value expected");
        char c = t[i];
        if (c == '{' || c == '[') {
            if (depth == EXOPLACE_MAX_JSON_DEPTH) {
                int line, column;
                text_position(t, len, i, &line, &column);
                return exoplace__fail(err, EXOPLACE_E_LIMIT, NULL, "line %d, column %d: nested deeper than %d", line,
                                      column, EXOPLACE_MAX_JSON_DEPTH);
            }
            depth++;
            objects = objects << 1 | (c == '{');
            i = skip_space(t, len, i + 1);
            if (i < len && t[i] == (c == '{' ? '}' : ']')) {
                i++;
                depth--;
                objects >>= 1;
            } else {
                if (c == '{' && (status = check_key(err, t, len, &i)) != EXOPLACE_OK)
                    return status;
                continue;
            }
        } else if (c == '"') {
            status = check_string(err, t, len, &i);
        } else if (c == '-' || has_class(c, CLASS_DIGIT)) {
            status = check_number(err, t, len, &i);
        } else if (!take_literal(t, len, &i)) {
            return exoplace__json_fail_near(err, t, len, i, "invalid token");
        }
        if (status != EXOPLACE_OK)
            return status;
        /* After a value: close the containers that end here, up to a ','. */
        for (;;) {
            i = skip_space(t, len, i);
            if (depth == 0) {
                if (i < len)
                    return exoplace__json_fail_near(err, t, len, i, "end of file expected");
                return EXOPLACE_OK;
            }
            int in_object = (int)(objects & 1);
            if (i < len && t[i] == ',') {
                i = skip_space(t, len, i + 1);
                if (in_object && (status = check_key(err, t, len, &i)) != EXOPLACE_OK)
                    return status;
                break;
            }
            if (i < len && t[i] == (in_object ? '}' : ']')) {
                i++;
                depth--;
                objects >>= 1;
                continue;
            }
            return exoplace__json_fail_near(err, t, len, i, in_object ? "',' or '}' expected" : "',' or ']' expected");
        }
    }
}

/* ---- the cursor ------------------------------------------------------------------ */

void exoplace__json_cursor_init(exoplace__json_cursor *c, const char *text, size_t len)
{
    c->text = text;
    c->len = len;
    c->pos = skip_space(text, len, 0);
}

exoplace__json_kind exoplace__json_kind_at(exoplace__json_cursor *c)
{
    c->pos = skip_space(c->text, c->len, c->pos);
    if (c->pos >= c->len)
        return EXOPLACE__JSON_NULL;
    switch (c->text[c->pos]) {
    case '{':
        return EXOPLACE__JSON_OBJECT;
    case '[':
        return EXOPLACE__JSON_ARRAY;
    case '"':
        return EXOPLACE__JSON_STRING;
    case 't':
        return EXOPLACE__JSON_TRUE;
    case 'f':
        return EXOPLACE__JSON_FALSE;
    case 'n':
        return EXOPLACE__JSON_NULL;
    default:
        return c->text[c->pos] == '-' || has_class(c->text[c->pos], CLASS_DIGIT) ? EXOPLACE__JSON_NUMBER
                                                                                   : EXOPLACE__JSON_NULL;
    }
}

/* Offset of the closing quote of the string whose body starts at i (len
 * when there is none): each backslash escapes the byte after it. */
static size_t closing_quote(const char *t, size_t len, size_t i)
{
    for (;;) {
        i = quote_or_backslash(t, len, i);
        if (i >= len || t[i] == '"')
            return i;
        i += 2;
        if (i >= len)
            return len;
    }
}

/* Offset just past the container whose bracket is at i. */
static size_t container_end(const char *t, size_t len, size_t i)
{
    size_t depth = 0;
    while (i < len) {
        char c = t[i];
        if (!has_class(c, CLASS_STRUCTURE)) {
            i++;
        } else if (c == '"') {
            i = closing_quote(t, len, i + 1) + 1;
        } else if (c == '{' || c == '[') {
            depth++;
            i++;
        } else {
            i++;
            if (--depth == 0)
                return i;
        }
    }
    return len;
}

void exoplace__json_skip(exoplace__json_cursor *c)
{
    const char *t = c->text;
    size_t i = skip_space(t, c->len, c->pos);
    if (i >= c->len) {
        c->pos = c->len;
        return;
    }
    char first = t[i];
    if (first == '"')
        i = closing_quote(t, c->len, i + 1) + 1;
    else if (first == '{' || first == '[')
        i = container_end(t, c->len, i);
    else if (has_class(first, CLASS_WORD))
        i = word_end(t, c->len, i); /* a number or a literal */
    else
        i++;
    c->pos = i < c->len ? i : c->len;
}

void exoplace__json_enter(exoplace__json_cursor *c)
{
    size_t i = skip_space(c->text, c->len, c->pos);
    c->pos = i < c->len ? i + 1 : c->len;
}

/* The string whose opening quote is at i < len: moves *pos past it. */
static inline exoplace__json_string string_from(const char *t, size_t len, size_t i, size_t *pos)
{
    exoplace__json_string s;
    size_t start = i + 1;
    s.raw = t + start;
    size_t end = quote_or_backslash(t, len, start);
    s.has_escapes = end < len && t[end] == '\\';
    if (s.has_escapes)
        end = closing_quote(t, len, end);
    s.raw_len = end - start;
    *pos = end < len ? end + 1 : len;
    return s;
}

exoplace__json_string exoplace__json_string_at(exoplace__json_cursor *c)
{
    size_t i = skip_space(c->text, c->len, c->pos);
    if (i < c->len && c->text[i] == '"')
        return string_from(c->text, c->len, i, &c->pos);
    exoplace__json_string none = {c->text + i, 0, 0};
    c->pos = i < c->len ? i + 1 : c->len;
    return none;
}

int exoplace__json_next_member(exoplace__json_cursor *c, exoplace__json_string *key)
{
    const char *t = c->text;
    size_t len = c->len;
    size_t i = skip_space(t, len, c->pos);
    if (i < len && t[i] == ',')
        i = skip_space(t, len, i + 1);
    if (i >= len || t[i] != '"') {
        /* '}' (or, in text that is not JSON, whatever stands there) ends it. */
        key->raw = t + i;
        key->raw_len = 0;
        key->has_escapes = 0;
        c->pos = i < len ? i + 1 : len;
        return 0;
    }
    *key = string_from(t, len, i, &i);
    i = skip_space(t, len, i);
    if (i < len && t[i] == ':')
        i = skip_space(t, len, i + 1);
    c->pos = i;
    return 1;
}

int exoplace__json_next_element(exoplace__json_cursor *c)
{
    const char *t = c->text;
    size_t len = c->len;
    size_t i = skip_space(t, len, c->pos);
    if (i < len && t[i] == ',')
        i = skip_space(t, len, i + 1);
    if (i >= len || t[i] == ']') {
        c->pos = i < len ? i + 1 : len;
        return 0;
    }
    c->pos = i;
    return 1;
}

/* ---- decoding strings ------------------------------------------------------------ */

static size_t put_utf8(char *out, uint32_t code)
{
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | (code >> 6));
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code < 0x10000) {
        out[0] = (char)(0xE0 | (code >> 12));
        out[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code >> 18));
    out[1] = (char)(0x80 | ((code >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code & 0x3F));
    return 4;
}

/* Decodes the escape whose backslash is at raw[i] into out (at most 4 bytes);
 * returns the bytes written and sets *used to the bytes read. The output is
 * never longer than the escape. Malformed escapes (not in validated text)
 * decode to something harmless: the escaped byte, or U+FFFD for a lone
 * surrogate. */
static size_t decode_escape(char out[4], const char *raw, size_t len, size_t i, size_t *used)
{
    if (i + 1 >= len) {
        *used = 1;
        return 0;
    }
    char kind = raw[i + 1];
    static const char simple_from[] = "\"\\/bfnrt";
    static const char simple_to[] = "\"\\/\b\f\n\r\t";
    const char *simple = kind ? strchr(simple_from, kind) : NULL;
    long code = kind == 'u' && i + 6 <= len ? hex4(raw + i + 2) : -1;
    if (simple || code < 0) {
        out[0] = simple ? simple_to[simple - simple_from] : kind;
        *used = 2;
        return 1;
    }
    *used = 6;
    if (code >= 0xD800 && code <= 0xDBFF) {
        long low = i + 12 <= len && raw[i + 6] == '\\' && raw[i + 7] == 'u' ? hex4(raw + i + 8) : -1;
        if (low >= 0xDC00 && low <= 0xDFFF) {
            *used = 12;
            return put_utf8(out, (uint32_t)(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)));
        }
    }
    if (code >= 0xD800 && code <= 0xDFFF)
        code = 0xFFFD;
    return put_utf8(out, (uint32_t)code);
}

/* Decodes raw into out, writing whole characters only and at most room bytes
 * (it stops at the first character that does not fit); *written gets the
 * bytes written. Returns the decoded length of the whole text. out may be
 * NULL when room is 0. */
static size_t decode_text(char *out, size_t room, size_t *written, const char *raw, size_t len)
{
    size_t total = 0, done = 0;
    int full = 0;
    size_t i = 0;
    while (i < len) {
        const char *backslash = memchr(raw + i, '\\', len - i);
        size_t run = (backslash ? (size_t)(backslash - raw) : len) - i;
        if (!full && run > 0) {
            size_t take = run;
            if (take > room - done) {
                /* Cut before the character the room ends in. */
                take = room - done;
                while (take > 0 && ((unsigned char)raw[i + take] & 0xC0) == 0x80)
                    take--;
                full = 1;
            }
            if (take > 0)
                memcpy(out + done, raw + i, take);
            done += take;
        }
        total += run;
        i += run;
        if (i >= len)
            break;
        char code[4];
        size_t used;
        size_t n = decode_escape(code, raw, len, i, &used);
        if (!full && n > room - done)
            full = 1;
        if (!full && n > 0) {
            memcpy(out + done, code, n);
            done += n;
        }
        total += n;
        i += used;
    }
    *written = done;
    return total;
}

int exoplace__json_string_equals(const exoplace__json_string *s, const char *literal)
{
    size_t n = strlen(literal);
    if (!s->has_escapes)
        return s->raw_len == n && memcmp(s->raw, literal, n) == 0;
    /* Escapes only shorten: a decoded text of n bytes is written in n bytes or more. */
    if (s->raw_len < n)
        return 0;
    size_t i = 0, at = 0;
    while (i < s->raw_len) {
        if (s->raw[i] != '\\') {
            if (at >= n || s->raw[i] != literal[at])
                return 0;
            i++;
            at++;
            continue;
        }
        char code[4];
        size_t used;
        size_t k = decode_escape(code, s->raw, s->raw_len, i, &used);
        if (k > n - at || memcmp(code, literal + at, k) != 0)
            return 0;
        at += k;
        i += used;
    }
    return at == n;
}

exoplace_status exoplace__json_string_decode(char **out, size_t *len_out, int *has_nul,
                                             const exoplace__json_string *s, exoplace_error *err)
{
    *out = NULL;
    *len_out = 0;
    if (has_nul)
        *has_nul = 0;
    /* Decoding never lengthens a text. */
    char *text = malloc(s->raw_len + 1);
    if (!text)
        return exoplace__fail_no_memory(err);
    size_t n;
    if (s->has_escapes)
        decode_text(text, s->raw_len, &n, s->raw, s->raw_len);
    else
        memcpy(text, s->raw, n = s->raw_len);
    text[n] = '\0';
    if (has_nul)
        *has_nul = memchr(text, '\0', n) != NULL;
    *out = text;
    *len_out = n;
    return EXOPLACE_OK;
}

size_t exoplace__json_string_copy(char *buf, size_t size, const exoplace__json_string *s)
{
    size_t written;
    size_t total = decode_text(size ? buf : NULL, size ? size - 1 : 0, &written, s->raw, s->raw_len);
    if (size)
        buf[written] = '\0';
    return total;
}

/* ---- numbers ------------------------------------------------------------------ */

exoplace__json_number exoplace__json_number_at(exoplace__json_cursor *c)
{
    const char *t = c->text;
    size_t len = c->len;
    size_t start = skip_space(t, len, c->pos);
    size_t i = start;
    exoplace__json_number number = {0};
    number.text = t + start;
    number.is_integer = 1;
    if (i < len && t[i] == '-') {
        number.negative = 1;
        i++;
    }
    /* Exact up to UINT64_MAX = 1844674407370955161 * 10 + 5. */
    uint64_t magnitude = 0;
    for (; i < len && has_class(t[i], CLASS_DIGIT); i++) {
        unsigned digit = (unsigned)(t[i] - '0');
        if (magnitude > UINT64_MAX / 10 || (magnitude == UINT64_MAX / 10 && digit > UINT64_MAX % 10))
            number.overflow = 1;
        else
            magnitude = magnitude * 10 + digit;
    }
    /* A fraction or an exponent, and anything else a bare token holds. */
    size_t end = word_end(t, len, i);
    if (end > i) {
        number.is_integer = 0;
        number.overflow = 0;
        magnitude = 0;
    } else if (number.overflow) {
        magnitude = UINT64_MAX;
    }
    if (end == start && end < len)
        end++;
    number.magnitude = magnitude;
    number.len = end - start;
    c->pos = end;
    return number;
}
