#include "tests/ftc-fake-openai.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core/teach/ftc-teacher.h"
#include "tests/ftc-test-server.h"

#define STEP1_MARK "\nA: Let's think step by step."

typedef struct {
  char *rationale;
  char *trigger;
  char *answer_text;
} Recorded;

struct _FtcFakeOpenai {
  FtcTestServer *server;
  GMutex lock;
  GHashTable *recorded;     /* step-1 prompt -> Recorded* */
  GQueue faults;            /* GUINT_TO_POINTER (FtcFakeFault) */
  double fault_rate;
  GRand *rand;
  double retry_after;
  guint slow_ms;
  gboolean n_supported;
  gboolean send_usage;
  guint delay_ms;
  guint requests;
  guint answered;
  guint malformed_step2;
  GHashTable *answers;      /* count key -> count */
  char *last_authorization;
  guint64 next_id;
  FtcFakeThinking thinking;
  GHashTable *boxed_answers;  /* question -> answer */
  guint streamed;
  gint64 last_max_completion_tokens;
};

static void
recorded_free (gpointer p)
{
  Recorded *r = p;
  g_free (r->rationale);
  g_free (r->trigger);
  g_free (r->answer_text);
  g_free (r);
}

static void
set_json_body (FtcTestResponse *resp, JsonNode *root)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  gsize len = 0;
  char *text;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  if (resp->body != NULL)
    g_bytes_unref (resp->body);
  resp->body = g_bytes_new_take (text, len);
}

static void
set_error (FtcTestResponse *resp, int status, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "fake_error");
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  resp->status = status;
  set_json_body (resp, root);
}

static void
add_header (FtcTestResponse *resp, const char *header)
{
  if (resp->headers == NULL)
    resp->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (resp->headers, g_strdup (header));
}

static guint
text_hash (const char *s)
{
  return g_str_hash (s);
}

/* What to answer: fills *text for choice 0 (the caller varies the others). */
static char *
answer_for (FtcFakeOpenai *fake, const char *first_user, const char *rationale, const char *trigger_turn,
            gboolean chat, gboolean *step2_out)
{
  Recorded *r = g_hash_table_lookup (fake->recorded, first_user);
  const char *mark;

  if (chat)
    {
      *step2_out = trigger_turn != NULL;
      if (r == NULL)
        return *step2_out ? g_strdup_printf (" %u.", text_hash (first_user) % 100)
                          : g_strdup_printf (" Let's see. We work it out carefully. The answer is %u.",
                                             text_hash (first_user) % 100);
      if (!*step2_out)
        return g_strdup (r->rationale);
      if (g_strcmp0 (trigger_turn, r->trigger) != 0)
        fake->malformed_step2++;
      return g_strdup (r->answer_text);
    }

  /* completions: first_user is the whole prompt */
  if (r != NULL)
    {
      *step2_out = FALSE;
      return g_strdup (r->rationale);
    }
  mark = strstr (first_user, STEP1_MARK);
  if (mark != NULL && mark[strlen (STEP1_MARK)] != '\0')
    {
      g_autofree char *step1 = g_strndup (first_user, mark - first_user + strlen (STEP1_MARK));
      *step2_out = TRUE;
      r = g_hash_table_lookup (fake->recorded, step1);
      if (r != NULL)
        {
          g_autofree char *suffix = g_strconcat (" \n", r->trigger, NULL);
          if (!g_str_has_suffix (first_user, suffix))
            fake->malformed_step2++;
          return g_strdup (r->answer_text);
        }
      return g_strdup_printf (" %u.", text_hash (step1) % 100);
    }
  *step2_out = FALSE;
  return g_strdup_printf (" Let's see. We work it out carefully. The answer is %u.", text_hash (first_user) % 100);
}

/* ---- a reasoning model ---- */

typedef struct {
  char *reasoning;      /* NULL: none (tags inline, or cut) */
  char *content;        /* NULL: none (cut while thinking) */
  const char *finish;
  gint64 reasoning_tokens;
  gint64 completion_tokens;
} Thought;

