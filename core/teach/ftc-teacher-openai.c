#include "core/teach/ftc-teacher-openai.h"

#include <math.h>
#include <string.h>

#include "core/ftc-error.h"

typedef struct {
  FtcTeacher parent;
  FtcTeacherOpenaiConfig config;
  FtcPriceTable *own_prices;
  FtcPrice price;
  gboolean has_price;
} FtcTeacherOpenai;

typedef struct _Run Run;

/* What a request may use at most, counted against the budgets: dollars and tokens. */
typedef struct {
  double usd, tokens;
} Charge;

typedef struct {
  Run *run;
  const FtcSample *sample;
  char *reasoning_prompt;
  GArray *ks;                 /* guint: the completion indices this step-1 request asks for */
  GPtrArray *keys;            /* char*: their store keys */
  Charge reserved;            /* worst-case cost of the step-1 request, released as answers come */
  guint remaining;            /* choices not delivered yet */
} Step1;

typedef struct {
  Run *run;
  const FtcSample *sample;
  guint k;
  char *reasoning_prompt;
  char *rationale;
  char *reasoning_finish;
  gint64 prompt_tokens1;      /* this sample's share of step 1 */
  gint64 completion_tokens1;
  char *answer_prompt;        /* completions API only */
  char *key;
  Charge reserved;
} Step2;

struct _Run {
  FtcTeacherOpenai *self;
  const FtcTeachPlan *plan;
  const FtcTeachSink *sink;
  GCancellable *cancellable;
  const char *trigger;
  FtcOpenaiClient *client;
  JsonObject *params;
  guint cursor;               /* next entry of plan->positions */
  guint live;                 /* requests whose answers are awaited */
  guint window;
  FtcTeachUsage usage;
  double spent;
  double spent_tokens;
  Charge reserved;
  gboolean budget_hit;
  gboolean failed;
  GPtrArray *step1s;
  GPtrArray *step2s;
  /* requests in flight by store key, with what waits for their answer: identical prompts (datasets have
   * duplicate questions) are sent once and the others take the answer from the cache */
  GHashTable *inflight;       /* key -> Waiters* */
  GQueue requeue;             /* positions (GINT_TO_POINTER) deferred behind an identical request */
};

typedef struct {
  GArray *positions;          /* int: questions to take up again */
  GPtrArray *steps2;          /* Step2* waiting for the same step-2 answer */
} Waiters;

static void
waiters_free (gpointer p)
{
  Waiters *w = p;
  g_array_unref (w->positions);
  g_ptr_array_unref (w->steps2);
  g_free (w);
}

static Waiters *
inflight_add (Run *run, const char *key)
{
  Waiters *w = g_new0 (Waiters, 1);
  w->positions = g_array_new (FALSE, FALSE, sizeof (int));
  w->steps2 = g_ptr_array_new ();
  g_hash_table_insert (run->inflight, g_strdup (key), w);
  return w;
}

static void
step1_free (gpointer p)
{
  Step1 *s = p;
  g_free (s->reasoning_prompt);
  g_array_unref (s->ks);
  g_ptr_array_unref (s->keys);
  g_free (s);
}

static void
step2_free (gpointer p)
{
  Step2 *s = p;
  g_free (s->reasoning_prompt);
  g_free (s->rationale);
  g_free (s->reasoning_finish);
  g_free (s->answer_prompt);
  g_free (s->key);
  g_free (s);
}

void
ftc_teacher_openai_config_init (FtcTeacherOpenaiConfig *config)
{
  memset (config, 0, sizeof *config);
  ftc_openai_config_init (&config->client);
  config->api = FTC_OPENAI_COMPLETIONS;
}

void
ftc_teacher_openai_config_clear (FtcTeacherOpenaiConfig *config)
{
  ftc_openai_config_clear (&config->client);
  g_clear_pointer (&config->model, g_free);
}

FtcOpenaiApi
ftc_teacher_openai_guess_api (const char *model)
{
  static const char *const completion_models[] = { "davinci", "babbage", "curie", "ada", "-instruct" };

  for (gsize i = 0; model != NULL && i < G_N_ELEMENTS (completion_models); i++)
    if (strstr (model, completion_models[i]) != NULL)
      return FTC_OPENAI_COMPLETIONS;
  return FTC_OPENAI_CHAT;
}

