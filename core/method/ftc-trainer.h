/* ftc-trainer.h: fine-tunes a student on tokenised examples with the engine (compute/models/ftc-model.h).
 *
 * An example is one token sequence, prompt then completion; the loss covers the completion tokens only
 * (or, with completion_only_loss FALSE, every token after the first: prompt and completion, as a language
 * model learns a whole text) and is the mean over those tokens of a batch (each token weighs 1/count). Batches are
 * right-padded to their longest example (positions start at 0 for every row, as at inference), cut at
 * max_seq_len, drawn in an order shuffled per epoch from the seed: the same seed gives the same run. */
#pragma once

#include <gio/gio.h>

#include "compute/models/ftc-model.h"
#include "compute/ftc-schedule.h"
#include "core/method/ftc-experiment.h"

G_BEGIN_DECLS

typedef struct {
  int32_t *ids;        /* (n_ids) prompt tokens then completion tokens */
  int n_ids;
  int n_prompt;        /* tokens that carry no loss */
} FtcTrainExample;

void ftc_train_example_free (FtcTrainExample *example);

typedef struct {
  int epochs;
  int batch_size;
  int grad_accum;        /* micro-batches per optimizer step */
  int max_seq_len;       /* examples longer than this are cut (their tail loses its loss) */
  float lr;
  FtcScheduleKind schedule;  /* decays (linear, cosine) end at the run's last step */
  int warmup_steps;
  float weight_decay;
  float beta1, beta2, eps;   /* AdamW */
  float max_grad_norm;   /* <= 0: no clipping */
  gboolean completion_only_loss;  /* TRUE (the paper): no loss on prompt tokens; FALSE: on every token */
  guint64 seed;
} FtcTrainConfig;

/* The defaults of experiment.json's "training" (core/method/ftc-experiment.h, the one table). */
void ftc_train_config_init (FtcTrainConfig *config);
/* experiment.json's "training" and the training seed as a trainer's configuration. */
void ftc_train_config_from_experiment (const FtcExperimentTraining *training, guint64 seed,
                                       FtcTrainConfig *config);

typedef struct {
  int step;              /* optimizer steps done, from 1 */
  int epoch;             /* from 1 */
  int steps_per_epoch;
  int total_steps;
  float loss;            /* mean loss of this step over the tokens that carry one */
  float lr;
  float grad_norm;
  double tokens_per_s;   /* all tokens of the padded batches, per second of this step */
  double elapsed_s;      /* since the run (or its resumption) started */
} FtcTrainProgress;

/* Called after every optimizer step, on the training thread. Return FALSE to stop. */
typedef gboolean (*FtcTrainStepFunc) (const FtcTrainProgress *progress, gpointer user_data);
/* Called after every epoch (evaluation, checkpoints). Return FALSE with error set to abort. */
typedef gboolean (*FtcTrainEpochFunc) (int epoch, FtcModel *model, gpointer user_data, GError **error);

typedef struct _FtcTrainer FtcTrainer;

FtcTrainer *ftc_trainer_new (FtcModel *model, const FtcTrainConfig *config, GPtrArray *examples,
                             GError **error);
void ftc_trainer_free (FtcTrainer *trainer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcTrainer, ftc_trainer_free)

int ftc_trainer_steps_per_epoch (FtcTrainer *trainer);

/* Where a resumed run continues: after `step` optimizer steps (the model's weights and AdamW state must
 * already be the checkpoint's). */
void ftc_trainer_set_start_step (FtcTrainer *trainer, int step);

/* Trains to the end (or until cancelled or a callback says stop). */
gboolean ftc_trainer_run (FtcTrainer *trainer, FtcTrainStepFunc on_step, FtcTrainEpochFunc on_epoch,
                          gpointer user_data, GCancellable *cancellable, GError **error);

G_END_DECLS
