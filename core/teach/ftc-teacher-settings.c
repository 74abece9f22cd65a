#include "core/teach/ftc-teacher-settings.h"

#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/teach/ftc-teach-job.h"
#include "core/teach/ftc-teacher-openai.h"
#include "core/teach/ftc-teacher-replay.h"
#include "core/teach/ftc-teacher-scripted.h"

const char *const ftc_teacher_kind_names[] = { "scripted", "replay", "openai", NULL };

const char *
ftc_teacher_kind_to_string (FtcTeacherKind kind)
{
  return kind <= FTC_TEACHER_OPENAI ? ftc_teacher_kind_names[kind] : "unknown";
}

double
ftc_teacher_settings_default_temperature (int samples)
{
  return samples > 1 ? 0.7 : 0.0;
}

void
ftc_teacher_settings_init (FtcTeacherSettings *s)
{
  *s = (FtcTeacherSettings) {
    .kind = FTC_TEACHER_SCRIPTED,
    .reasoning_trigger = g_strdup (FTC_COT_TRIGGER),
    .samples = 1,
    .temperature = ftc_teacher_settings_default_temperature (1),
    .max_tokens = 128,        /* Zero-shot-CoT's rationale limit */
    .answer_max_tokens = 32,  /* and its answer-step limit */
    .in_flight = 8,
    .timeout_s = 120,
    .retries = 5,
    .n_mode = g_strdup ("auto"),
    .prompt_style = g_strdup ("zero_shot_cot"),
  };
}

void
ftc_teacher_settings_clear (FtcTeacherSettings *s)
{
  g_free (s->endpoint);
  g_free (s->api);
  g_free (s->model);
  g_free (s->key_env);
  g_free (s->key_file);
  g_free (s->replay_path);
  g_free (s->reasoning_trigger);
  g_free (s->answer_trigger);
  g_free (s->system_prompt);
  g_free (s->price_file);
  g_free (s->n_mode);
  g_free (s->prompt_style);
  g_clear_pointer (&s->options, json_object_unref);
  memset (s, 0, sizeof *s);
}

void
ftc_teacher_settings_copy (FtcTeacherSettings *dst, const FtcTeacherSettings *src)
{
  *dst = *src;
  dst->endpoint = g_strdup (src->endpoint);
  dst->api = g_strdup (src->api);
  dst->model = g_strdup (src->model);
  dst->key_env = g_strdup (src->key_env);
  dst->key_file = g_strdup (src->key_file);
  dst->replay_path = g_strdup (src->replay_path);
  dst->reasoning_trigger = g_strdup (src->reasoning_trigger);
  dst->answer_trigger = g_strdup (src->answer_trigger);
  dst->system_prompt = g_strdup (src->system_prompt);
  dst->price_file = g_strdup (src->price_file);
  dst->n_mode = g_strdup (src->n_mode);
  dst->prompt_style = g_strdup (src->prompt_style);
  if (src->options != NULL)
    {
      /* a deep copy: the copy may be edited without touching the original */
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), src->options);
      g_autoptr (JsonNode) copy = json_node_copy (node);
      dst->options = json_object_ref (json_node_get_object (copy));
    }
}

