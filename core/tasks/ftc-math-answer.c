/* ftc-math-answer.c: extraction, normalisation and equality of math answers (rules in the header). */
#include "core/tasks/ftc-math-answer.h"

#include <string.h>

#include "core/tasks/ftc-math-expr.h"

/* nesting of tuples inside tuples that equality follows */
#define MAX_STRUCTURE_DEPTH 4

/* ---- extraction ---- */

/* The end of the braced group that opens at open ('{'), or NULL when it does not close. Escaped braces
 * (\{ \}) are text, not delimiters. */
static const char *
group_end (const char *open)
{
  int depth = 0;

  for (const char *p = open; *p != '\0'; p++)
    {
      if (*p == '\\' && (p[1] == '{' || p[1] == '}' || p[1] == '\\'))
        {
          p++;
          continue;
        }
      if (*p == '{')
        depth++;
      else if (*p == '}' && --depth == 0)
        return p;
    }
  return NULL;
}

/* p at a command name (after the backslash): TRUE when the word there is exactly name */
static gboolean
is_command (const char *p, const char *name)
{
  gsize n = strlen (name);
  return strncmp (p, name, n) == 0 && !g_ascii_isalpha (p[n]);
}

char *
ftc_math_last_boxed (const char *text)
{
  static const char *const names[] = { "boxed", "fbox", "framebox" };
  const char *best = NULL;
  gsize best_len = 0;

  if (text == NULL)
    return NULL;
  for (const char *p = strchr (text, '\\'); p != NULL; p = strchr (p + 1, '\\'))
    for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
      if (is_command (p + 1, names[i]))
        {
          best = p;
          best_len = 1 + strlen (names[i]);
        }
  if (best == NULL)
    return NULL;
  best += best_len;
  while (*best == ' ')
    best++;
  if (*best == '{')
    {
      const char *end = group_end (best);
      return end != NULL ? g_strstrip (g_strndup (best + 1, end - best - 1)) : NULL;
    }
  /* "\boxed 5": up to the end of the math or the next space */
  {
    const char *end = best;
    while (*end != '\0' && *end != '$' && !g_ascii_isspace (*end))
      end++;
    return end > best ? g_strndup (best, end - best) : NULL;
  }
}

/* Trims white space, $ signs and a final period (what surrounds an answer in running text). */
static char *
trim_answer (char *s)
{
  gsize n;

  g_strstrip (s);
  for (;;)
    {
      n = strlen (s);
      if (n > 0 && (s[n - 1] == '.' || s[n - 1] == '$' || g_ascii_isspace (s[n - 1])))
        s[n - 1] = '\0';
      else if (s[0] == '$' || g_ascii_isspace (s[0]))
        memmove (s, s + 1, n);
      else
        break;
    }
  if (*s == '\0')
    {
      g_free (s);
      return NULL;
    }
  return s;
}

char *
ftc_math_final_answer (const char *text)
{
  static const char needle[] = "final answer is";
  const char *at = NULL, *end, *hope;
  g_autofree char *lower = NULL;

  if (text == NULL)
    return NULL;
  lower = g_ascii_strdown (text, -1);
  for (const char *p = strstr (lower, needle); p != NULL; p = strstr (p + 1, needle))
    at = p;
  if (at == NULL)
    return NULL;
  at += sizeof needle - 1;
  end = strchr (at, '\n');
  if (end == NULL)
    end = at + strlen (at);
  /* Minerva: "The final answer is $X$. I hope it is correct." */
  hope = g_strstr_len (at, end - at, "i hope it is correct");
  if (hope != NULL)
    end = hope;
  return trim_answer (g_strndup (text + (at - lower), end - at));
}

