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
} FtcTask;

FtcSample *ftc_sample_new (void);
void ftc_sample_free (FtcSample *sample);
FtcTask *ftc_task_new (const char *key, const char *title, FtcAnswerType answer_type);
void ftc_task_free (FtcTask *task);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcTask, ftc_task_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcSample, ftc_sample_free)

G_END_DECLS
