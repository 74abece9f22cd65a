/* ftc-benchmark.h: today's reasoning benchmarks, loaded from their published files.
 *
 *   aime_2024      AIME 2024 I and II, 30 problems   (QwenLM/Qwen2.5-Math evaluation/data/aime24/test.jsonl)
 *   aime_2025      AIME 2025 I and II, 30 problems   (inclusionAI/AReaL evaluation/data/aime25/test.jsonl)
 *   amc23          AMC 2023, 40 problems             (QwenLM/Qwen2.5-Math evaluation/data/amc23/test.jsonl)
 *   math500        MATH-500, 500 problems            (openai/prm800k prm800k/math_splits/test.jsonl)
 *   math_train     MATH train, 12,000 problems       (openai/prm800k prm800k/math_splits/train.jsonl): the other
 *                  MATH problems (MATH train and the rest of MATH test), for teaching the math benchmarks
 *   olympiadbench  OlympiadBench OE_TO_maths_en_COMP: English, text-only, open-ended competition math,
 *                  675 problems                      (QwenLM/Qwen2.5-Math evaluation/data/olympiadbench/test.jsonl)
 *   arc_challenge  ARC-Challenge train 1,119 / validation 299 / test 1,172 (allenai/ai2_arc, ARC-Challenge, as
 *                  the Hugging Face Hub's rows API serves it: one JSON row a line)
 *
 * Questions as the papers that report these benchmarks pose them: the problem text alone for math (the
 * reasoning prompt, "Please reason step by step, and put your final answer within \boxed{}.", is the
 * teacher's, core/teach/ftc-teacher.h); ARC as the multiple-choice datasets of Zero-shot-CoT,
 * "question Answer Choices: (A) ... (B) ...", with numbered choices (1-4) relabelled A-D. Gold answers:
 * the files' answers (AMC's 27.0 as "27"), OlympiadBench's final answers without $ joined by ", ".
 *
 * Splits are the published ones: the math benchmarks are test sets with no training questions (an
 * experiment teaches another task's questions, docs/experiment.md), math_train is all training questions,
 * ARC has its train and test (FTC_SPLIT_VALIDATION evaluates on its validation set instead).
 * Files live in <data dir>/<key>/ (core/tasks/ftc-dataset.h); ftcot tasks fetch downloads them
 * (core/tasks/ftc-dataset-fetch.c). Every file is read bounded: its size, each line's length and nesting. */
#pragma once

#include "core/tasks/ftc-dataset.h"

G_BEGIN_DECLS

/* A file bigger than this is refused before it is read. */
#define FTC_BENCHMARK_MAX_FILE (64 * 1024 * 1024)
/* JSON nesting a record may have. */
#define FTC_BENCHMARK_MAX_DEPTH 16

typedef struct {
  const char *key;
  const char *licence;       /* of the data, as its source states it */
  int train, validation, test;   /* published sizes */
} FtcBenchmarkInfo;

/* The benchmarks above; *n_out gets the count. */
const FtcBenchmarkInfo *ftc_benchmark_list (guint *n_out);
/* NULL unless key is one of them. */
const FtcBenchmarkInfo *ftc_benchmark_lookup (const char *key);

/* Loads benchmark key from its files in dir (the key's folder). kind: FTC_SPLIT_DEFAULT, or
 * FTC_SPLIT_VALIDATION (arc_challenge). Errors as ftc_dataset_load's. */
FtcTask *ftc_benchmark_load (const char *key, const char *dir, FtcSplitKind kind, GError **error);

G_END_DECLS
