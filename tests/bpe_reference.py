#!/usr/bin/python3
"""Checks ftcot's BPE trainer and encoder against an independent pure-Python reference (stdlib only).

usage: bpe_reference.py FTCOT GSM8K_TEST_JSONL

For a few corpora (GSM8K test questions, synthetic coin flip and arithmetic questions with their
rationales), it
  1. trains with `ftcot tokenize --train CORPUS.jsonl --vocab-size N --out DIR`,
  2. trains again with the naive reference trainer below (all pair counts recomputed every step) and
     requires the same vocab.json and the same merges.txt lines,
  3. reads DIR's files as Hugging Face's GPT2Tokenizer does (vocab.json; merges.txt minus its first line)
     and encodes texts with GPT-2's classic bpe() (openai/gpt-2 encoder.py), requiring the ids of
     `ftcot tokenize --tokenizer DIR --json` for each text, on training texts and held-out ones,
  4. decodes the ids with the byte alphabet and requires the original bytes.
Exits non-zero on the first difference, printing it; 77 (skipped) when the dataset file is absent.
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter

# ---- GPT-2's byte alphabet (openai/gpt-2 encoder.py bytes_to_unicode) ----


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}

# ---- GPT-2's pre-tokenisation, written out by hand (the stdlib re has no \p{L}) ----
#   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+

WHITE_SPACE = set([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F,
                   0x3000] + list(range(0x2000, 0x200B)))


def is_space(c):
    return ord(c) in WHITE_SPACE


def is_letter(c):
    return unicodedata.category(c).startswith("L")


def is_number(c):
    return unicodedata.category(c).startswith("N")


def is_other(c):
    return not (is_space(c) or is_letter(c) or is_number(c))


def pretokenize(text):
    pieces = []
    i, n = 0, len(text)
    while i < n:
        match = None
        for c in ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d"):
            if text.startswith(c, i):
                match = i + len(c)
                break
        if match is None:
            for cls in (is_letter, is_number, is_other):
                j = i + 1 if text[i] == " " else i
                if j < n and cls(text[j]):
                    while j < n and cls(text[j]):
                        j += 1
                    match = j
                    break
        if match is None:
            k = i
            while k < n and is_space(text[k]):
                k += 1
            # \s+(?!\S): back off one character when the run is followed by a non-space
            match = k if k == n or k - 1 == i else k - 1
        pieces.append(text[i:match])
        i = match
    return pieces


def to_alphabet(piece):
    return "".join(BYTE_ENCODER[b] for b in piece.encode("utf-8"))

# ---- the naive trainer ----


def merge_word(word, a, b, m):
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
            out.append(m)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def train_reference(texts, vocab_size, min_frequency=2):
    counts = Counter()
    for text in texts:
        counts.update(pretokenize(text))
    words = [(tuple(to_alphabet(p)), f) for p, f in counts.items()]
    vocab = sorted(BYTE_ENCODER.values())
    known = set(vocab)
    merges, merged = [], set()
    while len(vocab) < vocab_size - 1:
        pairs = Counter()
        for w, f in words:
            for p in zip(w, w[1:]):
                pairs[p] += f
        if not pairs:
            break
        # highest count, then the smallest (first, second) in code point order
        best, count = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if count < min_frequency:
            break
        a, b = best
        m = a + b
        if best not in merged:
            merges.append(best)
            merged.add(best)
        if m not in known:
            vocab.append(m)
            known.add(m)
        words = [(merge_word(w, a, b, m), f) for w, f in words]
    vocab.append("<|endoftext|>")
    return {t: i for i, t in enumerate(vocab)}, merges

# ---- GPT-2's encoder over the written files ----


def get_pairs(word):
    return set(zip(word, word[1:]))


class Gpt2Encoder:
    def __init__(self, vocab_path, merges_path):
        with open(vocab_path, encoding="utf-8") as f:
            self.encoder = json.load(f)
        self.decoder = {v: k for k, v in self.encoder.items()}
        with open(merges_path, encoding="utf-8") as f:
            lines = f.read().split("\n")[1:-1]   # as GPT2Tokenizer reads it
        self.bpe_ranks = dict(zip([tuple(line.split()) for line in lines], range(len(lines))))
        self.cache = {}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token)
        pairs = get_pairs(word)
        if not pairs:
            return token
        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                new_word.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        result = " ".join(word)
        self.cache[token] = result
        return result

    def encode(self, text):
        ids = []
        for piece in pretokenize(text):
            ids.extend(self.encoder[t] for t in self.bpe(to_alphabet(piece)).split(" "))
        return ids

    def decode(self, ids):
        return bytes(BYTE_DECODER[c] for i in ids for c in self.decoder[i])

# ---- the checks ----


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def ftcot_encode(ftcot, tok_dir, text):
    out = subprocess.run([ftcot, "tokenize", "--tokenizer", tok_dir, "--json"], input=text.encode("utf-8"),
                         stdout=subprocess.PIPE, check=True).stdout
    return json.loads(out)


def check_corpus(ftcot, work, name, texts, held_out, vocab_size):
    corpus = os.path.join(work, name + ".jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"question": t}) + "\n")
    tok_dir = os.path.join(work, name)
    subprocess.run([ftcot, "tokenize", "--train", corpus, "--vocab-size", str(vocab_size), "--out", tok_dir],
                   stdout=subprocess.DEVNULL, check=True)

    # 2. the same vocabulary and merges as the naive trainer
    with open(os.path.join(tok_dir, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(tok_dir, "merges.txt"), encoding="utf-8") as f:
        merge_lines = f.read().split("\n")
    if merge_lines[0] != "#version: 0.2" or merge_lines[-1] != "":
        fail("%s: merges.txt must start with '#version: 0.2' and end with a newline" % name)
    merges = [tuple(line.split(" ")) for line in merge_lines[1:-1]]
    ref_vocab, ref_merges = train_reference(texts, vocab_size)
    if len(vocab) > vocab_size:
        fail("%s: %d tokens, asked for %d" % (name, len(vocab), vocab_size))
    for r, (got, want) in enumerate(zip(merges, ref_merges)):
        if got != want:
            fail("%s: merge %d is %r, the reference learned %r" % (name, r, got, want))
    if len(merges) != len(ref_merges):
        fail("%s: %d merges, the reference learned %d" % (name, len(merges), len(ref_merges)))
    if vocab != ref_vocab:
        diff = sorted(set(vocab.items()) ^ set(ref_vocab.items()), key=lambda kv: kv[1])[:5]
        fail("%s: vocab.json differs from the reference: %r" % (name, diff))

    # 3. GPT-2's encoder over the written files gives ftcot's ids; 4. they decode to the text
    enc = Gpt2Encoder(os.path.join(tok_dir, "vocab.json"), os.path.join(tok_dir, "merges.txt"))
    checked = 0
    n_chars = n_tokens = 0
    singles = texts[:25] + held_out[:25]
    for t in singles:
        want = enc.encode(t)
        got = ftcot_encode(ftcot, tok_dir, t)
        if got != want:
            fail("%s: %r: ftcot %r, reference %r" % (name, t[:80], got[:40], want[:40]))
        checked += 1
    for t in texts + held_out:
        ids = enc.encode(t)
        if enc.decode(ids) != t.encode("utf-8"):
            fail("%s: %r does not decode back" % (name, t[:80]))
        n_chars += len(t)
        n_tokens += len(ids)
    # the rest in one call: all texts joined by newlines, encoded as one text on both sides
    joined = "\n".join(texts + held_out)
    if ftcot_encode(ftcot, tok_dir, joined) != enc.encode(joined):
        fail("%s: the joined texts encode differently" % name)
    checked += len(texts) + len(held_out)
    print("ok %s: vocab %d, %d merges equal to the reference; ids equal for %d texts; %.3f tokens per character"
          % (name, len(vocab), len(merges), checked, n_tokens / n_chars))


def check_cli(ftcot, work):
    """Plain text files (one text per line), several files, and the command line's errors."""
    a, b = os.path.join(work, "a.txt"), os.path.join(work, "b.txt")
    with open(a, "w", encoding="utf-8") as f:
        f.write("the cat sat on the mat\r\nthe cat ate the rat\n\n")
    with open(b, "w", encoding="utf-8") as f:
        f.write("the rat sat")
    out = os.path.join(work, "cli")
    r = subprocess.run([ftcot, "tokenize", "--train", a, b, "--vocab-size", "300", "--out", out, "--json"],
                       stdout=subprocess.PIPE, check=True)
    summary = json.loads(r.stdout)
    texts = ["the cat sat on the mat", "the cat ate the rat", "the rat sat"]
    ref_vocab, ref_merges = train_reference(texts, 300)
    with open(os.path.join(out, "vocab.json"), encoding="utf-8") as f:
        if json.load(f) != ref_vocab:
            fail("cli: plain text files train another vocabulary than the reference")
    if summary["texts"] != 3 or summary["vocab_size"] != len(ref_vocab) \
            or summary["characters"] != sum(map(len, texts)):
        fail("cli: summary %r" % summary)

    bad = os.path.join(work, "bad.txt")
    with open(bad, "wb") as f:
        f.write(b"fine\nnot \xff fine\n")
    for args, code, words in [
        (["--train", a, "--vocab-size", "100", "--out", out], 1, "at least 257"),
        (["--train", a, "--vocab-size", "300"], 2, "--out"),
        (["--train", a, "--out", out], 2, "--vocab-size"),
        (["--train", bad, "--vocab-size", "300", "--out", out], 1, bad + ":2: invalid UTF-8"),
        (["--train", os.path.join(work, "missing.txt"), "--vocab-size", "300", "--out", out], 1, "missing.txt"),
    ]:
        r = subprocess.run([ftcot, "tokenize"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = r.stderr.decode("utf-8", "replace")
        if r.returncode != code or words not in err or not err.startswith("ftcot tokenize: "):
            fail("cli: %r: exit %d, %r (expected exit %d naming %r)" % (args, r.returncode, err, code, words))
    print("ok cli: plain text files, summary, errors")


def synthetic_texts(ftcot, key, size_opt, n, seed):
    out = subprocess.run([ftcot, "tasks", "generate", key, "--n", str(n), "--seed", str(seed)] + size_opt,
                         stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
    texts = []
    for line in out.splitlines():
        s = json.loads(line)
        texts.append(s["question"])
        texts.append(" ".join(s["steps"]["facts"]))
    return texts


EXTRA = [
    "Hello world! It's 2024 and we're   testing   whitespace\t\ttabs\n\nnew lines.",
    "Ünïcödé tëxt: naïve café, 東京タワー, Ελληνικά, emoji 🙂🚀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢.",
    "  leading spaces, trailing spaces   ",
    "numbers 1234567890 ¾ ٣ and punctuation ?!...;:--==>> <|endoftext|>",
    "they'll've I'M don't 'S 'll\u00a0nbsp\u2003em space\r\nCRLF",
]


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    ftcot, gsm8k = sys.argv[1], sys.argv[2]
    if not os.path.exists(gsm8k):
        print("skip: %s is not there (the shared reference data)" % gsm8k)
        sys.exit(77)   # meson: skipped
    with open(gsm8k, encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()]
    with tempfile.TemporaryDirectory() as work:
        check_cli(ftcot, work)
        check_corpus(ftcot, work, "gsm8k", questions[:300] + EXTRA, questions[300:500] + EXTRA, 420)
        coin = synthetic_texts(ftcot, "synthetic_coin_flip", ["--people", "8"], 300, 1)
        check_corpus(ftcot, work, "coin_flip", coin[:400], coin[400:] + EXTRA, 512)
        # runs of few letters: overlapping pairs (a a a), touching replacements (a b a b -> m m), ties
        rng = random.Random(5)
        runs = ["".join(rng.choice("aab ") for _ in range(rng.randint(1, 40))) for _ in range(400)]
        check_corpus(ftcot, work, "runs", runs[:300], runs[300:], 400)
        arith = synthetic_texts(ftcot, "synthetic_arithmetic", ["--steps", "3"], 200, 2)
        check_corpus(ftcot, work, "arithmetic", arith[:300], arith[300:] + EXTRA, 384)


if __name__ == "__main__":
    main()
