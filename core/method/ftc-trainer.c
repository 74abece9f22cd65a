#include "core/method/ftc-trainer.h"

#include <math.h>

#include "core/ftc-error.h"

struct _FtcTrainer {
  FtcModel *model;
  FtcTrainConfig config;
  GPtrArray *examples;        /* FtcTrainExample*, borrowed */
  int start_step;
  /* one micro-batch, reused: (B,T) each */
  int32_t *inputs;
  int32_t *targets;
  float *weights;
};

void
ftc_train_example_free (FtcTrainExample *example)
{
  if (example == NULL)
    return;
  g_free (example->ids);
  g_free (example);
}

void
ftc_train_config_from_experiment (const FtcExperimentTraining *tr, guint64 seed, FtcTrainConfig *config)
{
  *config = (FtcTrainConfig) {
    .epochs = tr->epochs,
    .batch_size = tr->batch_size,
    .grad_accum = tr->grad_accumulation,
    .max_seq_len = tr->max_seq_len,
    .lr = (float) tr->learning_rate,
    .schedule = tr->schedule,
    .warmup_steps = tr->warmup_steps,
    .weight_decay = (float) tr->weight_decay,
    .beta1 = (float) tr->beta1,
    .beta2 = (float) tr->beta2,
    .eps = (float) tr->eps,
    .max_grad_norm = (float) tr->grad_clip,
    .completion_only_loss = tr->completion_only_loss,
    .seed = seed,
  };
}

void
ftc_train_config_init (FtcTrainConfig *config)
{
  /* the experiment's defaults are the one table */
  g_autoptr (FtcExperiment) defaults = ftc_experiment_new ();

  ftc_train_config_from_experiment (&defaults->training, defaults->seeds.train, config);
}

FtcTrainer *
ftc_trainer_new (FtcModel *model, const FtcTrainConfig *config, GPtrArray *examples, GError **error)
{
  const int vocab_size = ftc_model_vocab_size (model), max_seq_len = ftc_model_max_seq_len (model);
  FtcTrainer *trainer;
  int T;

  if (config->epochs < 1 || config->batch_size < 1 || config->grad_accum < 1 || config->max_seq_len < 2)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                   "training: epochs, batch_size and grad_accum must be at least 1 and max_seq_len at least 2");
      return NULL;
    }
  if (!(config->lr > 0.0f) || !isfinite (config->lr))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "training: learning_rate must be a positive number");
      return NULL;
    }
  if (examples->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                   "training: no examples to train on (did the teacher answer anything correctly?)");
      return NULL;
    }
  for (guint i = 0; i < examples->len; i++)
    {
      FtcTrainExample *ex = g_ptr_array_index (examples, i);
      if (ex->n_prompt >= ex->n_ids || ex->n_prompt < 1)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                       "training example %u: it needs at least one prompt and one completion token", i);
          return NULL;
        }
      for (int t = 0; t < ex->n_ids; t++)
        if (ex->ids[t] < 0 || ex->ids[t] >= vocab_size)
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                         "training example %u: token id %d is outside the vocabulary (%d)", i, ex->ids[t],
                         vocab_size);
            return NULL;
          }
    }

  trainer = g_new0 (FtcTrainer, 1);
  trainer->model = model;
  trainer->config = *config;
  trainer->config.max_seq_len = MIN (config->max_seq_len, max_seq_len);
  trainer->examples = g_ptr_array_ref (examples);
  T = trainer->config.max_seq_len;
  trainer->inputs = g_new0 (int32_t, (gsize) config->batch_size * T);
  trainer->targets = g_new0 (int32_t, (gsize) config->batch_size * T);
  trainer->weights = g_new0 (float, (gsize) config->batch_size * T);
  return trainer;
}

void
ftc_trainer_free (FtcTrainer *trainer)
{
  if (trainer == NULL)
    return;
  g_ptr_array_unref (trainer->examples);
  g_free (trainer->inputs);
  g_free (trainer->targets);
  g_free (trainer->weights);
  g_free (trainer);
}

int
ftc_trainer_steps_per_epoch (FtcTrainer *trainer)
{
  int per_step = trainer->config.batch_size * trainer->config.grad_accum;

  return ((int) trainer->examples->len + per_step - 1) / per_step;
}

void
ftc_trainer_set_start_step (FtcTrainer *trainer, int step)
{
  trainer->start_step = step;
}