/* The completion limit of step 1 (of the one request, boxed). */
static int
step1_limit (const FtcTeachPlan *plan)
{
  return plan->prompt_style == FTC_PROMPT_BOXED && plan->max_completion_tokens > 0 ? plan->max_completion_tokens
                                                                                   : plan->max_tokens;
}

/* The step-1 prompt: Zero-shot-CoT's "Q: ...\nA: Let's think step by step.", or the boxed one. */
static char *
step1_prompt (const FtcTeachPlan *plan, const FtcSample *sample)
{
  if (plan->prompt_style == FTC_PROMPT_BOXED)
    return ftc_boxed_prompt (sample->question);
  return ftc_cot_reasoning_prompt_with (sample->question, plan->reasoning_trigger);
}

static double
cost_of (FtcTeacherOpenai *self, double prompt_tokens, double completion_tokens)
{
  if (!self->has_price)
    return 0;
  return ftc_price_cost (&self->price, (guint64) prompt_tokens, (guint64) completion_tokens);
}

/* The store key of a request: what makes its answer that answer. */
static char *
request_key (Run *run, const char *prompt, JsonArray *messages, double temperature, int max_tokens, guint k)
{
  FtcTeacherOpenai *self = run->self;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, ftc_openai_client_url (run->client, self->config.api));
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, self->config.model);
  if (prompt != NULL)
    {
      json_builder_set_member_name (b, "prompt");
      json_builder_add_string_value (b, prompt);
    }
  else
    {
      json_builder_set_member_name (b, "messages");
      json_builder_add_value (b, json_node_init_array (json_node_alloc (), messages));
    }
  json_builder_set_member_name (b, "temperature");
  json_builder_add_double_value (b, temperature);
  json_builder_set_member_name (b, "max_tokens");
  json_builder_add_int_value (b, max_tokens);
  json_builder_set_member_name (b, "sample_index");
  json_builder_add_int_value (b, k);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return ftc_completion_key (root);
}

static void
fail (Run *run, GError *error)
{
  if (!run->failed)
    {
      run->failed = TRUE;
      ftc_openai_client_stop (run->client, error);
    }
  else
    g_error_free (error);
}

static void
report (Run *run)
{
  FtcOpenaiStats stats;

  ftc_openai_client_get_stats (run->client, &stats);
  run->usage.requests = stats.http_requests;
  run->usage.in_flight = stats.in_flight;
  run->usage.cost_usd = run->self->has_price ? run->spent : -1;
  if (run->sink->progress != NULL)
    run->sink->progress (run->sink->user_data, &run->usage);
}

static gboolean
store_answer (Run *run, const char *key, int step, const FtcSample *sample, guint k,
              const FtcOpenaiChoice *choice, gint64 prompt_tokens, gint64 completion_tokens,
              gint64 reasoning_tokens, gboolean estimated, const char *response_id)
{
  g_autoptr (JsonObject) e = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = NULL;
  JsonObject *u;

  if (run->self->config.store == NULL)
    return TRUE;
  e = json_object_new ();
  now = g_date_time_new_now_utc ();
  json_object_set_int_member (e, "step", step);
  json_object_set_string_member (e, "sample_id", sample->id);
  json_object_set_int_member (e, "completion_index", k);
  json_object_set_string_member (e, "model", run->self->config.model);
  json_object_set_string_member (e, "text", choice->text);
  if (choice->reasoning != NULL)
    json_object_set_string_member (e, "reasoning", choice->reasoning);
  json_object_set_string_member (e, "finish_reason", choice->finish_reason);
  u = json_object_new ();
  json_object_set_int_member (u, "prompt_tokens", prompt_tokens);
  json_object_set_int_member (u, "completion_tokens", completion_tokens);
  if (reasoning_tokens >= 0)
    json_object_set_int_member (u, "reasoning_tokens", reasoning_tokens);
  if (estimated)
    json_object_set_boolean_member (u, "estimated", TRUE);
  json_object_set_object_member (e, "usage", u);
  if (response_id != NULL)
    json_object_set_string_member (e, "response_id", response_id);
  {
    g_autofree char *when = g_date_time_format_iso8601 (now);
    json_object_set_string_member (e, "received", when);
  }
  if (!ftc_completion_store_append (run->self->config.store, key, e, NULL, &error))
    {
      fail (run, g_steal_pointer (&error));
      return FALSE;
    }
  return TRUE;
}

