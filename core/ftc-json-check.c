#include "core/ftc-json-check.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Where the checker is: one entry per open array or object (1-based, [0] unused). */
typedef struct {
  gboolean object;
  gsize key;            /* object: offset of the current member's name, after its quote */
  gsize key_len;
  guint index;          /* array: the current element */
  GHashTable *names;    /* object: the member names seen (pointers into the text) */
} Level;

typedef struct {
  const char *s;
  gsize len;
  gsize pos;
  int depth;
  int max_depth;
  Level *levels;
  const char *error;   /* static text */
  int error_levels;    /* how many levels name the value at fault */
} Check;

static gboolean value (Check *c);

/* what is wrong with the value at the current level (in_value) or with the container itself */
static gboolean
error_at (Check *c, const char *what, gboolean in_value)
{
  c->error = what;
  c->error_levels = in_value ? c->depth : c->depth - 1;
  return FALSE;
}

/* a member name: the bytes between its quotes, already checked */
static gsize
name_len (const char *p)
{
  gsize n = 0;

  while (p[n] != '"')
    n += p[n] == '\\' ? 2 : 1;
  return n;
}

static guint
name_hash (gconstpointer key)
{
  const char *p = key;
  gsize n = name_len (p);
  guint h = 5381;

  for (gsize i = 0; i < n; i++)
    h = h * 33 + (guchar) p[i];
  return h;
}

static gboolean
name_equal (gconstpointer a, gconstpointer b)
{
  gsize n = name_len (a);

  return n == name_len (b) && memcmp (a, b, n) == 0;
}

static int
peek (Check *c)
{
  return c->pos < c->len ? (guchar) c->s[c->pos] : -1;
}

static void
skip_space (Check *c)
{
  while (c->pos < c->len && strchr (" \t\n\r", c->s[c->pos]) != NULL && c->s[c->pos] != '\0')
    c->pos++;
}

static int
hex4 (Check *c)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = peek (c);
      if (d < 0 || !g_ascii_isxdigit (d))
        return -1;
      v = v * 16 + g_ascii_xdigit_value (d);
      c->pos++;
    }
  return v;
}

static gboolean
string (Check *c)
{
  c->pos++;   /* the opening quote */
  for (;;)
    {
      int ch = peek (c);
      if (ch < 0)
        return error_at (c, "unterminated string", TRUE);
      if (ch == '"')
        {
          c->pos++;
          return TRUE;
        }
      if (ch < 0x20)
        return error_at (c, "control character in a string (write it as an escape)", TRUE);
      if (ch != '\\')
        {
          c->pos++;
          continue;
        }
      c->pos++;
      ch = peek (c);
      if (ch >= 0 && strchr ("\"\\/bfnrt", ch) != NULL && ch != '\0')
        {
          c->pos++;
          continue;
        }
      if (ch != 'u')
        return error_at (c, "invalid escape in a string", TRUE);
      c->pos++;
      int u = hex4 (c);
      if (u < 0)
        return error_at (c, "invalid \\u escape in a string", TRUE);
      if (u == 0)
        return error_at (c, "\\u0000 in a string", TRUE);
      if (u >= 0xdc00 && u <= 0xdfff)
        return error_at (c, "lone low surrogate in a string", TRUE);
      if (u >= 0xd800 && u <= 0xdbff)
        {
          int low;
          if (peek (c) != '\\' || c->pos + 1 >= c->len || c->s[c->pos + 1] != 'u')
            return error_at (c, "lone high surrogate in a string", TRUE);
          c->pos += 2;
          low = hex4 (c);
          if (low < 0xdc00 || low > 0xdfff)
            return error_at (c, "lone high surrogate in a string", TRUE);
        }
    }
}

static gboolean
number (Check *c)
{
  gsize start = c->pos;
  gboolean integer = TRUE;
  g_autofree char *digits = NULL;

  if (peek (c) == '-')
    c->pos++;
  if (peek (c) == '0')
    c->pos++;
  else if (peek (c) >= '1' && peek (c) <= '9')
    while (peek (c) >= '0' && peek (c) <= '9')
      c->pos++;
  else
    return error_at (c, "invalid number", TRUE);
  if (peek (c) == '.')
    {
      integer = FALSE;
      c->pos++;
      if (!(peek (c) >= '0' && peek (c) <= '9'))
        return error_at (c, "invalid number", TRUE);
      while (peek (c) >= '0' && peek (c) <= '9')
        c->pos++;
    }
  if (peek (c) == 'e' || peek (c) == 'E')
    {
      integer = FALSE;
      c->pos++;
      if (peek (c) == '+' || peek (c) == '-')
        c->pos++;
      if (!(peek (c) >= '0' && peek (c) <= '9'))
        return error_at (c, "invalid number", TRUE);
      while (peek (c) >= '0' && peek (c) <= '9')
        c->pos++;
    }
  if (integer && c->pos - start <= 18)
    return TRUE;   /* at most 18 digits always fit 64 bits */
  digits = g_strndup (c->s + start, c->pos - start);
  errno = 0;
  if (integer)
    {
      /* json-glib would wrap it: 9223372036854775808 becomes -9223372036854775808 */
      g_ascii_strtoll (digits, NULL, 10);
      if (errno == ERANGE)
        {
          c->pos = start;
          return error_at (c, "integer out of the 64-bit range", TRUE);
        }
    }
  else if (isinf (g_ascii_strtod (digits, NULL)))
    {
      /* json-glib would read infinity, which no JSON writer can write back */
      c->pos = start;
      return error_at (c, "number out of range", TRUE);
    }
  return TRUE;
}

