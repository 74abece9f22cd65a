#include "core/method/ftc-experiment.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "core/ftc-devices.h"
#include "core/ftc-error.h"
#include "core/ftc-read.h"
#include "core/tasks/ftc-dataset.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/students/ftc-model-dir.h"
#include "core/teach/ftc-price.h"
#include "core/tasks/ftc-benchmark.h"
#include "core/tasks/ftc-task-registry.h"

/* ---- methods ---------------------------------------------------------------------------------- */

gboolean
ftc_method_parse (const char *name, FtcMethod *out)
{
  FtcMethod m = { 0, 0 };

  if (name == NULL)
    return FALSE;
  if (strcmp (name, "teacher") == 0)
    m.kind = FTC_METHOD_TEACHER;
  else if (strcmp (name, "random") == 0)
    m.kind = FTC_METHOD_RANDOM;
  else if (strcmp (name, "zero_shot") == 0)
    m.kind = FTC_METHOD_ZERO_SHOT;
  else if (strcmp (name, "vanilla") == 0)
    m.kind = FTC_METHOD_VANILLA;
  else if (strcmp (name, "ft_cot") == 0)
    {
      m.kind = FTC_METHOD_FT_COT;
      m.diversity = 1;
    }
  else if (g_str_has_prefix (name, "ft_cot_d"))
    {
      const char *digits = name + strlen ("ft_cot_d");
      char *end = NULL;
      guint64 d;

      if (!g_ascii_isdigit (digits[0]) || digits[0] == '0')
        return FALSE;
      errno = 0;
      d = g_ascii_strtoull (digits, &end, 10);
      if (errno != 0 || *end != '\0' || d < 1 || d > 1024)
        return FALSE;
      m.kind = FTC_METHOD_FT_COT;
      m.diversity = (int) d;
    }
  else
    return FALSE;
  if (out != NULL)
    *out = m;
  return TRUE;
}

char *
ftc_method_to_string (const FtcMethod *method)
{
  switch (method->kind)
    {
    case FTC_METHOD_TEACHER: return g_strdup ("teacher");
    case FTC_METHOD_RANDOM: return g_strdup ("random");
    case FTC_METHOD_ZERO_SHOT: return g_strdup ("zero_shot");
    case FTC_METHOD_VANILLA: return g_strdup ("vanilla");
    case FTC_METHOD_FT_COT:
      return method->diversity <= 1 ? g_strdup ("ft_cot") : g_strdup_printf ("ft_cot_d%d", method->diversity);
    }
  return g_strdup ("unknown");
}

gboolean
ftc_method_trains (const FtcMethod *method)
{
  return method->kind == FTC_METHOD_VANILLA || method->kind == FTC_METHOD_FT_COT;
}

/* ---- "did you mean" --------------------------------------------------------------------------- */

guint
ftc_edit_distance (const char *a, const char *b)
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
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

const char *
ftc_nearest_word (const char *word, const char *const *candidates, gsize n)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  for (gsize i = 0; i < n; i++)
    {
      guint d = ftc_edit_distance (word, candidates[i]);
      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }
  /* only a plausible typo: a third of the word, at least 2 edits */
  return best != NULL && best_distance <= MAX (2, strlen (word) / 3) ? best : NULL;
}

/* ---- enums ------------------------------------------------------------------------------------ */

static const char *const n_modes[] = { "auto", "always", "never", NULL };
static const char *const curation_rules[] = { "correct", "all", "accepted", NULL };
/* in FtcCurationTarget order */
static const char *const curation_targets[] = { "trace_answer", "answer", "trimmed", NULL };
static const char *const student_inits[] = { "scratch", "pretrained", NULL };
/* in FtcScheduleKind order */
static const char *const schedules[] = { "constant", "linear", "cosine", NULL };
static const char *const splits[] = { "default", "template", "validation", "random", NULL };
static const char *const apis[] = { "chat", "completions", NULL };
static const char *const prompt_styles[] = { "zero_shot_cot", "boxed", NULL };
static const char *const optimizers[] = { "adamw", NULL };
static const char *const tokenizers[] = { "auto", "char", "gpt2", NULL };
static const char *const prompt_formats[] = { "paper", "chatml", "llama3", NULL };

const char *
ftc_curation_rule_to_string (FtcCurationRule rule)
{
  return curation_rules[rule];
}

/* ---- the schema ------------------------------------------------------------------------------- */

typedef enum {
  F_INT,          /* int, integral JSON number */
  F_INT64,        /* gint64 */
  F_UINT64,       /* guint64, non-negative */
  F_DOUBLE,       /* double, any JSON number */
  F_BOOL,
  F_STRING,       /* char *, null allowed (NULL) */
  F_CHOICE,       /* char *, one of values */
  F_ENUM,         /* int-sized enum, index into values */
  F_OBJECT,       /* JsonObject *, free form (checked by its consumer) */
  F_STRV,         /* char **, an array of strings (NULL-terminated; NULL when empty) */
} FieldType;

typedef struct {
  const char *name;
  FieldType type;
  gsize offset;
  const char *const *values;   /* F_CHOICE, F_ENUM */
  double min, max;             /* numbers: the valid range */
} Field;

#define NUM(name, type, st, member, lo, hi) { name, type, G_STRUCT_OFFSET (st, member), NULL, lo, hi }
#define STR(name, st, member) { name, F_STRING, G_STRUCT_OFFSET (st, member), NULL, 0, 0 }
#define CHOICE(name, st, member, values) { name, F_CHOICE, G_STRUCT_OFFSET (st, member), values, 0, 0 }
#define ENUM(name, st, member, values) { name, F_ENUM, G_STRUCT_OFFSET (st, member), values, 0, 0 }
#define BOOL(name, st, member) { name, F_BOOL, G_STRUCT_OFFSET (st, member), NULL, 0, 0 }
#define OBJ(name, st, member) { name, F_OBJECT, G_STRUCT_OFFSET (st, member), NULL, 0, 0 }
#define STRV(name, st, member) { name, F_STRV, G_STRUCT_OFFSET (st, member), NULL, 0, 0 }

static const Field task_fields[] = {
  STR ("key", FtcExperimentTask, key),
  CHOICE ("split", FtcExperimentTask, split, splits),
  NUM ("train_fraction", F_DOUBLE, FtcExperimentTask, train_fraction, 0.0, 1.0),
  NUM ("train_size", F_INT, FtcExperimentTask, train_size, 0, G_MAXINT),
  NUM ("test_size", F_INT, FtcExperimentTask, test_size, 0, G_MAXINT),
  NUM ("n", F_INT, FtcExperimentTask, n, 0, G_MAXINT),
  NUM ("size", F_INT, FtcExperimentTask, size, 0, 1000),
  STR ("data_path", FtcExperimentTask, data_path),
  OBJ ("options", FtcExperimentTask, options),
  STRV ("benchmarks", FtcExperimentTask, benchmarks),
};

