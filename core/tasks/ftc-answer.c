/* ftc-answer.c: answer extraction and comparison, two tables: one row per answer type (how candidates are
 * found, how a prediction is compared with gold) and one row per extraction mode (stop phrase, prefixes,
 * which candidate wins).
 *
 * Reference behaviour reproduced here:
 * - Kojima et al. `answer_cleansing` (zero_shot_cot): choices `re.findall(r'A|B|C|D|E', pred)` with the
 *   task's letters; numbers: commas removed, then `-?\d+\.?\d*` (the same as Ho et al.'s `-?\d+(?:\.\d+)?`
 *   once a trailing "." is stripped); yes/no: lower case, the characters
 *   `"'\n.:,` and whitespace become spaces, split on " ", keep "yes"/"no" tokens; last letters: `"'\n.` and
 *   whitespace removed, the whole rest is the answer. The first candidate wins and a trailing "." is
 *   stripped.
 * - Ho et al. `Evaluator.cleanse_prediction`: with a prefix ("-->", "The answer is", "Therefore, the answer
 *   is"), the first candidate after the first occurrence of the prefix; the last candidate of the whole
 *   completion when the prefix is absent. Their completions were generated with the stop phrase "END", so
 *   one-step modes cut the text at the first "END" before looking. Their gold numbers lose their commas.
 * Numbers compare by value ("3.50" equals "3.5"); a tolerance is the format's choice: Ho et al. use 1e-6 for
 * addsub, svamp and single_eq, Kojima et al. compare the strings. The default is none: exact values stay
 * within a point of the published teacher accuracies (Kojima's), 1e-6 does not (single_eq: it also accepts
 * "0.6666666666666667" for 2/3 and moves 77.95% to 79.53%; exact values give 78.54%).
 * Digits are ASCII digits (Python's \d also takes other scripts' digits; no teacher writes them). */
#include "core/tasks/ftc-answer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-math-answer.h"

#define STOP_PHRASE "END"
#define PREFIX_ARROW "-->"
#define PREFIX_THE_ANSWER_IS "The answer is"
#define PREFIX_THEREFORE "Therefore, the answer is"

/* ---- helpers ---- */

/* Python's str.isspace(), which `\s` and str.split() follow. */
static gboolean
is_py_space (gunichar c)
{
  if (c < 0x80)
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
  if (c == 0x85)
    return TRUE;
  switch (g_unichar_type (c))
    {
    case G_UNICODE_SPACE_SEPARATOR:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The last-letter cleansing: `re.sub("\"|\'|\n|\.|\s", "", s)`. s must be valid UTF-8. */
static char *
remove_quotes_dots_spaces (const char *s)
{
  GString *out = g_string_sized_new (strlen (s));

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c == '"' || c == '\'' || c == '.' || is_py_space (c))
        continue;
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

static char *
remove_commas (const char *s)
{
  char *out = g_malloc (strlen (s) + 1);
  char *q = out;

  for (const char *p = s; *p != '\0'; p++)
    if (*p != ',')
      *q++ = *p;
  *q = '\0';
  return out;
}

/* A plain decimal number: [+-]digits[.digits][(e|E)[+-]digits], nothing else. */
static gboolean
parse_decimal (const char *s, double *out)
{
  const char *p = s;
  char *end = NULL;

  if (*p == '+' || *p == '-')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p != '\0')
    return FALSE;
  *out = g_ascii_strtod (s, &end);
  return end == p && isfinite (*out);
}

/* ---- candidates per type ---- */

/* commas removed, then `-?\d+(?:\.\d+)?` */
static void
number_candidates (const FtcAnswerFormat *format, const char *text, GPtrArray *out)
{
  g_autofree char *s = remove_commas (text);
  const char *p = s;

  while (*p != '\0')
    {
      const char *start = p;
      if (*p == '-' && g_ascii_isdigit (p[1]))
        p++;
      else if (!g_ascii_isdigit (*p))
        {
          p++;
          continue;
        }
      while (g_ascii_isdigit (*p))
        p++;
      if (*p == '.' && g_ascii_isdigit (p[1]))
        {
          p++;
          while (g_ascii_isdigit (*p))
            p++;
        }
      g_ptr_array_add (out, g_strndup (start, p - start));
    }
}

/* `re.findall(r'A|B|C', s)` with the format's letters */
static void
choice_candidates (const FtcAnswerFormat *format, const char *text, GPtrArray *out)
{
  char last = format->n_choices >= 1 && format->n_choices <= 26 ? 'A' + format->n_choices - 1 : 'Z';

  for (const char *p = text; *p != '\0'; p++)
    if (*p >= 'A' && *p <= last)
      g_ptr_array_add (out, g_strndup (p, 1));
}

/* lower case; `"'\n.:,` and whitespace separate tokens; tokens "yes" and "no" */
static void
yesno_candidates (const FtcAnswerFormat *format, const char *text, GPtrArray *out)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *start = p;
      gsize len;

      while (*p != '\0')
        {
          gunichar c = g_utf8_get_char (p);
          if (c == '"' || c == '\'' || c == '.' || c == ':' || c == ',' || is_py_space (c))
            break;
          p = g_utf8_next_char (p);
        }
      len = p - start;
      if (len == 3 && g_ascii_strncasecmp (start, "yes", 3) == 0)
        g_ptr_array_add (out, g_strdup ("yes"));
      else if (len == 2 && g_ascii_strncasecmp (start, "no", 2) == 0)
        g_ptr_array_add (out, g_strdup ("no"));
      if (*p != '\0')
        p = g_utf8_next_char (p);
    }
}