static void
thought_clear (Thought *t)
{
  g_free (t->reasoning);
  g_free (t->content);
}

static void
think (FtcFakeOpenai *fake, const char *question, gint64 i, gint64 max_completion, Thought *out)
{
  const char *known = g_hash_table_lookup (fake->boxed_answers, question);
  g_autofree char *answer = i % 4 == 3 ? g_strdup ("999")
                            : known != NULL ? g_strdup (known) : g_strdup_printf ("%u", text_hash (question) % 100);
  g_autoptr (GString) trace = g_string_new ("Okay, let me work through this problem carefully. ");
  g_autofree char *content = g_strdup_printf ("We worked it out above.\n\nThe final answer is $\\boxed{%s}$.", answer);
  gint64 trace_tokens;

  for (int k = 0; k < 12; k++)
    g_string_append_printf (trace, "Step %d: consider the quantities again and check the arithmetic of sample %"
                            G_GINT64_FORMAT ". ", k + 1, i);
  g_string_append_printf (trace, "Wait, let me double-check. Yes, the answer is %s.", answer);
  trace_tokens = (gint64) (trace->len + 3) / 4;
  memset (out, 0, sizeof *out);
  out->finish = "stop";
  if (max_completion > 0 && max_completion < trace_tokens)
    {
      /* out of tokens while thinking: no answer at all */
      g_string_truncate (trace, (gsize) max_completion * 4);
      trace_tokens = max_completion;
      out->finish = "length";
      g_clear_pointer (&content, g_free);
    }
  out->reasoning_tokens = trace_tokens;
  out->completion_tokens = trace_tokens + (content != NULL ? (gint64) (strlen (content) + 3) / 4 : 0);
  if (fake->thinking == FTC_FAKE_THINK_TAGS)
    {
      out->content = g_strconcat ("<think>\n", trace->str, content != NULL ? "\n</think>\n\n" : "",
                                  content != NULL ? content : "", NULL);
      out->reasoning_tokens = -1;
    }
  else
    {
      out->reasoning = g_strdup (trace->str);
      out->content = g_steal_pointer (&content);
    }
}

static void
add_message (JsonBuilder *b, const char *member, FtcFakeThinking mode, const char *content, const char *reasoning)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "assistant");
  json_builder_set_member_name (b, "content");
  if (content != NULL)
    json_builder_add_string_value (b, content);
  else
    json_builder_add_null_value (b);
  if (reasoning != NULL)
    {
      json_builder_set_member_name (b, mode == FTC_FAKE_THINK_REASONING ? "reasoning" : "reasoning_content");
      json_builder_add_string_value (b, reasoning);
    }
  json_builder_end_object (b);
}

static void
add_usage (JsonBuilder *b, gint64 prompt, gint64 completion, gint64 reasoning)
{
  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "prompt_tokens");
  json_builder_add_int_value (b, prompt);
  json_builder_set_member_name (b, "completion_tokens");
  json_builder_add_int_value (b, completion);
  json_builder_set_member_name (b, "total_tokens");
  json_builder_add_int_value (b, prompt + completion);
  if (reasoning >= 0)
    {
      json_builder_set_member_name (b, "completion_tokens_details");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "reasoning_tokens");
      json_builder_add_int_value (b, reasoning);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static char *
node_text (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* One chunk of a chat stream: a delta for choice i. */
static void
append_chunk (GString *sse, const char *id, const char *model, gint64 i, FtcFakeThinking mode, const char *member,
              const char *piece, const char *finish)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "chat.completion.chunk");
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, i);
  json_builder_set_member_name (b, "delta");
  json_builder_begin_object (b);
  if (member != NULL)
    {
      json_builder_set_member_name (b, member);
      json_builder_add_string_value (b, piece);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "finish_reason");
  if (finish != NULL)
    json_builder_add_string_value (b, finish);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  text = node_text (b);
  g_string_append_printf (sse, "data: %s\n\n", text);
}

