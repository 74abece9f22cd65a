/* ftc-math-expr.c: recursive descent over LaTeX into a node array, evaluation in doubles, comparison at
 * fixed pseudo-random points.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := signed (('*' | '/' | \cdot | \times | \div) signed | power)*     (the bare power: 2x, 3\sqrt{2})
 *   signed  := ('-' | '+') signed | power
 *   power   := postfix ('^' exponent)?
 *   postfix := primary '!'*
 *   primary := number | variable | (expr) | [expr] | {expr} | |expr| | \frac{a}{b} | \sqrt[n]{x}
 *              | \pi | \infty | function [^exponent] [_base] argument
 */
#include "core/tasks/ftc-math-expr.h"

#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/tasks/ftc-task.h"

typedef enum {
  OP_NUM, OP_VAR, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_NEG, OP_FACT, OP_FUNC, OP_ROOT,
} Op;

typedef enum {
  FN_SIN, FN_COS, FN_TAN, FN_SEC, FN_CSC, FN_COT, FN_ASIN, FN_ACOS, FN_ATAN, FN_SINH, FN_COSH, FN_TANH,
  FN_LN, FN_LOG, FN_EXP, FN_ABS,
} Fn;

typedef struct {
  Op op;
  int a, b;        /* operand nodes (-1: none) */
  int fn;          /* OP_FUNC: Fn; OP_VAR: variable index */
  double value;    /* OP_NUM */
} Node;

struct _FtcMathExpr {
  GArray *nodes;   /* Node */
  int root;
  GPtrArray *vars; /* char*: names */
};

typedef struct {
  const char *s;
  const char *p;
  FtcMathExpr *e;
  int depth;
  GError **error;
  gboolean failed;
} Parser;

static int parse_expr (Parser *ps);

static int
fail (Parser *ps, const char *what)
{
  if (!ps->failed)
    g_set_error (ps->error, FTC_ERROR, FTC_ERROR_PARSE, "not an expression at offset %d: %s",
                 (int) (ps->p - ps->s), what);
  ps->failed = TRUE;
  return -1;
}

static int
node_new (Parser *ps, Op op, int a, int b, int fn, double value)
{
  Node n = { op, a, b, fn, value };

  if (ps->failed || (op != OP_NUM && op != OP_VAR && a < 0) || ((op >= OP_ADD && op <= OP_POW) && b < 0))
    return -1;
  g_array_append_val (ps->e->nodes, n);
  return (int) ps->e->nodes->len - 1;
}

/* ---- the command table: what a backslash word means here ---- */

typedef enum { CMD_SKIP, CMD_FRAC, CMD_SQRT, CMD_CONST, CMD_MUL, CMD_DIV, CMD_FUNC, CMD_GREEK } CmdKind;

typedef struct {
  const char *name;
  CmdKind kind;
  int arg;         /* FUNC: Fn; CONST: 0 pi, 1 infinity */
} Cmd;