char *
ftc_math_last_number (const char *text)
{
  const char *best = NULL;
  gsize best_len = 0;
  GString *out;

  if (text == NULL)
    return NULL;
  for (const char *p = text; *p != '\0';)
    {
      const char *start = p, *q;

      if (!(g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1]))))
        {
          p++;
          continue;
        }
      if (start > text && start[-1] == '-')
        start--;
      q = p;
      while (g_ascii_isdigit (*q))
        q++;
      /* thousands separators: ",ddd" groups */
      while (q[0] == ',' && g_ascii_isdigit (q[1]) && g_ascii_isdigit (q[2]) && g_ascii_isdigit (q[3])
             && !g_ascii_isdigit (q[4]))
        q += 4;
      if (*q == '.' && g_ascii_isdigit (q[1]))
        {
          q++;
          while (g_ascii_isdigit (*q))
            q++;
        }
      best = start;
      best_len = q - start;
      p = q;
    }
  if (best == NULL)
    return NULL;
  out = g_string_sized_new (best_len);
  for (gsize i = 0; i < best_len; i++)
    if (best[i] != ',')
      g_string_append_c (out, best[i]);
  return g_string_free (out, FALSE);
}

char *
ftc_math_first_sentence (const char *text)
{
  const char *end;

  if (text == NULL)
    return NULL;
  while (g_ascii_isspace (*text))
    text++;
  end = strchr (text, '\n');
  if (end == NULL)
    end = text + strlen (text);
  for (const char *p = text; p + 1 < end; p++)
    if (*p == '.' && g_ascii_isspace (p[1]))
      {
        end = p;
        break;
      }
  return trim_answer (g_strndup (text, end - text));
}

char *
ftc_math_answer_extract (const char *text)
{
  char *answer;

  if ((answer = ftc_math_last_boxed (text)) != NULL && *answer != '\0')
    return answer;
  g_free (answer);
  if ((answer = ftc_math_final_answer (text)) != NULL)
    return answer;
  return ftc_math_last_number (text);
}

/* ---- normalisation ---- */

/* Replaces every occurrence of the command \name (not followed by a letter) with replacement. */
static void
replace_command (GString *s, const char *name, const char *replacement)
{
  gsize n = strlen (name);

  for (gsize i = 0; i < s->len; i++)
    if (s->str[i] == '\\' && is_command (s->str + i + 1, name))
      {
        g_string_erase (s, i, n + 1);
        g_string_insert (s, i, replacement);
        i += strlen (replacement);
        if (i > 0)
          i--;
      }
}

static void
replace_text (GString *s, const char *needle, const char *replacement)
{
  gsize n = strlen (needle);
  char *at;
  gsize from = 0;

  while (from <= s->len && (at = strstr (s->str + from, needle)) != NULL)
    {
      gsize i = at - s->str;
      g_string_erase (s, i, n);
      g_string_insert (s, i, replacement);
      from = i + strlen (replacement);
    }
}

/* The spacing commands \, \! \; \: and "\ " (a row break \\ is kept) */
static void
drop_spacing (GString *s)
{
  for (gsize i = 0; i + 1 < s->len; i++)
    {
      char c;
      if (s->str[i] != '\\')
        continue;
      c = s->str[i + 1];
      if (c == '\\')
        i++;
      else if (c == ',' || c == '!' || c == ';' || c == ':')
        g_string_erase (s, i--, 2);
      else if (c == ' ')
        g_string_erase (s, i, 1);
    }
}

/* A word of letters (a unit) */
static gboolean
is_word (const char *s, gsize n)
{
  gboolean any = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      if (g_ascii_isalpha (s[i]))
        any = TRUE;
      else if (s[i] != ' ' && s[i] != '.')
        return FALSE;
    }
  return any;
}

/* \text{...} and its kin: unwrapped, or dropped when they are a unit after a value at the end */
static void
unwrap_text_commands (GString *s)
{
  static const char *const names[] = { "text", "textbf", "textit", "textrm", "textnormal", "mathrm", "mathbf",
                                       "mbox", "operatorname" };

  for (gsize i = 0; i < s->len; i++)
    {
      const char *end;
      gsize name_len = 0;

      if (s->str[i] != '\\')
        continue;
      for (gsize k = 0; k < G_N_ELEMENTS (names); k++)
        if (is_command (s->str + i + 1, names[k]))
          name_len = strlen (names[k]);
      if (name_len == 0 || s->str[i + 1 + name_len] != '{')
        continue;
      end = group_end (s->str + i + 1 + name_len);
      if (end == NULL)
        return;
      {
        gsize open = i + 1 + name_len, close = end - s->str;
        gsize content_len = close - open - 1;
        gboolean unit = FALSE;

        if (close + 1 == s->len && i > 0 && is_word (s->str + open + 1, content_len))
          {
            /* "5\text{ cm}", "90\text{ degrees}": a unit after something that is not a word */
            gsize j = i;
            while (j > 0 && s->str[j - 1] == ' ')
              j--;
            unit = j > 0 && (g_ascii_isdigit (s->str[j - 1]) || s->str[j - 1] == '}' || s->str[j - 1] == ')');
          }
        if (unit)
          g_string_truncate (s, i);
        else
          {
            g_string_erase (s, close, 1);
            g_string_erase (s, i, open + 1 - i);
            i--;
          }
      }
    }
}

