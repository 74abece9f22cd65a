#include "core/teach/ftc-teacher-replay.h"

#include <string.h>

#include "core/tasks/ftc-answer.h"
#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-jsonl.h"
#include "core/ftc-read.h"

typedef struct {
  char *question;
  char *reasoning_prompt;
  char *rationale;
  char *reasoning_finish;
  char *trigger;
  char *answer_prompt;
  char *answer_text;
  char *finish_reason;
  char *gold;
  gint64 completion_index;    /* -1: by order */
  char *group;                /* records of one sample share it */
  guint line;
} Recorded;

typedef struct {
  FtcTeacher parent;
  char *path;
  char *model;
  GPtrArray *records;         /* Recorded* in file order */
  GPtrArray *groups;          /* GPtrArray* of Recorded*, in file order of their first record */
} FtcTeacherReplay;

/* One sample's completions after matching. */
typedef struct {
  GPtrArray *completions;     /* Recorded*, borrowed */
  char *gold;                 /* in the recorded lettering */
  char *question;             /* as recorded */
} Matched;

static void
recorded_free (gpointer p)
{
  Recorded *r = p;
  g_free (r->question);
  g_free (r->reasoning_prompt);
  g_free (r->rationale);
  g_free (r->reasoning_finish);
  g_free (r->trigger);
  g_free (r->answer_prompt);
  g_free (r->answer_text);
  g_free (r->finish_reason);
  g_free (r->gold);
  g_free (r->group);
  g_free (r);
}

static void
matched_free (gpointer p)
{
  Matched *m = p;
  if (m == NULL)
    return;
  g_ptr_array_unref (m->completions);
  g_free (m->gold);
  g_free (m->question);
  g_free (m);
}

char *
ftc_replay_normalize (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));
  gboolean space = FALSE;

  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, g_ascii_tolower (*p));
    }
  return g_string_free (out, FALSE);
}

/* Splits a Kojima-formatted multiple-choice question "{stem} Answer Choices: (A) x (B) y" into its stem and
 * normalised choice texts (trailing '.' or ',' dropped). FALSE when it has no such list. */
static gboolean
split_choices (const char *question, char **stem_out, GPtrArray **choices_out)
{
  g_autofree char *lower = g_ascii_strdown (question, -1);
  const char *marker = NULL, *p;
  g_autoptr (GPtrArray) choices = g_ptr_array_new_with_free_func (g_free);
  const char *tail;

  for (p = strstr (lower, "answer choices:"); p != NULL; p = strstr (p + 1, "answer choices:"))
    marker = p;
  if (marker == NULL)
    return FALSE;
  tail = question + (marker - lower) + strlen ("answer choices:");
  for (char letter = 'A'; letter <= 'Z'; letter++)
    {
      char open[4] = { '(', letter, ')', 0 };
      char next[4] = { '(', (char) (letter + 1), ')', 0 };
      const char *start = strstr (tail, open);
      const char *end;
      g_autofree char *text = NULL;
      g_autofree char *norm = NULL;
      gsize len;

      if (start == NULL)
        break;
      start += 3;
      end = strstr (start, next);
      text = end != NULL ? g_strndup (start, end - start) : g_strdup (start);
      norm = ftc_replay_normalize (text);
      len = strlen (norm);
      while (len > 0 && (norm[len - 1] == '.' || norm[len - 1] == ','))
        norm[--len] = '\0';
      g_ptr_array_add (choices, g_steal_pointer (&norm));
      tail = start;
    }
  if (choices->len < 2)
    return FALSE;
  {
    g_autofree char *stem = g_strndup (question, marker - lower);
    *stem_out = ftc_replay_normalize (stem);
  }
  *choices_out = g_steal_pointer (&choices);
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The key questions match on: normalised text, with a choice list in sorted order. */
static char *
match_key (const char *question, gboolean *has_choices)
{
  g_autofree char *stem = NULL;
  g_autoptr (GPtrArray) choices = NULL;
  GString *key;

  *has_choices = split_choices (question, &stem, &choices);
  if (!*has_choices)
    return ftc_replay_normalize (question);
  g_ptr_array_sort (choices, compare_strings);
  key = g_string_new (stem);
  for (guint i = 0; i < choices->len; i++)
    {
      g_string_append_c (key, '\x1f');
      g_string_append (key, choices->pdata[i]);
    }
  return g_string_free (key, FALSE);
}

/* ---- reading ---- */

static char *
dup_member (JsonObject *o, const char *name, const char *alias)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL && alias != NULL)
    n = json_object_get_member (o, alias);
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return NULL;
  if (json_node_get_value_type (n) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (n));
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (n));
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];
      return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (n)));
    }
  return NULL;
}