/* the whole text without quotes, dots and whitespace: one candidate, none when that is empty */
static void
text_candidates (const FtcAnswerFormat *format, const char *text, GPtrArray *out)
{
  char *s = remove_quotes_dots_spaces (text);

  if (*s != '\0')
    g_ptr_array_add (out, s);
  else
    g_free (s);
}

/* the one answer a math response states (ftc-math-answer.h) */
static void
math_candidates (const FtcAnswerFormat *format, const char *text, GPtrArray *out)
{
  char *answer = ftc_math_answer_extract (text);

  if (answer != NULL)
    g_ptr_array_add (out, answer);
}

/* ---- comparison per type; prediction and gold are non-NULL valid UTF-8, both trimmed ---- */

static gboolean
number_equal (const char *prediction, const char *gold, double tolerance)
{
  g_autofree char *p = remove_commas (prediction);
  g_autofree char *g = remove_commas (gold);
  double pv, gv;

  if (parse_decimal (p, &pv) && parse_decimal (g, &gv))
    return pv == gv || fabs (pv - gv) <= tolerance;
  return strcmp (p, g) == 0;
}

static gboolean
choice_equal (const char *prediction, const char *gold, double tolerance)
{
  g_autofree char *p = g_ascii_strup (prediction, -1);
  g_autofree char *g = g_ascii_strup (gold, -1);
  return strcmp (p, g) == 0;
}

static gboolean
yesno_equal (const char *prediction, const char *gold, double tolerance)
{
  g_autofree char *p = g_ascii_strdown (prediction, -1);
  g_autofree char *g = g_ascii_strdown (gold, -1);
  return strcmp (p, g) == 0;
}

static gboolean
text_equal (const char *prediction, const char *gold, double tolerance)
{
  g_autofree char *p = remove_quotes_dots_spaces (prediction);
  g_autofree char *g = remove_quotes_dots_spaces (gold);
  return *p != '\0' && strcmp (p, g) == 0;
}

static gboolean
math_equal (const char *prediction, const char *gold, double tolerance)
{
  return ftc_math_answer_equal (prediction, gold);
}

typedef struct {
  FtcAnswerType type;
  const char *name;
  void (*candidates) (const FtcAnswerFormat *format, const char *text, GPtrArray *out);
  gboolean (*equal) (const char *prediction, const char *gold, double tolerance);
} AnswerTypeRow;

static const AnswerTypeRow answer_types[] = {
  { FTC_ANSWER_NUMBER, "number", number_candidates, number_equal },
  { FTC_ANSWER_CHOICE, "choice", choice_candidates, choice_equal },
  { FTC_ANSWER_YESNO, "yesno", yesno_candidates, yesno_equal },
  { FTC_ANSWER_TEXT, "text", text_candidates, text_equal },
  { FTC_ANSWER_MATH, "math", math_candidates, math_equal },
};

static const AnswerTypeRow *
answer_type_row (FtcAnswerType type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (answer_types); i++)
    if (answer_types[i].type == type)
      return &answer_types[i];
  return NULL;
}

/* ---- extraction modes ---- */