static gboolean
literal (Check *c, const char *word)
{
  gsize n = strlen (word);

  if (c->len - c->pos < n || memcmp (c->s + c->pos, word, n) != 0)
    return error_at (c, "unexpected word (expected a value)", TRUE);
  c->pos += n;
  return TRUE;
}

static void
leave (Check *c)
{
  Level *level = &c->levels[c->depth];

  g_clear_pointer (&level->names, g_hash_table_unref);
  c->depth--;
}

/* [ ... ] or { ... }: members are "key": value when close is '}' */
static gboolean
container (Check *c, char close)
{
  Level *level;

  if (c->depth >= c->max_depth)
    return error_at (c, close == '}' ? "objects and arrays nested too deep" : "arrays and objects nested too deep",
                     TRUE);
  level = &c->levels[++c->depth];
  *level = (Level) { .object = close == '}' };
  c->pos++;
  skip_space (c);
  if (peek (c) == close)
    {
      c->pos++;
      leave (c);
      return TRUE;
    }
  for (;;)
    {
      skip_space (c);
      if (close == '}')
        {
          gsize name;
          if (peek (c) != '"')
            return error_at (c, "expected a member name in double quotes", FALSE);
          name = c->pos + 1;
          level->key = level->key_len = 0;
          if (!string (c))
            return FALSE;
          level->key = name;
          level->key_len = c->pos - 1 - name;
          if (level->names == NULL)
            level->names = g_hash_table_new (name_hash, name_equal);
          if (!g_hash_table_add (level->names, (gpointer) (c->s + name)))
            {
              c->pos = name - 1;
              return error_at (c, "the same member name twice in one object", TRUE);
            }
          skip_space (c);
          if (peek (c) != ':')
            return error_at (c, "expected ':' after a member name", TRUE);
          c->pos++;
        }
      if (!value (c))
        return FALSE;
      skip_space (c);
      if (peek (c) == ',')
        {
          c->pos++;
          level->index++;
          continue;
        }
      if (peek (c) == close)
        {
          c->pos++;
          leave (c);
          return TRUE;
        }
      return error_at (c, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'", FALSE);
    }
}

static gboolean
value (Check *c)
{
  skip_space (c);
  switch (peek (c))
    {
    case '{':
      return container (c, '}');
    case '[':
      return container (c, ']');
    case '"':
      return string (c);
    case 't':
      return literal (c, "true");
    case 'f':
      return literal (c, "false");
    case 'n':
      return literal (c, "null");
    case '-':
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
      return number (c);
    case -1:
      return error_at (c, "unexpected end of line (expected a value)", TRUE);
    default:
      return error_at (c, "unexpected character (expected a value)", TRUE);
    }
}

/* "training.epochs", "steps[2].op": the members and elements leading to the value at fault */
static char *
field_path (Check *c)
{
  GString *path = g_string_new (NULL);

  for (int i = 1; i <= c->error_levels; i++)
    {
      Level *level = &c->levels[i];
      if (!level->object)
        g_string_append_printf (path, "[%u]", level->index);
      else if (level->key_len > 0 || level->key != 0)
        {
          if (path->len > 0)
            g_string_append_c (path, '.');
          g_string_append_len (path, c->s + level->key, (gssize) MIN (level->key_len, 200));
        }
    }
  if (path->len == 0)
    {
      g_string_free (path, TRUE);
      return NULL;
    }
  return g_string_free (path, FALSE);
}

char *
ftc_json_check (const char *text, gsize len, int max_depth, gsize *offset, char **field)
{
  Check c = { text, len, 0, 0, MAX (max_depth, 0), NULL, NULL, 0 };
  char *result = NULL;

  c.levels = g_new0 (Level, c.max_depth + 1);
  if (value (&c))
    {
      skip_space (&c);
      if (c.pos == c.len)
        {
          g_free (c.levels);
          if (field != NULL)
            *field = NULL;
          return NULL;
        }
      c.error = "more than one value";
      c.error_levels = 0;
    }
  if (offset != NULL)
    *offset = c.pos;
  if (field != NULL)
    *field = field_path (&c);
  result = g_strdup (c.error);
  while (c.depth > 0)
    leave (&c);
  g_free (c.levels);
  return result;
}
