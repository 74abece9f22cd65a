#include "core/teach/ftc-teacher-scripted.h"

#include <string.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-synthetic-steps.h"
#include "core/ftc-json-in.h"

typedef struct {
  FtcTeacher parent;
  double error_rate;
  guint64 seed;
  gboolean terse;     /* short notes instead of sentences */
} FtcTeacherScripted;

/* What a scripted rationale came to. */
typedef struct {
  GString *text;
  char *answer;       /* the final answer the rationale reaches (right or wrong) */
  gboolean wrong;     /* a step was made wrong on purpose */
} Script;

static const char *
pick (GRand *rand, const char *const *options, guint n)
{
  return options[g_rand_int_range (rand, 0, n)];
}

#define PICK(rand, ...) pick (rand, (const char *const[]) { __VA_ARGS__ }, \
                              sizeof ((const char *const[]) { __VA_ARGS__ }) / sizeof (const char *))

static void
sentence (Script *s, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
sentence (Script *s, const char *fmt, ...)
{
  va_list args;

  g_string_append_c (s->text, ' ');   /* a leading space too, as models write after "step by step." */
  va_start (args, fmt);
  g_string_append_vprintf (s->text, fmt, args);
  va_end (args);
}

/* ---- coin flip ---- */

static gboolean
script_coin_flip (JsonObject *steps_json, GRand *rand, gboolean make_wrong, gboolean terse, Script *s)
{
  JsonArray *steps = json_object_get_array_member (steps_json, "steps");
  guint n = steps != NULL ? json_array_get_length (steps) : 0;
  int wrong_at = make_wrong && n > 0 ? g_rand_int_range (rand, 0, n) : -1;
  gboolean heads = TRUE;

  if (n == 0)
    return FALSE;
  if (!terse && g_rand_boolean (rand))
    sentence (s, "%s", PICK (rand, "The coin starts heads up.", "At first, the coin is heads up.",
                             "We begin with the coin heads up."));
  for (guint i = 0; i < n; i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      const char *person = json_object_get_string_member_with_default (st, "person", "Someone");
      gboolean flips = json_object_get_boolean_member_with_default (st, "flips", FALSE);
      const char *before = heads ? "heads up" : "tails up";

      if ((int) i == wrong_at)
        flips = !flips;   /* misreads who flipped */
      if (flips)
        heads = !heads;
      if (terse)
        {
          /* a person, what they did, the side up after it */
          if (flips)
            sentence (s, PICK (rand, "%s: flip, %s.", "%s flips, %s."), person, heads ? "heads" : "tails");
          else
            sentence (s, PICK (rand, "%s: no flip, %s.", "%s does not, %s."), person, heads ? "heads" : "tails");
        }
      else if (flips)
        sentence (s, PICK (rand, "%s flips the coin, so it is now %s.", "After %s flips it, the coin is %s.",
                           "%s flips the coin: it turns %s."), person, heads ? "heads up" : "tails up");
      else
        sentence (s, PICK (rand, "%s does not flip the coin, so it stays %s.",
                           "%s leaves the coin alone; it is still %s.", "The coin is not flipped by %s, so it "
                           "remains %s."), person, before);
    }
  if (terse)
    sentence (s, PICK (rand, "So %s.", "Ends %s."), heads ? "heads up" : "tails up");
  else
    sentence (s, PICK (rand, "So the coin ends up %s.", "In the end the coin is %s.", "Therefore, the coin is %s."),
              heads ? "heads up" : "tails up");
  s->answer = g_strdup (heads ? "yes" : "no");
  s->wrong = wrong_at >= 0;
  return TRUE;
}

/* ---- last letters ---- */

static gboolean
script_last_letters (JsonObject *steps_json, GRand *rand, gboolean make_wrong, gboolean terse, Script *s)
{
  JsonArray *steps = json_object_get_array_member (steps_json, "steps");
  guint n = steps != NULL ? json_array_get_length (steps) : 0;
  int wrong_at = -1;
  GString *so_far = g_string_new (NULL);

  if (n == 0)
    return FALSE;
  if (make_wrong)
    {
      /* a word whose other letters include one that differs from its last letter */
      for (guint tries = 0; tries < 8 && wrong_at < 0; tries++)
        {
          int i = g_rand_int_range (rand, 0, n);
          const char *w = json_object_get_string_member_with_default (json_array_get_object_element (steps, i),
                                                                      "word", "");
          gsize len = strlen (w);
          for (gsize k = 0; k + 1 < len && wrong_at < 0; k++)
            if (g_ascii_tolower (w[k]) != g_ascii_tolower (w[len - 1]))
              wrong_at = i;
        }
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      const char *w = json_object_get_string_member_with_default (st, "word", "");
      gsize len = strlen (w);
      char letter = len > 0 ? w[len - 1] : '?';

      if ((int) i == wrong_at)
        {
          /* takes the letter before the last one (or the first) that differs */
          for (gsize k = len - 1; k-- > 0;)
            if (g_ascii_tolower (w[k]) != g_ascii_tolower (letter))
              {
                letter = w[k];
                break;
              }
        }
      letter = g_ascii_tolower (letter);
      g_string_append_c (so_far, letter);
      if (terse)
        {
          /* the letters so far written out at each step: the answer grows one letter at a time */
          if (g_rand_boolean (rand))
            sentence (s, "%s: \"%c\", \"%s\".", w, letter, so_far->str);
          else
            sentence (s, "%s ends in \"%c\", so \"%s\".", w, letter, so_far->str);
          continue;
        }
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          sentence (s, "The last letter of \"%s\" is \"%c\".", w, letter);
          break;
        case 1:
          sentence (s, "\"%s\" ends with \"%c\".", w, letter);
          break;
        default:
          sentence (s, "The word \"%s\" ends in \"%c\", so we have \"%s\" so far.", w, letter, so_far->str);
          break;
        }
    }
  if (terse)
    sentence (s, PICK (rand, "So \"%s\".", "Together \"%s\"."), so_far->str);
  else
    sentence (s, PICK (rand, "Concatenating them gives \"%s\".", "Putting the letters together, we get \"%s\".",
                       "So the answer is \"%s\"."), so_far->str);
  s->answer = g_string_free (so_far, FALSE);
  s->wrong = wrong_at >= 0;
  return TRUE;
}