/* Appends text in three pieces, as a stream delivers it. */
static void
append_pieces (GString *sse, const char *id, const char *model, gint64 i, FtcFakeThinking mode, const char *member,
               const char *text)
{
  gsize n = strlen (text), cut1 = n / 3, cut2 = 2 * n / 3;
  g_autofree char *a = g_strndup (text, cut1);
  g_autofree char *b = g_strndup (text + cut1, cut2 - cut1);

  append_chunk (sse, id, model, i, mode, member, a, NULL);
  append_chunk (sse, id, model, i, mode, member, b, NULL);
  append_chunk (sse, id, model, i, mode, member, text + cut2, NULL);
}

static void
answer_boxed (FtcFakeOpenai *fake, FtcTestResponse *resp, const char *question, const char *model, gint64 n,
              gint64 prompt_tokens, gint64 max_completion, gboolean stream, guint64 id)
{
  g_autofree char *id_text = g_strdup_printf ("chatcmpl-fake-%" G_GUINT64_FORMAT, id);
  g_autoptr (GArray) thoughts = g_array_new (FALSE, TRUE, sizeof (Thought));
  gint64 completion = 0, reasoning = 0;

  g_array_set_size (thoughts, n);
  for (gint64 i = 0; i < n; i++)
    {
      Thought *t = &g_array_index (thoughts, Thought, i);
      think (fake, question, i, max_completion, t);
      completion += t->completion_tokens;
      reasoning = t->reasoning_tokens < 0 ? -1 : reasoning + t->reasoning_tokens;
    }
  if (stream)
    {
      g_autoptr (GString) sse = g_string_new (": a comment line, as servers send to keep a connection open\n\n");
      const char *member = fake->thinking == FTC_FAKE_THINK_REASONING ? "reasoning" : "reasoning_content";
      for (gint64 i = 0; i < n; i++)
        {
          Thought *t = &g_array_index (thoughts, Thought, i);
          if (t->reasoning != NULL)
            append_pieces (sse, id_text, model, i, fake->thinking, member, t->reasoning);
          if (t->content != NULL)
            append_pieces (sse, id_text, model, i, fake->thinking, "content", t->content);
          append_chunk (sse, id_text, model, i, fake->thinking, NULL, NULL, t->finish);
        }
      {
        g_autoptr (JsonBuilder) b = json_builder_new ();
        g_autofree char *text = NULL;
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "id");
        json_builder_add_string_value (b, id_text);
        json_builder_set_member_name (b, "choices");
        json_builder_begin_array (b);
        json_builder_end_array (b);
        add_usage (b, prompt_tokens, completion, reasoning);
        json_builder_end_object (b);
        text = node_text (b);
        g_string_append_printf (sse, "data: %s\n\ndata: [DONE]\n\n", text);
      }
      g_free (resp->content_type);
      resp->content_type = g_strdup ("text/event-stream");
      resp->body = g_bytes_new (sse->str, sse->len);
    }
  else
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autofree char *text = NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id_text);
      json_builder_set_member_name (b, "object");
      json_builder_add_string_value (b, "chat.completion");
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, model);
      json_builder_set_member_name (b, "choices");
      json_builder_begin_array (b);
      for (gint64 i = 0; i < n; i++)
        {
          Thought *t = &g_array_index (thoughts, Thought, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "index");
          json_builder_add_int_value (b, i);
          add_message (b, "message", fake->thinking, t->content, t->reasoning);
          json_builder_set_member_name (b, "finish_reason");
          json_builder_add_string_value (b, t->finish);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      add_usage (b, prompt_tokens, completion, reasoning);
      json_builder_end_object (b);
      text = node_text (b);
      resp->body = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
    }
  for (gint64 i = 0; i < n; i++)
    thought_clear (&g_array_index (thoughts, Thought, i));
}