static const Field teacher_fields[] = {
  ENUM ("kind", FtcTeacherSettings, kind, ftc_teacher_kind_names),
  STR ("endpoint", FtcTeacherSettings, endpoint),
  CHOICE ("api", FtcTeacherSettings, api, apis),
  STR ("model", FtcTeacherSettings, model),
  STR ("key_env", FtcTeacherSettings, key_env),
  STR ("key_file", FtcTeacherSettings, key_file),
  STR ("replay_path", FtcTeacherSettings, replay_path),
  STR ("reasoning_trigger", FtcTeacherSettings, reasoning_trigger),
  STR ("answer_trigger", FtcTeacherSettings, answer_trigger),
  STR ("system_prompt", FtcTeacherSettings, system_prompt),
  CHOICE ("prompt_style", FtcTeacherSettings, prompt_style, prompt_styles),
  NUM ("max_completion_tokens", F_INT, FtcTeacherSettings, max_completion_tokens, 0, 1 << 22),
  BOOL ("stream", FtcTeacherSettings, stream),
  NUM ("samples", F_INT, FtcTeacherSettings, samples, 1, 1024),
  NUM ("temperature", F_DOUBLE, FtcTeacherSettings, temperature, 0.0, 2.0),
  NUM ("max_tokens", F_INT, FtcTeacherSettings, max_tokens, 1, 1 << 20),
  NUM ("answer_max_tokens", F_INT, FtcTeacherSettings, answer_max_tokens, 1, 1 << 20),
  NUM ("budget_usd", F_DOUBLE, FtcTeacherSettings, budget_usd, 0.0, 1e9),
  NUM ("budget_tokens", F_INT64, FtcTeacherSettings, budget_tokens, 0, 1e15),
  NUM ("price_prompt_per_mtok", F_DOUBLE, FtcTeacherSettings, price_prompt_per_mtok, 0.0, 1e6),
  NUM ("price_completion_per_mtok", F_DOUBLE, FtcTeacherSettings, price_completion_per_mtok, 0.0, 1e6),
  STR ("price_file", FtcTeacherSettings, price_file),
  NUM ("rpm", F_DOUBLE, FtcTeacherSettings, rpm, 0.0, 1e9),
  NUM ("tpm", F_DOUBLE, FtcTeacherSettings, tpm, 0.0, 1e12),
  NUM ("in_flight", F_INT, FtcTeacherSettings, in_flight, 1, 1024),
  NUM ("timeout_s", F_DOUBLE, FtcTeacherSettings, timeout_s, 0.001, 86400),
  NUM ("retries", F_INT, FtcTeacherSettings, retries, 0, 100),
  CHOICE ("n_mode", FtcTeacherSettings, n_mode, n_modes),
  OBJ ("options", FtcTeacherSettings, options),
};

static const Field curation_fields[] = {
  ENUM ("rule", FtcExperimentCuration, rule, curation_rules),
  BOOL ("drop_truncated", FtcExperimentCuration, drop_truncated),
  NUM ("max_per_question", F_INT, FtcExperimentCuration, max_per_question, 0, 1024),
  ENUM ("target", FtcExperimentCuration, target, curation_targets),
  NUM ("max_trace_chars", F_INT, FtcExperimentCuration, max_trace_chars, 0, G_MAXINT),
  NUM ("min_chars", F_INT, FtcExperimentCuration, min_chars, 0, G_MAXINT),
  NUM ("max_chars", F_INT, FtcExperimentCuration, max_chars, 0, G_MAXINT),
};

static const Field student_fields[] = {
  STR ("preset", FtcExperimentStudent, preset),
  STR ("model_dir", FtcExperimentStudent, model_dir),
  ENUM ("init", FtcExperimentStudent, init, student_inits),
  CHOICE ("tokenizer", FtcExperimentStudent, tokenizer, tokenizers),
  CHOICE ("prompt_format", FtcExperimentStudent, prompt_format, prompt_formats),
};

static const Field training_fields[] = {
  CHOICE ("optimizer", FtcExperimentTraining, optimizer, optimizers),
  NUM ("learning_rate", F_DOUBLE, FtcExperimentTraining, learning_rate, 1e-12, 10.0),
  ENUM ("schedule", FtcExperimentTraining, schedule, schedules),
  NUM ("warmup_steps", F_INT, FtcExperimentTraining, warmup_steps, 0, G_MAXINT),
  NUM ("weight_decay", F_DOUBLE, FtcExperimentTraining, weight_decay, 0.0, 10.0),
  NUM ("beta1", F_DOUBLE, FtcExperimentTraining, beta1, 0.0, 0.999999),
  NUM ("beta2", F_DOUBLE, FtcExperimentTraining, beta2, 0.0, 0.999999999),
  NUM ("eps", F_DOUBLE, FtcExperimentTraining, eps, 1e-30, 1.0),
  NUM ("grad_clip", F_DOUBLE, FtcExperimentTraining, grad_clip, 0.0, 1e9),
  NUM ("batch_size", F_INT, FtcExperimentTraining, batch_size, 1, 65536),
  NUM ("grad_accumulation", F_INT, FtcExperimentTraining, grad_accumulation, 1, 65536),
  NUM ("epochs", F_INT, FtcExperimentTraining, epochs, 1, 100000),
  NUM ("max_seq_len", F_INT, FtcExperimentTraining, max_seq_len, 8, 1 << 20),
  BOOL ("completion_only_loss", FtcExperimentTraining, completion_only_loss),
  BOOL ("eval_every_epoch", FtcExperimentTraining, eval_every_epoch),
  NUM ("checkpoint_every_epochs", F_INT, FtcExperimentTraining, checkpoint_every_epochs, 0, 100000),
};

static const Field evaluation_fields[] = {
  BOOL ("greedy", FtcExperimentEvaluation, greedy),
  NUM ("max_new_tokens", F_INT, FtcExperimentEvaluation, max_new_tokens, 1, 1 << 20),
  NUM ("batch_size", F_INT, FtcExperimentEvaluation, batch_size, 1, 65536),
  NUM ("sampled_k", F_INT, FtcExperimentEvaluation, sampled_k, 0, 1024),
  NUM ("sampled_n", F_INT, FtcExperimentEvaluation, sampled_n, 0, 1024),
  NUM ("sampled_temperature", F_DOUBLE, FtcExperimentEvaluation, sampled_temperature, 0.0, 2.0),
  NUM ("teacher_k", F_INT, FtcExperimentEvaluation, teacher_k, 1, 1024),
};

/* seeds are written back as JSON integers, which ftcot reads as signed 64-bit: kept well inside that */
#define MAX_SEED 9e18

static const Field seed_fields[] = {
  NUM ("split", F_UINT64, FtcExperimentSeeds, split, 0, MAX_SEED),
  NUM ("teacher", F_UINT64, FtcExperimentSeeds, teacher, 0, MAX_SEED),
  NUM ("train", F_UINT64, FtcExperimentSeeds, train, 0, MAX_SEED),
  NUM ("eval", F_UINT64, FtcExperimentSeeds, eval, 0, MAX_SEED),
};

/* top-level keys; "task" is the one-task shorthand of "tasks" */
static const char *const top_keys[] = {
  "version", "name", "task", "tasks", "teacher", "curation", "student", "methods", "training",
  "evaluation", "seeds", "device",
};

/* ---- defaults --------------------------------------------------------------------------------- */

static FtcExperimentTask *
task_new (const char *key)
{
  FtcExperimentTask *task = g_new0 (FtcExperimentTask, 1);

  task->key = g_strdup (key);
  task->split = g_strdup ("default");
  task->train_fraction = 0.7;
  return task;
}

static void
task_free (FtcExperimentTask *task)
{
  g_free (task->key);
  g_free (task->split);
  g_free (task->data_path);
  g_clear_pointer (&task->options, json_object_unref);
  g_strfreev (task->benchmarks);
  g_free (task);
}

FtcExperimentTask *
ftc_experiment_add_task (FtcExperiment *exp, const char *key)
{
  FtcExperimentTask *task = task_new (key);

  g_ptr_array_add (exp->tasks, task);
  return task;
}