static const Cmd commands[] = {
  { "left", CMD_SKIP, 0 }, { "right", CMD_SKIP, 0 }, { "big", CMD_SKIP, 0 }, { "Big", CMD_SKIP, 0 },
  { "bigl", CMD_SKIP, 0 }, { "bigr", CMD_SKIP, 0 }, { "Bigl", CMD_SKIP, 0 }, { "Bigr", CMD_SKIP, 0 },
  { "displaystyle", CMD_SKIP, 0 }, { "quad", CMD_SKIP, 0 }, { "qquad", CMD_SKIP, 0 },
  { "frac", CMD_FRAC, 0 }, { "dfrac", CMD_FRAC, 0 }, { "tfrac", CMD_FRAC, 0 }, { "cfrac", CMD_FRAC, 0 },
  { "sqrt", CMD_SQRT, 0 },
  { "pi", CMD_CONST, 0 }, { "infty", CMD_CONST, 1 },
  { "cdot", CMD_MUL, 0 }, { "times", CMD_MUL, 0 }, { "ast", CMD_MUL, 0 }, { "div", CMD_DIV, 0 },
  { "sin", CMD_FUNC, FN_SIN }, { "cos", CMD_FUNC, FN_COS }, { "tan", CMD_FUNC, FN_TAN },
  { "sec", CMD_FUNC, FN_SEC }, { "csc", CMD_FUNC, FN_CSC }, { "cot", CMD_FUNC, FN_COT },
  { "arcsin", CMD_FUNC, FN_ASIN }, { "arccos", CMD_FUNC, FN_ACOS }, { "arctan", CMD_FUNC, FN_ATAN },
  { "sinh", CMD_FUNC, FN_SINH }, { "cosh", CMD_FUNC, FN_COSH }, { "tanh", CMD_FUNC, FN_TANH },
  { "ln", CMD_FUNC, FN_LN }, { "log", CMD_FUNC, FN_LOG }, { "exp", CMD_FUNC, FN_EXP },
  { "alpha", CMD_GREEK, 0 }, { "beta", CMD_GREEK, 0 }, { "gamma", CMD_GREEK, 0 }, { "delta", CMD_GREEK, 0 },
  { "epsilon", CMD_GREEK, 0 }, { "varepsilon", CMD_GREEK, 0 }, { "theta", CMD_GREEK, 0 },
  { "vartheta", CMD_GREEK, 0 }, { "lambda", CMD_GREEK, 0 }, { "mu", CMD_GREEK, 0 }, { "phi", CMD_GREEK, 0 },
  { "varphi", CMD_GREEK, 0 }, { "psi", CMD_GREEK, 0 }, { "omega", CMD_GREEK, 0 }, { "rho", CMD_GREEK, 0 },
  { "sigma", CMD_GREEK, 0 }, { "tau", CMD_GREEK, 0 },
};

/* The command at p (a backslash), its length in *len (backslash included); NULL when unknown. A one-
 * character spacing command (\, \! \; \: and "\ ") reads as SKIP. */
static const Cmd *
command_at (const char *p, gsize *len)
{
  static const Cmd spacing = { "", CMD_SKIP, 0 };
  const char *q = p + 1;

  if (*q == ',' || *q == '!' || *q == ';' || *q == ':' || *q == ' ')
    {
      *len = 2;
      return &spacing;
    }
  while (g_ascii_isalpha (*q))
    q++;
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if ((gsize) (q - p - 1) == strlen (commands[i].name) && strncmp (p + 1, commands[i].name, q - p - 1) == 0)
      {
        *len = q - p;
        return &commands[i];
      }
  return NULL;
}

static void
skip_space (Parser *ps)
{
  for (;;)
    {
      gsize len;
      const Cmd *cmd;

      while (g_ascii_isspace (*ps->p))
        ps->p++;
      if (*ps->p != '\\' || (cmd = command_at (ps->p, &len)) == NULL || cmd->kind != CMD_SKIP)
        return;
      ps->p += len;
      /* \left. and \right. are invisible delimiters */
      if (*ps->p == '.' && (strcmp (cmd->name, "left") == 0 || strcmp (cmd->name, "right") == 0))
        ps->p++;
    }
}

static int
var_index (Parser *ps, const char *name, gsize len)
{
  g_autofree char *n = g_strndup (name, len);

  for (guint i = 0; i < ps->e->vars->len; i++)
    if (strcmp (ps->e->vars->pdata[i], n) == 0)
      return (int) i;
  if (ps->e->vars->len >= FTC_MATH_EXPR_MAX_VARS)
    return fail (ps, "too many variables");
  g_ptr_array_add (ps->e->vars, g_steal_pointer (&n));
  return (int) ps->e->vars->len - 1;
}