static FtcFakeFault
draw_fault (FtcFakeOpenai *fake)
{
  static const FtcFakeFault retryable[] = {
    FTC_FAKE_429, FTC_FAKE_500, FTC_FAKE_503, FTC_FAKE_TRUNCATED, FTC_FAKE_INVALID_JSON, FTC_FAKE_RESET,
    FTC_FAKE_MISSING_FIELDS,
  };

  if (fake->faults.length > 0)
    return GPOINTER_TO_UINT (g_queue_pop_head (&fake->faults));
  if (fake->fault_rate > 0 && g_rand_double (fake->rand) < fake->fault_rate)
    return retryable[g_rand_int_range (fake->rand, 0, G_N_ELEMENTS (retryable))];
  return FTC_FAKE_OK;
}

static void
handle (const FtcTestRequest *req, FtcTestResponse *resp, gpointer user_data)
{
  FtcFakeOpenai *fake = user_data;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *first_user = NULL;
  g_autofree char *count_key = NULL;
  g_autofree char *text = NULL;
  const char *rationale = NULL, *trigger_turn = NULL;
  const char *auth;
  gboolean chat, step2 = FALSE;
  JsonObject *body;
  const char *model;
  gint64 n;
  FtcFakeFault fault;
  guint64 id;
  gsize body_len;
  const char *body_data;

  g_mutex_lock (&fake->lock);
  fake->requests++;
  auth = g_hash_table_lookup (req->headers, "authorization");
  g_free (fake->last_authorization);
  fake->last_authorization = g_strdup (auth);
  fault = draw_fault (fake);
  id = fake->next_id++;
  g_mutex_unlock (&fake->lock);

  if (g_strcmp0 (req->method, "POST") != 0)
    {
      set_error (resp, 405, "only POST");
      return;
    }
  chat = g_str_has_suffix (req->path, "/v1/chat/completions");
  if (!chat && !g_str_has_suffix (req->path, "/v1/completions"))
    {
      set_error (resp, 404, "no such endpoint");
      return;
    }
  body_data = g_bytes_get_data (req->body, &body_len);
  if (!json_parser_load_from_data (parser, body_data, body_len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      set_error (resp, 400, "body is not a JSON object");
      return;
    }
  body = json_node_get_object (json_parser_get_root (parser));
  model = json_object_get_string_member_with_default (body, "model", NULL);
  n = json_object_get_int_member_with_default (body, "n", 1);
  if (model == NULL || n < 1 || n > 128)
    {
      set_error (resp, 400, "model missing or n out of range");
      return;
    }
  if (chat)
    {
      JsonArray *messages = json_object_has_member (body, "messages")
                            ? json_object_get_array_member (body, "messages") : NULL;
      guint len = messages != NULL ? json_array_get_length (messages) : 0;
      if (len != 1 && len != 3)
        {
          set_error (resp, 400, "expected 1 or 3 messages");
          return;
        }
      first_user = g_strdup (json_object_get_string_member_with_default (
                               json_array_get_object_element (messages, 0), "content", ""));
      if (len == 3)
        {
          rationale = json_object_get_string_member_with_default (json_array_get_object_element (messages, 1),
                                                                  "content", "");
          trigger_turn = json_object_get_string_member_with_default (json_array_get_object_element (messages, 2),
                                                                     "content", "");
          count_key = g_strconcat (first_user, "\x1f", rationale, "\x1f", trigger_turn, NULL);
        }
      else
        count_key = g_strdup (first_user);
    }
  else
    {
      first_user = g_strdup (json_object_get_string_member_with_default (body, "prompt", ""));
      count_key = g_strdup (first_user);
    }

  switch (fault)
    {
    case FTC_FAKE_429:
      {
        g_autofree char *h = g_strdup_printf ("Retry-After: %g", fake->retry_after);
        set_error (resp, 429, "Rate limit reached, slow down");
        add_header (resp, h);
        return;
      }
    case FTC_FAKE_429_DATE:
      {
        g_autoptr (GDateTime) when = g_date_time_new_now_utc ();
        g_autoptr (GDateTime) later = g_date_time_add_seconds (when, fake->retry_after);
        g_autofree char *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
        g_autofree char *h = g_strdup_printf ("Retry-After: %s", date);
        set_error (resp, 429, "Rate limit reached, slow down");
        add_header (resp, h);
        return;
      }
    case FTC_FAKE_500:
      set_error (resp, 500, "The server had an error while processing your request");
      return;
    case FTC_FAKE_503:
      set_error (resp, 503, "The engine is currently overloaded");
      return;
    case FTC_FAKE_INVALID_JSON:
      resp->body = g_bytes_new_static ("{\"choices\": [{\"text\": \"unterminated", 35);
      return;
    case FTC_FAKE_RESET:
      resp->reset = TRUE;
      return;
    case FTC_FAKE_401:
      {
        g_autofree char *m = g_strdup_printf ("Incorrect API key provided: %s. You can find your API key in "
                                              "your account settings.",
                                              auth != NULL && g_str_has_prefix (auth, "Bearer ") ? auth + 7 : "");
        set_error (resp, 401, m);
        return;
      }
    case FTC_FAKE_400:
      set_error (resp, 400, "Bad request");
      return;
    case FTC_FAKE_REDIRECT:
      resp->status = 307;
      add_header (resp, "Location: http://collector.invalid/v1/completions");
      return;
    default:
      break;
    }

  /* a boxed prompt: a reasoning model's answer */
  if (chat && rationale == NULL && g_str_has_suffix (first_user, "\n" FTC_BOXED_INSTRUCTION))
    {
      g_autofree char *question = g_strndup (first_user, strlen (first_user) - strlen ("\n" FTC_BOXED_INSTRUCTION));
      gint64 max_completion = json_object_get_int_member_with_default (body, "max_completion_tokens", 0);
      gboolean stream = json_object_get_boolean_member_with_default (body, "stream", FALSE);

      g_mutex_lock (&fake->lock);
      fake->streamed += stream;
      fake->last_max_completion_tokens = max_completion;
      answer_boxed (fake, resp, question, model, fake->n_supported ? n : 1, (strlen (first_user) + 3) / 4,
                    max_completion, stream, id);
      g_mutex_unlock (&fake->lock);
      if (fault == FTC_FAKE_TRUNCATED)
        {
          resp->truncate_at = g_bytes_get_size (resp->body) / 2;
          return;
        }
      resp->delay_ms = fake->delay_ms;
      g_mutex_lock (&fake->lock);
      fake->answered++;
      g_hash_table_insert (fake->answers, g_strdup (count_key),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (fake->answers, count_key)) + 1));
      g_mutex_unlock (&fake->lock);
      return;
    }

  g_mutex_lock (&fake->lock);
  text = answer_for (fake, first_user, rationale, trigger_turn, chat, &step2);
  g_mutex_unlock (&fake->lock);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  {
    g_autofree char *id_text = g_strdup_printf ("cmpl-fake-%" G_GUINT64_FORMAT, id);
    json_builder_add_string_value (b, id_text);
  }
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, chat ? "chat.completion" : "text_completion");
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model);
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  for (gint64 i = 0; i < (fake->n_supported ? n : 1); i++)
    {
      g_autofree char *t = i == 0 || step2 ? g_strdup (text)
                                           : g_strdup_printf ("%s (sample %" G_GINT64_FORMAT ")", text, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, i);
      if (fault == FTC_FAKE_MISSING_FIELDS && i == 0)
        ; /* no text at all */
      else if (chat)
        {
          json_builder_set_member_name (b, "message");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "role");
          json_builder_add_string_value (b, "assistant");
          json_builder_set_member_name (b, "content");
          json_builder_add_string_value (b, t);
          json_builder_end_object (b);
        }
      else
        {
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, t);
          json_builder_set_member_name (b, "logprobs");
          json_builder_add_null_value (b);
        }
      json_builder_set_member_name (b, "finish_reason");
      json_builder_add_string_value (b, "stop");
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (fake->send_usage)
    {
      json_builder_set_member_name (b, "usage");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "prompt_tokens");
      json_builder_add_int_value (b, (strlen (first_user) + 3) / 4);
      json_builder_set_member_name (b, "completion_tokens");
      json_builder_add_int_value (b, (strlen (text) + 3) / 4 * (fake->n_supported ? n : 1));
      json_builder_set_member_name (b, "total_tokens");
      json_builder_add_int_value (b, (strlen (first_user) + 3) / 4 + (strlen (text) + 3) / 4 * (fake->n_supported ? n : 1));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  set_json_body (resp, root);

  if (fault == FTC_FAKE_TRUNCATED)
    {
      resp->truncate_at = g_bytes_get_size (resp->body) / 2;
      return;
    }
  if (fault == FTC_FAKE_SLOW)
    {
      resp->delay_ms = fake->slow_ms;
      return;   /* the client has given up by then: not counted as answered */
    }
  if (fault == FTC_FAKE_MISSING_FIELDS)
    return;
  resp->delay_ms = fake->delay_ms;

  g_mutex_lock (&fake->lock);
  fake->answered++;
  g_hash_table_insert (fake->answers, g_strdup (count_key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (fake->answers, count_key)) + 1));
  g_mutex_unlock (&fake->lock);
}