FtcExperiment *
ftc_experiment_new (void)
{
  FtcExperiment *exp = g_new0 (FtcExperiment, 1);
  static const char *const default_methods[] = { "teacher", "random", "zero_shot", "vanilla", "ft_cot" };

  exp->version = 1;
  exp->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) task_free);
  g_ptr_array_add (exp->tasks, task_new ("synthetic_coin_flip"));

  ftc_teacher_settings_init (&exp->teacher);
  exp->curation = (FtcExperimentCuration) { .rule = FTC_CURATION_CORRECT, .drop_truncated = TRUE };
  exp->student = (FtcExperimentStudent) {
    .preset = g_strdup ("tiny"),
    .init = FTC_STUDENT_SCRATCH,
    .tokenizer = g_strdup ("auto"),
    .prompt_format = g_strdup ("paper"),
  };
  exp->methods = g_array_new (FALSE, FALSE, sizeof (FtcMethod));
  for (gsize i = 0; i < G_N_ELEMENTS (default_methods); i++)
    {
      FtcMethod m;
      ftc_method_parse (default_methods[i], &m);
      g_array_append_val (exp->methods, m);
    }
  /* the reference code: torch AdamW (its defaults), lr 3e-4 constant, batch 8, 20 epochs, no clipping */
  exp->training = (FtcExperimentTraining) {
    .optimizer = g_strdup ("adamw"),
    .learning_rate = 3e-4,
    .schedule = FTC_SCHEDULE_CONSTANT,
    .warmup_steps = 0,
    .weight_decay = 0.01,
    .beta1 = 0.9,
    .beta2 = 0.999,
    .eps = 1e-8,
    .grad_clip = 0.0,
    .batch_size = 8,
    .grad_accumulation = 1,
    .epochs = 20,
    .max_seq_len = 512,
    .completion_only_loss = TRUE,
    .eval_every_epoch = TRUE,
    .checkpoint_every_epochs = 1,
  };
  exp->evaluation = (FtcExperimentEvaluation) {
    .greedy = TRUE,
    .max_new_tokens = 256,
    .batch_size = 32,
    .sampled_k = 0,
    .sampled_n = 0,
    .sampled_temperature = 0.7,
    .teacher_k = 1,
  };
  exp->seeds = (FtcExperimentSeeds) { 42, 42, 42, 42 };
  exp->device = g_strdup ("auto");
  return exp;
}

static void
free_fields (gpointer base, const Field *fields, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      gpointer slot = G_STRUCT_MEMBER_P (base, fields[i].offset);
      if (fields[i].type == F_STRING || fields[i].type == F_CHOICE)
        g_clear_pointer ((char **) slot, g_free);
      else if (fields[i].type == F_OBJECT)
        g_clear_pointer ((JsonObject **) slot, json_object_unref);
      else if (fields[i].type == F_STRV)
        g_clear_pointer ((char ***) slot, g_strfreev);
    }
}

void
ftc_experiment_free (FtcExperiment *exp)
{
  if (exp == NULL)
    return;
  g_free (exp->name);
  g_ptr_array_unref (exp->tasks);
  ftc_teacher_settings_clear (&exp->teacher);
  free_fields (&exp->student, student_fields, G_N_ELEMENTS (student_fields));
  free_fields (&exp->training, training_fields, G_N_ELEMENTS (training_fields));
  g_array_unref (exp->methods);
  g_free (exp->device);
  g_free (exp->base_dir);
  g_free (exp);
}

/* ---- parsing ---------------------------------------------------------------------------------- */

typedef struct {
  const char *file;   /* names the source in messages */
  GError **error;
} Ctx;

static gboolean
fail (Ctx *ctx, FtcErrorCode code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Ctx *ctx, FtcErrorCode code, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (ctx->error, FTC_ERROR, code, "%s: %s", ctx->file, message);
  return FALSE;
}

static const char *
node_type_name (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY: return "an array";
    case JSON_NODE_NULL: return "null";
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING: return "a string";
        case G_TYPE_BOOLEAN: return "a boolean";
        case G_TYPE_INT64: return "an integer";
        case G_TYPE_DOUBLE: return "a number";
        default: return "a value";
        }
    }
  return "a value";
}