/* ---- tracking shuffled objects ---- */

static char *
strip_dot (const char *s)
{
  char *r = g_strstrip (g_strdup (s));
  gsize len = strlen (r);
  while (len > 0 && r[len - 1] == '.')
    r[--len] = '\0';
  return r;
}

static gboolean
script_shuffled_objects (const FtcSample *sample, JsonObject *steps_json, GRand *rand, gboolean make_wrong,
                         gboolean terse, Script *s)
{
  JsonArray *steps = json_object_get_array_member (steps_json, "steps");
  JsonObject *initial = json_object_get_object_member (steps_json, "initial");
  const char *target = json_object_get_string_member_with_default (steps_json, "target", NULL);
  gboolean dance = strstr (sample->question, "dancing with") != NULL;
  guint n = steps != NULL ? json_array_get_length (steps) : 0;
  g_autoptr (GHashTable) holding = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree char *correct_final = NULL;
  int skip = -1;
  const char *final;
  g_autofree char *final_clean = NULL;
  int letter = -1;

  if (n == 0 || initial == NULL || target == NULL || sample->choices == NULL)
    return FALSE;

  /* the right final object, and (when asked) a swap whose omission changes it */
  for (int attempt = -1; attempt < (int) n; attempt++)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;
      const char *result;

      g_hash_table_remove_all (holding);
      json_object_iter_init (&iter, initial);
      while (json_object_iter_next (&iter, &name, &value))
        g_hash_table_insert (holding, (char *) name, g_strdup (json_node_get_string (value)));
      for (guint i = 0; i < n; i++)
        {
          JsonArray *pair = json_object_get_array_member (json_array_get_object_element (steps, i), "swap");
          const char *a = json_array_get_string_element (pair, 0), *b = json_array_get_string_element (pair, 1);
          char *x, *y;
          if ((int) i == attempt)
            continue;
          x = g_strdup (g_hash_table_lookup (holding, a));
          y = g_strdup (g_hash_table_lookup (holding, b));
          g_hash_table_insert (holding, (char *) a, y);
          g_hash_table_insert (holding, (char *) b, x);
        }
      result = g_hash_table_lookup (holding, target);
      if (attempt < 0)
        {
          correct_final = g_strdup (result);
          if (!make_wrong)
            break;
          continue;
        }
      if (g_strcmp0 (result, correct_final) != 0)
        {
          skip = attempt;
          break;
        }
    }

  /* write it, replaying with the chosen mistake */
  g_hash_table_remove_all (holding);
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;
    json_object_iter_init (&iter, initial);
    while (json_object_iter_next (&iter, &name, &value))
      g_hash_table_insert (holding, (char *) name, g_strdup (json_node_get_string (value)));
  }
  for (guint i = 0; i < n; i++)
    {
      JsonArray *pair = json_object_get_array_member (json_array_get_object_element (steps, i), "swap");
      const char *a = json_array_get_string_element (pair, 0), *b = json_array_get_string_element (pair, 1);
      const char *first = PICK (rand, "First, ", "To begin, ", "");
      const char *then = i == 0 ? first : i + 1 == n ? PICK (rand, "Finally, ", "Last, ") : PICK (rand, "Then ", "Next, ");

      if ((int) i != skip)
        {
          char *x = g_strdup (g_hash_table_lookup (holding, a));
          char *y = g_strdup (g_hash_table_lookup (holding, b));
          g_hash_table_insert (holding, (char *) a, y);
          g_hash_table_insert (holding, (char *) b, x);
        }
      if (terse)
        {
          /* who holds what after the swap, for the two people in it: each step copies two objects */
          const char *x = g_hash_table_lookup (holding, a), *y = g_hash_table_lookup (holding, b);
          if (g_rand_boolean (rand))
            sentence (s, "%s, %s: %s %s, %s %s.", a, b, a, x, b, y);
          else
            sentence (s, "%s and %s swap, so %s %s, %s %s.", a, b, a, x, b, y);
        }
      else if (dance)
        sentence (s, PICK (rand, "%s%s and %s switch partners, so %s is dancing with %s and %s with %s.",
                           "%s%s and %s trade partners: now %s dances with %s and %s with %s."),
                  then, a, b, a, (char *) g_hash_table_lookup (holding, a), b,
                  (char *) g_hash_table_lookup (holding, b));
      else
        sentence (s, PICK (rand, "%s%s and %s swap balls, so %s has the %s and %s has the %s.",
                           "%s%s and %s trade: %s now holds the %s and %s the %s."),
                  then, a, b, a, (char *) g_hash_table_lookup (holding, a), b,
                  (char *) g_hash_table_lookup (holding, b));
    }
  final = g_hash_table_lookup (holding, target);
  final_clean = strip_dot (final);
  for (guint c = 0; sample->choices[c] != NULL; c++)
    {
      g_autofree char *choice = strip_dot (sample->choices[c]);
      if (g_ascii_strcasecmp (choice, final_clean) == 0)
        letter = c;
    }
  if (letter < 0)
    return FALSE;
  if (make_wrong && skip < 0)
    {
      /* no single skipped swap changes the outcome: misread the last line instead */
      guint nc = g_strv_length (sample->choices);
      if (nc < 2)
        return FALSE;
      letter = (letter + 1 + g_rand_int_range (rand, 0, nc - 1)) % nc;
      g_clear_pointer (&final_clean, g_free);
      final_clean = strip_dot (sample->choices[letter]);
      skip = n;   /* marks it wrong */
    }
  if (terse)
    sentence (s, PICK (rand, "So %s %s, (%c).", "%s ends with %s: (%c)."), target, final_clean, 'A' + letter);
  else
    sentence (s, PICK (rand, "So at the end %s %s %s, which is (%c).", "In the end, %s %s %s: choice (%c).",
                     "Therefore %s %s %s, so the answer is (%c)."),
            target, dance ? "is dancing with" : "has the", final_clean, 'A' + letter);
  s->answer = g_strdup_printf ("%c", 'A' + letter);
  s->wrong = skip >= 0;
  return TRUE;
}

