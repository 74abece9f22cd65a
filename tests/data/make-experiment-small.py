#!/usr/bin/python3
import json, random, os
# Writes tests/data/experiment-small: a small finished experiment in the real file formats, for the
# display tests and the screenshots. Deterministic (seeded).
random.seed(7)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "experiment-small")
os.makedirs(root + "/teacher", exist_ok=True); os.makedirs(root + "/eval", exist_ok=True); os.makedirs(root + "/report", exist_ok=True)
names = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia"]
def coin(i):
    ppl = random.sample(names, 3); flips = [random.random() < 0.5 for _ in ppl]
    q = "A coin is heads up. " + " ".join(f"{p} {'flips' if f else 'does not flip'} the coin." for p, f in zip(ppl, flips)) + " Is the coin still heads up? Note that \"flip\" here means \"reverse\"."
    n = sum(flips); gold = "yes" if n % 2 == 0 else "no"
    steps = []
    state = "heads"
    for p, f in zip(ppl, flips):
        if f: state = "tails" if state == "heads" else "heads"
        steps.append(f"{p} {'flips' if f else 'does not flip'} the coin, so it is {state} up.")
    return q, gold, steps, state
def letters(i):
    ws = random.sample(["Alan", "Rosa", "Maria", "Tom", "Elena", "Karl", "Nina", "Omar"], 2)
    q = f"Take the last letters of each words in \"{' '.join(ws)}\" and concatenate them."
    gold = "".join(w[-1] for w in ws)
    steps = [f"The last letter of \"{w}\" is \"{w[-1]}\"." for w in ws]
    return q, gold, steps, gold