static gboolean
add_record (FtcTeacherReplay *self, JsonObject *o, const char *group, guint line, GError **error)
{
  Recorded *r = g_new0 (Recorded, 1);
  JsonNode *ci;

  r->line = line;
  r->question = dup_member (o, "question", NULL);
  r->reasoning_prompt = dup_member (o, "reasoning_prompt", "prompt");
  r->rationale = dup_member (o, "rationale", "reasoning_completion");
  r->reasoning_finish = dup_member (o, "reasoning_finish_reason", NULL);
  r->trigger = dup_member (o, "answer_trigger", NULL);
  r->answer_prompt = dup_member (o, "answer_prompt", NULL);
  r->answer_text = dup_member (o, "answer_text", NULL);
  r->finish_reason = dup_member (o, "finish_reason", NULL);
  r->gold = dup_member (o, "gold", "answer");
  /* the reference code's step-2 fields are "prompt" and "completion" next to the reasoning_* ones */
  if (json_object_has_member (o, "reasoning_completion"))
    {
      g_free (r->answer_prompt);
      r->answer_prompt = dup_member (o, "prompt", NULL);
      if (r->answer_text == NULL)
        r->answer_text = dup_member (o, "completion", NULL);
      g_free (r->reasoning_prompt);
      r->reasoning_prompt = dup_member (o, "reasoning_prompt", NULL);
    }
  ci = json_object_get_member (o, "completion_index");
  r->completion_index = ci != NULL && json_node_get_value_type (ci) == G_TYPE_INT64 ? json_node_get_int (ci) : -1;
  r->group = g_strdup (group);
  if (r->question == NULL || r->rationale == NULL)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s:%u: a recorded completion needs \"question\" and "
                   "\"rationale\" (or \"reasoning_completion\")", self->path, line);
      recorded_free (r);
      return FALSE;
    }
  g_ptr_array_add (self->records, r);
  return TRUE;
}

