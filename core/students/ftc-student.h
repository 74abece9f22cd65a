/* ftc-student.h: a student model on the engine with its tokenizer: made from a preset (from scratch) or
 * a Hugging Face model directory (pretrained), saved and resumed as checkpoints, fed fine-tuning
 * samples, asked to answer. */
#pragma once

#include <json-glib/json-glib.h>

#include "compute/models/ftc-model.h"
#include "core/students/ftc-generate.h"
#include "core/students/ftc-model-dir.h"
#include "core/students/ftc-tokenizer.h"
#include "core/method/ftc-trainer.h"

G_BEGIN_DECLS

typedef struct {
  FtcBackend *be;           /* borrowed */
  FtcModel *model;
  FtcTokenizer *tokenizer;
  FtcModelSpec spec;        /* what its folder says: family, config, EOS ids */
} FtcStudent;

/* A randomly initialised student of preset (ftc-model-dir.h presets) whose vocabulary is tokenizer's
 * (taken). */
FtcStudent *ftc_student_new_scratch (FtcBackend *be, const char *preset, FtcTokenizer *tokenizer, guint64 seed,
                                     GError **error);
/* The weights and tokenizer of a model directory. */
FtcStudent *ftc_student_new_pretrained (FtcBackend *be, const char *model_dir, GError **error);
/* A checkpoint (ftc-checkpoint.h) with its AdamW state; *step gets the optimizer steps it holds. */
FtcStudent *ftc_student_load_checkpoint (FtcBackend *be, const char *dir, gint64 *step, JsonObject **state,
                                         GError **error);
gboolean ftc_student_save_checkpoint (FtcStudent *student, const char *dir, gint64 step, JsonObject *state,
                                      GError **error);
/* The model directory alone (config, weights, tokenizer): what a user ships. */
gboolean ftc_student_export (FtcStudent *student, const char *dir, GError **error);
void ftc_student_free (FtcStudent *student);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcStudent, ftc_student_free)

/* FtcFinetuneSample* -> FtcTrainExample* (prompt tokens carry no loss). Examples longer than max_len are
 * cut at max_len; *n_cut counts them. */
GPtrArray *ftc_student_tokenize (FtcStudent *student, GPtrArray *samples, int max_len, guint *n_cut,
                                 GError **error);

/* Completions of prompts (FtcGeneration*, ftc-generate.h) with options' stop strings, by default " END" (the
 * paper's format); a row also stops at the student's EOS ids. A prompt too long
 * for the student's context keeps its last tokens, leaving room for min(max_new_tokens, context / 4). */
GPtrArray *ftc_student_generate (FtcStudent *student, const char *const *prompts, guint n,
                                 const FtcGenerateOptions *options, GError **error);

G_END_DECLS