FtcFakeOpenai *
ftc_fake_openai_new (GError **error)
{
  FtcFakeOpenai *fake = g_new0 (FtcFakeOpenai, 1);

  g_mutex_init (&fake->lock);
  fake->recorded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, recorded_free);
  fake->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fake->boxed_answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->rand = g_rand_new_with_seed (1);
  fake->retry_after = 1;
  fake->slow_ms = 3000;
  fake->n_supported = TRUE;
  fake->send_usage = TRUE;
  fake->server = ftc_test_server_new (handle, fake, error);
  if (fake->server == NULL)
    {
      ftc_fake_openai_free (fake);
      return NULL;
    }
  return fake;
}

void
ftc_fake_openai_free (FtcFakeOpenai *fake)
{
  if (fake == NULL)
    return;
  g_clear_pointer (&fake->server, ftc_test_server_free);
  g_hash_table_unref (fake->recorded);
  g_hash_table_unref (fake->answers);
  g_hash_table_unref (fake->boxed_answers);
  g_queue_clear (&fake->faults);
  g_rand_free (fake->rand);
  g_free (fake->last_authorization);
  g_mutex_clear (&fake->lock);
  g_free (fake);
}

gboolean
ftc_fake_openai_load_replay (FtcFakeOpenai *fake, const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  g_mutex_lock (&fake->lock);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      Recorded *r;

      if (*lines[i] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, error))
        {
          g_prefix_error (error, "%s:%u: ", path, i + 1);
          g_mutex_unlock (&fake->lock);
          return FALSE;
        }
      o = json_node_get_object (json_parser_get_root (parser));
      r = g_new0 (Recorded, 1);
      r->rationale = g_strdup (json_object_get_string_member (o, "rationale"));
      r->trigger = g_strdup (json_object_get_string_member (o, "answer_trigger"));
      r->answer_text = g_strdup (json_object_get_string_member (o, "answer_text"));
      g_hash_table_replace (fake->recorded, g_strdup (json_object_get_string_member (o, "prompt")), r);
    }
  g_mutex_unlock (&fake->lock);
  return TRUE;
}

