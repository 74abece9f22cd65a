/* ftc-math-answer.h: the answers of competition math: where a response states its answer, how LaTeX is
 * normalised, and when two answers are equal — the rules of the MATH and Qwen2.5-Math evaluators
 * (Hendrycks et al. 2021, `is_equiv`; Lightman et al. 2023, prm800k `grade_answer`; Qwen2.5-Math
 * `math_equal`), with expressions compared by evaluation (ftc-math-expr.h) instead of sympy.
 *
 * Extraction (ftc_math_answer_extract): the content of the last \boxed{...} or \fbox{...} (braces nested
 * to any depth; "\boxed 5" too); else the Minerva-style "final answer is X" (the rest of that line, up to
 * "I hope it is correct"); else the last number.
 *
 * Normalisation (ftc_math_normalize): $ and \( \) delimiters, \left/\right and spacing commands dropped;
 * \dfrac, \tfrac, \cfrac read as \frac; degrees (^\circ, ^{\circ}, °), \%, %, \$ dropped; \text{...},
 * \textbf, \mathrm, \mbox unwrapped, or dropped when they are units after a number (5\text{ cm});
 * unit words after a number (12 inches); an "x =" (or "\theta =", "x \in") prefix; thousands separators
 * (1,000,000 and 1{,}000); a trailing period; white space.
 *
 * Equality (ftc_math_answer_equal), after normalisation:
 *   - the same text;
 *   - tuples and intervals ("(1, 2]", "\left[ 0, \frac{1}{2} \right)"): the same brackets and the same
 *     number of elements, equal element by element; pmatrix/bmatrix the same, by entry; sets "\{1, 2\}"
 *     and bare lists "1, -2" in any order;
 *   - equations "y = 2x + 1": the sides' differences equal up to sign;
 *   - expressions that parse (ftc-math-expr.h): numbers within FTC_MATH_REL_TOL relative (leading zeros,
 *     0.5 and \frac{1}{2}, 3\sqrt{2} and \sqrt{18}), expressions equal at random points;
 *   - anything else (names, "\text{(C)}", "Monday"): the text without brackets, ignoring case. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* numbers are equal within this relative difference (Qwen2.5-Math's isclose rel_tol) */
#define FTC_MATH_REL_TOL 1e-4
/* responses and answers longer than this are cut before they are looked at */
#define FTC_MATH_MAX_ANSWER 4096

/* The content of the last \boxed{} or \fbox{} in text, newly allocated; NULL when there is none (or its
 * braces do not close). */
char *ftc_math_last_boxed (const char *text);

/* The answer a response states, by the rules above; NULL when it states none. */
char *ftc_math_answer_extract (const char *text);
/* The text after the last "final answer is" (any case) up to the end of its line, or NULL. */
char *ftc_math_final_answer (const char *text);
/* The last number in text ("1,000" read as 1000, "-2.5"), or NULL. */
char *ftc_math_last_number (const char *text);
/* The first line of text up to ". " (a sentence's end), trimmed, delimiters dropped; NULL when empty. */
char *ftc_math_first_sentence (const char *text);

/* The canonical form of an answer (above), newly allocated. */
char *ftc_math_normalize (const char *answer);

/* Whether prediction and gold are the same answer. NULL or empty never match. */
gboolean ftc_math_answer_equal (const char *prediction, const char *gold);

G_END_DECLS