static void
emit (Run *run, Step2 *s, const char *answer_text, const char *finish_reason, gint64 prompt_tokens2,
      gint64 completion_tokens2)
{
  FtcTeacherOutput out = { 0 };
  g_autoptr (GError) error = NULL;

  out.sample = s->sample;
  out.completion_index = s->k;
  out.reasoning_prompt = s->reasoning_prompt;
  out.rationale = s->rationale;
  out.reasoning_finish_reason = s->reasoning_finish;
  out.answer_trigger = run->trigger;
  out.answer_prompt = s->answer_prompt;
  out.answer_text = answer_text;
  out.finish_reason = finish_reason;
  out.prompt_tokens = s->prompt_tokens1 + prompt_tokens2;
  out.completion_tokens = s->completion_tokens1 + completion_tokens2;
  out.reasoning_tokens = -1;
  out.model = run->self->config.model;
  out.params = run->params;
  if (!run->sink->emit (run->sink->user_data, &out, &error))
    fail (run, g_steal_pointer (&error));
}

static Charge
worst_step1 (Run *run, const char *reasoning_prompt, guint n)
{
  guint p = ftc_openai_estimate_tokens (reasoning_prompt) + 4;
  guint requests = ftc_openai_client_n_supported (run->client) ? 1 : n;
  double prompt = (double) p * requests, completion = (double) step1_limit (run->plan) * n;
  return (Charge) { cost_of (run->self, prompt, completion), prompt + completion };
}

static Charge
worst_step2 (Run *run, const char *reasoning_prompt)
{
  if (run->plan->prompt_style == FTC_PROMPT_BOXED)
    return (Charge) { 0, 0 };   /* there is no step 2 */
  guint p = ftc_openai_estimate_tokens (reasoning_prompt) + run->plan->max_tokens +
            ftc_openai_estimate_tokens (run->trigger) + 8;
  return (Charge) { cost_of (run->self, p, run->plan->answer_max_tokens), (double) p + run->plan->answer_max_tokens };
}

static Charge
charge_add (Charge a, Charge b, double times)
{
  return (Charge) { a.usd + b.usd * times, a.tokens + b.tokens * times };
}

/* Budget check for a request about to be sent; FALSE stops feeding. */
static gboolean
reserve (Run *run, Charge amount)
{
  double budget = run->self->config.budget_usd;
  gint64 budget_tokens = run->self->config.budget_tokens;

  if ((budget > 0 && run->spent + run->reserved.usd + amount.usd > budget)
      || (budget_tokens > 0 && run->spent_tokens + run->reserved.tokens + amount.tokens > (double) budget_tokens))
    {
      run->budget_hit = TRUE;
      return FALSE;
    }
  run->reserved = charge_add (run->reserved, amount, 1.0);
  return TRUE;
}

static void
release (Run *run, Charge amount)
{
  run->reserved.usd = MAX (0.0, run->reserved.usd - amount.usd);
  run->reserved.tokens = MAX (0.0, run->reserved.tokens - amount.tokens);
}

/* What an answer used, counted against the budgets. */
static void
spend (Run *run, gint64 prompt_tokens, gint64 completion_tokens)
{
  run->spent += cost_of (run->self, prompt_tokens, completion_tokens);
  run->spent_tokens += (double) (prompt_tokens + completion_tokens);
}

/* A boxed answer: the thinking (reasoning field, else <think>...</think> in the text, else the text itself,
 * which is then its own reasoning) and the answer written after it. */
static void
emit_boxed (Run *run, const FtcSample *sample, guint k, const char *prompt, const char *text, const char *reasoning,
            const char *finish_reason, gint64 prompt_tokens, gint64 completion_tokens, gint64 reasoning_tokens)
{
  FtcTeacherOutput out = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *inline_trace = NULL;
  g_autofree char *inline_answer = NULL;
  const char *trace = reasoning, *answer = text;

  if (trace == NULL && (inline_trace = ftc_split_thinking (text, &inline_answer)) != NULL)
    {
      trace = inline_trace;
      answer = inline_answer;
    }
  if (trace == NULL)
    trace = text;
  out.sample = sample;
  out.completion_index = k;
  out.reasoning_prompt = prompt;
  out.rationale = trace;
  out.reasoning_finish_reason = finish_reason;
  out.completion = answer;
  out.finish_reason = finish_reason;
  out.prompt_tokens = prompt_tokens;
  out.completion_tokens = completion_tokens;
  out.reasoning_tokens = reasoning_tokens;
  out.model = run->self->config.model;
  out.params = run->params;
  if (!run->sink->emit (run->sink->user_data, &out, &error))
    fail (run, g_steal_pointer (&error));
}