const char *
ftc_fake_openai_url (FtcFakeOpenai *fake)
{
  return ftc_test_server_url (fake->server);
}

void
ftc_fake_openai_push_fault (FtcFakeOpenai *fake, FtcFakeFault fault, guint count)
{
  g_mutex_lock (&fake->lock);
  for (guint i = 0; i < count; i++)
    g_queue_push_tail (&fake->faults, GUINT_TO_POINTER (fault));
  g_mutex_unlock (&fake->lock);
}

void
ftc_fake_openai_set_fault_rate (FtcFakeOpenai *fake, double rate, guint64 seed)
{
  g_mutex_lock (&fake->lock);
  fake->fault_rate = rate;
  g_rand_set_seed (fake->rand, (guint32) seed);
  g_mutex_unlock (&fake->lock);
}

void
ftc_fake_openai_set_retry_after (FtcFakeOpenai *fake, double seconds)
{
  fake->retry_after = seconds;
}

void
ftc_fake_openai_set_slow_ms (FtcFakeOpenai *fake, guint ms)
{
  fake->slow_ms = ms;
}

void
ftc_fake_openai_set_n_supported (FtcFakeOpenai *fake, gboolean supported)
{
  fake->n_supported = supported;
}

void
ftc_fake_openai_set_delay_ms (FtcFakeOpenai *fake, guint ms)
{
  fake->delay_ms = ms;
}

