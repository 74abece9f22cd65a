#include "core/ftc-json-check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  gsize len;
  gsize pos;
  int depth;
  int max_depth;
  const char *error;   /* static text */
} Check;

static gboolean value (Check *c);

static gboolean
error_at (Check *c, const char *what)
{
  c->error = what;
  return FALSE;
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
        return error_at (c, "unterminated string");
      if (ch == '"')
        {
          c->pos++;
          return TRUE;
        }
      if (ch < 0x20)
        return error_at (c, "control character in a string (write it as an escape)");
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
        return error_at (c, "invalid escape in a string");
      c->pos++;
      int u = hex4 (c);
      if (u < 0)
        return error_at (c, "invalid \\u escape in a string");
      if (u == 0)
        return error_at (c, "\\u0000 in a string");
      if (u >= 0xdc00 && u <= 0xdfff)
        return error_at (c, "lone low surrogate in a string");
      if (u >= 0xd800 && u <= 0xdbff)
        {
          int low;
          if (peek (c) != '\\' || c->pos + 1 >= c->len || c->s[c->pos + 1] != 'u')
            return error_at (c, "lone high surrogate in a string");
          c->pos += 2;
          low = hex4 (c);
          if (low < 0xdc00 || low > 0xdfff)
            return error_at (c, "lone high surrogate in a string");
        }
    }
}

static gboolean
number (Check *c)
{
  gsize start = c->pos;
  gboolean integer = TRUE;

  if (peek (c) == '-')
    c->pos++;
  if (peek (c) == '0')
    c->pos++;
  else if (peek (c) >= '1' && peek (c) <= '9')
    while (peek (c) >= '0' && peek (c) <= '9')
      c->pos++;
  else
    return error_at (c, "invalid number");
  if (peek (c) == '.')
    {
      integer = FALSE;
      c->pos++;
      if (!(peek (c) >= '0' && peek (c) <= '9'))
        return error_at (c, "invalid number");
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
        return error_at (c, "invalid number");
      while (peek (c) >= '0' && peek (c) <= '9')
        c->pos++;
    }
  if (integer && c->pos - start > 18)
    {
      g_autofree char *digits = g_strndup (c->s + start, c->pos - start);
      errno = 0;
      g_ascii_strtoll (digits, NULL, 10);
      if (errno == ERANGE)
        {
          c->pos = start;
          return error_at (c, "integer out of the 64-bit range");
        }
    }
  return TRUE;
}

static gboolean
literal (Check *c, const char *word)
{
  gsize n = strlen (word);

  if (c->len - c->pos < n || memcmp (c->s + c->pos, word, n) != 0)
    return error_at (c, "unexpected word (expected a value)");
  c->pos += n;
  return TRUE;
}

/* [ ... ] or { ... }: members are "key": value when close is '}' */
static gboolean
container (Check *c, char close)
{
  if (++c->depth > c->max_depth)
    return error_at (c, close == '}' ? "objects and arrays nested too deep" : "arrays and objects nested too deep");
  c->pos++;
  skip_space (c);
  if (peek (c) == close)
    {
      c->pos++;
      c->depth--;
      return TRUE;
    }
  for (;;)
    {
      skip_space (c);
      if (close == '}')
        {
          if (peek (c) != '"')
            return error_at (c, "expected a member name in double quotes");
          if (!string (c))
            return FALSE;
          skip_space (c);
          if (peek (c) != ':')
            return error_at (c, "expected ':' after a member name");
          c->pos++;
        }
      if (!value (c))
        return FALSE;
      skip_space (c);
      if (peek (c) == ',')
        {
          c->pos++;
          continue;
        }
      if (peek (c) == close)
        {
          c->pos++;
          c->depth--;
          return TRUE;
        }
      return error_at (c, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
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
      return error_at (c, "unexpected end of line (expected a value)");
    default:
      return error_at (c, "unexpected character (expected a value)");
    }
}

char *
ftc_json_check (const char *text, gsize len, int max_depth, gsize *column)
{
  Check c = { text, len, 0, 0, max_depth, NULL };

  if (value (&c))
    {
      skip_space (&c);
      if (c.pos == c.len)
        return NULL;
      c.error = "more than one value";
    }
  if (column != NULL)
    *column = c.pos + 1;
  return g_strdup (c.error);
}