typedef struct {
  FtcExtractMode mode;
  const char *name;
  const char *stop;             /* the text is cut at its first occurrence */
  const char *prefixes[4];      /* the first one present decides; NULL-terminated */
  gboolean last_without_prefix; /* no prefix present: last candidate (else first) */
} ExtractModeRow;

static const ExtractModeRow extract_modes[] = {
  { FTC_EXTRACT_ANSWER_TEXT, "answer-text", NULL, { NULL }, FALSE },
  { FTC_EXTRACT_ARROW, "arrow", STOP_PHRASE, { PREFIX_ARROW, NULL }, TRUE },
  { FTC_EXTRACT_THE_ANSWER_IS, "the-answer-is", STOP_PHRASE, { PREFIX_THE_ANSWER_IS, NULL }, TRUE },
  { FTC_EXTRACT_THEREFORE, "therefore", STOP_PHRASE, { PREFIX_THEREFORE, NULL }, TRUE },
  { FTC_EXTRACT_DIRECT, "direct", STOP_PHRASE, { NULL }, FALSE },
  { FTC_EXTRACT_COMPLETION, "completion", STOP_PHRASE,
    { PREFIX_ARROW, PREFIX_THEREFORE, PREFIX_THE_ANSWER_IS, NULL }, TRUE },
};

static const ExtractModeRow *
extract_mode_row (FtcExtractMode mode)
{
  for (gsize i = 0; i < G_N_ELEMENTS (extract_modes); i++)
    if (extract_modes[i].mode == mode)
      return &extract_modes[i];
  return NULL;
}

const char *
ftc_extract_mode_to_string (FtcExtractMode mode)
{
  const ExtractModeRow *row = extract_mode_row (mode);
  return row != NULL ? row->name : NULL;
}

gboolean
ftc_extract_mode_from_string (const char *s, FtcExtractMode *out)
{
  for (gsize i = 0; s != NULL && i < G_N_ELEMENTS (extract_modes); i++)
    if (strcmp (extract_modes[i].name, s) == 0)
      {
        *out = extract_modes[i].mode;
        return TRUE;
      }
  return FALSE;
}

/* ---- formats ---- */

const char *
ftc_answer_format_type_name (FtcAnswerType type)
{
  const AnswerTypeRow *row = answer_type_row (type);
  return row != NULL ? row->name : NULL;
}

gboolean
ftc_answer_format_parse (const char *s, FtcAnswerFormat *out, GError **error)
{
  const char *colon = s != NULL ? strchr (s, ':') : NULL;
  g_autofree char *name = s != NULL ? g_strndup (s, colon != NULL ? (gsize) (colon - s) : strlen (s)) : NULL;

  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (answer_types); i++)
    {
      if (strcmp (answer_types[i].name, name) != 0)
        continue;
      out->type = answer_types[i].type;
      out->n_choices = 0;
      out->tolerance = 0.0;
      if (colon == NULL)
        return TRUE;
      if (out->type == FTC_ANSWER_CHOICE)
        {
          char *end = NULL;
          gint64 n = g_ascii_strtoll (colon + 1, &end, 10);
          if (end != colon + 1 && *end == '\0' && n >= 1 && n <= 26)
            {
              out->n_choices = (int) n;
              return TRUE;
            }
        }
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
                   "invalid answer type '%s': only choice takes a count, choice:N with N from 1 to 26", s);
      return FALSE;
    }
  g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID,
               "unknown answer type '%s' (expected number, choice, choice:N, yesno, text or math)", s ? s : "");
  return FALSE;
}

FtcAnswerFormat
ftc_answer_format_for_task_info (const FtcTaskInfo *info)
{
  FtcAnswerFormat format = { info->answer_type, info->n_choices, 0.0 };
  return format;
}

FtcAnswerFormat
ftc_answer_format_for_task (const FtcTask *task)
{
  FtcAnswerFormat format = { task->answer_type, task->n_choices, 0.0 };
  return format;
}

char *
ftc_answer_format_to_string (const FtcAnswerFormat *format)
{
  const char *name = ftc_answer_format_type_name (format->type);

  if (format->type == FTC_ANSWER_CHOICE && format->n_choices > 0)
    return g_strdup_printf ("%s:%d", name, format->n_choices);
  return g_strdup (name != NULL ? name : "unknown");
}

/* ---- extraction ---- */