gboolean
ftc_teacher_settings_set_spec (FtcTeacherSettings *s, const char *spec, GError **error)
{
  if (spec != NULL && (g_str_has_prefix (spec, "http://") || g_str_has_prefix (spec, "https://")))
    {
      s->kind = FTC_TEACHER_OPENAI;
      g_free (s->endpoint);
      s->endpoint = g_strdup (spec);
    }
  else if (spec != NULL && g_str_has_prefix (spec, "replay:") && spec[strlen ("replay:")] != '\0')
    {
      s->kind = FTC_TEACHER_REPLAY;
      g_free (s->replay_path);
      s->replay_path = g_strdup (spec + strlen ("replay:"));
    }
  else if (g_strcmp0 (spec, "scripted") == 0)
    s->kind = FTC_TEACHER_SCRIPTED;
  else
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                   "the teacher must be an http(s) URL, replay:FILE or scripted, not '%s'", spec != NULL ? spec : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
invalid (GError **error, const char *what, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError **error, const char *what, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s.%s", what, message);
  return FALSE;
}

/* The scripted teacher's options: error_rate (0..1) and style. */
static gboolean
scripted_options (const FtcTeacherSettings *s, const char *what, double *error_rate, gboolean *terse,
                  GError **error)
{
  g_autoptr (GList) members = s->options != NULL ? json_object_get_members (s->options) : NULL;

  *error_rate = 0.1;
  *terse = FALSE;
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (s->options, key);

      if (strcmp (key, "error_rate") == 0)
        {
          GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
          double v;
          if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
            return invalid (error, what, "options.error_rate must be a number between 0 and 1");
          v = json_node_get_double (node);
          if (!(v >= 0.0 && v <= 1.0))
            return invalid (error, what, "options.error_rate must be between 0 and 1 (got %g)", v);
          *error_rate = v;
        }
      else if (strcmp (key, "style") == 0)
        {
          const char *style = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                              ? json_node_get_string (node) : NULL;
          if (g_strcmp0 (style, "varied") != 0 && g_strcmp0 (style, "terse") != 0)
            return invalid (error, what, "options.style must be \"varied\" or \"terse\"");
          *terse = strcmp (style, "terse") == 0;
        }
      else
        return invalid (error, what, "options: unknown key '%s' (the scripted teacher takes error_rate and style)",
                        key);
    }
  return TRUE;
}

static gboolean
parse_n_mode (const char *name, FtcOpenaiNMode *mode)
{
  if (name == NULL || strcmp (name, "auto") == 0)
    *mode = FTC_OPENAI_N_AUTO;
  else if (strcmp (name, "always") == 0)
    *mode = FTC_OPENAI_N_ALWAYS;
  else if (strcmp (name, "never") == 0)
    *mode = FTC_OPENAI_N_NEVER;
  else
    return FALSE;
  return TRUE;
}