static gboolean
node_is (JsonNode *node, GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
unknown_key (Ctx *ctx, const char *path, const char *key, const char *const *valid, gsize n)
{
  const char *nearest = ftc_nearest_word (key, valid, n);
  g_autofree char *full = path[0] != '\0' ? g_strdup_printf ("%s.%s", path, key) : g_strdup (key);

  if (g_strcmp0 (key, "api_key") == 0 || g_strcmp0 (key, "key") == 0)
    return fail (ctx, FTC_ERROR_INVALID,
                 "'%s': API keys are never stored in the experiment file; name an environment variable "
                 "with key_env or a file with key_file", full);
  if (nearest != NULL)
    return fail (ctx, FTC_ERROR_INVALID, "unknown key '%s'; did you mean '%s'?", full, nearest);
  {
    g_autoptr (GString) list = g_string_new (NULL);
    for (gsize i = 0; i < n; i++)
      g_string_append_printf (list, "%s%s", i ? ", " : "", valid[i]);
    return fail (ctx, FTC_ERROR_INVALID, "unknown key '%s' (valid keys: %s)", full, list->str);
  }
}

static char *
values_list (const char *const *values)
{
  g_autoptr (GString) list = g_string_new (NULL);

  for (gsize i = 0; values[i] != NULL; i++)
    g_string_append_printf (list, "%s'%s'", i ? ", " : "", values[i]);
  return g_string_free (g_steal_pointer (&list), FALSE);
}

static gboolean
parse_field (Ctx *ctx, const char *path, const Field *f, JsonNode *node, gpointer base)
{
  gpointer slot = G_STRUCT_MEMBER_P (base, f->offset);
  g_autofree char *full = g_strdup_printf ("%s.%s", path, f->name);

  switch (f->type)
    {
    case F_INT:
    case F_INT64:
    case F_UINT64:
      {
        double v;
        if (node_is (node, G_TYPE_INT64))
          v = (double) json_node_get_int (node);
        else if (node_is (node, G_TYPE_DOUBLE) && json_node_get_double (node) == floor (json_node_get_double (node)))
          v = json_node_get_double (node);
        else if (node_is (node, G_TYPE_DOUBLE))
          return fail (ctx, FTC_ERROR_INVALID, "%s must be an integer (got %g)", full,
                       json_node_get_double (node));
        else
          return fail (ctx, FTC_ERROR_INVALID, "%s must be an integer (got %s)", full, node_type_name (node));
        if (v < f->min || v > f->max)
          {
            if (f->max >= G_MAXINT && v < f->min)
              return fail (ctx, FTC_ERROR_INVALID, "%s must be at least %.0f (got %.0f)", full, f->min, v);
            if (f->max >= G_MAXINT)
              return fail (ctx, FTC_ERROR_INVALID, "%s must be at most %.0f (got %g)", full, f->max, v);
            return fail (ctx, FTC_ERROR_INVALID, "%s must be between %.0f and %.0f (got %.0f)", full,
                         f->min, f->max, v);
          }
        if (f->type == F_INT)
          *(int *) slot = (int) v;
        else if (f->type == F_INT64)
          *(gint64 *) slot = json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : (gint64) v;
        else
          *(guint64 *) slot = json_node_get_value_type (node) == G_TYPE_INT64 ? (guint64) json_node_get_int (node) : (guint64) v;
        return TRUE;
      }
    case F_DOUBLE:
      {
        double v;
        if (node_is (node, G_TYPE_INT64))
          v = (double) json_node_get_int (node);
        else if (node_is (node, G_TYPE_DOUBLE))
          v = json_node_get_double (node);
        else
          return fail (ctx, FTC_ERROR_INVALID, "%s must be a number (got %s)", full, node_type_name (node));
        if (!(v >= f->min && v <= f->max))
          return fail (ctx, FTC_ERROR_INVALID, "%s must be between %g and %g (got %g)", full, f->min, f->max, v);
        *(double *) slot = v;
        return TRUE;
      }
    case F_BOOL:
      if (!node_is (node, G_TYPE_BOOLEAN))
        return fail (ctx, FTC_ERROR_INVALID, "%s must be true or false (got %s)", full, node_type_name (node));
      *(gboolean *) slot = json_node_get_boolean (node);
      return TRUE;
    case F_STRING:
      if (JSON_NODE_HOLDS_NULL (node))
        {
          g_clear_pointer ((char **) slot, g_free);
          return TRUE;
        }
      if (!node_is (node, G_TYPE_STRING))
        return fail (ctx, FTC_ERROR_INVALID, "%s must be a string (got %s)", full, node_type_name (node));
      g_free (*(char **) slot);
      *(char **) slot = g_strdup (json_node_get_string (node));
      return TRUE;
    case F_CHOICE:
    case F_ENUM:
      {
        const char *s;
        if (!node_is (node, G_TYPE_STRING))
          {
            g_autofree char *list = values_list (f->values);
            return fail (ctx, FTC_ERROR_INVALID, "%s must be one of %s (got %s)", full, list, node_type_name (node));
          }
        s = json_node_get_string (node);
        for (gsize i = 0; f->values[i] != NULL; i++)
          if (strcmp (s, f->values[i]) == 0)
            {
              if (f->type == F_ENUM)
                *(int *) slot = (int) i;
              else
                {
                  g_free (*(char **) slot);
                  *(char **) slot = g_strdup (s);
                }
              return TRUE;
            }
        {
          g_autofree char *list = values_list (f->values);
          gsize n = g_strv_length ((char **) f->values);
          const char *nearest = ftc_nearest_word (s, f->values, n);
          if (nearest != NULL)
            return fail (ctx, FTC_ERROR_INVALID, "%s: unknown value '%s'; did you mean '%s'? (one of %s)",
                         full, s, nearest, list);
          return fail (ctx, FTC_ERROR_INVALID, "%s: unknown value '%s' (one of %s)", full, s, list);
        }
      }
    case F_OBJECT:
      if (JSON_NODE_HOLDS_NULL (node))
        {
          g_clear_pointer ((JsonObject **) slot, json_object_unref);
          return TRUE;
        }
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (ctx, FTC_ERROR_INVALID, "%s must be an object (got %s)", full, node_type_name (node));
      g_clear_pointer ((JsonObject **) slot, json_object_unref);
      *(JsonObject **) slot = json_object_ref (json_node_get_object (node));
      return TRUE;
    case F_STRV:
      {
        JsonArray *array;
        GPtrArray *list;
        if (JSON_NODE_HOLDS_NULL (node))
          {
            g_clear_pointer ((char ***) slot, g_strfreev);
            return TRUE;
          }
        if (!JSON_NODE_HOLDS_ARRAY (node))
          return fail (ctx, FTC_ERROR_INVALID, "%s must be an array of strings (got %s)", full, node_type_name (node));
        array = json_node_get_array (node);
        if (json_array_get_length (array) > 256)
          return fail (ctx, FTC_ERROR_INVALID, "%s has %u entries, more than 256", full, json_array_get_length (array));
        list = g_ptr_array_new ();
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *e = json_array_get_element (array, i);
            if (!node_is (e, G_TYPE_STRING))
              {
                g_ptr_array_add (list, NULL);
                g_strfreev ((char **) g_ptr_array_free (list, FALSE));
                return fail (ctx, FTC_ERROR_INVALID, "%s[%u] must be a string (got %s)", full, i, node_type_name (e));
              }
            g_ptr_array_add (list, g_strdup (json_node_get_string (e)));
          }
        g_ptr_array_add (list, NULL);
        g_clear_pointer ((char ***) slot, g_strfreev);
        *(char ***) slot = (char **) g_ptr_array_free (list, FALSE);
        if (**(char ***) slot == NULL)
          g_clear_pointer ((char ***) slot, g_strfreev);
        return TRUE;
      }
    }
  return FALSE;
}

/* Fills base from an object whose keys must all be in fields; seen (may be NULL) collects the keys set. */
static gboolean
parse_object (Ctx *ctx, const char *path, JsonNode *node, const Field *fields, gsize n, gpointer base,
              GHashTable *seen)
{
  JsonObject *object;
  g_autoptr (GList) members = NULL;
  g_autofree const char **names = g_new (const char *, n);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (ctx, FTC_ERROR_INVALID, "%s must be an object (got %s)", path, node_type_name (node));
  for (gsize i = 0; i < n; i++)
    names[i] = fields[i].name;
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const Field *field = NULL;
      for (gsize i = 0; i < n && field == NULL; i++)
        if (strcmp (fields[i].name, l->data) == 0)
          field = &fields[i];
      if (field == NULL)
        return unknown_key (ctx, path, l->data, names, n);
      if (!parse_field (ctx, path, field, json_object_get_member (object, l->data), base))
        return FALSE;
      if (seen != NULL)
        g_hash_table_add (seen, g_strdup (l->data));
    }
  return TRUE;
}

static gboolean
parse_tasks (Ctx *ctx, FtcExperiment *exp, JsonNode *node, const char *path)
{
  g_ptr_array_set_size (exp->tasks, 0);
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      FtcExperimentTask *task = task_new (NULL);
      g_ptr_array_add (exp->tasks, task);
      return parse_object (ctx, path, node, task_fields, G_N_ELEMENTS (task_fields), task, NULL);
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (ctx, FTC_ERROR_INVALID, "%s must be an array of task objects (got %s)", path,
                 node_type_name (node));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);
      g_autofree char *element_path = g_strdup_printf ("%s[%u]", path, i);
      FtcExperimentTask *task = task_new (NULL);

      g_ptr_array_add (exp->tasks, task);
      /* a bare string is a task key with the defaults */
      if (node_is (element, G_TYPE_STRING))
        {
          task->key = g_strdup (json_node_get_string (element));
          continue;
        }
      if (!parse_object (ctx, element_path, element, task_fields, G_N_ELEMENTS (task_fields), task, NULL))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_methods (Ctx *ctx, FtcExperiment *exp, JsonNode *node)
{
  static const char *const names[] = { "teacher", "random", "zero_shot", "vanilla", "ft_cot", "ft_cot_d2",
                                       "ft_cot_d4", "ft_cot_d8" };
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (ctx, FTC_ERROR_INVALID, "methods must be an array of method names (got %s)",
                 node_type_name (node));
  array = json_node_get_array (node);
  g_array_set_size (exp->methods, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *name;
      FtcMethod m;

      if (!node_is (element, G_TYPE_STRING))
        return fail (ctx, FTC_ERROR_INVALID, "methods[%u] must be a string (got %s)", i, node_type_name (element));
      name = json_node_get_string (element);
      if (!ftc_method_parse (name, &m))
        {
          const char *nearest = ftc_nearest_word (name, names, G_N_ELEMENTS (names));
          if (nearest != NULL)
            return fail (ctx, FTC_ERROR_INVALID, "methods[%u]: unknown method '%s'; did you mean '%s'?", i,
                         name, nearest);
          return fail (ctx, FTC_ERROR_INVALID,
                       "methods[%u]: unknown method '%s' (teacher, random, zero_shot, vanilla, ft_cot, "
                       "ft_cot_dN)", i, name);
        }
      for (guint j = 0; j < exp->methods->len; j++)
        {
          FtcMethod *other = &g_array_index (exp->methods, FtcMethod, j);
          if (other->kind == m.kind && other->diversity == m.diversity)
            return fail (ctx, FTC_ERROR_INVALID, "methods[%u]: '%s' is listed twice", i, name);
        }
      g_array_append_val (exp->methods, m);
    }
  return TRUE;
}