GPtrArray *
ftc_answer_candidates (const FtcAnswerFormat *format, const char *text)
{
  const AnswerTypeRow *row = answer_type_row (format->type);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *valid = NULL;

  if (row == NULL || text == NULL)
    return out;
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  row->candidates (format, text, out);
  return out;
}

/* The letter of a choice label at p: a letter within the format's choices, or a number 1..n for the n-th
 * (ARC numbers some items' choices), when no letter or digit follows. 0 when there is none. */
static char
choice_label_at (const FtcAnswerFormat *format, const char *p)
{
  int n = format->n_choices >= 1 && format->n_choices <= 26 ? format->n_choices : 26;

  if (*p >= 'A' && *p < 'A' + n && !g_ascii_isalnum (p[1]))
    return *p;
  if (g_ascii_isdigit (*p))
    {
      int v = *p - '0';
      if (g_ascii_isdigit (p[1]))
        v = v * 10 + (p[1] - '0');
      const char *after = p + (v >= 10 ? 2 : 1);
      /* "2." ends a sentence; "2.5" is a number */
      if (!g_ascii_isalnum (*after) && !(*after == '.' && g_ascii_isdigit (after[1])) && v >= 1 && v <= n)
        return (char) ('A' + v - 1);
    }
  return 0;
}

/* Choice labels written as such, before the reference's bare letters: "Answer: C" and "the answer is (C)"
 * (the last one), a text that is one label ("2", "(B)."), then "(C)" or "C)" (the first, or the last when
 * last is set). 0 when there is none. */
static char
choice_label (const FtcAnswerFormat *format, const char *text, gboolean last)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  char found = 0;
  const char *t;

  for (const char *p = strstr (lower, "answer"); p != NULL; p = strstr (p + 1, "answer"))
    {
      const char *q = text + (p - lower) + strlen ("answer");
      char c;
      if (*q == ':')
        q++;
      else if (strncmp (q, " is", 3) == 0)
        q += 3;
      else
        continue;
      while (*q == ' ' || *q == '*' || *q == '(' || *q == '$')
        q++;
      if ((c = choice_label_at (format, q)) != 0)
        found = c;
    }
  if (found != 0)
    return found;
  /* the whole text one label: "2", "(B).", " C" */
  t = text;
  while (g_ascii_isspace (*t) || *t == '(')
    t++;
  if ((found = choice_label_at (format, t)) != 0)
    {
      const char *after = t + (g_ascii_isdigit (t[0]) && g_ascii_isdigit (t[1]) ? 2 : 1);
      while (*after == ')' || *after == '.' || g_ascii_isspace (*after))
        after++;
      if (*after == '\0')
        return found;
      found = 0;
    }
  for (const char *p = text; *p != '\0'; p++)
    if (*p >= 'A' && *p <= 'Z' && p[1] == ')' && (p == text || !g_ascii_isalnum (p[-1])))
      {
        char c = choice_label_at (format, p);
        if (c != 0)
          {
            found = c;
            if (!last)
              break;
          }
      }
  return found;
}

/* labels: whether the choice label rules come before the reference's bare letters (not for the teacher's
 * step-2 text, where Kojima et al.'s rule is reproduced as it is) */
static char *
pick (const FtcAnswerFormat *format, const char *text, gboolean last, gboolean labels)
{
  g_autoptr (GPtrArray) candidates = NULL;
  char *answer;
  gsize len;

  if (format->type == FTC_ANSWER_CHOICE && labels)
    {
      char label = choice_label (format, text, last);
      if (label != 0)
        return g_strndup (&label, 1);
    }
  candidates = ftc_answer_candidates (format, text);
  if (candidates->len == 0)
    return NULL;
  answer = g_strdup (g_ptr_array_index (candidates, last ? candidates->len - 1 : 0));
  /* Kojima: "if a word ends with period, it will be omitted" */
  len = strlen (answer);
  if (len > 0 && answer[len - 1] == '.')
    answer[len - 1] = '\0';
  if (*answer == '\0')
    g_clear_pointer (&answer, g_free);
  return answer;
}

/* Words: runs of two or more letters that are not a LaTeX command's name. */
static guint
count_words (const char *s)
{
  guint n = 0;

  for (const char *p = s; *p != '\0';)
    {
      const char *start = p;
      if (!g_ascii_isalpha (*p))
        {
          p++;
          continue;
        }
      while (g_ascii_isalpha (*p))
        p++;
      if (p - start >= 2 && (start == s || start[-1] != '\\'))
        n++;
    }
  return n;
}

