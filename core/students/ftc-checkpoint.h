/* ftc-checkpoint.h: training checkpoints. A checkpoint folder is a complete model folder (ftc-model-dir.h:
 * config.json, model.safetensors, tokenizer files) plus
 *   optimizer.safetensors  AdamW state: tensors "m" and "v", each (num_params,) F32 in the engine's layout
 *   trainer_state.json     {"format": "ftcot-checkpoint", "version": 1, "step": N, ...the trainer's own
 *                          fields: RNG state, data position, learning-rate schedule...}
 * Saving writes everything into a fresh sibling folder, then swaps it in with renames (the previous
 * checkpoint is moved aside and deleted only after the new one is in place), so an interrupt leaves either
 * the old or the new checkpoint, never a mix. All values are F32 bit for bit, so a resumed run continues
 * with identical numbers on the same device. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/students/ftc-model-dir.h"

G_BEGIN_DECLS

typedef struct {
  FtcModelDir *model;
  float *m, *v;          /* model->n_params each */
  gint64 step;
  JsonObject *state;     /* the whole trainer_state.json */
} FtcCheckpoint;

/* state: the trainer's fields (may be NULL); "step", "format" and "version" are set here. */
gboolean ftc_checkpoint_save (const char *dir, const FtcModelSpec *spec, FtcTokenizer *tokenizer,
                              const float *params, const float *m, const float *v, gsize n_params, gint64 step,
                              JsonObject *state, GError **error);
FtcCheckpoint *ftc_checkpoint_load (const char *dir, GError **error);
void ftc_checkpoint_free (FtcCheckpoint *ckpt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcCheckpoint, ftc_checkpoint_free)

/* Removes what a save killed midway left in checkpoints_dir (its temporary folders); returns how many.
 * Only for a caller that holds the experiment's lock: another process's save in progress looks the same. */
guint ftc_checkpoint_remove_leftovers (const char *checkpoints_dir);

G_END_DECLS