static gboolean
parse_root (Ctx *ctx, FtcExperiment *exp, JsonNode *root)
{
  JsonObject *object;
  g_autoptr (GList) members = NULL;
  g_autoptr (GHashTable) teacher_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) student_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean have_task = FALSE, have_tasks = FALSE;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return fail (ctx, FTC_ERROR_PARSE, "the top level must be an object (got %s)",
                 root != NULL ? node_type_name (root) : "nothing");
  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (object, key);

      if (strcmp (key, "version") == 0)
        {
          if (!node_is (node, G_TYPE_INT64) || json_node_get_int (node) != 1)
            return fail (ctx, FTC_ERROR_INVALID, "version: this ftcot reads version 1 experiment files");
        }
      else if (strcmp (key, "name") == 0)
        {
          if (!node_is (node, G_TYPE_STRING) && !JSON_NODE_HOLDS_NULL (node))
            return fail (ctx, FTC_ERROR_INVALID, "name must be a string (got %s)", node_type_name (node));
          g_free (exp->name);
          exp->name = JSON_NODE_HOLDS_NULL (node) ? NULL : g_strdup (json_node_get_string (node));
        }
      else if (strcmp (key, "task") == 0)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return fail (ctx, FTC_ERROR_INVALID, "task must be an object (got %s); use 'tasks' for a list",
                         node_type_name (node));
          have_task = TRUE;
          if (!parse_tasks (ctx, exp, node, "task"))
            return FALSE;
        }
      else if (strcmp (key, "tasks") == 0)
        {
          have_tasks = TRUE;
          if (!parse_tasks (ctx, exp, node, "tasks"))
            return FALSE;
        }
      else if (strcmp (key, "teacher") == 0)
        {
          if (!parse_object (ctx, "teacher", node, teacher_fields, G_N_ELEMENTS (teacher_fields),
                             &exp->teacher, teacher_seen))
            return FALSE;
        }
      else if (strcmp (key, "curation") == 0)
        {
          if (!parse_object (ctx, "curation", node, curation_fields, G_N_ELEMENTS (curation_fields),
                             &exp->curation, NULL))
            return FALSE;
        }
      else if (strcmp (key, "student") == 0)
        {
          if (!parse_object (ctx, "student", node, student_fields, G_N_ELEMENTS (student_fields),
                             &exp->student, student_seen))
            return FALSE;
        }
      else if (strcmp (key, "methods") == 0)
        {
          if (!parse_methods (ctx, exp, node))
            return FALSE;
        }
      else if (strcmp (key, "training") == 0)
        {
          if (!parse_object (ctx, "training", node, training_fields, G_N_ELEMENTS (training_fields),
                             &exp->training, NULL))
            return FALSE;
        }
      else if (strcmp (key, "evaluation") == 0)
        {
          if (!parse_object (ctx, "evaluation", node, evaluation_fields, G_N_ELEMENTS (evaluation_fields),
                             &exp->evaluation, NULL))
            return FALSE;
        }
      else if (strcmp (key, "seeds") == 0)
        {
          /* one number seeds everything */
          if (node_is (node, G_TYPE_INT64) || node_is (node, G_TYPE_DOUBLE))
            {
              double v = node_is (node, G_TYPE_INT64) ? (double) json_node_get_int (node) : json_node_get_double (node);
              guint64 s;
              if (!(v >= 0 && v <= MAX_SEED && v == floor (v)))
                return fail (ctx, FTC_ERROR_INVALID, "seeds must be an integer from 0 to %.0f, or an object of "
                             "seeds (split, teacher, train, eval) (got %g)", MAX_SEED, v);
              s = node_is (node, G_TYPE_INT64) ? (guint64) json_node_get_int (node) : (guint64) v;
              exp->seeds = (FtcExperimentSeeds) { s, s, s, s };
            }
          else if (!JSON_NODE_HOLDS_OBJECT (node))
            return fail (ctx, FTC_ERROR_INVALID, "seeds must be an integer or an object of seeds (split, teacher, "
                         "train, eval) (got %s)", node_type_name (node));
          else if (!parse_object (ctx, "seeds", node, seed_fields, G_N_ELEMENTS (seed_fields), &exp->seeds, NULL))
            return FALSE;
        }
      else if (strcmp (key, "device") == 0)
        {
          if (!node_is (node, G_TYPE_STRING))
            return fail (ctx, FTC_ERROR_INVALID, "device must be a string (got %s)", node_type_name (node));
          g_free (exp->device);
          exp->device = g_strdup (json_node_get_string (node));
        }
      else
        return unknown_key (ctx, "", key, top_keys, G_N_ELEMENTS (top_keys));
    }
  if (have_task && have_tasks)
    return fail (ctx, FTC_ERROR_INVALID, "give either 'task' (one task) or 'tasks' (a list), not both");

  /* the paper's temperatures: greedy for one rationale, 0.7 for diverse reasoning */
  if (!g_hash_table_contains (teacher_seen, "temperature"))
    exp->teacher.temperature = ftc_teacher_settings_default_temperature (exp->teacher.samples);
  /* a model directory replaces the preset unless both were given (then validation complains) */
  if (g_hash_table_contains (student_seen, "model_dir") && !g_hash_table_contains (student_seen, "preset"))
    g_clear_pointer (&exp->student.preset, g_free);
  return TRUE;
}

/* ---- validation ------------------------------------------------------------------------------- */