/* A math answer: after the mode's prefix its first sentence; without one, "final answer is", then (for the
 * text after an answer trigger or a vanilla completion, on one line) the first sentence when it is a few
 * words at most, else the last number. A \boxed{} decided before. */
static char *
pick_math (const ExtractModeRow *row, char *text)
{
  char *t = text;

  for (gsize i = 0; row->prefixes[i] != NULL; i++)
    {
      const char *at = strstr (text, row->prefixes[i]);
      if (at != NULL)
        return ftc_math_first_sentence (at + strlen (row->prefixes[i]));
    }
  {
    char *final = ftc_math_final_answer (text);
    if (final != NULL)
      return final;
  }
  while (g_ascii_isspace (*t))
    t++;
  if ((row->mode == FTC_EXTRACT_ANSWER_TEXT || row->mode == FTC_EXTRACT_DIRECT) && strchr (g_strchomp (t), '\n') == NULL)
    {
      /* " $\frac{1}{2}$." or " Evelyn." is the answer; a sentence of prose states it somewhere in it */
      char *sentence = ftc_math_first_sentence (t);
      if (sentence != NULL && count_words (sentence) <= 3)
        return sentence;
      g_free (sentence);
    }
  return ftc_math_last_number (text);
}

char *
ftc_answer_extract (const FtcAnswerFormat *format, const char *text, FtcExtractMode mode)
{
  const ExtractModeRow *row = extract_mode_row (mode);
  g_autofree char *valid = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *boxed = NULL;

  if (row == NULL || text == NULL || answer_type_row (format->type) == NULL)
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  if (row->stop != NULL)
    {
      const char *stop = strstr (text, row->stop);
      if (stop != NULL)
        text = cut = g_strndup (text, stop - text);
    }
  /* an answer put in \boxed{} (as reasoning models are asked to) is the answer, whatever the type */
  boxed = ftc_math_last_boxed (text);
  if (boxed != NULL && *boxed != '\0')
    {
      if (format->type == FTC_ANSWER_MATH)
        return g_steal_pointer (&boxed);
      return pick (format, boxed, FALSE, TRUE);
    }
  if (format->type == FTC_ANSWER_MATH)
    {
      g_autofree char *copy = g_strdup (text);
      return pick_math (row, copy);
    }
  for (gsize i = 0; row->prefixes[i] != NULL; i++)
    {
      const char *at = strstr (text, row->prefixes[i]);
      if (at != NULL)
        return pick (format, at + strlen (row->prefixes[i]), FALSE, TRUE);
    }
  return pick (format, text, row->last_without_prefix, mode != FTC_EXTRACT_ANSWER_TEXT);
}

gboolean
ftc_answer_match (FtcAnswerType type, const char *prediction, const char *gold)
{
  FtcAnswerFormat format = { type, 0, 0.0 };
  return ftc_answer_match_format (&format, prediction, gold);
}

gboolean
ftc_answer_match_format (const FtcAnswerFormat *format, const char *prediction, const char *gold)
{
  const AnswerTypeRow *row = answer_type_row (format->type);
  g_autofree char *p = NULL;
  g_autofree char *g = NULL;

  if (row == NULL || prediction == NULL || gold == NULL)
    return FALSE;
  if (!g_utf8_validate (prediction, -1, NULL) || !g_utf8_validate (gold, -1, NULL))
    return FALSE;
  p = g_strstrip (g_strdup (prediction));
  g = g_strstrip (g_strdup (gold));
  if (*p == '\0')
    return FALSE;
  return row->equal (p, g, format->tolerance);
}

char **
ftc_answer_votes (const FtcAnswerFormat *format, const char *const *answers, guint n)
{
  char **votes = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      const char *vote = answers[i];
      if (vote == NULL || *vote == '\0')
        continue;
      /* k is small (tens): the quadratic search keeps "the first equal one" exact */
      for (guint j = 0; j < i; j++)
        if (votes[j] != NULL && ftc_answer_match_format (format, answers[i], votes[j]))
          {
            vote = votes[j];
            break;
          }
      votes[i] = g_strdup (vote);
    }
  return votes;
}

int
ftc_answer_count_choices (const char *question)
{
  int n = 0;

  while (question != NULL && n < 26)
    {
      char label[4] = { '(', (char) ('A' + n), ')', '\0' };
      if (strstr (question, label) == NULL)
        break;
      n++;
    }
  return n;
}