static void on_step2 (FtcOpenaiClient *client, const FtcOpenaiRequest *req, const FtcOpenaiResponse *resp,
                      const GError *error, gpointer user_data);
static void feed (Run *run);

/* Step 2 of one rationale: from the store, or a request. */
static void
start_step2 (Run *run, const FtcSample *sample, guint k, const char *reasoning_prompt, const char *rationale,
             const char *reasoning_finish, gint64 prompt_tokens1, gint64 completion_tokens1,
             gboolean reserved)
{
  FtcTeacherOpenai *self = run->self;
  Step2 *s = g_new0 (Step2, 1);
  g_autoptr (JsonArray) messages = NULL;
  JsonObject *cached;
  FtcOpenaiRequest *req;

  s->run = run;
  s->sample = sample;
  s->k = k;
  s->reasoning_prompt = g_strdup (reasoning_prompt);
  s->rationale = g_strdup (rationale);
  s->reasoning_finish = g_strdup (reasoning_finish);
  s->prompt_tokens1 = prompt_tokens1;
  s->completion_tokens1 = completion_tokens1;
  g_ptr_array_add (run->step2s, s);
  if (self->config.api == FTC_OPENAI_COMPLETIONS)
    s->answer_prompt = ftc_cot_answer_prompt (reasoning_prompt, rationale, run->trigger);
  else
    messages = ftc_cot_chat_messages_with (run->plan->system_prompt, reasoning_prompt, rationale, run->trigger);
  s->key = request_key (run, s->answer_prompt, messages, 0.0, run->plan->answer_max_tokens, k);

  cached = self->config.store != NULL ? ftc_completion_store_lookup (self->config.store, s->key) : NULL;
  if (cached != NULL)
    {
      JsonObject *u = json_object_get_object_member (cached, "usage");
      if (reserved)
        release (run, worst_step2 (run, reasoning_prompt));
      run->usage.cached++;
      emit (run, s, json_object_get_string_member_with_default (cached, "text", ""),
            json_object_get_string_member_with_default (cached, "finish_reason", "unknown"),
            u != NULL ? json_object_get_int_member_with_default (u, "prompt_tokens", 0) : 0,
            u != NULL ? json_object_get_int_member_with_default (u, "completion_tokens", 0) : 0);
      return;
    }
  s->reserved = worst_step2 (run, reasoning_prompt);
  {
    Waiters *w = g_hash_table_lookup (run->inflight, s->key);
    if (w != NULL)
      {
        /* the same step 2 is on its way for another sample with the same question and rationale */
        if (reserved)
          release (run, s->reserved);
        g_ptr_array_add (w->steps2, s);
        return;
      }
  }
  if (!reserved && !reserve (run, s->reserved))
    return;
  inflight_add (run, s->key);

  req = ftc_openai_request_new (self->config.api, self->config.model);
  req->prompt = g_strdup (s->answer_prompt);
  req->messages = g_steal_pointer (&messages);
  req->temperature = 0.0;
  req->max_tokens = run->plan->answer_max_tokens;
  req->label = g_strdup_printf ("%s #%u step 2", sample->id, k);
  req->priority = 1;   /* finish records before starting new questions */
  run->live++;
  ftc_openai_client_submit (run->client, req, on_step2, s);
}

static void
on_step2 (FtcOpenaiClient *client, const FtcOpenaiRequest *req, const FtcOpenaiResponse *resp,
          const GError *error, gpointer user_data)
{
  Step2 *s = user_data;
  Run *run = s->run;
  const FtcOpenaiChoice *choice;

  if (resp == NULL)
    {
      fail (run, g_error_copy (error));
      return;
    }
  run->live--;
  release (run, s->reserved);
  spend (run, resp->prompt_tokens, resp->completion_tokens);
  run->usage.prompt_tokens += resp->prompt_tokens;
  run->usage.completion_tokens += resp->completion_tokens;
  choice = resp->choices->pdata[0];
  if (store_answer (run, s->key, 2, s->sample, s->k, choice, resp->prompt_tokens, resp->completion_tokens, -1,
                    resp->usage_estimated, resp->id))
    {
      Waiters *w = g_hash_table_lookup (run->inflight, s->key);
      emit (run, s, choice->text, choice->finish_reason, resp->prompt_tokens, resp->completion_tokens);
      for (guint i = 0; w != NULL && i < w->steps2->len && !run->failed; i++)
        {
          run->usage.cached++;
          emit (run, w->steps2->pdata[i], choice->text, choice->finish_reason, 0, 0);
        }
      g_hash_table_remove (run->inflight, s->key);
    }
  feed (run);
  report (run);
}

