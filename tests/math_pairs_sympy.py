#!/usr/bin/env python3
"""Checks the expected verdicts of tests/data/math-answer-pairs.jsonl with sympy.

Each line is {"response", "gold", "equivalent", "why"}. This script decides equivalence on its own, the way
the MATH and Qwen2.5-Math evaluators do it with a computer algebra system: the response's answer is its last
\\boxed{} (else a "final answer is" line, else its last number), both answers are turned into sympy
expressions, and they are equal when sympy simplifies their difference to 0 (numbers: within 1e-4
relative); tuples and intervals element by element with the same brackets, sets and bare lists in any
order, equations up to sign, anything else as text ignoring case. It shares no code with ftcot's C
implementation, so a verdict in the table that only ftcot agrees with fails here.

Usage: math_pairs_sympy.py TABLE.jsonl   (exit 0: every verdict confirmed; 77: sympy is not installed)
"""
import json
import re
import sys

try:
    import sympy
    from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application, parse_expr,
                                            standard_transformations)
except ImportError:
    print("sympy is not installed (Debian: python3-sympy); skipping")
    sys.exit(77)

TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
UNITS = {"cm", "inches", "inch", "units", "square", "degrees", "feet", "dollars", "minutes"}


def braced(s, i):
    """The content of the {...} group opening at s[i] and the index after it, or (None, i)."""
    if i >= len(s) or s[i] != "{":
        return None, i
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "{":
            depth += 1
        elif s[j] == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
    return None, i


def extract(response):
    starts = [m.start() for m in re.finditer(r"\\(boxed|fbox)(?![a-z])", response)]
    if starts:
        rest = response[starts[-1]:]
        rest = re.sub(r"^\\(boxed|fbox)\s*", "", rest)
        if rest.startswith("{"):
            content, _ = braced(rest, 0)
            if content is not None:
                return content
        else:
            return re.split(r"[\s$]", rest)[0]
    m = list(re.finditer(r"final answer is(.*)", response, re.IGNORECASE))
    if m:
        text = m[-1].group(1).split("I hope it is correct")[0]
        return text.strip().strip("$").rstrip(".").strip().strip("$")
    numbers = re.findall(r"-?\d+(?:\.\d+)?", response.replace(",", ""))
    return numbers[-1] if numbers else None


def normalize(s):
    s = s.strip()
    for a, b in [(r"\left", ""), (r"\right", ""), (r"\!", ""), (r"\,", ""), (r"\dfrac", r"\frac"),
                 (r"\tfrac", r"\frac"), ("^{\\circ}", ""), ("^\\circ", ""), (r"\%", ""), (r"\$", ""),
                 ("$", ""), ("{,}", "")]:
        s = s.replace(a, b)
    # a unit in \text after a number goes, other \text and \textbf are unwrapped
    s = re.sub(r"(?<=[0-9}])\s*\\text\{\s*[a-zA-Z ]+\}\s*$", "", s)
    s = re.sub(r"\\(text|textbf|mathrm)\{([^{}]*)\}", r"\2", s)
    words = s.split()
    while len(words) > 1 and words[-1] in UNITS:
        words.pop()
    s = " ".join(words)
    s = re.sub(r"^(\\[a-z]+|[a-zA-Z])\s*(=|\\in)\s*(?!.*=)", "", s)
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s.replace(" ", "")):
        s = s.replace(",", "")
    return s.strip().rstrip(".")


