/* ftc-finetune.h: fine-tuning samples in the paper's format for decoder students.
 *
 *   Fine-tune-CoT:  prompt "{question} ###"   completion " {rationale} --> {answer} END"
 *   vanilla:        prompt "{question} ###"   completion " {answer} END"
 *
 * Question, rationale and answer are stripped of surrounding white space first (as the reference code
 * does for its open-model experiments). The loss covers the completion tokens only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FTC_FINETUNE_VANILLA,   /* answers only: the baseline */
  FTC_FINETUNE_COT,       /* rationale, then the answer */
} FtcFinetuneFormat;

#define FTC_FINETUNE_PROMPT_SUFFIX " ###"
#define FTC_FINETUNE_ANSWER_MARK " --> "
#define FTC_FINETUNE_STOP " END"

typedef struct {
  char *sample_id;
  int completion_index;   /* which teacher sample (diverse reasoning), 0 for vanilla */
  char *prompt;
  char *completion;
} FtcFinetuneSample;

void ftc_finetune_sample_free (FtcFinetuneSample *sample);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcFinetuneSample, ftc_finetune_sample_free)

/* "{question} ###" */
char *ftc_finetune_prompt (const char *question);
/* rationale is ignored for VANILLA and required for COT. */
FtcFinetuneSample *ftc_finetune_sample_new (FtcFinetuneFormat format, const char *sample_id,
                                            int completion_index, const char *question,
                                            const char *rationale, const char *answer);

/* The completion cut at the stop string (the text a student generated before " END"). */
char *ftc_finetune_strip_stop (const char *completion);

/* One JSON object per line: {"sample_id", "completion_index", "prompt", "completion"}. Atomic write. */
gboolean ftc_finetune_save (GPtrArray *samples, const char *path, GError **error);
/* Errors name the file and line. Returns FtcFinetuneSample* items. */
GPtrArray *ftc_finetune_load (const char *path, GError **error);

G_END_DECLS