static gboolean
read_reference_json (FtcTeacherReplay *self, JsonObject *root, GError **error)
{
  JsonNode *data = json_object_get_member (root, "data");
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected a \"data\" object of completions", self->path);
      return FALSE;
    }
  json_object_iter_init (&iter, json_node_get_object (data));
  while (json_object_iter_next (&iter, &name, &value))
    {
      g_autofree char *group = g_strconcat ("index:", name, NULL);
      JsonArray *list;

      if (!JSON_NODE_HOLDS_ARRAY (value))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: data.%s must be a list of completions", self->path,
                       name);
          return FALSE;
        }
      list = json_node_get_array (value);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          JsonNode *item = json_array_get_element (list, i);
          if (!JSON_NODE_HOLDS_OBJECT (item))
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: data.%s[%u] is not an object", self->path, name, i);
              return FALSE;
            }
          if (!json_object_has_member (json_node_get_object (item), "reasoning_completion"))
            continue;   /* step 1 not run for it */
          if (!add_record (self, json_node_get_object (item), group, i + 1, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_jsonl (FtcTeacherReplay *self, const char *contents, gsize len, GError **error)
{
  g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (contents, len, self->path);
  g_autoptr (GError) local = NULL;
  JsonObject *o;

  while ((o = ftc_jsonl_reader_next (reader, &local)) != NULL)
    {
      g_autoptr (JsonObject) owned = o;
      g_autofree char *group = NULL;
      guint line = ftc_jsonl_reader_get_line (reader);

      /* completions of one sample share its id; a published log has one completion per line */
      if (json_object_has_member (o, "sample_id"))
        group = g_strconcat ("id:", json_object_get_string_member_with_default (o, "sample_id", ""), NULL);
      else
        group = g_strdup_printf ("line:%u", line);
      if (!add_record (self, o, group, line, error))
        return FALSE;
    }
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static void
build_groups (FtcTeacherReplay *self)
{
  g_autoptr (GHashTable) by_group = g_hash_table_new (g_str_hash, g_str_equal);

  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < self->records->len; i++)
    {
      Recorded *r = self->records->pdata[i];
      GPtrArray *g = g_hash_table_lookup (by_group, r->group);
      if (g == NULL)
        {
          g = g_ptr_array_new ();
          g_ptr_array_add (self->groups, g);
          g_hash_table_insert (by_group, r->group, g);
        }
      g_ptr_array_add (g, r);
    }
}

/* ---- matching ---- */

/* The choice list of a sample, normalised, in its letter order. */
static GPtrArray *
sample_choices (const FtcSample *sample)
{
  g_autofree char *stem = NULL;
  GPtrArray *choices = NULL;

  if (split_choices (sample->question, &stem, &choices))
    return choices;
  if (sample->choices == NULL)
    return NULL;
  choices = g_ptr_array_new_with_free_func (g_free);
  for (char **c = sample->choices; *c != NULL; c++)
    g_ptr_array_add (choices, ftc_replay_normalize (*c));
  return choices;
}

/* The gold letter of sample in the lettering of the recorded question; NULL if it cannot be told. */
static char *
remap_gold (const FtcSample *sample, const char *recorded_question)
{
  g_autoptr (GPtrArray) mine = sample_choices (sample);
  g_autofree char *stem = NULL;
  g_autoptr (GPtrArray) theirs = NULL;
  int gold;

  if (mine == NULL || sample->answer == NULL || strlen (sample->answer) != 1 ||
      !split_choices (recorded_question, &stem, &theirs))
    return NULL;
  gold = g_ascii_toupper (sample->answer[0]) - 'A';
  if (gold < 0 || gold >= (int) mine->len)
    return NULL;
  /* same place, same text: the letter stands (choice lists may repeat a text: "(A) 8.75 ... (C) 8.75") */
  if (gold < (int) theirs->len && strcmp (theirs->pdata[gold], mine->pdata[gold]) == 0)
    return g_strdup (sample->answer);
  for (guint j = 0; j < theirs->len; j++)
    if (strcmp (theirs->pdata[j], mine->pdata[gold]) == 0)
      return g_strdup_printf ("%c", 'A' + j);
  return NULL;
}

/* Matched* per sample position (NULL where none), from matching all groups to task. */
static GPtrArray *
match_task (FtcTeacherReplay *self, const FtcTask *task, FtcReplayMatch *stats, char **first_unmatched)
{
  g_autoptr (GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_queue_free);
  GPtrArray *matched = g_ptr_array_new_full (task->samples->len, matched_free);
  FtcReplayMatch local = { 0 };

  g_ptr_array_set_size (matched, task->samples->len);
  if (first_unmatched != NULL)
    *first_unmatched = NULL;
  for (guint i = 0; i < task->samples->len; i++)
    {
      const FtcSample *s = task->samples->pdata[i];
      gboolean mc;
      char *key = match_key (s->question, &mc);
      GQueue *q = g_hash_table_lookup (by_key, key);
      if (q == NULL)
        {
          q = g_queue_new ();
          g_hash_table_insert (by_key, key, q);
        }
      else
        g_free (key);
      g_queue_push_tail (q, GUINT_TO_POINTER (i));   /* identical questions: taken in index order */
    }

  local.records = self->records->len;
  for (guint gi = 0; gi < self->groups->len; gi++)
    {
      GPtrArray *group = self->groups->pdata[gi];
      Recorded *first = group->pdata[0];
      gboolean mc;
      g_autofree char *key = match_key (first->question, &mc);
      GQueue *q = g_hash_table_lookup (by_key, key);
      guint pos;
      const FtcSample *sample;
      Matched *m;

      if (q == NULL || g_queue_is_empty (q))
        {
          if (first_unmatched != NULL && *first_unmatched == NULL)
            *first_unmatched = g_strdup (first->question);
          continue;
        }
      pos = GPOINTER_TO_UINT (g_queue_pop_head (q));
      sample = task->samples->pdata[pos];
      m = g_new0 (Matched, 1);
      m->completions = g_ptr_array_new ();
      m->question = g_strdup (first->question);
      for (guint k = 0; k < group->len; k++)
        g_ptr_array_add (m->completions, group->pdata[k]);
      /* recorded completion indices decide the order; records without one keep the file's */
      for (guint a = 1; a < m->completions->len; a++)
        for (guint c = a; c > 0; c--)
          {
            Recorded *x = m->completions->pdata[c - 1], *y = m->completions->pdata[c];
            if (x->completion_index < 0 || y->completion_index < 0 || x->completion_index <= y->completion_index)
              break;
            m->completions->pdata[c - 1] = y;
            m->completions->pdata[c] = x;
          }
      local.matched += group->len;
      local.samples++;
      if (mc)
        {
          g_autofree char *a = ftc_replay_normalize (first->question);
          g_autofree char *b = ftc_replay_normalize (sample->question);
          local.reordered += strcmp (a, b) != 0;
        }
      if (mc)
        m->gold = remap_gold (sample, first->question);
      if (m->gold == NULL)
        m->gold = g_strdup (sample->answer);
      /* compared as answers: the log writes "1,000" where the dataset's canonical gold is "1000" */
      if (first->gold != NULL && !ftc_answer_match (task->answer_type, first->gold, m->gold))
        {
          local.gold_disagrees++;
          g_debug ("%s:%u: recorded gold %s, sample %s has %s", self->path, first->line, first->gold, sample->id,
                   m->gold);
        }
      g_ptr_array_index (matched, pos) = m;
    }
  if (stats != NULL)
    *stats = local;
  return matched;
}

/* ---- the teacher ---- */

static JsonObject *
replay_describe (FtcTeacher *teacher)
{
  FtcTeacherReplay *self = (FtcTeacherReplay *) teacher;
  JsonObject *o = json_object_new ();
  g_autofree char *base = g_path_get_basename (self->path);

  json_object_set_string_member (o, "teacher", "replay");
  json_object_set_string_member (o, "file", base);
  json_object_set_string_member (o, "model", self->model);
  return o;
}

void
ftc_teacher_replay_match (FtcTeacher *teacher, const FtcTask *task, FtcReplayMatch *out, char **first_unmatched)
{
  g_autoptr (GPtrArray) matched = match_task ((FtcTeacherReplay *) teacher, task, out, first_unmatched);
}

static gboolean
replay_run (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink, GCancellable *cancellable,
            GError **error)
{
  FtcTeacherReplay *self = (FtcTeacherReplay *) teacher;
  g_autoptr (GPtrArray) matched = match_task (self, plan->task, NULL, NULL);
  g_autoptr (JsonObject) params = replay_describe (teacher);
  FtcTeachUsage usage = { 0 };

  usage.cost_usd = 0;
  for (guint i = 0; i < plan->positions->len; i++)
    {
      int pos = g_array_index (plan->positions, int, i);
      const FtcSample *sample = plan->task->samples->pdata[pos];
      Matched *m = matched->pdata[pos];

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_clear_error (error);
          g_set_error (error, FTC_ERROR, FTC_ERROR_CANCELLED, "cancelled");
          return FALSE;
        }
      for (guint k = 0; k < plan->samples; k++)
        {
          Recorded *r;
          FtcTeacherOutput out = { 0 };
          g_autofree char *reasoning_prompt = NULL;
          g_autofree char *answer_prompt = NULL;
          const char *trigger;

          if (sink->is_done != NULL && sink->is_done (sink->user_data, sample, k))
            continue;
          if (m == NULL || k >= m->completions->len)
            {
              usage.missing++;
              continue;
            }
          r = m->completions->pdata[k];
          trigger = r->trigger != NULL ? r->trigger : plan->task->answer_trigger;
          if (r->reasoning_prompt == NULL)
            reasoning_prompt = ftc_cot_reasoning_prompt (r->question);
          if (r->answer_prompt == NULL && r->answer_text != NULL && trigger != NULL)
            answer_prompt = ftc_cot_answer_prompt (r->reasoning_prompt != NULL ? r->reasoning_prompt : reasoning_prompt,
                                                   r->rationale, trigger);
          out.sample = sample;
          out.completion_index = k;
          out.question = r->question;
          out.gold = m->gold;
          out.reasoning_prompt = r->reasoning_prompt != NULL ? r->reasoning_prompt : reasoning_prompt;
          out.rationale = r->rationale;
          out.reasoning_finish_reason = r->reasoning_finish;
          out.answer_trigger = trigger;
          out.answer_prompt = r->answer_prompt != NULL ? r->answer_prompt : answer_prompt;
          out.answer_text = r->answer_text;
          out.finish_reason = r->finish_reason;
          out.prompt_tokens = -1;
          out.completion_tokens = -1;
          out.reasoning_tokens = -1;
          out.model = self->model;
          out.params = params;
          if (!sink->emit (sink->user_data, &out, error))
            return FALSE;
          usage.cached++;
        }
      if (sink->progress != NULL && (i % 64 == 63 || i + 1 == plan->positions->len))
        sink->progress (sink->user_data, &usage);
    }
  if (sink->progress != NULL)
    sink->progress (sink->user_data, &usage);
  return TRUE;
}

static void
replay_finalize (FtcTeacher *teacher)
{
  FtcTeacherReplay *self = (FtcTeacherReplay *) teacher;

  g_free (self->path);
  g_free (self->model);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_ptr_array_unref (self->records);
  g_free (self);
}

static const FtcTeacherClass replay_class = {
  .kind = "replay",
  .describe = replay_describe,
  .run = replay_run,
  .finalize = replay_finalize,
};

FtcTeacher *
ftc_teacher_replay_new (const char *path, const char *model, GError **error)
{
  FtcTeacherReplay *self = g_new0 (FtcTeacherReplay, 1);
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *p;
  gboolean ok;

  self->parent.klass = &replay_class;
  self->path = g_strdup (path);
  self->model = g_strdup (model != NULL ? model : "replay");
  self->records = g_ptr_array_new_with_free_func (recorded_free);
  if (!ftc_file_read (path, FTC_INPUT_DATA, &contents, &len, error))
    {
      replay_finalize (&self->parent);
      return NULL;
    }
  for (p = contents; g_ascii_isspace (*p); p++)
    ;
  ok = FALSE;
  if (*p == '{')
    {
      /* One JSON document with "data" is the reference code's format, anything else JSONL. A first line
       * that is a whole object settles it without parsing a JSONL file as one document. */
      g_autoptr (JsonNode) first = ftc_json_parse (p, strcspn (p, "\n"), path, NULL);
      g_autoptr (JsonNode) whole = NULL;
      JsonObject *root = NULL;

      if (first != NULL)
        {
          if (JSON_NODE_HOLDS_OBJECT (first))
            root = json_node_get_object (first);
          if (root != NULL && (!json_object_has_member (root, "data") || json_object_has_member (root, "question")))
            root = NULL;
        }
      else if ((whole = ftc_json_parse (contents, len, path, NULL)) != NULL && JSON_NODE_HOLDS_OBJECT (whole))
        {
          root = json_node_get_object (whole);
          if (!json_object_has_member (root, "data"))
            root = NULL;
        }
      if (root != NULL)
        {
          if (!read_reference_json (self, root, error))
            {
              replay_finalize (&self->parent);
              return NULL;
            }
          ok = TRUE;
        }
    }
  if (!ok && !read_jsonl (self, contents, len, error))
    {
      replay_finalize (&self->parent);
      return NULL;
    }
  if (self->records->len == 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: no recorded completions", path);
      replay_finalize (&self->parent);
      return NULL;
    }
  build_groups (self);
  return &self->parent;
}
