/* ftc-finetune.h: fine-tuning samples for decoder students, in the paper's format (the default)
 *
 *   Fine-tune-CoT:  prompt "{question} ###"   completion " {rationale} --> {answer} END"
 *   vanilla:        prompt "{question} ###"   completion " {answer} END"
 *
 * or in the chat formats pretrained LLaMA-family students were tuned with (experiment.json
 * student.prompt_format), the answer mark " --> " kept so that answers are read the same way:
 *
 *   chatml:  prompt "<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
 *            completion "{rationale} --> {answer}<|im_end|>"                        (Qwen)
 *   llama3:  prompt "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{question}<|eot_id|>"
 *                   "<|start_header_id|>assistant<|end_header_id|>\n\n"
 *            completion "{rationale} --> {answer}<|eot_id|>"                         (Llama 3)
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

typedef enum {
  FTC_PROMPT_PAPER,
  FTC_PROMPT_CHATML,
  FTC_PROMPT_LLAMA3,
} FtcPromptFormat;

/* "paper", "chatml", "llama3" */
const char *ftc_prompt_format_to_string (FtcPromptFormat format);
gboolean ftc_prompt_format_parse (const char *name, FtcPromptFormat *format);
/* The text that ends a completion: " END", "<|im_end|>", "<|eot_id|>". */
const char *ftc_prompt_format_stop (FtcPromptFormat format);

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
/* The prompt of question in a prompt format. */
char *ftc_finetune_prompt_as (FtcPromptFormat prompt_format, const char *question);
/* rationale is ignored for VANILLA and required for COT. */
FtcFinetuneSample *ftc_finetune_sample_new (FtcFinetuneFormat format, const char *sample_id,
                                            int completion_index, const char *question,
                                            const char *rationale, const char *answer);
/* The same in a prompt format. */
FtcFinetuneSample *ftc_finetune_sample_new_as (FtcPromptFormat prompt_format, FtcFinetuneFormat format,
                                               const char *sample_id, int completion_index, const char *question,
                                               const char *rationale, const char *answer);

/* The completion cut at the first stop string of any prompt format (the text a student generated before
 * " END", "<|im_end|>" or "<|eot_id|>"). */
char *ftc_finetune_strip_stop (const char *completion);

/* One JSON object per line: {"sample_id", "completion_index", "prompt", "completion"}. Atomic write. */
gboolean ftc_finetune_save (GPtrArray *samples, const char *path, GError **error);
/* Errors name the file and line. Returns FtcFinetuneSample* items. */
GPtrArray *ftc_finetune_load (const char *path, GError **error);

G_END_DECLS
