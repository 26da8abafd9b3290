/* Text shown to people: ids and messages come from the network, so every
 * character a terminal would not print as itself is shown escaped, and
 * tables count terminal cells, not bytes. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct code_range {
    uint32_t first, last;
} code_range;

/* Format characters (Unicode category Cf: bidi controls, zero-width
 * characters, the BOM, invisible operators, tags) and the line and
 * paragraph separators (Zl, Zp). C0 and C1 controls are tested apart. */
static const code_range hidden_ranges[] = {
    {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},   {0x070F, 0x070F},
    {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},   {0x200B, 0x200F},   {0x2028, 0x202E},
    {0x2060, 0x206F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD}, {0x110CD, 0x110CD},
    {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

/* Two cells: a compact subset of Unicode's East Asian Wide and Fullwidth
 * characters and emoji, enough for ids. */
static const code_range wide_ranges[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
    {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* No cell: combining marks and variation selectors. */
static const code_range combining_ranges[] = {
    {0x0300, 0x036F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int in_ranges(uint32_t code, const code_range *ranges, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (code >= ranges[i].first && code <= ranges[i].last)
            return 1;
    return 0;
}

/* The length of the valid UTF-8 sequence at s (1 to 4) with its code point,
 * or 0 when the bytes there are not one (overlong, surrogate, past
 * U+10FFFF, cut short). */
static size_t decode(const unsigned char *s, uint32_t *code)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *code = c;
        return 1;
    }
    size_t n;
    unsigned char low = 0x80, high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        *code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        *code = c & 0x0F;
        if (c == 0xE0)
            low = 0xA0;
        else if (c == 0xED)
            high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        *code = c & 0x07;
        if (c == 0xF0)
            low = 0x90;
        else if (c == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        unsigned char b = s[i];
        if (b < (i == 1 ? low : 0x80) || b > (i == 1 ? high : 0xBF))
            return 0;
        *code = (*code << 6) | (b & 0x3F);
    }
    return n;
}

/* How the text at s is shown: `length` bytes of it, either as they are
 * (escape empty) or as the escape, in `cells` terminal cells. */
typedef struct shown {
    size_t length;
    char escape[12];
    size_t cells;
} shown;

static void show_next(shown *out, const unsigned char *s)
{
    uint32_t code = 0;
    out->length = decode(s, &code);
    out->escape[0] = '\0';
    if (out->length == 0) {
        out->length = 1;
        snprintf(out->escape, sizeof out->escape, "\\x%02x", s[0]);
    } else if (code == '\\') {
        strcpy(out->escape, "\\\\");
    } else if (code == '\n') {
        strcpy(out->escape, "\\n");
    } else if (code == '\r') {
        strcpy(out->escape, "\\r");
    } else if (code == '\t') {
        strcpy(out->escape, "\\t");
    } else if (code < 0x20 || code == 0x7F) {
        snprintf(out->escape, sizeof out->escape, "\\x%02x", (unsigned)code);
    } else if ((code >= 0x80 && code <= 0x9F) || in_ranges(code, hidden_ranges, COUNT(hidden_ranges))) {
        if (code <= 0xFFFF)
            snprintf(out->escape, sizeof out->escape, "\\u%04x", (unsigned)code);
        else
            snprintf(out->escape, sizeof out->escape, "\\U%08x", (unsigned)code);
    }
    if (out->escape[0])
        out->cells = strlen(out->escape);
    else if (in_ranges(code, combining_ranges, COUNT(combining_ranges)))
        out->cells = 0;
    else
        out->cells = in_ranges(code, wide_ranges, COUNT(wide_ranges)) ? 2 : 1;
}

void cli_put_text(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    const unsigned char *run = s; /* bytes shown as they are, not yet written */
    while (*s) {
        shown piece;
        show_next(&piece, s);
        if (piece.escape[0]) {
            fwrite(run, 1, (size_t)(s - run), out);
            fputs(piece.escape, out);
            run = s + piece.length;
        }
        s += piece.length;
    }
    fwrite(run, 1, (size_t)(s - run), out);
}

size_t cli_text_cells(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t cells = 0;
    while (*s) {
        shown piece;
        show_next(&piece, s);
        cells += piece.cells;
        s += piece.length;
    }
    return cells;
}

void cli_put_padded(FILE *out, const char *text, size_t cells)
{
    cli_put_text(out, text);
    for (size_t used = cli_text_cells(text); used < cells; used++)
        fputc(' ', out);
}

/* Formats into a fresh string (NULL when out of memory). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 0)))
#endif
static char *format(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (text)
        vsnprintf(text, (size_t)n + 1, fmt, again);
    va_end(again);
    return text;
}

char *cli_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = format(fmt, ap);
    va_end(ap);
    return text;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 0)))
#endif
static void message_line(const char *prefix, const char *fmt, va_list ap)
{
    char *text = format(fmt, ap);
    if (prefix)
        cli_put_text(stderr, prefix);
    cli_put_text(stderr, text ? text : "out of memory writing a message");
    fputc('\n', stderr);
    free(text);
}

void cli_message(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message_line(NULL, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("exoplace ", stderr);
    cli_put_text(stderr, verb);
    message_line(": ", fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_source_error(const char *verb, const char *source, exoplace_status status, const exoplace_error *err)
{
    const char *message = err->message[0] ? err->message : exoplace_status_str(status);
    cli_message("exoplace %s: %s%s%s%s%s (%s)", verb, source ? source : "", source ? ": " : "", err->field,
                err->field[0] ? ": " : "", message, exoplace_status_name(status));
    return exoplace_status_is_placement_failure(status) ? CLI_EXIT_NOT_PLACED : CLI_EXIT_USAGE;
}

int cli_library_error(const char *verb, exoplace_status status, const exoplace_error *err)
{
    return cli_source_error(verb, NULL, status, err);
}

int cli_missing(const char *verb, const char *field)
{
    cli_message("exoplace %s: %s: missing (%s)", verb, field, exoplace_status_name(EXOPLACE_E_INVALID_ARGUMENT));
    return CLI_EXIT_USAGE;
}