void
ftc_fake_openai_set_usage (FtcFakeOpenai *fake, gboolean send_usage)
{
  fake->send_usage = send_usage;
}

guint
ftc_fake_openai_requests (FtcFakeOpenai *fake)
{
  guint n;
  g_mutex_lock (&fake->lock);
  n = fake->requests;
  g_mutex_unlock (&fake->lock);
  return n;
}

guint
ftc_fake_openai_answered (FtcFakeOpenai *fake)
{
  guint n;
  g_mutex_lock (&fake->lock);
  n = fake->answered;
  g_mutex_unlock (&fake->lock);
  return n;
}

guint
ftc_fake_openai_prompt_answers (FtcFakeOpenai *fake, const char *prompt)
{
  guint n;
  g_mutex_lock (&fake->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (fake->answers, prompt));
  g_mutex_unlock (&fake->lock);
  return n;
}

GHashTable *
ftc_fake_openai_answer_counts (FtcFakeOpenai *fake)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer k, v;

  g_mutex_lock (&fake->lock);
  g_hash_table_iter_init (&iter, fake->answers);
  while (g_hash_table_iter_next (&iter, &k, &v))
    g_hash_table_insert (copy, g_strdup (k), v);
  g_mutex_unlock (&fake->lock);
  return copy;
}

char *
ftc_fake_openai_last_authorization (FtcFakeOpenai *fake)
{
  char *s;
  g_mutex_lock (&fake->lock);
  s = g_strdup (fake->last_authorization);
  g_mutex_unlock (&fake->lock);
  return s;
}

guint
ftc_fake_openai_malformed_step2 (FtcFakeOpenai *fake)
{
  guint n;
  g_mutex_lock (&fake->lock);
  n = fake->malformed_step2;
  g_mutex_unlock (&fake->lock);
  return n;
}

void
ftc_fake_openai_set_thinking (FtcFakeOpenai *fake, FtcFakeThinking mode)
{
  g_mutex_lock (&fake->lock);
  fake->thinking = mode;
  g_mutex_unlock (&fake->lock);
}

void
ftc_fake_openai_set_boxed_answer (FtcFakeOpenai *fake, const char *question, const char *answer)
{
  g_mutex_lock (&fake->lock);
  g_hash_table_replace (fake->boxed_answers, g_strdup (question), g_strdup (answer));
  g_mutex_unlock (&fake->lock);
}

guint
ftc_fake_openai_streamed (FtcFakeOpenai *fake)
{
  guint n;
  g_mutex_lock (&fake->lock);
  n = fake->streamed;
  g_mutex_unlock (&fake->lock);
  return n;
}

gint64
ftc_fake_openai_last_max_completion_tokens (FtcFakeOpenai *fake)
{
  gint64 n;
  g_mutex_lock (&fake->lock);
  n = fake->last_max_completion_tokens;
  g_mutex_unlock (&fake->lock);
  return n;
}