/* What may start a primary: the test for an implicit product. */
static gboolean
starts_primary (Parser *ps)
{
  const char *p = ps->p;
  gsize len;
  const Cmd *cmd;

  if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])) || g_ascii_isalpha (*p) || *p == '('
      || *p == '[' || *p == '{')
    return TRUE;
  if (*p != '\\' || (cmd = command_at (p, &len)) == NULL)
    return FALSE;
  return cmd->kind == CMD_FRAC || cmd->kind == CMD_SQRT || cmd->kind == CMD_CONST || cmd->kind == CMD_FUNC
         || cmd->kind == CMD_GREEK;
}

static int parse_primary (Parser *ps);
static int parse_signed (Parser *ps);

/* A bracketed group: open was just seen; parses up to close. */
static int
parse_group (Parser *ps, char close)
{
  int n = parse_expr (ps);

  skip_space (ps);
  if (*ps->p != close)
    return fail (ps, "unbalanced brackets");
  ps->p++;
  return n;
}

/* The argument of \frac, \sqrt or ^: {group}, or one token (a digit, a letter, a command). */
static int
parse_arg (Parser *ps)
{
  skip_space (ps);
  if (*ps->p == '{')
    {
      ps->p++;
      return parse_group (ps, '}');
    }
  if (g_ascii_isdigit (*ps->p))
    {
      int n = node_new (ps, OP_NUM, -1, -1, 0, *ps->p - '0');
      ps->p++;
      return n;
    }
  return parse_primary (ps);
}

static int
parse_number (Parser *ps)
{
  const char *start = ps->p;
  g_autofree char *text = NULL;

  while (g_ascii_isdigit (*ps->p))
    ps->p++;
  if (*ps->p == '.' && g_ascii_isdigit (ps->p[1]))
    {
      ps->p++;
      while (g_ascii_isdigit (*ps->p))
        ps->p++;
    }
  if (ps->p - start > 64)
    return fail (ps, "number too long");
  text = g_strndup (start, ps->p - start);
  return node_new (ps, OP_NUM, -1, -1, 0, g_ascii_strtod (text, NULL));
}

/* A letter or a Greek command, with a subscript: x, a_1, x_{12}, \theta */
static int
parse_variable (Parser *ps, const char *start, gsize len)
{
  const char *name_end;
  g_autofree char *name = NULL;

  if (*ps->p == '_')
    {
      ps->p++;
      if (*ps->p == '{')
        {
          const char *close = strchr (ps->p, '}');
          if (close == NULL || close - ps->p > 16)
            return fail (ps, "bad subscript");
          ps->p = close + 1;
        }
      else if (g_ascii_isalnum (*ps->p))
        ps->p++;
      else
        return fail (ps, "bad subscript");
      name_end = ps->p;
    }
  else
    name_end = start + len;
  name = g_strndup (start, name_end - start);
  return node_new (ps, OP_VAR, -1, -1, var_index (ps, name, strlen (name)), 0);
}

static int
parse_function (Parser *ps, Fn fn)
{
  int power = -1, base = -1, arg, n;

  skip_space (ps);
  /* \sin^2 x = (\sin x)^2, \log_2 8 */
  if (*ps->p == '^')
    {
      ps->p++;
      power = parse_arg (ps);
      skip_space (ps);
    }
  if (*ps->p == '_' && fn == FN_LOG)
    {
      ps->p++;
      base = parse_arg (ps);
      skip_space (ps);
    }
  arg = *ps->p == '(' ? (ps->p++, parse_group (ps, ')')) : parse_signed (ps);
  n = node_new (ps, OP_FUNC, arg, -1, fn, 0);
  if (base >= 0)
    {
      int ln_base = node_new (ps, OP_FUNC, base, -1, FN_LN, 0);
      n = node_new (ps, OP_FUNC, arg, -1, FN_LN, 0);
      n = node_new (ps, OP_DIV, n, ln_base, 0, 0);
    }
  if (power >= 0)
    n = node_new (ps, OP_POW, n, power, 0, 0);
  return n;
}

