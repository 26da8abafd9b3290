/* exo's Instance and ModelCard as JSON (exo-main.md 7.4), internal. */
#ifndef EXOPLACE_JSON_WRITE_INSTANCE_H
#define EXOPLACE_JSON_WRITE_INSTANCE_H

#include "json_write.h"

/*
 * Writes the card as exo re-serializes it: every member of exo-main.md 1.7,
 * the placement members from the model's fields, the others echoed from
 * model->card_json as written (checked against exo's card model, in either
 * key spelling; absent or null ones take exo's defaults, unknown ones are
 * dropped; vision.weightsRepo filled with the model id when empty). Returns
 * OK; E_LIMIT (card_json longer than EXOPLACE_MAX_CARD_JSON_BYTES, or deeper
 * than EXOPLACE_MAX_JSON_DEPTH); E_INVALID_JSON (card_json is no JSON text);
 * E_INVALID_ARGUMENT with err->field "model.card_json.<path>" (a member of
 * the wrong type, a missing required member of components or vision) or
 * "model.<field>" (a model field exo's card cannot hold: hidden_size 0,
 * supports_tensor not stated); E_NO_MEMORY is left to the writer's flag.
 */
exoplace_status exoplace__json_write_model_card(exoplace__json_writer *w, const exoplace_model *model,
                                                exoplace_error *err);

/*
 * The check exoplace__json_write_model_card() makes of a card's echoed
 * members, for a reader that wants to refuse a card when it reads it: the
 * fields are named "<root>.<path>" (root: the card's own path, e.g.
 * "model"). card_json NULL is a card without them. Returns OK or the errors
 * above (E_NO_MEMORY included).
 */
exoplace_status exoplace__json_check_card_echo(const char *card_json, const char *root, exoplace_error *err);

/*
 * Writes placement->instance as exo serializes an Instance: the one-member
 * object {"MlxRingInstance" | "MlxJacclInstance": {...}}, each shard with
 * the card of exoplace__json_write_model_card(). E_INVALID_ARGUMENT when the
 * placement has no exo-main instance; E_LIMIT when the writer's text passes
 * EXOPLACE_MAX_OUTPUT_BYTES; otherwise as exoplace__json_write_model_card().
 */
exoplace_status exoplace__json_write_instance(exoplace__json_writer *w, const exoplace_placement *placement,
                                             const exoplace_model *model, exoplace_error *err);

/* E_LIMIT once the writer's text passes EXOPLACE_MAX_OUTPUT_BYTES. */
exoplace_status exoplace__json_check_output_size(const exoplace__json_writer *w, exoplace_error *err);

#endif