/* ---- multi-step arithmetic ---- */

static gint64
apply (const char *op, gint64 before, gint64 operand, gboolean *ok)
{
  *ok = TRUE;
  switch (op[0])
    {
    case '+':
      return before + operand;
    case '-':
      return before - operand;
    case '*':
      return before * operand;
    case '/':
      *ok = operand != 0 && before % operand == 0;
      return operand != 0 ? before / operand : 0;
    default:
      *ok = FALSE;
      return 0;
    }
}

static gboolean
script_arithmetic (JsonObject *steps_json, GRand *rand, gboolean make_wrong, gboolean terse, Script *s)
{
  JsonArray *steps = json_object_get_array_member (steps_json, "steps");
  guint n = steps != NULL ? json_array_get_length (steps) : 0;
  gint64 start = json_object_get_int_member_with_default (steps_json, "start", 0);
  g_autofree gint64 *values = NULL;
  int wrong_at = -1;
  gint64 delta = 0;
  gboolean ok;

  if (n == 0)
    return FALSE;
  values = g_new (gint64, n + 1);
  /* a slip at some step carried through the rest; at the last step if the rest would not divide evenly */
  if (make_wrong)
    {
      static const gint64 slips[] = { 1, -1, 2, 10, -10 };
      for (guint tries = 0; tries < 6 && wrong_at < 0; tries++)
        {
          int at = tries < 5 ? g_rand_int_range (rand, 0, n) : (int) n - 1;
          gint64 d = slips[g_rand_int_range (rand, 0, G_N_ELEMENTS (slips))];
          gint64 v = start;
          gboolean fine = TRUE;
          for (guint i = 0; i < n && fine; i++)
            {
              JsonObject *st = json_array_get_object_element (steps, i);
              v = apply (json_object_get_string_member_with_default (st, "op", "+"),
                         v, json_object_get_int_member_with_default (st, "operand", 0), &fine);
              if ((int) i == at)
                v += d;
            }
          if ((fine || at == (int) n - 1) &&
              v != json_object_get_int_member_with_default (json_array_get_object_element (steps, n - 1), "after", v))
            {
              wrong_at = at;
              delta = d;
            }
        }
    }
  values[0] = start;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      values[i + 1] = apply (json_object_get_string_member_with_default (st, "op", "+"), values[i],
                             json_object_get_int_member_with_default (st, "operand", 0), &ok);
      if ((int) i == wrong_at)
        values[i + 1] += delta;
    }

  if (terse)
    sentence (s, PICK (rand, "Start %" G_GINT64_FORMAT ".", "Has %" G_GINT64_FORMAT "."), start);
  else
    sentence (s, PICK (rand, "We start with %" G_GINT64_FORMAT ".", "At first there are %" G_GINT64_FORMAT ".",
                       "The starting amount is %" G_GINT64_FORMAT "."), start);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      const char *op = json_object_get_string_member_with_default (st, "op", "+");
      gint64 x = json_object_get_int_member_with_default (st, "operand", 0);
      const char *word = op[0] == '+' ? "plus" : op[0] == '-' ? "minus" : op[0] == '*' ? "times" : "divided by";
      const char *sym = op[0] == '*' ? "x" : op;

      if (terse)
        {
          sentence (s, PICK (rand, "%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " = %" G_GINT64_FORMAT ".",
                             "%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " is %" G_GINT64_FORMAT "."),
                    values[i], sym, x, values[i + 1]);
          continue;
        }
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0:
          sentence (s, "Then %" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " = %" G_GINT64_FORMAT ".", values[i], sym, x,
                    values[i + 1]);
          break;
        case 1:
          sentence (s, "%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " is %" G_GINT64_FORMAT ".", values[i], word, x,
                    values[i + 1]);
          break;
        default:
          sentence (s, "Next, %" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " gives %" G_GINT64_FORMAT ".", values[i],
                    sym, x, values[i + 1]);
          break;
        }
    }
  if (terse)
    sentence (s, PICK (rand, "So %" G_GINT64_FORMAT ".", "Ends %" G_GINT64_FORMAT "."), values[n]);
  else
    sentence (s, PICK (rand, "So the answer is %" G_GINT64_FORMAT ".", "In the end there are %" G_GINT64_FORMAT ".",
                       "That leaves %" G_GINT64_FORMAT "."), values[n]);
  s->answer = g_strdup_printf ("%" G_GINT64_FORMAT, values[n]);
  s->wrong = wrong_at >= 0;
  return TRUE;
}