/* Unit words that follow a number in answers ("12 inches", "4 square units"). */
static const char *const unit_words[] = {
  "unit", "units", "square", "sq", "cubic", "cm", "centimeter", "centimeters", "meter", "meters", "km",
  "kilometers", "mm", "inch", "inches", "foot", "feet", "ft", "yard", "yards", "mile", "miles", "mph",
  "degree", "degrees", "dollar", "dollars", "cent", "cents", "second", "seconds", "minute", "minutes", "hour",
  "hours", "day", "days", "week", "weeks", "month", "months", "year", "years", "pound", "pounds", "ounce",
  "ounces", "gallon", "gallons", "liter", "liters", "people", "students", "ways",
};

static void
drop_unit_words (GString *s)
{
  for (;;)
    {
      gsize end = s->len, start;
      gboolean known = FALSE;

      while (end > 0 && s->str[end - 1] == ' ')
        end--;
      /* an exponent on the unit: "cm^2" */
      if (end >= 2 && s->str[end - 2] == '^' && g_ascii_isdigit (s->str[end - 1]))
        end -= 2;
      start = end;
      while (start > 0 && g_ascii_isalpha (s->str[start - 1]))
        start--;
      if (start == end || start == 0 || s->str[start - 1] != ' ')
        return;
      for (gsize k = 0; k < G_N_ELEMENTS (unit_words); k++)
        if (strlen (unit_words[k]) == end - start && g_ascii_strncasecmp (s->str + start, unit_words[k], end - start) == 0)
          known = TRUE;
      if (!known)
        return;
      g_string_truncate (s, start - 1);
      g_strchomp (s->str);
      s->len = strlen (s->str);
    }
}

/* "x = 5", "\theta = 30", "x \in [1, 2]": the value alone (one variable, one '=' at the top) */
static void
drop_variable_prefix (GString *s)
{
  const char *p = s->str;
  const char *rest;

  if (g_ascii_isalpha (*p))
    {
      p++;
      if (*p == '_' && g_ascii_isalnum (p[1]))
        p += 2;
    }
  else if (*p == '\\')
    {
      p++;
      while (g_ascii_isalpha (*p))
        p++;
      if (p - s->str < 3)
        return;
    }
  else
    return;
  while (*p == ' ')
    p++;
  if (*p == '=')
    rest = p + 1;
  else if (strncmp (p, "\\in", 3) == 0 && !g_ascii_isalpha (p[3]))
    rest = p + 3;
  else
    return;
  /* a second '=' makes it a chain, not a prefix */
  if (strchr (rest, '=') != NULL)
    return;
  g_string_erase (s, 0, rest - s->str);
}

/* 1,000,000 (the whole answer a number with separators) */
static void
drop_thousands_commas (GString *s)
{
  const char *p = s->str;
  gsize digits = 0;

  if (*p == '-' || *p == '+')
    p++;
  while (g_ascii_isdigit (p[digits]))
    digits++;
  if (digits < 1 || digits > 3 || p[digits] != ',')
    return;
  p += digits;
  while (*p == ',')
    {
      if (!(g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) && g_ascii_isdigit (p[3])))
        return;
      p += 4;
    }
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p != '\0')
    return;
  replace_text (s, ",", "");
}

