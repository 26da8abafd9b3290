/* The request model's storage: what an exoplace_request owns (internal). */
#ifndef EXOPLACE_REQUEST_H
#define EXOPLACE_REQUEST_H

#include "exoplace.h"

/* A new empty request: an empty topology, no models, default options with
 * the host's settings. */
exoplace_status exoplace__request_new(exoplace_request **out, const exoplace_json_options *host, exoplace_error *err);

/* Appends a model, copying its strings and arrays into the request; the
 * copy is returned (its pointers owned by the request). card_json, when
 * not NULL, is copied too (length bytes). */
exoplace_status exoplace__request_add_model(exoplace_model **copy_out, exoplace_request *request,
                                            const exoplace_model *model, exoplace_error *err);

/* Sets the request's "model" (copied like exoplace__request_add_model). */
exoplace_status exoplace__request_set_model(exoplace_request *request, const exoplace_model *model,
                                            exoplace_error *err);

/* After reading: a request without "models" lists its "model" alone. */
void exoplace__request_finish_models(exoplace_request *request);

/* Makes room for `count` models at once (a list of known length). */
exoplace_status exoplace__request_reserve_models(exoplace_request *request, size_t count, exoplace_error *err);

/* Copies the required node ids into the request and points its options at them. */
exoplace_status exoplace__request_set_required_nodes(exoplace_request *request, const char *const *ids, size_t count,
                                                     exoplace_error *err);

/* Checks a caller's exoplace_json_options (NULL: defaults) into *resolved. */
exoplace_status exoplace__json_options_resolve(exoplace_json_options *resolved, const exoplace_json_options *options,
                                               exoplace_error *err);

#endif