gboolean
ftc_teacher_settings_check (const FtcTeacherSettings *s, const char *what, GError **error)
{
  FtcOpenaiNMode mode;
  FtcOpenaiApi api;

  if (s->kind > FTC_TEACHER_OPENAI)
    return invalid (error, what, "kind must be scripted, replay or openai");
  if (s->samples < 1 || s->samples > 1024)
    return invalid (error, what, "samples must be between 1 and 1024 (got %d)", s->samples);
  if (!(s->temperature >= 0.0 && s->temperature <= 2.0))
    return invalid (error, what, "temperature must be between 0 and 2 (got %g)", s->temperature);
  if (s->max_tokens < 1 || s->answer_max_tokens < 1)
    return invalid (error, what, "%s must be at least 1", s->max_tokens < 1 ? "max_tokens" : "answer_max_tokens");
  if (s->in_flight < 1 || s->in_flight > 1024)
    return invalid (error, what, "in_flight must be between 1 and 1024 (got %d)", s->in_flight);
  if (!(s->timeout_s > 0 && s->timeout_s <= 86400))
    return invalid (error, what, "timeout_s must be above 0 and at most a day (got %g)", s->timeout_s);
  if (s->retries < 0 || s->retries > 100)
    return invalid (error, what, "retries must be between 0 and 100 (got %d)", s->retries);
  if (!(s->budget_usd >= 0) || s->budget_tokens < 0 || !(s->rpm >= 0) || !(s->tpm >= 0))
    return invalid (error, what, "budgets and rate limits cannot be negative");
  if (!(s->price_prompt_per_mtok >= 0) || !(s->price_completion_per_mtok >= 0))
    return invalid (error, what, "prices cannot be negative");
  if (s->reasoning_trigger == NULL || s->reasoning_trigger[0] == '\0')
    return invalid (error, what, "reasoning_trigger must not be empty");
  if (!parse_n_mode (s->n_mode, &mode))
    return invalid (error, what, "n_mode must be auto, always or never (got '%s')", s->n_mode);
  if (s->api != NULL && !ftc_openai_api_from_string (s->api, &api))
    return invalid (error, what, "api must be chat or completions (got '%s')", s->api);
  {
    FtcPromptStyle style;
    if (!ftc_prompt_style_from_string (s->prompt_style, &style))
      return invalid (error, what, "prompt_style must be zero_shot_cot or boxed (got '%s')",
                      s->prompt_style != NULL ? s->prompt_style : "");
    if (s->max_completion_tokens < 0)
      return invalid (error, what, "max_completion_tokens cannot be negative");
    if (style == FTC_PROMPT_BOXED && s->kind != FTC_TEACHER_OPENAI)
      return invalid (error, what, "prompt_style boxed asks a model over an API: it needs the openai teacher");
    if (style == FTC_PROMPT_BOXED && s->max_completion_tokens == 0)
      return invalid (error, what, "prompt_style boxed has a reasoning model think before it answers, in one "
                      "request: set max_completion_tokens, its limit with the thinking included (32768 is common)");
    /* a whole answer must fit the timeout when it is not streamed */
    if (s->kind == FTC_TEACHER_OPENAI && !s->stream && s->max_completion_tokens > 0
        && s->max_completion_tokens / s->timeout_s > FTC_TEACHER_FAST_TOKENS_PER_S)
      return invalid (error, what, "timeout_s %g cannot fit %d completion tokens without streaming (even at %d "
                      "tokens a second it takes %.0f s): set stream to true, where timeout_s is the longest "
                      "silence, or timeout_s to at least %.0f", s->timeout_s, s->max_completion_tokens,
                      FTC_TEACHER_FAST_TOKENS_PER_S, (double) s->max_completion_tokens / FTC_TEACHER_FAST_TOKENS_PER_S,
                      ceil ((double) s->max_completion_tokens / FTC_TEACHER_FAST_TOKENS_PER_S));
  }
  if (s->samples > 1 && s->temperature == 0.0)
    return invalid (error, what, "temperature is 0 with samples %d: greedy decoding gives %d copies of one "
                    "rationale; use a temperature above 0 (the paper: 0.7)", s->samples, s->samples);
  if (s->kind == FTC_TEACHER_SCRIPTED)
    {
      double rate;
      gboolean terse;
      return scripted_options (s, what, &rate, &terse, error);
    }
  if (s->options != NULL && json_object_get_size (s->options) > 0)
    {
      g_autoptr (GList) members = json_object_get_members (s->options);
      return invalid (error, what, "options: unknown key '%s' (the %s teacher takes no options)",
                      (const char *) members->data, ftc_teacher_kind_to_string (s->kind));
    }
  return TRUE;
}

static char *
resolve (const char *base_dir, const char *path)
{
  if (path == NULL)
    return NULL;
  if (g_path_is_absolute (path) || base_dir == NULL)
    return g_strdup (path);
  return g_build_filename (base_dir, path, NULL);
}