static int
parse_primary (Parser *ps)
{
  const char *p;
  int n;

  skip_space (ps);
  p = ps->p;
  if (++ps->depth > FTC_MATH_EXPR_MAX_DEPTH)
    return fail (ps, "nested too deeply");
  if (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
    n = parse_number (ps);
  else if (g_ascii_isalpha (*p))
    {
      /* a word is text, not a product of its letters */
      if (g_ascii_isalpha (p[1]) && g_ascii_isalpha (p[2]))
        n = fail (ps, "a word");
      else
        {
          ps->p++;
          n = parse_variable (ps, p, 1);
        }
    }
  else if (*p == '(' || *p == '[' || *p == '{')
    {
      ps->p++;
      n = parse_group (ps, *p == '(' ? ')' : *p == '[' ? ']' : '}');
    }
  else if (*p == '|')
    {
      ps->p++;
      n = parse_group (ps, '|');
      n = node_new (ps, OP_FUNC, n, -1, FN_ABS, 0);
    }
  else if (*p == '\\')
    {
      gsize len;
      const Cmd *cmd = command_at (p, &len);

      if (cmd == NULL)
        n = fail (ps, "an unknown command");
      else
        {
          ps->p += len;
          switch (cmd->kind)
            {
            case CMD_FRAC:
              {
                int num = parse_arg (ps);
                int den = parse_arg (ps);
                n = node_new (ps, OP_DIV, num, den, 0, 0);
                break;
              }
            case CMD_SQRT:
              {
                int index = -1, radicand;
                skip_space (ps);
                if (*ps->p == '[')
                  {
                    ps->p++;
                    index = parse_group (ps, ']');
                  }
                radicand = parse_arg (ps);
                n = index >= 0 ? node_new (ps, OP_ROOT, index, radicand, 0, 0)
                               : node_new (ps, OP_ROOT, node_new (ps, OP_NUM, -1, -1, 0, 2.0), radicand, 0, 0);
                break;
              }
            case CMD_CONST:
              n = node_new (ps, OP_NUM, -1, -1, 0, cmd->arg == 0 ? G_PI : INFINITY);
              break;
            case CMD_FUNC:
              n = parse_function (ps, (Fn) cmd->arg);
              break;
            case CMD_GREEK:
              n = parse_variable (ps, p, len);
              break;
            default:
              n = fail (ps, "an operator where a value belongs");
            }
        }
    }
  else
    n = fail (ps, *p == '\0' ? "it ends early" : "an unexpected character");
  ps->depth--;
  return n;
}

static int
parse_power (Parser *ps)
{
  int n = parse_primary (ps);

  skip_space (ps);
  while (*ps->p == '!' && !ps->failed)
    {
      ps->p++;
      n = node_new (ps, OP_FACT, n, -1, 0, 0);
      skip_space (ps);
    }
  if (*ps->p == '^' && !ps->failed)
    {
      int exponent;
      ps->p++;
      skip_space (ps);
      /* x^-1 and x^{-1}; a plain number exponent is read whole (2^10 is 1024, as written in plain text) */
      if (*ps->p == '-' || *ps->p == '+')
        exponent = parse_signed (ps);
      else if (g_ascii_isdigit (*ps->p))
        exponent = parse_number (ps);
      else
        exponent = parse_arg (ps);
      n = node_new (ps, OP_POW, n, exponent, 0, 0);
    }
  return n;
}

static int
parse_signed (Parser *ps)
{
  int n;

  skip_space (ps);
  if (++ps->depth > FTC_MATH_EXPR_MAX_DEPTH)
    return fail (ps, "nested too deeply");
  if (*ps->p == '-')
    {
      ps->p++;
      n = node_new (ps, OP_NEG, parse_signed (ps), -1, 0, 0);
    }
  else if (*ps->p == '+')
    {
      ps->p++;
      n = parse_signed (ps);
    }
  else
    n = parse_power (ps);
  ps->depth--;
  return n;
}

static int
parse_term (Parser *ps)
{
  int n = parse_signed (ps);

  while (!ps->failed)
    {
      gsize len;
      const Cmd *cmd;

      skip_space (ps);
      if (*ps->p == '*' || *ps->p == '/')
        {
          Op op = *ps->p == '*' ? OP_MUL : OP_DIV;
          ps->p++;
          n = node_new (ps, op, n, parse_signed (ps), 0, 0);
        }
      else if (*ps->p == '\\' && (cmd = command_at (ps->p, &len)) != NULL
               && (cmd->kind == CMD_MUL || cmd->kind == CMD_DIV))
        {
          ps->p += len;
          n = node_new (ps, cmd->kind == CMD_MUL ? OP_MUL : OP_DIV, n, parse_signed (ps), 0, 0);
        }
      else if (starts_primary (ps))
        n = node_new (ps, OP_MUL, n, parse_power (ps), 0, 0);
      else
        break;
    }
  return n;
}

static int
parse_expr (Parser *ps)
{
  int n;

  if (++ps->depth > FTC_MATH_EXPR_MAX_DEPTH)
    return fail (ps, "nested too deeply");
  n = parse_term (ps);
  while (!ps->failed)
    {
      skip_space (ps);
      if (*ps->p != '+' && *ps->p != '-')
        break;
      Op op = *ps->p == '+' ? OP_ADD : OP_SUB;
      ps->p++;
      n = node_new (ps, op, n, parse_term (ps), 0, 0);
    }
  ps->depth--;
  return n;
}

void
ftc_math_expr_free (FtcMathExpr *expr)
{
  if (expr == NULL)
    return;
  g_array_unref (expr->nodes);
  g_ptr_array_unref (expr->vars);
  g_free (expr);
}

FtcMathExpr *
ftc_math_expr_parse (const char *latex, GError **error)
{
  g_autoptr (FtcMathExpr) e = g_new0 (FtcMathExpr, 1);
  Parser ps = { latex, latex, e, 0, error, FALSE };

  e->nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  e->vars = g_ptr_array_new_with_free_func (g_free);
  if (latex == NULL || strlen (latex) > FTC_MATH_EXPR_MAX_LEN)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "not an expression: %s",
                   latex == NULL ? "no text" : "too long");
      return NULL;
    }
  e->root = parse_expr (&ps);
  skip_space (&ps);
  if (!ps.failed && *ps.p != '\0')
    fail (&ps, "text after the expression");
  if (ps.failed || e->root < 0)
    {
      if (!ps.failed)
        g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "not an expression");
      return NULL;
    }
  return g_steal_pointer (&e);
}