static void
on_step1 (FtcOpenaiClient *client, const FtcOpenaiRequest *req, const FtcOpenaiResponse *resp,
          const GError *error, gpointer user_data)
{
  Step1 *s = user_data;
  Run *run = s->run;
  guint got;

  if (resp == NULL)
    {
      fail (run, g_error_copy (error));
      return;
    }
  got = resp->choices->len;
  spend (run, resp->prompt_tokens, resp->completion_tokens);
  run->usage.prompt_tokens += resp->prompt_tokens;
  run->usage.completion_tokens += resp->completion_tokens;
  release (run, charge_add ((Charge) { 0, 0 }, s->reserved, (double) got / MAX (s->ks->len, 1)));
  for (guint i = 0; i < got && !run->failed; i++)
    {
      const FtcOpenaiChoice *choice = resp->choices->pdata[i];
      guint k = g_array_index (s->ks, guint, choice->index);
      const char *key = s->keys->pdata[choice->index];
      /* the answer's usage goes with its samples: the prompt once, the completion tokens shared */
      gint64 p = i == 0 ? resp->prompt_tokens : 0;
      gint64 c = resp->completion_tokens / got + (i == 0 ? resp->completion_tokens % got : 0);
      gint64 r = resp->reasoning_tokens < 0 ? -1
                 : resp->reasoning_tokens / got + (i == 0 ? resp->reasoning_tokens % got : 0);

      if (r > 0)
        run->usage.reasoning_tokens += r;
      if (store_answer (run, key, 1, s->sample, k, choice, p, c, r, resp->usage_estimated, resp->id))
        {
          Waiters *w = g_hash_table_lookup (run->inflight, key);
          for (guint j = 0; w != NULL && j < w->positions->len; j++)
            g_queue_push_tail (&run->requeue, GINT_TO_POINTER (g_array_index (w->positions, int, j)));
          g_hash_table_remove (run->inflight, key);
          if (run->plan->prompt_style == FTC_PROMPT_BOXED)
            {
              /* one request: the answer is there; its share of the reservation goes */
              release (run, worst_step2 (run, s->reasoning_prompt));
              emit_boxed (run, s->sample, k, s->reasoning_prompt, choice->text, choice->reasoning,
                          choice->finish_reason, p, c, r);
            }
          else
            start_step2 (run, s->sample, k, s->reasoning_prompt, choice->text, choice->finish_reason, p, c, TRUE);
        }
    }
  s->remaining -= MIN (got, s->remaining);
  if (s->remaining == 0)
    run->live--;
  feed (run);
  report (run);
}

/* Takes up one question: the cached parts are done on the spot, the rest is requested. FALSE when the
 * question could not be started (budget). */