def to_sympy(s):
    """A sympy expression for LaTeX s, or None."""
    def frac(text):
        out, i = "", 0
        while i < len(text):
            if text.startswith(r"\frac", i):
                i += 5
                args = []
                for _ in range(2):
                    while i < len(text) and text[i] == " ":
                        i += 1
                    if i < len(text) and text[i] == "{":
                        a, i = braced(text, i)
                    else:
                        a, i = text[i], i + 1
                    args.append(frac(a))
                out += "((%s)/(%s))" % tuple(args)
            elif text.startswith(r"\sqrt", i):
                i += 5
                index = "2"
                if i < len(text) and text[i] == "[":
                    j = text.index("]", i)
                    index, i = text[i + 1:j], j + 1
                if i < len(text) and text[i] == "{":
                    a, i = braced(text, i)
                else:
                    a, i = text[i], i + 1
                out += "((%s)**(1/(%s)))" % (frac(a), index) if index != "2" else "sqrt(%s)" % frac(a)
            else:
                out += text[i]
                i += 1
        return out
    try:
        t = frac(s)
        t = re.sub(r"\\log_\{?(\w+)\}?\s*(\w+)", r"log(\2, \1)", t)
        for a, b in [(r"\pi", " pi "), (r"\infty", " oo "), (r"\cdot", "*"), (r"\times", "*"), (r"\sin", " sin"),
                     (r"\cos", " cos"), (r"\theta", " theta "), ("{", "("), ("}", ")")]:
            t = t.replace(a, b)
        t = re.sub(r"(sin|cos)\^2\s*(\w)", r"\1(\2)**2", t)
        t = re.sub(r"(\d+)!", r"factorial(\1)", t)
        if "\\" in t:
            return None
        # as prm800k's grader: text with more than two letters is a word, not a product of variables
        if len(set(re.sub(r"sqrt|pi|oo|sin|cos|log|theta|factorial", "", t)) & set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")) > 2:
            return None
        t = re.sub(r"(?<![\d.])0+(?=\d)", "", t)   # 007 is 7 (Python reads no leading zeros)
        return parse_expr(t, transformations=TRANSFORMS, local_dict={"i": sympy.Symbol("i"), "e": sympy.Symbol("e")})
    except Exception:
        return None


def split_top(s):
    items, depth, start = [], 0, 0
    for i, c in enumerate(s):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            items.append(s[start:i])
            start = i + 1
    items.append(s[start:])
    return [x.strip() for x in items]


def scalar_equal(p, g):
    if p.replace(" ", "") == g.replace(" ", ""):
        return True
    if p.count("=") == 1 and g.count("=") == 1:
        dp = to_sympy("(%s)-(%s)" % tuple(p.split("=")))
        dg = to_sympy("(%s)-(%s)" % tuple(g.split("=")))
        return dp is not None and dg is not None and (sympy.simplify(dp - dg) == 0 or sympy.simplify(dp + dg) == 0)
    a, b = to_sympy(p), to_sympy(g)
    if a is not None and b is not None:
        if a.free_symbols or b.free_symbols:
            return sympy.simplify(a - b) == 0
        if a.is_infinite or b.is_infinite:
            return a == b
        x, y = complex(sympy.N(a)), complex(sympy.N(b))
        return abs(x - y) <= 1e-4 * max(abs(x), abs(y))
    bare = lambda t: re.sub(r"[()\[\]{}\\\s]", "", t).lower()
    return bare(p) == bare(g) != ""


def equivalent(response, gold):
    p = extract(response)
    if p is None:
        return False
    p, g = normalize(p), normalize(gold)
    matrix = re.compile(r"\\begin\{pmatrix\}(.*)\\end\{pmatrix\}", re.S)
    if matrix.fullmatch(p) or matrix.fullmatch(g):
        mp, mg = matrix.fullmatch(p), matrix.fullmatch(g)
        if not (mp and mg):
            return False
        cells = lambda m: [c.strip() for row in m.group(1).split(r"\\") for c in row.split("&") if c.strip()]
        cp, cg = cells(mp), cells(mg)
        return len(cp) == len(cg) and all(scalar_equal(a, b) for a, b in zip(cp, cg))
    if p.startswith(r"\{") and g.startswith(r"\{"):
        p, g = p[2:-2], g[2:-2]
        return sorted_match(split_top(p), split_top(g))
    bracketed = lambda t: t[:1] in "([" and t[-1:] in ")]"
    tup = lambda t: bracketed(t) and len(split_top(t[1:-1])) > 1
    lst = lambda t: not bracketed(t) and len(split_top(t)) > 1
    if tup(p) or tup(g):
        if not (tup(p) and tup(g)):
            return False
        ip, ig = split_top(p[1:-1]), split_top(g[1:-1])
        return (p[0], p[-1]) == (g[0], g[-1]) and len(ip) == len(ig) and all(map(scalar_equal, ip, ig))
    if lst(p) or lst(g):
        return lst(p) and lst(g) and sorted_match(split_top(p), split_top(g))
    return scalar_equal(p, g)


def sorted_match(ps, gs):
    if len(ps) != len(gs):
        return False
    left = list(ps)
    for g in gs:
        hit = next((p for p in left if scalar_equal(p, g)), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def main():
    path = sys.argv[1]
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    wrong = 0
    for n, row in enumerate(rows, 1):
        got = equivalent(row["response"], row["gold"])
        if got != row["equivalent"]:
            wrong += 1
            print("%s:%d: sympy says %s, the table says %s (%s): %r vs %r" % (
                path, n, got, row["equivalent"], row["why"], row["response"], row["gold"]))
    print("%d pairs (%d equivalent, %d not), %d verdicts contradicted by sympy %s" % (
        len(rows), sum(r["equivalent"] for r in rows), sum(not r["equivalent"] for r in rows), wrong,
        sympy.__version__))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