guint
ftc_math_expr_n_vars (const FtcMathExpr *expr)
{
  return expr->vars->len;
}

const char *
ftc_math_expr_var_name (const FtcMathExpr *expr, guint i)
{
  return i < expr->vars->len ? expr->vars->pdata[i] : NULL;
}

/* ---- evaluation ---- */

static double
apply_fn (Fn fn, double x)
{
  switch (fn)
    {
    case FN_SIN: return sin (x);
    case FN_COS: return cos (x);
    case FN_TAN: return tan (x);
    case FN_SEC: return 1.0 / cos (x);
    case FN_CSC: return 1.0 / sin (x);
    case FN_COT: return 1.0 / tan (x);
    case FN_ASIN: return asin (x);
    case FN_ACOS: return acos (x);
    case FN_ATAN: return atan (x);
    case FN_SINH: return sinh (x);
    case FN_COSH: return cosh (x);
    case FN_TANH: return tanh (x);
    case FN_LN: return log (x);
    case FN_LOG: return log10 (x);
    case FN_EXP: return exp (x);
    case FN_ABS: return fabs (x);
    }
  return NAN;
}

/* The tree is at most FTC_MATH_EXPR_MAX_DEPTH levels of grammar deep, so the recursion is bounded. */
static double
eval_node (const FtcMathExpr *e, int i, const double *values)
{
  const Node *n = &g_array_index (e->nodes, Node, i);
  double a, b;

  switch (n->op)
    {
    case OP_NUM:
      return n->value;
    case OP_VAR:
      return values != NULL ? values[n->fn] : NAN;
    case OP_NEG:
      return -eval_node (e, n->a, values);
    case OP_FACT:
      a = eval_node (e, n->a, values);
      return a >= 0 && a <= 170 ? tgamma (a + 1.0) : NAN;
    case OP_FUNC:
      return apply_fn ((Fn) n->fn, eval_node (e, n->a, values));
    default:
      break;
    }
  a = eval_node (e, n->a, values);
  b = eval_node (e, n->b, values);
  switch (n->op)
    {
    case OP_ADD: return a + b;
    case OP_SUB: return a - b;
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
    case OP_POW:
      /* a negative base with an odd-denominator exponent such as 1/3 has a real root */
      if (a < 0 && b != floor (b))
        return NAN;
      return pow (a, b);
    case OP_ROOT:
      /* \sqrt[a]{b}: the real a-th root; odd roots of negatives are real */
      if (b < 0 && a == floor (a) && fmod (a, 2.0) != 0.0)
        return -pow (-b, 1.0 / a);
      return pow (b, 1.0 / a);
    default:
      return NAN;
    }
}