static gboolean
take_question (Run *run, int pos)
{
  FtcTeacherOpenai *self = run->self;
  const FtcTeachPlan *plan = run->plan;
  const FtcSample *sample = plan->task->samples->pdata[pos];
  g_autofree char *rp = step1_prompt (plan, sample);
  g_autoptr (JsonArray) messages = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  Step1 *s;
  FtcOpenaiRequest *req;

  if (self->config.api == FTC_OPENAI_CHAT)
    messages = ftc_cot_chat_messages_with (plan->system_prompt, rp, NULL, NULL);
  g_ptr_array_set_size (keys, plan->samples);
  for (guint k = 0; k < plan->samples; k++)
    {
      char *key;
      Waiters *w;

      if (run->sink->is_done != NULL && run->sink->is_done (run->sink->user_data, sample, k))
        continue;
      key = request_key (run, self->config.api == FTC_OPENAI_COMPLETIONS ? rp : NULL, messages,
                         plan->temperature, step1_limit (plan), k);
      keys->pdata[k] = key;
      if ((w = g_hash_table_lookup (run->inflight, key)) != NULL)
        {
          /* an identical question is being asked: take this one up when its answer is cached */
          g_array_append_val (w->positions, pos);
          return TRUE;
        }
    }

  s = g_new0 (Step1, 1);
  s->run = run;
  s->sample = sample;
  s->reasoning_prompt = g_strdup (rp);
  s->ks = g_array_new (FALSE, FALSE, sizeof (guint));
  s->keys = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (run->step1s, s);
  for (guint k = 0; k < plan->samples && !run->failed && !run->budget_hit; k++)
    {
      char *key = keys->pdata[k];
      JsonObject *cached;

      if (key == NULL)
        continue;   /* done */
      cached = self->config.store != NULL ? ftc_completion_store_lookup (self->config.store, key) : NULL;
      if (cached != NULL)
        {
          JsonObject *u = json_object_get_object_member (cached, "usage");
          run->usage.cached++;
          if (plan->prompt_style == FTC_PROMPT_BOXED)
            emit_boxed (run, sample, k, rp, json_object_get_string_member_with_default (cached, "text", ""),
                        json_object_get_string_member_with_default (cached, "reasoning", NULL),
                        json_object_get_string_member_with_default (cached, "finish_reason", "unknown"),
                        u != NULL ? json_object_get_int_member_with_default (u, "prompt_tokens", 0) : 0,
                        u != NULL ? json_object_get_int_member_with_default (u, "completion_tokens", 0) : 0,
                        u != NULL ? json_object_get_int_member_with_default (u, "reasoning_tokens", -1) : -1);
          else
            start_step2 (run, sample, k, rp, json_object_get_string_member_with_default (cached, "text", ""),
                         json_object_get_string_member_with_default (cached, "finish_reason", "unknown"),
                         u != NULL ? json_object_get_int_member_with_default (u, "prompt_tokens", 0) : 0,
                         u != NULL ? json_object_get_int_member_with_default (u, "completion_tokens", 0) : 0,
                         FALSE);
          continue;
        }
      g_array_append_val (s->ks, k);
      g_ptr_array_add (s->keys, g_steal_pointer (&keys->pdata[k]));
    }
  if (run->failed || run->budget_hit)
    return FALSE;
  if (s->ks->len == 0)
    return TRUE;
  /* reserve the question's worst case: step 1 and the step 2 of each rationale it brings (each step 2
   * takes over its share when it starts, so a started question can always finish) */
  s->reserved = worst_step1 (run, rp, s->ks->len);
  if (!reserve (run, charge_add (s->reserved, worst_step2 (run, rp), s->ks->len)))
    return FALSE;
  s->remaining = s->ks->len;
  for (guint i = 0; i < s->keys->len; i++)
    inflight_add (run, s->keys->pdata[i]);

  req = ftc_openai_request_new (self->config.api, self->config.model);
  if (self->config.api == FTC_OPENAI_COMPLETIONS)
    req->prompt = g_strdup (rp);
  else
    req->messages = json_array_ref (messages);
  req->temperature = plan->temperature;
  if (plan->prompt_style == FTC_PROMPT_BOXED)
    {
      req->max_tokens = 0;
      req->max_completion_tokens = plan->max_completion_tokens;
      req->stream = plan->stream;
    }
  else
    req->max_tokens = plan->max_tokens;
  req->n = s->ks->len;
  req->label = s->ks->len == 1
               ? g_strdup_printf ("%s #%u step 1", sample->id, g_array_index (s->ks, guint, 0))
               : g_strdup_printf ("%s #%u-%u step 1", sample->id, g_array_index (s->ks, guint, 0),
                                  g_array_index (s->ks, guint, s->ks->len - 1));
  run->live++;
  ftc_openai_client_submit (run->client, req, on_step1, s);
  return TRUE;
}

static gboolean
work_left (Run *run)
{
  return run->requeue.length > 0 || run->cursor < run->plan->positions->len;
}

/* Starts work until enough requests are waiting. */
static void
feed (Run *run)
{
  while (!run->failed && !run->budget_hit && run->live < run->window && work_left (run))
    {
      gboolean requeued = run->requeue.length > 0;
      int pos = requeued ? GPOINTER_TO_INT (g_queue_peek_head (&run->requeue))
                         : g_array_index (run->plan->positions, int, run->cursor);

      if (g_cancellable_is_cancelled (run->cancellable))
        return;
      if (!take_question (run, pos))
        return;
      if (requeued)
        g_queue_pop_head (&run->requeue);
      else
        run->cursor++;
    }
}

static JsonObject *
openai_describe (FtcTeacher *teacher)
{
  FtcTeacherOpenai *self = (FtcTeacherOpenai *) teacher;
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "teacher", "openai");
  {
    g_autofree char *url = ftc_openai_url_for_display (self->config.client.base_url);
    json_object_set_string_member (o, "url", url);
  }
  json_object_set_string_member (o, "api", ftc_openai_api_to_string (self->config.api));
  json_object_set_string_member (o, "model", self->config.model);
  return o;
}

