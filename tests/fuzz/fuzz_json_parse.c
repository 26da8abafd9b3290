/* Fuzz target: the request parser (lib/json_parse.c) against jansson's own
 * parser on arbitrary text. Both must accept the same texts and build equal
 * values, apart from the parser's documented differences (see
 * tests/json/parse_agreement.h); every refusal must give a position. */
#include "fuzz_common.h"
#include "parse_agreement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    char why[512] = "";
    if (!parse_agreement(text, why, sizeof why)) {
        fprintf(stderr, "%s\ninput: %.2000s\n", why, text);
        FUZZ_CHECK(!"the parser and jansson disagree");
    }
    free(text);
    return 0;
}
