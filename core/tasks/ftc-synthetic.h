/* ftc-synthetic.h: seeded generators of the synthetic task families, at any size.
 *
 * Output depends only on (key, n, seed, size): ftcot's own PRNG (splitmix64, ftc-task.h) and built-in word
 * lists, so every machine generates the same task. The split is 70/30 from the seed.
 *
 *   synthetic_coin_flip         size = people (default 4)     Kojima et al.'s coin flip phrasing
 *   synthetic_last_letters      size = words (default 4)      Kojima et al.'s last-letter phrasing
 *   synthetic_shuffled_objects  size = objects: 3, 5 or 7     BIG-bench tracking_shuffled_objects phrasing,
 *                                                             formatted like the dataset ("Which choice is true ?")
 *   synthetic_arithmetic        size = steps (default 3)      multi-step word problems, integer answers
 *
 * Every sample carries sample->steps_json, the solution as data for a scripted teacher. One JSON object:
 *
 *   {
 *     "family": "coin_flip" | "last_letters" | "shuffled_objects" | "arithmetic",
 *     "facts":  [string, ...],   correct step-by-step reasoning, one sentence per step, in order; joined
 *                                with spaces they form a rationale that ends in the answer
 *     "answer": string,          the gold answer (as sample->answer)
 *     "steps":  [object, ...]    one per step, family-specific:
 *        coin_flip:        {"person": "Jeff", "flips": true, "heads_up": false}      state after the step
 *        last_letters:     {"word": "Jeff", "letter": "f", "so_far": "f"}
 *        shuffled_objects: {"swap": ["Alice", "Bob"], "holding": {"Alice": "white ball", ...}}
 *        arithmetic:       {"op": "+"|"-"|"*"|"/", "operand": 5, "before": 12, "after": 17}
 *     family-specific extras:
 *        coin_flip:        "flips": number of flips
 *        shuffled_objects: "initial": {"Alice": "orange ball", ...}, "target": "Alice", "final": "blue ball"
 *        arithmetic:       "start": 12
 *   }
 */
#pragma once

#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

/* TRUE if key names a synthetic family. */
gboolean ftc_synthetic_is_known (const char *key);
/* The size used when 0 is given: 4 people, 4 words, 3 objects, 3 steps. */
guint ftc_synthetic_default_size (const char *key);
/* What size means for key: "people", "words", "objects", "steps". */
const char *ftc_synthetic_size_name (const char *key);

/* Generates n samples of family key (size 0: the default), split 70/30 from the seed. Errors:
 * FTC_ERROR_NOT_FOUND (unknown key), FTC_ERROR_INVALID (n == 0, n too large, or a size out of range:
 * people/words 1..64, objects 3/5/7, steps 1..20). */
FtcTask *ftc_synthetic_generate (const char *key, guint n, guint64 seed, guint size, GError **error);

G_END_DECLS