static gboolean
valid_task_name (const char *key)
{
  if (key == NULL || key[0] == '\0')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* The syntax is the engine's (ftc_device_spec_parse); the key must be present. */
static gboolean
valid_device (const char *device)
{
  return device != NULL && ftc_device_spec_check (device, NULL);
}

/* path (a file the experiment names in field) is a regular file ftcot can read: missing, a FIFO or a device
 * says so, without blocking on it (core/ftc-read.h). */
static gboolean
check_file (Ctx *ctx, const char *field, const char *path, FtcInputKind kind)
{
  g_autoptr (GError) local = NULL;
  int fd = ftc_file_open_regular (path, kind, NULL, &local);

  if (fd < 0)
    return fail (ctx, local->code, "%s: %s", field, local->message);
  close (fd);
  return TRUE;
}

static gboolean
validate (Ctx *ctx, const FtcExperiment *exp)
{
  gboolean teacher_needed = FALSE;
  int max_d = ftc_experiment_max_diversity (exp);

  if (exp->tasks->len == 0)
    return fail (ctx, FTC_ERROR_INVALID, "tasks: give at least one task");
  for (guint i = 0; i < exp->tasks->len; i++)
    {
      const FtcExperimentTask *task = g_ptr_array_index (exp->tasks, i);

      if (task->key == NULL)
        return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].key is missing", i);
      if (!valid_task_name (task->key))
        return fail (ctx, FTC_ERROR_INVALID,
                     "tasks[%u].key '%s' may hold only letters, digits, '_' and '-'", i, task->key);
      if (task->data_path == NULL && ftc_task_info_lookup (task->key) == NULL)
        {
          const char *suggestion = ftc_task_key_suggest (task->key);
          if (suggestion != NULL)
            return fail (ctx, FTC_ERROR_NOT_FOUND, "tasks[%u].key: unknown task '%s'; did you mean '%s'?", i,
                         task->key, suggestion);
          return fail (ctx, FTC_ERROR_NOT_FOUND,
                       "tasks[%u].key: unknown task '%s' (not built in; give data_path to import it)", i,
                       task->key);
        }
      if ((task->n > 0 || task->size > 0) && (task->data_path != NULL
                                              || ftc_task_info_lookup (task->key)->source != FTC_TASK_SYNTHETIC))
        return fail (ctx, FTC_ERROR_INVALID,
                     "tasks[%u].%s: '%s' is not generated; n and size apply to synthetic tasks", i,
                     task->n > 0 ? "n" : "size", task->key);
      if (g_strcmp0 (task->split, "template") == 0
          && (task->data_path != NULL || ftc_dataset_split_bytes (task->key, FTC_SPLIT_TEMPLATE) == NULL))
        return fail (ctx, FTC_ERROR_INVALID,
                     "tasks[%u].split: '%s' has no template split (date_understanding and multiarith do)", i,
                     task->key);
      if (task->train_fraction <= 0.0 || task->train_fraction >= 1.0)
        return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].train_fraction must be strictly between 0 and 1 (got %g)",
                     i, task->train_fraction);
      if (task->data_path != NULL)
        {
          g_autofree char *path = ftc_experiment_resolve_path (exp, task->data_path);
          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            return fail (ctx, FTC_ERROR_NOT_FOUND, "tasks[%u].data_path: '%s' does not exist", i, path);
        }
      for (guint j = 0; j < i; j++)
        if (strcmp (((FtcExperimentTask *) g_ptr_array_index (exp->tasks, j))->key, task->key) == 0)
          return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].key: task '%s' is listed twice", i, task->key);
      if (g_strcmp0 (task->split, "validation") == 0
          && (task->data_path != NULL || ftc_benchmark_lookup (task->key) == NULL
              || ftc_benchmark_lookup (task->key)->validation == 0))
        return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].split: '%s' has no validation split (arc_challenge does)",
                     i, task->key);
      /* benchmarks: built-in tasks with a test split, each evaluated for one task's students only */
      for (guint b = 0; task->benchmarks != NULL && task->benchmarks[b] != NULL; b++)
        {
          const char *bench = task->benchmarks[b];
          const FtcTaskInfo *info = ftc_task_info_lookup (bench);
          const FtcBenchmarkInfo *published = ftc_benchmark_lookup (bench);

          if (info == NULL)
            {
              const char *suggestion = ftc_task_key_suggest (bench);
              if (suggestion != NULL)
                return fail (ctx, FTC_ERROR_NOT_FOUND, "tasks[%u].benchmarks[%u]: unknown task '%s'; did you mean "
                             "'%s'?", i, b, bench, suggestion);
              return fail (ctx, FTC_ERROR_NOT_FOUND, "tasks[%u].benchmarks[%u]: unknown task '%s'", i, b, bench);
            }
          if (published != NULL && published->test == 0)
            return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].benchmarks[%u]: '%s' has no test questions", i, b, bench);
          for (guint t = 0; t < exp->tasks->len; t++)
            {
              const FtcExperimentTask *other = g_ptr_array_index (exp->tasks, t);
              if (other->key != NULL && strcmp (other->key, bench) == 0)
                return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].benchmarks[%u]: '%s' is also a task of the experiment; "
                             "its results would be two things", i, b, bench);
              for (guint c = 0; other->benchmarks != NULL && other->benchmarks[c] != NULL
                                && (t < i || (t == i && c < b)); c++)
                if (strcmp (other->benchmarks[c], bench) == 0)
                  return fail (ctx, FTC_ERROR_INVALID, "tasks[%u].benchmarks[%u]: '%s' is listed twice (one task's "
                               "students are evaluated on a benchmark)", i, b, bench);
            }
        }
    }
  for (guint i = 0; i < exp->tasks->len; i++)
    {
      const FtcExperimentTask *task = g_ptr_array_index (exp->tasks, i);
      const FtcBenchmarkInfo *published = task->data_path == NULL ? ftc_benchmark_lookup (task->key) : NULL;
      gboolean trains = ftc_experiment_max_diversity (exp) > 0;

      for (guint m = 0; m < exp->methods->len; m++)
        trains |= ftc_method_trains (&g_array_index (exp->methods, FtcMethod, m));
      if (published != NULL && published->train == 0 && trains)
        return fail (ctx, FTC_ERROR_INVALID, "tasks[%u]: %s has no training questions to teach or learn from; teach "
                     "another task (math_train, or your own JSONL with data_path) and list %s in its benchmarks",
                     i, task->key, task->key);
    }
  if (exp->evaluation.teacher_k > 1 && !(exp->evaluation.sampled_temperature > 0))
    return fail (ctx, FTC_ERROR_INVALID, "evaluation.teacher_k %d samples the teacher at "
                 "evaluation.sampled_temperature, which is 0", exp->evaluation.teacher_k);

  if (exp->methods->len == 0)
    return fail (ctx, FTC_ERROR_INVALID, "methods: give at least one method");
  for (guint i = 0; i < exp->methods->len; i++)
    {
      const FtcMethod *m = &g_array_index (exp->methods, FtcMethod, i);
      teacher_needed |= m->kind == FTC_METHOD_FT_COT || m->kind == FTC_METHOD_TEACHER;
    }
  if (max_d > exp->teacher.samples)
    return fail (ctx, FTC_ERROR_INVALID,
                 "methods: ft_cot_d%d needs at least %d rationales per question, but teacher.samples is %d",
                 max_d, max_d, exp->teacher.samples);

  {
    /* ranges, combinations and the kind's options, as the teacher's own builder checks them */
    g_autoptr (GError) local = NULL;
    if (!ftc_teacher_settings_check (&exp->teacher, "teacher", &local))
      return fail (ctx, FTC_ERROR_INVALID, "%s", local->message);
  }
  switch (exp->teacher.kind)
    {
    case FTC_TEACHER_OPENAI:
      if (teacher_needed && (exp->teacher.model == NULL || exp->teacher.model[0] == '\0'))
        return fail (ctx, FTC_ERROR_INVALID, "teacher.model: the openai teacher needs a model name");
      if (exp->teacher.key_file != NULL)
        {
          g_autofree char *path = ftc_experiment_resolve_path (exp, exp->teacher.key_file);
          if (!check_file (ctx, "teacher.key_file", path, FTC_INPUT_KEY))
            return FALSE;
        }
      if (exp->teacher.price_file != NULL)
        {
          g_autofree char *path = ftc_experiment_resolve_path (exp, exp->teacher.price_file);
          if (!check_file (ctx, "teacher.price_file", path, FTC_INPUT_CONFIG))
            return FALSE;
        }
      else if (exp->teacher.budget_usd > 0 && exp->teacher.model != NULL
               && exp->teacher.price_prompt_per_mtok == 0 && exp->teacher.price_completion_per_mtok == 0)
        {
          /* a dollar budget needs a price to count against */
          g_autoptr (FtcPriceTable) table = ftc_price_table_new ();
          FtcPrice price;
          if (!ftc_price_table_lookup (table, exp->teacher.model, &price))
            return fail (ctx, FTC_ERROR_INVALID,
                         "teacher.budget_usd: no price is known for model '%s'; give "
                         "price_prompt_per_mtok and price_completion_per_mtok, or price_file",
                         exp->teacher.model);
        }
      break;
    case FTC_TEACHER_REPLAY:
      if (teacher_needed)
        {
          g_autofree char *path = NULL;
          if (exp->teacher.replay_path == NULL)
            return fail (ctx, FTC_ERROR_INVALID, "teacher.replay_path: the replay teacher needs recorded completions");
          path = ftc_experiment_resolve_path (exp, exp->teacher.replay_path);
          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            return fail (ctx, FTC_ERROR_NOT_FOUND, "teacher.replay_path: '%s' does not exist", path);
        }
      break;
    case FTC_TEACHER_SCRIPTED:
      break;
    }
  if (exp->curation.target == FTC_TARGET_TRIMMED && exp->curation.max_trace_chars == 0)
    return fail (ctx, FTC_ERROR_INVALID, "curation.target trimmed needs curation.max_trace_chars, the thinking's "
                 "length at most");
  if (exp->curation.max_chars > 0 && exp->curation.min_chars > exp->curation.max_chars)
    return fail (ctx, FTC_ERROR_INVALID, "curation.min_chars %d is above curation.max_chars %d",
                 exp->curation.min_chars, exp->curation.max_chars);
  if (exp->curation.max_per_question > 0 && max_d > exp->curation.max_per_question)
    return fail (ctx, FTC_ERROR_INVALID, "curation.max_per_question %d is below the D = %d of ft_cot_d%d",
                 exp->curation.max_per_question, max_d, max_d);

  if (exp->student.preset != NULL && exp->student.model_dir != NULL)
    return fail (ctx, FTC_ERROR_INVALID, "student: give either preset or model_dir, not both");
  if (exp->student.preset == NULL && exp->student.model_dir == NULL)
    return fail (ctx, FTC_ERROR_INVALID, "student: give a preset or a model_dir");
  if (exp->student.preset != NULL)
    {
      if (ftc_model_preset_lookup (exp->student.preset) == NULL)
        {
          guint n = 0;
          const FtcModelPreset *all = ftc_model_presets (&n);
          g_autofree const char **names = g_new0 (const char *, n + 1);
          g_autofree char *list = NULL;
          const char *nearest;

          for (guint i = 0; i < n; i++)
            names[i] = all[i].name;
          list = values_list (names);
          nearest = ftc_nearest_word (exp->student.preset, names, n);
          if (nearest != NULL)
            return fail (ctx, FTC_ERROR_INVALID, "student.preset: unknown preset '%s'; did you mean '%s'?",
                         exp->student.preset, nearest);
          return fail (ctx, FTC_ERROR_INVALID, "student.preset: unknown preset '%s' (one of %s)",
                       exp->student.preset, list);
        }
      if (exp->student.init == FTC_STUDENT_PRETRAINED)
        return fail (ctx, FTC_ERROR_INVALID,
                     "student.init 'pretrained' needs student.model_dir (a model directory with "
                     "model.safetensors); a preset only starts from scratch");
    }
  if (exp->student.model_dir != NULL)
    {
      g_autofree char *dir = ftc_experiment_resolve_path (exp, exp->student.model_dir);
      g_autofree char *config = g_build_filename (dir, "config.json", NULL);
      g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);

      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        return fail (ctx, FTC_ERROR_NOT_FOUND, "student.model_dir: '%s' is not a directory", dir);
      if (!g_file_test (config, G_FILE_TEST_IS_REGULAR))
        return fail (ctx, FTC_ERROR_NOT_FOUND, "student.model_dir: '%s' has no config.json", dir);
      if (exp->student.init == FTC_STUDENT_PRETRAINED && !g_file_test (weights, G_FILE_TEST_IS_REGULAR))
        return fail (ctx, FTC_ERROR_NOT_FOUND,
                     "student.model_dir: '%s' has no model.safetensors for init 'pretrained'", dir);
    }

  if (exp->evaluation.sampled_n > 0 && exp->evaluation.sampled_n < exp->evaluation.sampled_k)
    return fail (ctx, FTC_ERROR_INVALID,
                 "evaluation.sampled_n (%d) must be at least evaluation.sampled_k (%d): pass@k needs k samples",
                 exp->evaluation.sampled_n, exp->evaluation.sampled_k);
  if (exp->evaluation.sampled_k > 0 && exp->evaluation.sampled_temperature == 0.0)
    return fail (ctx, FTC_ERROR_INVALID,
                 "evaluation.sampled_temperature is 0 with sampled_k %d: every sample would be the greedy one",
                 exp->evaluation.sampled_k);
  if (!exp->evaluation.greedy && exp->evaluation.sampled_temperature == 0.0)
    return fail (ctx, FTC_ERROR_INVALID,
                 "evaluation.greedy is false but evaluation.sampled_temperature is 0: sampling at temperature 0 "
                 "is greedy decoding");
  if (!valid_device (exp->device))
    return fail (ctx, FTC_ERROR_INVALID, "device: unknown device '%s' (auto, cpu, cpu:naive, opencl, opencl:N)",
                 exp->device);
  return TRUE;
}