char *
ftc_math_normalize (const char *answer)
{
  static const char *const dropped[] = { "left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big",
                                         "displaystyle", "quad", "qquad", "degree", "circ" };
  GString *s;
  gsize n;

  if (answer == NULL)
    return g_strdup ("");
  n = strnlen (answer, FTC_MATH_MAX_ANSWER);
  s = g_string_new_len (answer, n);
  if (!g_utf8_validate (s->str, s->len, NULL))
    {
      char *valid = g_utf8_make_valid (s->str, s->len);
      g_string_assign (s, valid);
      g_free (valid);
    }
  g_strstrip (s->str);
  s->len = strlen (s->str);

  /* math delimiters */
  if (g_str_has_prefix (s->str, "\\(") && g_str_has_suffix (s->str, "\\)") && s->len >= 4)
    {
      g_string_truncate (s, s->len - 2);
      g_string_erase (s, 0, 2);
    }
  if (g_str_has_prefix (s->str, "\\[") && g_str_has_suffix (s->str, "\\]") && s->len >= 4)
    {
      g_string_truncate (s, s->len - 2);
      g_string_erase (s, 0, 2);
    }
  replace_text (s, "\\$", "");
  replace_text (s, "$", "");
  replace_text (s, "\\%", "");
  replace_text (s, "%", "");
  /* degrees: ^\circ, ^{\circ}, ° */
  replace_text (s, "^{\\circ}", "");
  replace_text (s, "^\\circ", "");
  replace_text (s, "\xc2\xb0", "");
  /* spacing and sizing */
  drop_spacing (s);
  replace_text (s, "\\left.", "");
  replace_text (s, "\\right.", "");
  for (gsize i = 0; i < G_N_ELEMENTS (dropped); i++)
    replace_command (s, dropped[i], "");
  replace_command (s, "dfrac", "\\frac");
  replace_command (s, "tfrac", "\\frac");
  replace_command (s, "cfrac", "\\frac");
  replace_text (s, "{,}", "");
  replace_text (s, "^{}", "");
  unwrap_text_commands (s);
  /* a trailing period or line break, then units and a variable prefix */
  for (;;)
    {
      g_strstrip (s->str);
      s->len = strlen (s->str);
      if (s->len > 0 && s->str[s->len - 1] == '.')
        g_string_truncate (s, s->len - 1);
      else if (g_str_has_suffix (s->str, "\\\\"))
        g_string_truncate (s, s->len - 2);
      else
        break;
    }
  drop_unit_words (s);
  drop_variable_prefix (s);
  /* no white space: "x + 1" and "x+1" are one answer; one space stays where a command name would run
   * into a letter ("\pi r") */
  {
    gsize j = 0;
    for (gsize i = 0; i < s->len; i++)
      {
        if (!g_ascii_isspace (s->str[i]))
          {
            s->str[j++] = s->str[i];
            continue;
          }
        if (j > 0 && g_ascii_isalpha (s->str[j - 1]) && i + 1 < s->len && g_ascii_isalpha (s->str[i + 1]))
          {
            gsize k = j;
            while (k > 0 && g_ascii_isalpha (s->str[k - 1]))
              k--;
            if (k > 0 && s->str[k - 1] == '\\' && s->str[j - 1] != ' ')
              s->str[j++] = ' ';
          }
      }
    g_string_truncate (s, j);
  }
  drop_thousands_commas (s);
  /* {5} is 5 */
  while (s->len >= 2 && s->str[0] == '{' && group_end (s->str) == s->str + s->len - 1)
    {
      g_string_truncate (s, s->len - 1);
      g_string_erase (s, 0, 1);
    }
  return g_string_free (s, FALSE);
}

/* ---- equality ---- */

typedef enum {
  SHAPE_SCALAR,
  SHAPE_TUPLE,    /* (a, b], [a, b]: ordered, brackets matter */
  SHAPE_SET,      /* \{a, b\} */
  SHAPE_LIST,     /* a, b: solutions in any order */
  SHAPE_MATRIX,   /* \begin{pmatrix} a \\ b \end{pmatrix} */
} Shape;

typedef struct {
  Shape shape;
  char open, close;
  GPtrArray *items;   /* char* */
} Structure;

static gboolean
is_open (char c)
{
  return c == '(' || c == '[' || c == '{';
}

static gboolean
is_close (char c)
{
  return c == ')' || c == ']' || c == '}';
}

/* Splits s[0..n) at its top-level commas; a matrix body at "&" and at its row breaks instead (empty cells
 * left out). */
