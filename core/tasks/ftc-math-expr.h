/* ftc-math-expr.h: a small parser and evaluator for the LaTeX of math answers.
 *
 * Not a computer algebra system: it reads one expression (numbers, a few variables, + - * / ^, implicit
 * products such as 2x or 3\sqrt{2}, \frac, \sqrt[n]{}, \pi, \infty, the common functions, n!) into a tree
 * and evaluates it in doubles. Two expressions are taken as equal when they agree at a fixed set of
 * pseudo-random points (the same on every machine), which decides the equivalences the MATH and
 * Qwen-Math evaluators ask sympy for ("x^2+2x+1" and "(x+1)^2", "\frac{\sqrt{3}}{2}" and
 * "\frac{1}{2}\sqrt{3}") without simplification.
 *
 * Input is hostile: it is bounded in length (FTC_MATH_EXPR_MAX_LEN bytes), nesting (FTC_MATH_EXPR_MAX_DEPTH)
 * and variables (FTC_MATH_EXPR_MAX_VARS). Words of three or more letters are not read as products of
 * variables ("Evelyn" is a name, not E*v*e*l*y*n): such text is not an expression. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FTC_MATH_EXPR_MAX_LEN 1024
#define FTC_MATH_EXPR_MAX_DEPTH 48
#define FTC_MATH_EXPR_MAX_VARS 3
/* points at which expressions with variables are compared */
#define FTC_MATH_EXPR_POINTS 8

typedef struct _FtcMathExpr FtcMathExpr;

/* The expression in latex, or NULL (with a message in error) when latex is not one expression. */
FtcMathExpr *ftc_math_expr_parse (const char *latex, GError **error);
void ftc_math_expr_free (FtcMathExpr *expr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcMathExpr, ftc_math_expr_free)

/* Variables in order of first appearance ("x", "\theta", "a_1"). */
guint ftc_math_expr_n_vars (const FtcMathExpr *expr);
const char *ftc_math_expr_var_name (const FtcMathExpr *expr, guint i);

/* The value with variable i set to values[i] (values may be NULL without variables); NaN outside the
 * domain (\sqrt{-1}, 1/0 is +-inf). */
double ftc_math_expr_eval (const FtcMathExpr *expr, const double *values);

/* Whether two numbers are equal within rel_tol relative to the larger magnitude (infinities equal when
 * their signs are). */
gboolean ftc_math_close (double a, double b, double rel_tol);

/* Constants: equal within rel_tol. With variables (the union of both sets, matched by name): equal at every
 * one of FTC_MATH_EXPR_POINTS points where both are defined, within rel_tol relative to max(1, |a|, |b|),
 * and defined (finite) at the same points, at least half of them. */
gboolean ftc_math_expr_equal (const FtcMathExpr *a, const FtcMathExpr *b, double rel_tol);

G_END_DECLS