static JsonObject *
run_params (Run *run)
{
  JsonObject *o = openai_describe (&run->self->parent);

  json_object_set_double_member (o, "temperature", run->plan->temperature);
  json_object_set_int_member (o, "max_tokens", run->plan->max_tokens);
  json_object_set_int_member (o, "answer_max_tokens", run->plan->answer_max_tokens);
  json_object_set_int_member (o, "samples", run->plan->samples);
  if (run->plan->prompt_style != FTC_PROMPT_ZERO_SHOT_COT)
    {
      json_object_set_string_member (o, "prompt_style", ftc_prompt_style_to_string (run->plan->prompt_style));
      json_object_set_int_member (o, "max_completion_tokens", run->plan->max_completion_tokens);
      json_object_set_boolean_member (o, "stream", run->plan->stream);
    }
  return o;
}

static void
openai_estimate (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink, FtcTeachEstimate *out)
{
  FtcTeacherOpenai *self = (FtcTeacherOpenai *) teacher;
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcOpenaiClient) client = ftc_openai_client_new (&self->config.client, &error);
  Run run = { 0 };
  guint trigger_tokens = ftc_openai_estimate_tokens (ftc_teach_plan_answer_trigger (plan));

  memset (out, 0, sizeof *out);
  if (client == NULL)
    return;
  run.self = self;
  run.plan = plan;
  run.client = client;
  for (guint i = 0; i < plan->positions->len; i++)
    {
      const FtcSample *sample = plan->task->samples->pdata[g_array_index (plan->positions, int, i)];
      g_autofree char *rp = step1_prompt (plan, sample);
      g_autoptr (JsonArray) messages = self->config.api == FTC_OPENAI_CHAT ? ftc_cot_chat_messages_with (plan->system_prompt, rp, NULL, NULL)
                                                                            : NULL;
      gboolean boxed = plan->prompt_style == FTC_PROMPT_BOXED;
      guint p = ftc_openai_estimate_tokens (rp) + 4;
      guint uncached = 0, step2 = 0;

      for (guint k = 0; k < plan->samples; k++)
        {
          g_autofree char *key = NULL;
          JsonObject *cached;

          if (sink != NULL && sink->is_done != NULL && sink->is_done (sink->user_data, sample, k))
            continue;
          key = request_key (&run, messages == NULL ? rp : NULL, messages, plan->temperature, step1_limit (plan), k);
          cached = self->config.store != NULL ? ftc_completion_store_lookup (self->config.store, key) : NULL;
          if (cached == NULL)
            uncached++;
          if (boxed)
            continue;   /* no step 2 */
          /* step 2 of a cached rationale may be cached too: that is known only by building its prompt */
          if (cached != NULL)
            {
              const char *text = json_object_get_string_member_with_default (cached, "text", "");
              g_autofree char *ap = messages == NULL ? ftc_cot_answer_prompt (rp, text, ftc_teach_plan_answer_trigger (plan))
                                                     : NULL;
              g_autoptr (JsonArray) m2 = messages != NULL
                                         ? ftc_cot_chat_messages_with (plan->system_prompt, rp, text, ftc_teach_plan_answer_trigger (plan)) : NULL;
              g_autofree char *key2 = request_key (&run, ap, m2, 0.0, plan->answer_max_tokens, k);
              if (ftc_completion_store_lookup (self->config.store, key2) != NULL)
                continue;
            }
          step2++;
        }
      if (uncached > 0)
        {
          guint requests = self->config.client.n_mode == FTC_OPENAI_N_NEVER ? uncached : 1;
          out->requests += requests;
          out->prompt_tokens += (guint64) p * requests;
          out->completion_tokens += (guint64) step1_limit (plan) * uncached;
        }
      out->requests += step2;
      out->prompt_tokens += (guint64) (p + plan->max_tokens + trigger_tokens + 2) * step2;
      out->completion_tokens += (guint64) plan->answer_max_tokens * step2;
    }
  out->cost_usd = self->has_price ? ftc_price_cost (&self->price, out->prompt_tokens, out->completion_tokens) : -1;
}