static char *
answer_text (GRand *rand, FtcAnswerType type, const char *answer)
{
  switch (type)
    {
    case FTC_ANSWER_YESNO:
      return g_strdup_printf (PICK (rand, " %s.", " %s", ": %s."), strcmp (answer, "yes") == 0 ? "Yes" : "No");
    case FTC_ANSWER_CHOICE:
      return g_strdup_printf (PICK (rand, " (%s).", " %s.", " (%s)"), answer);
    case FTC_ANSWER_TEXT:
      return g_strdup_printf (PICK (rand, " \"%s\".", " %s.", " %s"), answer);
    default:
      return g_strdup_printf (PICK (rand, " %s.", " %s", ": %s."), answer);
    }
}

/* ---- the teacher ---- */

static JsonObject *
scripted_describe (FtcTeacher *teacher)
{
  FtcTeacherScripted *self = (FtcTeacherScripted *) teacher;
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "teacher", "scripted");
  json_object_set_double_member (o, "error_rate", self->error_rate);
  json_object_set_int_member (o, "seed", (gint64) self->seed);
  if (self->terse)
    json_object_set_string_member (o, "style", "terse");
  return o;
}

static gboolean
scripted_run (FtcTeacher *teacher, const FtcTeachPlan *plan, const FtcTeachSink *sink, GCancellable *cancellable,
              GError **error)
{
  FtcTeacherScripted *self = (FtcTeacherScripted *) teacher;
  g_autoptr (JsonObject) params = scripted_describe (teacher);
  FtcTeachUsage usage = { 0 };

  for (guint i = 0; i < plan->positions->len; i++)
    {
      const FtcSample *sample = plan->task->samples->pdata[g_array_index (plan->positions, int, i)];
      g_autoptr (JsonObject) steps_object = NULL;
      g_autofree char *rp = NULL;
      JsonObject *steps;
      const char *family;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_CANCELLED, "cancelled");
          return FALSE;
        }
      if (sample->steps_json == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the scripted teacher knows only the synthetic tasks "
                       "(synthetic_*): sample %s of task %s has no solution steps", sample->id, plan->task->key);
          return FALSE;
        }
      steps_object = ftc_json_parse_object (sample->steps_json, strlen (sample->steps_json), "steps", NULL);
      if (steps_object == NULL)
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "sample %s: its solution steps are not a JSON object",
                       sample->id);
          return FALSE;
        }
      steps = steps_object;
      {
        /* generated steps pass; imported ones were checked on import, and are again before any is used */
        g_autoptr (GError) bad = NULL;
        if (!ftc_synthetic_steps_check (steps, sample->answer, &bad))
          {
            g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "sample %s of task %s: its solution steps: %s",
                         sample->id, plan->task->key, bad->message);
            return FALSE;
          }
      }
      family = json_object_get_string_member_with_default (steps, "family", "");
      rp = ftc_cot_reasoning_prompt_with (sample->question, plan->reasoning_trigger);
      for (guint k = 0; k < plan->samples; k++)
        {
          guint32 seed[4] = { (guint32) self->seed, (guint32) (self->seed >> 32), g_str_hash (sample->id), k };
          g_autoptr (GRand) rand = NULL;
          Script s = { 0 };
          gboolean ok;
          FtcTeacherOutput out = { 0 };
          g_autofree char *text = NULL, *answer = NULL, *ap = NULL;

          if (sink->is_done != NULL && sink->is_done (sink->user_data, sample, k))
            continue;
          rand = g_rand_new_with_seed_array (seed, 4);
          s.text = g_string_new (NULL);
          {
            gboolean make_wrong = g_rand_double (rand) < self->error_rate;
            if (strcmp (family, "coin_flip") == 0)
              ok = script_coin_flip (steps, rand, make_wrong, self->terse, &s);
            else if (strcmp (family, "last_letters") == 0)
              ok = script_last_letters (steps, rand, make_wrong, self->terse, &s);
            else if (strcmp (family, "shuffled_objects") == 0)
              ok = script_shuffled_objects (sample, steps, rand, make_wrong, self->terse, &s);
            else if (strcmp (family, "arithmetic") == 0)
              ok = script_arithmetic (steps, rand, make_wrong, self->terse, &s);
            else
              ok = FALSE;
          }
          if (!ok)
            {
              g_string_free (s.text, TRUE);
              g_free (s.answer);
              g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "sample %s: solution steps of family '%s' the "
                           "scripted teacher cannot read", sample->id, family);
              return FALSE;
            }
          g_string_append_c (s.text, ' ');
          text = g_string_free (s.text, FALSE);
          answer = answer_text (rand, plan->task->answer_type, s.answer);
          ap = ftc_cot_answer_prompt (rp, text, ftc_teach_plan_answer_trigger (plan));
          out.sample = sample;
          out.completion_index = k;
          out.reasoning_prompt = rp;
          out.rationale = text;
          out.reasoning_finish_reason = "stop";
          out.answer_trigger = ftc_teach_plan_answer_trigger (plan);
          out.answer_prompt = ap;
          out.answer_text = answer;
          out.finish_reason = "stop";
          out.prompt_tokens = -1;
          out.completion_tokens = -1;
          out.reasoning_tokens = -1;
          out.model = "scripted";
          out.params = params;
          g_free (s.answer);
          if (!sink->emit (sink->user_data, &out, error))
            return FALSE;
        }
      if (sink->progress != NULL && (i % 64 == 63 || i + 1 == plan->positions->len))
        sink->progress (sink->user_data, &usage);
    }
  return TRUE;
}

static void
scripted_finalize (FtcTeacher *teacher)
{
  g_free (teacher);
}

static const FtcTeacherClass scripted_class = {
  .kind = "scripted",
  .describe = scripted_describe,
  .run = scripted_run,
  .finalize = scripted_finalize,
};

FtcTeacher *
ftc_teacher_scripted_new (double error_rate, guint64 seed, GError **error)
{
  FtcTeacherScripted *self;

  if (!(error_rate >= 0 && error_rate <= 1))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "the error rate must lie within 0..1");
      return NULL;
    }
  self = g_new0 (FtcTeacherScripted, 1);
  self->parent.klass = &scripted_class;
  self->error_rate = error_rate;
  self->seed = seed;
  return &self->parent;
}

void
ftc_teacher_scripted_set_terse (FtcTeacher *teacher, gboolean terse)
{
  g_return_if_fail (teacher != NULL && teacher->klass == &scripted_class);
  ((FtcTeacherScripted *) teacher)->terse = terse;
}