tasks = {"coin_flip": (coin, "Therefore, the answer (Yes or No) is"), "last_letter_concatenation": (letters, "Therefore, the answer is")}
summary = {"version": 1, "name": "experiment-small", "titles": {"coin_flip": "Coin Flip", "last_letter_concatenation": "Last Letter Concatenation"}, "tasks": {}}
for key, (gen, trig) in tasks.items():
    samples = [gen(i) for i in range(14)]
    train = list(range(0, 8)); test = list(range(8, 14))
    recs = []
    for idx in train:
        q, gold, steps, final = samples[idx]
        for c in range(2):
            wrong = random.random() < 0.25
            if key == "coin_flip":
                pred = gold if not wrong else ("no" if gold == "yes" else "yes")
                rat = " " + " ".join(steps) + f" So the coin is {'heads' if pred=='yes' else 'tails'} up."
            else:
                pred = gold if not wrong else gold[::-1] + "x"
                rat = " " + " ".join(steps) + f" Concatenating them gives \"{pred}\"."
            finish = "stop"
            if random.random() < 0.12:
                finish = "length"; rat = rat[: len(rat) // 2]
            rp = f"Q: {q}\nA: Let's think step by step."
            recs.append({"task": key, "sample_id": f"{key}-{idx}", "sample_index": idx, "completion_index": c,
                "question": q, "gold": gold, "reasoning_prompt": rp, "rationale": rat,
                "answer_trigger": trig, "answer_prompt": rp + rat + " \n" + trig, "answer_text": f" {pred}.", "prediction": pred,
                "correct": pred == gold, "finish_reason": finish,
                "usage": {"prompt_tokens": 40 + len(q) // 4, "completion_tokens": len(rat) // 4},
                "model": "scripted", "params": {"temperature": 0.7, "max_tokens": 128}})
    with open(f"{root}/teacher/{key}.jsonl", "w") as f:
        for r in recs: f.write(json.dumps(r) + "\n")
    acc = {}
    for method, p in [("teacher", 0.85), ("zero_shot", 0.3), ("vanilla", 0.5), ("ft_cot", 0.8), ("ft_cot_d2", 0.9)]:
        rows = []
        for idx in test:
            q, gold, steps, final = samples[idx]
            ok = random.random() < p
            pred = gold if ok else ("no" if gold == "yes" else "yes") if key == "coin_flip" else gold + "q"
            comp = (" " + " ".join(steps) + f" --> {pred}") if method not in ("vanilla", "zero_shot") else f" {pred}"
            if method == "teacher":
                rows.append({"task": key, "sample_id": f"{key}-{idx}", "sample_index": idx, "completion_index": 0, "question": q,
                    "gold": gold, "rationale": " " + " ".join(steps), "answer_trigger": trig, "answer_text": f" {pred}.",
                    "prediction": pred, "correct": pred == gold, "finish_reason": "stop", "model": "scripted"})
            else:
                rows.append({"task": key, "sample_id": f"{key}-{idx}", "sample_index": idx, "completion_index": 0, "question": q,
                    "gold": gold, "completion": comp + " END", "prediction": pred, "correct": pred == gold, "finish_reason": "stop",
                    "model": f"tiny-{method}"})
        with open(f"{root}/eval/{key}.{method}.jsonl", "w") as f:
            for r in rows: f.write(json.dumps(r) + "\n")
        c = sum(r["correct"] for r in rows); n = len(rows)
        # Wilson 95% interval, as the reports write it
        z = 1.959963984540054; ph = c / n; den = 1 + z * z / n
        mid = (ph + z * z / (2 * n)) / den; half = z * ((ph * (1 - ph) / n + z * z / (4 * n * n)) ** 0.5) / den
        acc[method] = {"accuracy": round(100.0 * c / n, 2), "ci95": [round(100 * (mid - half), 1), round(100 * (mid + half), 1)], "n": n, "correct": c}
        if method.startswith("ft_cot"): acc[method]["diversity"] = 2 if method.endswith("d2") else 1
    acc["random"] = {"accuracy": 50.0 if key == "coin_flip" else 0.0}
    summary["tasks"][key] = acc
json.dump(summary, open(root + "/report/summary.json", "w"), indent=2)
# review decisions: a few
rv = [{"task": "coin_flip", "sample_id": "coin_flip-0", "completion_index": 0, "state": "accepted", "time": "2026-11-28T03:00:00Z"},
      {"task": "coin_flip", "sample_id": "coin_flip-1", "completion_index": 1, "state": "rejected", "time": "2026-11-28T03:00:05Z"},
      {"task": "last_letter_concatenation", "sample_id": "last_letter_concatenation-2", "completion_index": 0, "state": "accepted",
       "rationale": " The last letters are joined in order, giving the answer.", "time": "2026-11-28T03:00:09Z"}]
with open(root + "/review.jsonl", "w") as f:
    for r in rv: f.write(json.dumps(r) + "\n")
# metrics: two runs
with open(root + "/metrics.jsonl", "w") as f:
    for run in ["vanilla", "ft_cot"]:
        loss = 3.2
        total = 60
        for step in range(1, total + 1):
            loss = loss * (0.955 if run == "ft_cot" else 0.97) + random.uniform(-0.04, 0.04)
            f.write(json.dumps({"task": "coin_flip", "method": run, "step": step, "epoch": (step - 1) // 20 + 1,
                "loss": round(loss, 4), "lr": 3e-4, "tokens_per_s": round(random.uniform(9000, 11000), 1)}) + "\n")
            if step % 20 == 0:
                f.write(json.dumps({"task": "coin_flip", "method": run, "step": step, "epoch": step // 20, "val_loss": round(loss * 1.12, 4),
                    "test_accuracy": round(min(95, 40 + step * (0.8 if run == "ft_cot" else 0.3)), 1)}) + "\n")
exp = {"version": 1, "name": "experiment-small", "tasks": [{"key": "coin_flip", "train_size": 8, "test_size": 6}, "last_letter_concatenation"],
       "teacher": {"kind": "scripted", "samples": 2, "temperature": 0.7, "max_tokens": 128},
       "curation": {"rule": "correct", "drop_truncated": True},
       "student": {"preset": "tiny"}, "methods": ["teacher", "random", "zero_shot", "vanilla", "ft_cot", "ft_cot_d2"],
       "training": {"learning_rate": 0.0003, "batch_size": 8, "epochs": 3}, "seeds": 1, "device": "cpu"}
json.dump(exp, open(root + "/experiment.json", "w"), indent=2)