/* splitmix64: the shuffle must be the same on every machine */
static guint64
next_random (guint64 *state)
{
  guint64 z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* order (n): a permutation of the examples for this epoch, a function of (seed, epoch) only, so a run
 * resumed in the middle of an epoch sees the same order. */
static void
epoch_order (guint64 seed, int epoch, guint *order, guint n)
{
  guint64 state = seed * 1000003ull + (guint64) epoch;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = next_random (&state) % (i + 1);
      guint tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
}

static GError *
compute_error (FtcModel *model, FtcStatus status, const char *what)
{
  GError *error = NULL;

  ftc_error_set_compute (&error, status, ftc_backend_last_error (ftc_model_backend (model)), "%s: %s", what,
                         ftc_status_name (status));
  return error;
}

/* The first token of ex that carries a loss: its first completion token, or with a loss on the whole
 * text its second (the first has nothing before it to be predicted from). */
static int
first_loss_token (FtcTrainer *trainer, const FtcTrainExample *ex)
{
  return trainer->config.completion_only_loss ? ex->n_prompt : 1;
}

/* Tokens of ex that carry a loss once cut at max_seq_len: positions t < min(n_ids - 1, Tmax) whose target
 * t + 1 is at or after first_loss_token (what fill_batch weighs). */
static int
loss_tokens (FtcTrainer *trainer, const FtcTrainExample *ex)
{
  int positions = MIN (ex->n_ids - 1, trainer->config.max_seq_len);

  return MAX (0, positions - (first_loss_token (trainer, ex) - 1));
}

/* Fills the micro-batch from examples order[first..first+count); returns T. */
static int
fill_batch (FtcTrainer *trainer, const guint *order, guint first, guint count)
{
  int Tmax = trainer->config.max_seq_len;
  int T = 1;

  for (guint b = 0; b < count; b++)
    {
      FtcTrainExample *ex = g_ptr_array_index (trainer->examples, order[first + b]);
      T = MAX (T, MIN (ex->n_ids - 1, Tmax));
    }
  for (guint b = 0; b < count; b++)
    {
      FtcTrainExample *ex = g_ptr_array_index (trainer->examples, order[first + b]);
      int first_loss = first_loss_token (trainer, ex);
      for (int t = 0; t < T; t++)
        {
          gsize at = (gsize) b * T + t;
          gboolean real = t + 1 < ex->n_ids;
          trainer->inputs[at] = t < ex->n_ids ? ex->ids[t] : 0;
          trainer->targets[at] = real ? ex->ids[t + 1] : 0;
          /* position t predicts token t+1: a loss only where that token is completion (or any token but
           * padding, without completion_only_loss) */
          trainer->weights[at] = real && t + 1 >= first_loss ? 1.0f : 0.0f;
        }
    }
  return T;
}

gboolean
ftc_trainer_run (FtcTrainer *trainer, FtcTrainStepFunc on_step, FtcTrainEpochFunc on_epoch,
                 gpointer user_data, GCancellable *cancellable, GError **error)
{
  const FtcTrainConfig *cfg = &trainer->config;
  guint n = trainer->examples->len;
  g_autofree guint *order = g_new (guint, n);
  int steps_per_epoch = ftc_trainer_steps_per_epoch (trainer);
  int total_steps = steps_per_epoch * cfg->epochs;
  guint per_step = (guint) (cfg->batch_size * cfg->grad_accum);
  g_autoptr (GTimer) run_timer = g_timer_new ();
  FtcSchedule schedule = { cfg->schedule, cfg->lr, 0.0f, cfg->warmup_steps, total_steps };
  FtcAdamWConfig opt = { .beta1 = cfg->beta1, .beta2 = cfg->beta2, .eps = cfg->eps,
                         .weight_decay = cfg->weight_decay, .max_grad_norm = cfg->max_grad_norm };

  for (int step = trainer->start_step + 1; step <= total_steps; step++)
    {
      int epoch = (step - 1) / steps_per_epoch + 1;
      int in_epoch = (step - 1) % steps_per_epoch;
      guint first = (guint) in_epoch * per_step;
      guint last = MIN (first + per_step, n);
      g_autoptr (GTimer) step_timer = g_timer_new ();
      FtcTrainProgress progress = { 0 };
      double step_loss = 0.0;
      gsize step_tokens = 0;
      int loss_tokens_total = 0;
      FtcStatus status;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      epoch_order (cfg->seed, epoch, order, n);

      /* the step's loss is the mean over all its tokens that carry one, across micro-batches */
      for (guint i = first; i < last; i++)
        loss_tokens_total += loss_tokens (trainer, g_ptr_array_index (trainer->examples, order[i]));

      if ((status = ftc_model_zero_grad (trainer->model)) != FTC_OK)
        {
          g_propagate_error (error, compute_error (trainer->model, status, "zero_grad"));
          return FALSE;
        }
      for (guint mb = first; mb < last; mb += cfg->batch_size)
        {
          guint count = MIN ((guint) cfg->batch_size, last - mb);
          int T = fill_batch (trainer, order, mb, count);
          float loss = 0.0f;

          for (gsize i = 0; i < (gsize) count * T; i++)
            trainer->weights[i] /= MAX (loss_tokens_total, 1);
          status = ftc_model_forward (trainer->model, trainer->inputs, trainer->targets, trainer->weights,
                                     (int) count, T, &loss);
          if (status == FTC_OK)
            status = ftc_model_backward (trainer->model);
          if (status != FTC_OK)
            {
              g_propagate_error (error, compute_error (trainer->model, status, "training step"));
              return FALSE;
            }
          step_loss += loss;
          step_tokens += (gsize) count * T;
        }

      progress.lr = ftc_schedule_lr (&schedule, step);
      opt.lr = progress.lr;
      status = ftc_model_update (trainer->model, &opt, step, &progress.grad_norm);
      if (status != FTC_OK)
        {
          ftc_error_set_compute (error, status, ftc_backend_last_error (ftc_model_backend (trainer->model)),
                                 "step %d: %s", step, ftc_status_name (status));
          return FALSE;
        }
      if (!isfinite (step_loss))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_COMPUTE, "step %d: the loss is %f; lower the learning rate",
                       step, step_loss);
          return FALSE;
        }

      progress.step = step;
      progress.epoch = epoch;
      progress.steps_per_epoch = steps_per_epoch;
      progress.total_steps = total_steps;
      progress.loss = (float) step_loss;
      progress.tokens_per_s = step_tokens / MAX (g_timer_elapsed (step_timer, NULL), 1e-9);
      progress.elapsed_s = g_timer_elapsed (run_timer, NULL);
      if (on_step != NULL && !on_step (&progress, user_data))
        return TRUE;
      if (in_epoch == steps_per_epoch - 1 && on_epoch != NULL && !on_epoch (epoch, trainer->model, user_data, error))
        return FALSE;
    }
  return TRUE;
}