static GPtrArray *
split_top (const char *s, gsize n, gboolean matrix)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
  int depth = 0;
  gsize start = 0;

  for (gsize i = 0; i < n; i++)
    {
      char c = s[i];
      gsize cut = 0;

      if (c == '\\' && i + 1 < n && (s[i + 1] == '{' || s[i + 1] == '}'))
        {
          depth += s[i + 1] == '{' ? 1 : -1;
          i++;
          continue;
        }
      if (c == '\\' && i + 1 < n && s[i + 1] == '\\' && matrix && depth == 0)
        cut = 2;
      else if (is_open (c))
        depth++;
      else if (is_close (c))
        depth--;
      else if (depth == 0 && c == (matrix ? '&' : ','))
        cut = 1;
      if (cut == 0)
        continue;
      if (!matrix || i > start)
        g_ptr_array_add (items, g_strndup (s + start, i - start));
      start = i + cut;
      i += cut - 1;
    }
  if (!matrix || n > start)
    g_ptr_array_add (items, g_strndup (s + start, n - start));
  return items;
}

/* Whether the bracket at s[0] closes at s[n-1] (any kinds: intervals mix them). */
static gboolean
encloses (const char *s, gsize n)
{
  int depth = 0;

  if (n < 2 || !is_open (s[0]) || !is_close (s[n - 1]))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      if (is_open (s[i]))
        depth++;
      else if (is_close (s[i]))
        depth--;
      if (depth == 0 && i + 1 < n)
        return FALSE;
    }
  return depth == 0;
}

static void
structure_of (const char *s, Structure *out)
{
  gsize n = strlen (s);
  static const char *const envs[] = { "pmatrix", "bmatrix", "matrix", "vmatrix" };

  out->shape = SHAPE_SCALAR;
  out->open = out->close = 0;
  out->items = NULL;
  for (gsize k = 0; k < G_N_ELEMENTS (envs); k++)
    {
      g_autofree char *begin = g_strdup_printf ("\\begin{%s}", envs[k]);
      g_autofree char *end = g_strdup_printf ("\\end{%s}", envs[k]);
      if (g_str_has_prefix (s, begin) && g_str_has_suffix (s, end) && n > strlen (begin) + strlen (end))
        {
          out->shape = SHAPE_MATRIX;
          out->items = split_top (s + strlen (begin), n - strlen (begin) - strlen (end), TRUE);
          return;
        }
    }
  if (g_str_has_prefix (s, "\\{") && g_str_has_suffix (s, "\\}") && n >= 4)
    {
      out->shape = SHAPE_SET;
      out->items = split_top (s + 2, n - 4, FALSE);
      return;
    }
  if (encloses (s, n))
    {
      GPtrArray *items = split_top (s + 1, n - 2, FALSE);
      if (items->len >= 2)
        {
          out->shape = SHAPE_TUPLE;
          out->open = s[0];
          out->close = s[n - 1];
          out->items = items;
          return;
        }
      g_ptr_array_unref (items);
    }
  {
    GPtrArray *items = split_top (s, n, FALSE);
    if (items->len >= 2)
      {
        out->shape = SHAPE_LIST;
        out->items = items;
        return;
      }
    g_ptr_array_unref (items);
  }
}

static gboolean equal_normalized (const char *p, const char *g, int depth);

static gboolean
equal_in_order (GPtrArray *p, GPtrArray *g, int depth)
{
  if (p->len != g->len)
    return FALSE;
  for (guint i = 0; i < g->len; i++)
    if (!equal_normalized (p->pdata[i], g->pdata[i], depth + 1))
      return FALSE;
  return TRUE;
}