static FtcTeacher *
openai_teacher (const FtcTeacherSettings *s, const char *base_dir, guint64 seed, const char *out_dir,
                const char *task_key, const char *split, FtcCompletionStore **store_out,
                FtcPriceTable **prices_out, GError **error)
{
  g_autofree char *key_file = resolve (base_dir, s->key_file);
  g_autofree char *price_file = resolve (base_dir, s->price_file);
  g_autofree char *cache = ftc_teach_job_path (out_dir, task_key, split, ".requests.jsonl");
  g_autoptr (FtcPriceTable) prices = ftc_price_table_new ();
  g_autoptr (FtcCompletionStore) store = NULL;
  FtcTeacherOpenaiConfig config;
  FtcTeacher *teacher;
  char *key = NULL;

  if (s->model == NULL || s->model[0] == '\0')
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "teacher.model: the openai teacher needs a model name");
      return NULL;
    }
  ftc_teacher_openai_config_init (&config);
  if (s->endpoint != NULL)
    {
      g_free (config.client.base_url);
      config.client.base_url = g_strdup (s->endpoint);
    }
  /* an OpenAI key goes to OpenAI and to this machine only, unless a key is named explicitly */
  if ((s->key_env != NULL || key_file != NULL || ftc_openai_url_takes_default_key (config.client.base_url)) &&
      !ftc_openai_load_api_key (s->key_env, key_file, &key, error))
    {
      ftc_teacher_openai_config_clear (&config);
      return NULL;
    }
  config.client.api_key = key;
  config.client.max_in_flight = (guint) s->in_flight;
  config.client.rpm = s->rpm;
  config.client.tpm = s->tpm;
  config.client.timeout_s = s->timeout_s;
  config.client.max_attempts = (guint) s->retries + 1;
  config.client.seed = seed;
  parse_n_mode (s->n_mode, &config.client.n_mode);
  config.model = g_strdup (s->model);
  if (s->api == NULL || !ftc_openai_api_from_string (s->api, &config.api))
    config.api = ftc_teacher_openai_guess_api (s->model);

  /* prices: the built-in table, a price file over it, the settings' own prices over both */
  if (price_file != NULL && !ftc_price_table_load (prices, price_file, error))
    {
      ftc_teacher_openai_config_clear (&config);
      return NULL;
    }
  if (s->price_prompt_per_mtok > 0 || s->price_completion_per_mtok > 0)
    {
      FtcPrice price = { s->price_prompt_per_mtok, s->price_completion_per_mtok };
      ftc_price_table_set (prices, s->model, &price);
    }
  store = ftc_completion_store_open (cache, error);
  if (store == NULL)
    {
      ftc_teacher_openai_config_clear (&config);
      return NULL;
    }
  config.store = store;
  config.prices = prices;
  config.budget_usd = s->budget_usd;
  config.budget_tokens = s->budget_tokens;
  teacher = ftc_teacher_openai_new (&config, error);
  ftc_teacher_openai_config_clear (&config);
  if (teacher != NULL)
    {
      *store_out = g_steal_pointer (&store);
      *prices_out = g_steal_pointer (&prices);
    }
  return teacher;
}

FtcTeacher *
ftc_teacher_settings_build (const FtcTeacherSettings *s, const char *base_dir, guint64 seed, const char *out_dir,
                            const char *task_key, const char *split, FtcCompletionStore **store,
                            FtcPriceTable **prices, GError **error)
{
  *store = NULL;
  *prices = NULL;
  if (!ftc_teacher_settings_check (s, "teacher", error))
    return NULL;
  switch (s->kind)
    {
    case FTC_TEACHER_SCRIPTED:
      {
        double error_rate;
        gboolean terse;
        FtcTeacher *teacher;

        if (!scripted_options (s, "teacher", &error_rate, &terse, error))
          return NULL;
        teacher = ftc_teacher_scripted_new (error_rate, seed, error);
        if (teacher != NULL)
          ftc_teacher_scripted_set_terse (teacher, terse);
        return teacher;
      }
    case FTC_TEACHER_REPLAY:
      {
        g_autofree char *path = resolve (base_dir, s->replay_path);

        if (path == NULL)
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                         "teacher.replay_path: the replay teacher needs recorded completions");
            return NULL;
          }
        /* a directory holds one TASK.jsonl per task (docs/experiment.md) */
        if (g_file_test (path, G_FILE_TEST_IS_DIR))
          {
            g_autofree char *name = g_strconcat (task_key, ".jsonl", NULL);
            g_autofree char *file = g_build_filename (path, name, NULL);
            g_free (path);
            path = g_steal_pointer (&file);
          }
        return ftc_teacher_replay_new (path, s->model, error);
      }
    case FTC_TEACHER_OPENAI:
      return openai_teacher (s, base_dir, seed, out_dir, task_key, split, store, prices, error);
    }
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "teacher.kind: unknown kind %d", (int) s->kind);
  return NULL;
}