static gboolean
openai_run (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink, GCancellable *cancellable,
            GError **error)
{
  FtcTeacherOpenai *self = (FtcTeacherOpenai *) teacher;
  g_autoptr (FtcOpenaiClient) client = NULL;
  Run run = { 0 };
  gboolean ok = TRUE;
  g_autoptr (GError) local = NULL;

  if (ftc_teach_plan_answer_trigger (plan) == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "task %s has no answer trigger", plan->task->key);
      return FALSE;
    }
  client = ftc_openai_client_new (&self->config.client, error);
  if (client == NULL)
    return FALSE;
  run.self = self;
  run.plan = plan;
  run.sink = sink;
  run.cancellable = cancellable;
  run.trigger = ftc_teach_plan_answer_trigger (plan);
  run.client = client;
  run.window = MAX (self->config.client.max_in_flight * 2, 4);
  run.params = run_params (&run);
  run.usage.cost_usd = self->has_price ? 0 : -1;
  run.step1s = g_ptr_array_new_with_free_func (step1_free);
  run.step2s = g_ptr_array_new_with_free_func (step2_free);
  run.inflight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, waiters_free);

  do
    {
      feed (&run);
      if (!ftc_openai_client_run (client, cancellable, &local))
        {
          ok = FALSE;
          break;
        }
    }
  while (!run.failed && !run.budget_hit && work_left (&run) &&
         !g_cancellable_is_cancelled (cancellable));
  report (&run);

  if (ok && g_cancellable_is_cancelled (cancellable))
    {
      ok = FALSE;
      g_set_error (&local, FTC_ERROR, FTC_ERROR_CANCELLED, "cancelled");
    }
  if (ok && run.budget_hit && self->config.budget_tokens > 0
      && (self->config.budget_usd <= 0 || run.spent_tokens / self->config.budget_tokens
                                          >= run.spent / self->config.budget_usd))
    {
      /* the token budget is the nearer of the two */
      ok = FALSE;
      g_set_error (&local, FTC_ERROR, FTC_ERROR_BUDGET,
                   "budget of %" G_GINT64_FORMAT " tokens reached (%.0f used in this run, %u of %u questions "
                   "started); what was received is saved and a larger budget continues from there",
                   self->config.budget_tokens, run.spent_tokens, run.cursor, plan->positions->len);
    }
  else if (ok && run.budget_hit)
    {
      ok = FALSE;
      g_set_error (&local, FTC_ERROR, FTC_ERROR_BUDGET,
                   "budget of $%.2f reached ($%.4f spent in this run, %u of %u questions started); what was "
                   "received is saved and a larger budget continues from there", self->config.budget_usd,
                   run.spent, run.cursor, plan->positions->len);
    }
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local));
  json_object_unref (run.params);
  g_ptr_array_unref (run.step1s);
  g_ptr_array_unref (run.step2s);
  g_hash_table_unref (run.inflight);
  g_queue_clear (&run.requeue);
  return ok;
}

static void
openai_finalize (FtcTeacher *teacher)
{
  FtcTeacherOpenai *self = (FtcTeacherOpenai *) teacher;

  ftc_teacher_openai_config_clear (&self->config);
  ftc_price_table_free (self->own_prices);
  g_free (self);
}

static const FtcTeacherClass openai_class = {
  .kind = "openai",
  .describe = openai_describe,
  .estimate = openai_estimate,
  .run = openai_run,
  .finalize = openai_finalize,
};

FtcTeacher *
ftc_teacher_openai_new (const FtcTeacherOpenaiConfig *config, GError **error)
{
  FtcTeacherOpenai *self;
  g_autoptr (FtcOpenaiClient) probe = NULL;

  if (config->model == NULL || *config->model == '\0')
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the teacher needs a model name");
      return NULL;
    }
  probe = ftc_openai_client_new (&config->client, error);   /* checks the URL */
  if (probe == NULL)
    return NULL;
  self = g_new0 (FtcTeacherOpenai, 1);
  self->parent.klass = &openai_class;
  self->config = *config;
  self->config.client.base_url = g_strdup (config->client.base_url);
  self->config.client.api_key = g_strdup (config->client.api_key);
  self->config.model = g_strdup (config->model);
  if (config->prices == NULL)
    self->config.prices = self->own_prices = ftc_price_table_new ();
  self->has_price = ftc_price_table_lookup (self->config.prices, config->model, &self->price);
  if (config->budget_usd > 0 && !self->has_price)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                   "no price is known for model %s, so a budget cannot be kept: give a price file", config->model);
      openai_finalize (&self->parent);
      return NULL;
    }
  return &self->parent;
}
