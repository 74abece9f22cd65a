/* ftc-task.h: a task is a list of samples with a train/test split.
 *
 * Tasks come from three places: the twelve datasets of the paper (loaded from their published raw files,
 * ftc-dataset.c), synthetic generators (ftc-synthetic.c), and generic JSONL/CSV import (ftc-task-import.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_ANSWER_NUMBER,   /* "42", "-3.5": compared as numbers with a float tolerance */
  FTC_ANSWER_CHOICE,   /* a letter "A".."Z" among choices */
  FTC_ANSWER_YESNO,    /* "yes" / "no" (lower case) */
  FTC_ANSWER_TEXT,     /* a string compared exactly after trimming, e.g. last-letter concatenation */
  FTC_ANSWER_MATH,     /* a LaTeX answer ("\frac{1}{2}", "(1, 2]", "x^2+1") compared as the MATH evaluators do
                        * (core/tasks/ftc-math-answer.h) */
} FtcAnswerType;

const char *ftc_answer_type_to_string (FtcAnswerType type);                 /* "number", ... */
gboolean ftc_answer_type_from_string (const char *s, FtcAnswerType *out);

typedef struct {
  char *id;            /* stable id: "<key>-<index>" for datasets, given id for imports */
  int index;           /* position in the task's index space (the reference split files' indices) */
  char *question;      /* exactly as teacher and student see it (reference formatting, choices included) */
  char *answer;        /* gold answer, canonical: "42", "C", "yes", "ntoe" */
  FtcAnswerType answer_type;
  char **choices;      /* choice texts in letter order (NULL-terminated), NULL unless CHOICE */
  char *steps_json;    /* synthetic tasks: the solution as structured steps (ftc-synthetic.h documents the
                          format), for the scripted teacher; NULL elsewhere */
} FtcSample;

typedef struct {
  char *key;              /* "gsm8k", "coin_flip", ... or an imported task's name */
  char *title;            /* "GSM8K", "Coin Flip", ... */
  FtcAnswerType answer_type;
  int n_choices;          /* CHOICE tasks: letters A.. up to this many (0 when it varies per sample) */
  char *answer_trigger;   /* Zero-shot-CoT step 2: "Therefore, the answer (arabic numerals) is" */
  GPtrArray *samples;     /* FtcSample*, in index order */
  GArray *train;          /* int: positions in samples */
  GArray *test;           /* int: positions in samples */
  char *split_name;       /* "default", "template", "seed", "file", "all", ... */
  char *note;             /* why a split is incomplete (e.g. a raw file that is not installed); NULL if none */
} FtcTask;

FtcSample *ftc_sample_new (void);
void ftc_sample_free (FtcSample *sample);
FtcTask *ftc_task_new (const char *key, const char *title, FtcAnswerType answer_type);
void ftc_task_free (FtcTask *task);
/* Adds sample (taking ownership) at the end of task->samples. */
void ftc_task_add_sample (FtcTask *task, FtcSample *sample);
/* The sample at position i of train (or test); NULL when out of range. */
FtcSample *ftc_task_train_sample (FtcTask *task, guint i);
FtcSample *ftc_task_test_sample (FtcTask *task, guint i);
/* Position of the sample with this index (index space), or -1. Binary search: samples are in index order. */
int ftc_task_find_index (FtcTask *task, int index);
/* Puts every sample in train or test from a seeded shuffle: round (train_fraction * n) go to train.
 * Deterministic on every machine (its own PRNG); both lists come out sorted. */
void ftc_task_split_seeded (FtcTask *task, double train_fraction, guint64 seed);
/* Splitmix64: the small PRNG used wherever ftcot needs randomness that is identical on every machine. */
guint64 ftc_splitmix64 (guint64 *state);
/* Uniform in [0, n) without modulo bias. */
guint64 ftc_rand_below (guint64 *state, guint64 n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcTask, ftc_task_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcSample, ftc_sample_free)

G_END_DECLS