gboolean
ftc_experiment_validate (const FtcExperiment *exp, GError **error)
{
  Ctx ctx = { "experiment", error };
  return validate (&ctx, exp);
}

static FtcExperiment *
parse_data (const char *data, gssize len, const char *file_name, const char *base_dir, gboolean check,
            GError **error)
{
  g_autoptr (FtcExperiment) exp = ftc_experiment_new ();
  Ctx ctx = { file_name != NULL ? file_name : "experiment.json", error };
  g_autoptr (JsonNode) root = ftc_json_parse (data, len < 0 ? strlen (data) : (gsize) len, ctx.file, error);

  if (root == NULL)
    return NULL;
  exp->base_dir = base_dir != NULL ? g_strdup (base_dir) : g_get_current_dir ();
  if (!parse_root (&ctx, exp, root) || (check && !validate (&ctx, exp)))
    return NULL;
  return g_steal_pointer (&exp);
}

FtcExperiment *
ftc_experiment_load_from_data (const char *data, gssize len, const char *file_name, const char *base_dir,
                               GError **error)
{
  return parse_data (data, len, file_name, base_dir, TRUE, error);
}

/* path as the file to read (DIR/experiment.json for a directory) and its directory, made absolute */
static gboolean
read_file (const char *path, char **file_out, char **dir_out, char **contents, gsize *len, GError **error)
{
  g_autofree char *file = g_file_test (path, G_FILE_TEST_IS_DIR) ? ftc_experiment_dir_config (path) : g_strdup (path);
  g_autofree char *dir = NULL;

  /* a regular file of a config file's size at most (core/ftc-read.h) */
  if (!ftc_file_read (file, FTC_INPUT_CONFIG, contents, len, error))
    return FALSE;
  dir = g_path_get_dirname (file);
  if (!g_path_is_absolute (dir))
    {
      g_autofree char *cwd = g_get_current_dir ();
      g_autofree char *absolute = g_build_filename (cwd, dir, NULL);
      g_free (dir);
      dir = g_steal_pointer (&absolute);
    }
  *file_out = g_steal_pointer (&file);
  *dir_out = g_steal_pointer (&dir);
  return TRUE;
}

static FtcExperiment *
load (const char *path, gboolean check, GError **error)
{
  g_autofree char *file = NULL, *dir = NULL, *contents = NULL;
  gsize len = 0;

  if (!read_file (path, &file, &dir, &contents, &len, error))
    return NULL;
  return parse_data (contents, len, file, dir, check, error);
}

FtcExperiment *
ftc_experiment_load (const char *path, GError **error)
{
  return load (path, TRUE, error);
}

FtcExperiment *
ftc_experiment_read (const char *path, GError **error)
{
  return load (path, FALSE, error);
}

FtcExperiment *
ftc_experiment_copy (const FtcExperiment *exp)
{
  g_autoptr (JsonNode) root = ftc_experiment_to_json (exp);
  g_autoptr (GError) error = NULL;
  FtcExperiment *copy = ftc_experiment_new ();
  Ctx ctx = { "experiment", &error };

  /* what to_json writes parse_root reads back: the schema is one table for both */
  if (!parse_root (&ctx, copy, root))
    g_error ("ftc_experiment_copy: the experiment does not read back: %s", error->message);
  copy->base_dir = g_strdup (exp->base_dir);
  return copy;
}

