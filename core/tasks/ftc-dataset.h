/* ftc-dataset.h: the twelve datasets of the paper, loaded from their published raw files.
 *
 * Questions and gold answers follow the data_reader of Zero-shot-CoT (Kojima et al. 2022,
 * kojima-takeshi188/zero_shot_cot utils.py), which is what the teacher saw: multiple-choice options as
 * "Answer Choices: (A) ... (B) ...", date_understanding's choices shuffled with Python's random seeded 1
 * (reproduced bit for bit), tracking_shuffled_objects with "\nWhich choice is true ? Answer Choices:".
 * The train/test splits are the reference split files of "Large Language Models Are Reasoning Teachers"
 * (itsnamgyu/reasoning-teacher data/split/), embedded in ftcot. Gold numbers are canonical: thousands
 * commas removed ("1,000" -> "1000"), a trailing ".0" removed ("3.0" -> "3").
 *
 * Raw files live in <data dir>/<key>/ under the names of the origin repositories (AddSub.json,
 * test.jsonl, ...); the data dir is $FTCOT_DATA_DIR, else <user data dir>/ftcot/datasets. The reasoning
 * benchmarks (AIME, AMC, MATH-500, OlympiadBench, ARC-Challenge) live there too and load through
 * ftc_dataset_load, in their own formats (core/tasks/ftc-benchmark.h). */
#pragma once

#include "core/tasks/ftc-task.h"

G_BEGIN_DECLS

typedef enum {
  FTC_SPLIT_DEFAULT,    /* the reference 70/30 split; a benchmark's published train and test */
  FTC_SPLIT_TEMPLATE,   /* template-wise split (date_understanding, multiarith) */
  FTC_SPLIT_VALIDATION, /* a benchmark's published validation set as the test split (arc_challenge) */
} FtcSplitKind;

typedef struct {
  const char *key;       /* dataset key */
  const char *name;      /* file name in the dataset folder, e.g. "train.jsonl" */
  gboolean optional;     /* a train part the dataset loads without (its train split is then unavailable) */
} FtcDatasetFile;

/* All raw files of all twelve datasets and of the benchmarks (core/tasks/ftc-benchmark.h); *n_out gets the
 * count. */
const FtcDatasetFile *ftc_dataset_files (guint *n_out);
/* TRUE if key is one of the twelve or a benchmark. */
gboolean ftc_dataset_is_known (const char *key);

/* $FTCOT_DATA_DIR, else <user data dir>/ftcot/datasets (newly allocated). */
char *ftc_dataset_data_dir (void);
/* <data dir>/<key> */
char *ftc_dataset_dir (const char *key);
/* TRUE when every required raw file of key is in dir (NULL: the default dataset folder). When FALSE and
 * missing_out is given, it gets the first missing file name. */
gboolean ftc_dataset_available (const char *key, const char *dir, char **missing_out);

/* The embedded reference split file, or NULL if key has no split of that kind. */
GBytes *ftc_dataset_split_bytes (const char *key, FtcSplitKind kind);

/* Loads dataset key from its raw files in dir (NULL: the default dataset folder) and applies the
 * embedded split of the given kind. A missing optional train file (aqua train.json, gsm8k train.jsonl)
 * leaves the train split empty and says so in task->note. Errors: FTC_ERROR_NOT_FOUND (unknown key,
 * missing file), FTC_ERROR_PARSE (file:line), FTC_ERROR_INVALID (a field), FTC_ERROR_MISMATCH (a split
 * that does not fit the data). */
FtcTask *ftc_dataset_load (const char *key, const char *dir, FtcSplitKind kind, GError **error);

/* Replaces task's split with a split file's {"train": [...], "test": [...]}. Indices must lie in
 * [0, index_space) and appear once; indices in [absent_from, absent_to) may lack a sample (a raw file
 * that is not installed) and are skipped; any other index without a sample is a mismatch.
 * Returns the number of skipped train and test indices in *skipped_out (may be NULL). */
gboolean ftc_task_apply_split (FtcTask *task, GBytes *split_json, const char *split_name, int index_space,
                               int absent_from, int absent_to, guint *skipped_out, GError **error);

/* Python's str(float) followed by Kojima's removal of a trailing ".0" (3.0 -> "3", 0.7 -> "0.7"). */
char *ftc_dataset_format_number (double value);

G_END_DECLS
