#include "core/tasks/ftc-task-registry.h"

#include <string.h>

#define NUMERALS "Therefore, the answer (arabic numerals) is"
#define YES_NO "Therefore, the answer (Yes or No) is"

static const FtcTaskInfo registry[] = {
  /* the paper's twelve datasets, reference keys */
  { "single_eq", "SingleEq", FTC_TASK_DATASET, FTC_ANSWER_NUMBER, 0, NUMERALS },
  { "addsub", "AddSub", FTC_TASK_DATASET, FTC_ANSWER_NUMBER, 0, NUMERALS },
  { "multiarith", "MultiArith", FTC_TASK_DATASET, FTC_ANSWER_NUMBER, 0, NUMERALS },
  { "gsm8k", "GSM8K", FTC_TASK_DATASET, FTC_ANSWER_NUMBER, 0, NUMERALS },
  { "aqua", "AQUA-RAT", FTC_TASK_DATASET, FTC_ANSWER_CHOICE, 5, "Therefore, among A through E, the answer is" },
  { "svamp", "SVAMP", FTC_TASK_DATASET, FTC_ANSWER_NUMBER, 0, NUMERALS },
  { "date_understanding", "Date Understanding", FTC_TASK_DATASET, FTC_ANSWER_CHOICE, 6,
    "Therefore, among A through F, the answer is" },
  { "tracking_shuffled_objects", "Tracking Shuffled Objects", FTC_TASK_DATASET, FTC_ANSWER_CHOICE, 3,
    "Therefore, among A through C, the answer is" },
  { "coin_flip", "Coin Flip", FTC_TASK_DATASET, FTC_ANSWER_YESNO, 0, YES_NO },
  { "last_letter_concatenation", "Last Letter Concatenation", FTC_TASK_DATASET, FTC_ANSWER_TEXT, 0,
    "Therefore, the answer is" },
  { "commonsense_qa", "CommonsenseQA", FTC_TASK_DATASET, FTC_ANSWER_CHOICE, 5,
    "Therefore, among A through E, the answer is" },
  { "strategy_qa", "StrategyQA", FTC_TASK_DATASET, FTC_ANSWER_YESNO, 0, YES_NO },
  /* reasoning benchmarks (ftc-benchmark.h) */
  { "aime_2024", "AIME 2024", FTC_TASK_BENCHMARK, FTC_ANSWER_MATH, 0, "Therefore, the answer is" },
  { "aime_2025", "AIME 2025", FTC_TASK_BENCHMARK, FTC_ANSWER_MATH, 0, "Therefore, the answer is" },
  { "amc23", "AMC23", FTC_TASK_BENCHMARK, FTC_ANSWER_MATH, 0, "Therefore, the answer is" },
  { "math500", "MATH-500", FTC_TASK_BENCHMARK, FTC_ANSWER_MATH, 0, "Therefore, the answer is" },
  { "math_train", "MATH (train)", FTC_TASK_BENCHMARK, FTC_ANSWER_MATH, 0, "Therefore, the answer is" },
  { "olympiadbench", "OlympiadBench", FTC_TASK_BENCHMARK, FTC_ANSWER_MATH, 0, "Therefore, the answer is" },
  /* 3 to 5 choices: the generic trigger, as for imported tasks with mixed choice counts */
  { "arc_challenge", "ARC-Challenge", FTC_TASK_BENCHMARK, FTC_ANSWER_CHOICE, 0, "Therefore, the answer is" },
  /* synthetic families, generated at any size from a seed */
  { "synthetic_coin_flip", "Coin Flip (synthetic)", FTC_TASK_SYNTHETIC, FTC_ANSWER_YESNO, 0, YES_NO },
  { "synthetic_last_letters", "Last Letter Concatenation (synthetic)", FTC_TASK_SYNTHETIC, FTC_ANSWER_TEXT, 0,
    "Therefore, the answer is" },
  { "synthetic_shuffled_objects", "Tracking Shuffled Objects (synthetic)", FTC_TASK_SYNTHETIC,
    FTC_ANSWER_CHOICE, 0, "Therefore, the answer is" },
  { "synthetic_arithmetic", "Multi-step Arithmetic (synthetic)", FTC_TASK_SYNTHETIC, FTC_ANSWER_NUMBER, 0,
    NUMERALS },
};

const FtcTaskInfo *
ftc_task_registry (guint *n_out)
{
  *n_out = G_N_ELEMENTS (registry);
  return registry;
}

const FtcTaskInfo *
ftc_task_info_lookup (const char *key)
{
  for (gsize i = 0; key != NULL && i < G_N_ELEMENTS (registry); i++)
    if (strcmp (registry[i].key, key) == 0)
      return &registry[i];
  return NULL;
}

static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

const char *
ftc_task_key_suggest (const char *key)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  for (gsize i = 0; key != NULL && i < G_N_ELEMENTS (registry); i++)
    {
      guint d = edit_distance (key, registry[i].key);
      if (d < best_distance)
        {
          best_distance = d;
          best = registry[i].key;
        }
    }
  /* a suggestion only when it is plausibly a typo */
  return best != NULL && best_distance <= MAX (2, strlen (key) / 3) ? best : NULL;
}