/* ---- writing ---------------------------------------------------------------------------------- */

static void
build_fields (JsonBuilder *b, gconstpointer base, const Field *fields, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      gconstpointer slot = G_STRUCT_MEMBER_P (base, fields[i].offset);

      switch (fields[i].type)
        {
        case F_INT:
          json_builder_set_member_name (b, fields[i].name);
          json_builder_add_int_value (b, *(const int *) slot);
          break;
        case F_INT64:
          json_builder_set_member_name (b, fields[i].name);
          json_builder_add_int_value (b, *(const gint64 *) slot);
          break;
        case F_UINT64:
          json_builder_set_member_name (b, fields[i].name);
          json_builder_add_int_value (b, (gint64) *(const guint64 *) slot);
          break;
        case F_DOUBLE:
          json_builder_set_member_name (b, fields[i].name);
          json_builder_add_double_value (b, *(const double *) slot);
          break;
        case F_BOOL:
          json_builder_set_member_name (b, fields[i].name);
          json_builder_add_boolean_value (b, *(const gboolean *) slot);
          break;
        case F_STRING:
        case F_CHOICE:
          /* absent optional strings are left out: null and absence read the same */
          if (*(char *const *) slot != NULL)
            {
              json_builder_set_member_name (b, fields[i].name);
              json_builder_add_string_value (b, *(char *const *) slot);
            }
          break;
        case F_ENUM:
          json_builder_set_member_name (b, fields[i].name);
          json_builder_add_string_value (b, fields[i].values[*(const int *) slot]);
          break;
        case F_STRV:
          /* no list is no key: an experiment without benchmarks reads as before */
          if (*(char **const *) slot != NULL)
            {
              json_builder_set_member_name (b, fields[i].name);
              json_builder_begin_array (b);
              for (char **v = *(char **const *) slot; *v != NULL; v++)
                json_builder_add_string_value (b, *v);
              json_builder_end_array (b);
            }
          break;
        case F_OBJECT:
          if (*(JsonObject *const *) slot != NULL)
            {
              JsonNode *node = json_node_new (JSON_NODE_OBJECT);
              json_node_set_object (node, *(JsonObject *const *) slot);
              json_builder_set_member_name (b, fields[i].name);
              json_builder_add_value (b, node);
            }
          break;
        }
    }
}

static void
build_section (JsonBuilder *b, const char *name, gconstpointer base, const Field *fields, gsize n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  build_fields (b, base, fields, n);
  json_builder_end_object (b);
}

JsonNode *
ftc_experiment_to_json (const FtcExperiment *exp)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, exp->version);
  if (exp->name != NULL)
    {
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, exp->name);
    }
  json_builder_set_member_name (b, "tasks");
  json_builder_begin_array (b);
  for (guint i = 0; i < exp->tasks->len; i++)
    {
      json_builder_begin_object (b);
      build_fields (b, g_ptr_array_index (exp->tasks, i), task_fields, G_N_ELEMENTS (task_fields));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  build_section (b, "teacher", &exp->teacher, teacher_fields, G_N_ELEMENTS (teacher_fields));
  build_section (b, "curation", &exp->curation, curation_fields, G_N_ELEMENTS (curation_fields));
  build_section (b, "student", &exp->student, student_fields, G_N_ELEMENTS (student_fields));
  json_builder_set_member_name (b, "methods");
  json_builder_begin_array (b);
  for (guint i = 0; i < exp->methods->len; i++)
    {
      g_autofree char *name = ftc_method_to_string (&g_array_index (exp->methods, FtcMethod, i));
      json_builder_add_string_value (b, name);
    }
  json_builder_end_array (b);
  build_section (b, "training", &exp->training, training_fields, G_N_ELEMENTS (training_fields));
  build_section (b, "evaluation", &exp->evaluation, evaluation_fields, G_N_ELEMENTS (evaluation_fields));
  build_section (b, "seeds", &exp->seeds, seed_fields, G_N_ELEMENTS (seed_fields));
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, exp->device);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
ftc_experiment_save (const FtcExperiment *exp, const char *path, GError **error)
{
  g_autoptr (JsonNode) root = ftc_experiment_to_json (exp);

  return ftc_json_write_file (path, root, error);
}

/* ---- queries ---------------------------------------------------------------------------------- */

char *
ftc_experiment_resolve_path (const FtcExperiment *exp, const char *path)
{
  if (path == NULL)
    return NULL;
  if (g_path_is_absolute (path) || exp->base_dir == NULL)
    return g_strdup (path);
  return g_build_filename (exp->base_dir, path, NULL);
}

const FtcExperimentTask *
ftc_experiment_task (const FtcExperiment *exp, const char *key)
{
  for (guint i = 0; i < exp->tasks->len; i++)
    {
      const FtcExperimentTask *task = g_ptr_array_index (exp->tasks, i);
      if (g_strcmp0 (task->key, key) == 0)
        return task;
    }
  return NULL;
}

gboolean
ftc_experiment_has_method (const FtcExperiment *exp, const char *name)
{
  FtcMethod wanted;

  if (!ftc_method_parse (name, &wanted))
    return FALSE;
  for (guint i = 0; i < exp->methods->len; i++)
    {
      const FtcMethod *m = &g_array_index (exp->methods, FtcMethod, i);
      if (m->kind == wanted.kind && m->diversity == wanted.diversity)
        return TRUE;
    }
  return FALSE;
}

int
ftc_experiment_max_diversity (const FtcExperiment *exp)
{
  int d = 0;

  for (guint i = 0; i < exp->methods->len; i++)
    {
      const FtcMethod *m = &g_array_index (exp->methods, FtcMethod, i);
      if (m->kind == FTC_METHOD_FT_COT)
        d = MAX (d, m->diversity);
    }
  return d;
}

/* ---- directory layout ------------------------------------------------------------------------- */

gboolean
ftc_experiment_dir_create (const char *dir, GError **error)
{
  static const char *const subdirs[] = { "teacher", "finetune", "checkpoints", "eval", "report" };

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create the experiment directory: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (dir, subdirs[i], NULL);
      if (g_mkdir_with_parents (path, 0755) != 0)
        {
          int saved = errno;
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create: %s", path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

char *
ftc_experiment_dir_config (const char *dir)
{
  return g_build_filename (dir, "experiment.json", NULL);
}

char *
ftc_experiment_dir_teacher (const char *dir, const char *task, const char *split)
{
  /* the name the teach job writes (ftc_teach_job_path) */
  g_autofree char *name = g_strdup_printf ("%s.%s.jsonl", task, split);
  return g_build_filename (dir, "teacher", name, NULL);
}

char *
ftc_experiment_dir_review (const char *dir)
{
  return g_build_filename (dir, "review.jsonl", NULL);
}

char *
ftc_experiment_dir_finetune (const char *dir, const char *task, const char *method)
{
  g_autofree char *name = g_strdup_printf ("%s.%s.jsonl", task, method);
  return g_build_filename (dir, "finetune", name, NULL);
}

char *
ftc_experiment_dir_checkpoints (const char *dir, const char *task, const char *method)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", task, method);
  return g_build_filename (dir, "checkpoints", name, NULL);
}

char *
ftc_experiment_dir_metrics (const char *dir)
{
  return g_build_filename (dir, "metrics.jsonl", NULL);
}

char *
ftc_experiment_dir_eval (const char *dir, const char *task, const char *method)
{
  g_autofree char *name = g_strdup_printf ("%s.%s.jsonl", task, method);
  return g_build_filename (dir, "eval", name, NULL);
}

char *
ftc_experiment_dir_report (const char *dir)
{
  return g_build_filename (dir, "report", NULL);
}