double
ftc_math_expr_eval (const FtcMathExpr *expr, const double *values)
{
  return eval_node (expr, expr->root, values);
}

gboolean
ftc_math_close (double a, double b, double rel_tol)
{
  if (isnan (a) || isnan (b))
    return FALSE;
  if (isinf (a) || isinf (b))
    return a == b;
  return a == b || fabs (a - b) <= rel_tol * MAX (fabs (a), fabs (b));
}

gboolean
ftc_math_expr_equal (const FtcMathExpr *a, const FtcMathExpr *b, double rel_tol)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  int map_a[FTC_MATH_EXPR_MAX_VARS], map_b[FTC_MATH_EXPR_MAX_VARS];
  guint64 state = 0x6d617468u;   /* fixed: the same points on every machine and every run */
  guint defined = 0;

  /* the union of the variables, matched by name */
  for (guint i = 0; i < a->vars->len; i++)
    {
      map_a[i] = (int) names->len;
      g_ptr_array_add (names, a->vars->pdata[i]);
    }
  for (guint i = 0; i < b->vars->len; i++)
    {
      map_b[i] = -1;
      for (guint j = 0; j < names->len; j++)
        if (strcmp (names->pdata[j], b->vars->pdata[i]) == 0)
          map_b[i] = (int) j;
      if (map_b[i] < 0)
        {
          map_b[i] = (int) names->len;
          g_ptr_array_add (names, b->vars->pdata[i]);
        }
    }
  if (names->len == 0)
    return ftc_math_close (ftc_math_expr_eval (a, NULL), ftc_math_expr_eval (b, NULL), rel_tol);

  for (guint point = 0; point < FTC_MATH_EXPR_POINTS; point++)
    {
      double all[2 * FTC_MATH_EXPR_MAX_VARS], va[FTC_MATH_EXPR_MAX_VARS], vb[FTC_MATH_EXPR_MAX_VARS];
      double x, y;

      /* positive values away from 0 and 1, where roots and logarithms are defined and x^2 differs from x */
      for (guint v = 0; v < names->len; v++)
        all[v] = 1.25 + 1.5 * (double) (ftc_splitmix64 (&state) >> 11) / 9007199254740992.0;
      for (guint i = 0; i < a->vars->len; i++)
        va[i] = all[map_a[i]];
      for (guint i = 0; i < b->vars->len; i++)
        vb[i] = all[map_b[i]];
      x = ftc_math_expr_eval (a, va);
      y = ftc_math_expr_eval (b, vb);
      if (isfinite (x) != isfinite (y))
        return FALSE;
      if (!isfinite (x))
        continue;
      if (fabs (x - y) > rel_tol * MAX (1.0, MAX (fabs (x), fabs (y))))
        return FALSE;
      defined++;
    }
  return defined * 2 >= FTC_MATH_EXPR_POINTS;
}