/* every gold item matched by its own prediction item (greedy is enough: equality is transitive) */
static gboolean
equal_any_order (GPtrArray *p, GPtrArray *g, int depth)
{
  g_autofree gboolean *used = NULL;

  if (p->len != g->len)
    return FALSE;
  used = g_new0 (gboolean, p->len);
  for (guint i = 0; i < g->len; i++)
    {
      gboolean found = FALSE;
      for (guint j = 0; j < p->len && !found; j++)
        if (!used[j] && equal_normalized (p->pdata[j], g->pdata[i], depth + 1))
          used[j] = found = TRUE;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* The position of the one top-level '=' in s, or -1 (none or several). */
static int
single_equals (const char *s)
{
  int depth = 0, at = -1;

  for (int i = 0; s[i] != '\0'; i++)
    {
      if (is_open (s[i]))
        depth++;
      else if (is_close (s[i]))
        depth--;
      else if (s[i] == '=' && depth == 0)
        {
          if (at >= 0)
            return -1;
          at = i;
        }
    }
  return at;
}

static gboolean
expressions_equal (const char *p, const char *g)
{
  g_autoptr (FtcMathExpr) a = ftc_math_expr_parse (p, NULL);
  g_autoptr (FtcMathExpr) b = a != NULL ? ftc_math_expr_parse (g, NULL) : NULL;

  return a != NULL && b != NULL && ftc_math_expr_equal (a, b, FTC_MATH_REL_TOL);
}

static gboolean
equations_equal (const char *p, int pe, const char *g, int ge)
{
  g_autofree char *pd = g_strdup_printf ("(%.*s)-(%s)", pe, p, p + pe + 1);
  g_autofree char *gd = g_strdup_printf ("(%.*s)-(%s)", ge, g, g + ge + 1);
  g_autofree char *gn = g_strdup_printf ("-(%s)", gd);

  return expressions_equal (pd, gd) || expressions_equal (pd, gn);
}

/* text without brackets and \text, ignoring case: "(C)" and "c", "\text{Monday}" and "monday" */
static char *
bare_text (const char *s)
{
  GString *out = g_string_new (NULL);

  for (const char *p = s; *p != '\0'; p++)
    if (!is_open (*p) && !is_close (*p) && *p != '\\')
      g_string_append_c (out, g_ascii_tolower (*p));
  return g_string_free (out, FALSE);
}

static gboolean
equal_normalized (const char *p, const char *g, int depth)
{
  Structure ps, gs;
  gboolean equal = FALSE;
  int pe, ge;

  if (*p == '\0' || *g == '\0')
    return FALSE;
  if (strcmp (p, g) == 0)
    return TRUE;
  if (depth > MAX_STRUCTURE_DEPTH)
    return FALSE;

  structure_of (p, &ps);
  structure_of (g, &gs);
  if (ps.shape != SHAPE_SCALAR || gs.shape != SHAPE_SCALAR)
    {
      gboolean unordered_p = ps.shape == SHAPE_SET || ps.shape == SHAPE_LIST;
      gboolean unordered_g = gs.shape == SHAPE_SET || gs.shape == SHAPE_LIST;

      if (ps.shape == gs.shape && ps.shape == SHAPE_TUPLE)
        equal = ps.open == gs.open && ps.close == gs.close && equal_in_order (ps.items, gs.items, depth);
      else if (ps.shape == gs.shape && ps.shape == SHAPE_MATRIX)
        equal = equal_in_order (ps.items, gs.items, depth);
      else if (unordered_p && unordered_g)
        equal = equal_any_order (ps.items, gs.items, depth);
      g_clear_pointer (&ps.items, g_ptr_array_unref);
      g_clear_pointer (&gs.items, g_ptr_array_unref);
      return equal;
    }

  pe = single_equals (p);
  ge = single_equals (g);
  if (pe >= 0 && ge >= 0)
    return equations_equal (p, pe, g, ge);
  if (pe < 0 && ge < 0 && expressions_equal (p, g))
    return TRUE;
  {
    g_autofree char *pt = bare_text (p);
    g_autofree char *gt = bare_text (g);
    return *gt != '\0' && strcmp (pt, gt) == 0;
  }
}

gboolean
ftc_math_answer_equal (const char *prediction, const char *gold)
{
  g_autofree char *p = NULL;
  g_autofree char *g = NULL;

  if (prediction == NULL || gold == NULL)
    return FALSE;
  /* the same text is the same answer, even one that normalises to nothing ("$") */
  if (*prediction != '\0' && strcmp (prediction, gold) == 0)
    return TRUE;
  p = ftc_math_normalize (prediction);
  g = ftc_math_normalize (gold);
  return equal_normalized (p, g, 0);
}
