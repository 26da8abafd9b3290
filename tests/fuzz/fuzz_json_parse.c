/* Fuzz target: the JSON tokenizer (lib/json_parse.c) and the builder on top
 * of it (lib/json_build.c) against jansson's own parser, on arbitrary bytes
 * (NUL bytes included: the validation reads a length, not a C string).
 * validate accepts what jansson accepts, apart from the documented
 * differences; the builder rebuilds jansson's values; a cursor walk over
 * every value lands where skip() from that value lands; on refused text the
 * walk still ends inside the text. See tests/json/parse_agreement.h. */
#include "fuzz_common.h"
#include "parse_agreement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[512] = "";
    /* data is exactly size bytes: reading past them is an ASan report. */
    if (!parse_agreement((const char *)data, size, why, sizeof why)) {
        char *text = fuzz_text(data, size);
        fprintf(stderr, "%s\ninput (to its first NUL byte): %.2000s\n", why, text);
        free(text);
        FUZZ_CHECK(!"the tokenizer, the cursor and jansson disagree");
    }
    return 0;
}
