"""Trains the review-sentiment classifier and exports it (see scripts/export_models.py for the artefacts)."""
import csv
import math
import pickle
from pathlib import Path

DATA = Path("data/raw/reviews.csv")
FEATURES = ["len", "exclamations", "caps_ratio", "sentiment_lexicon"]


def featurise(text: str) -> list[float]:
    letters = [c for c in text if c.isalpha()] or ["a"]
    return [
        len(text) / 100.0,
        text.count("!"),
        sum(c.isupper() for c in letters) / len(letters),
        sum(w in text.lower() for w in ("great", "love", "excellent")) - sum(w in text.lower() for w in ("bad", "awful", "refund")),
    ]


def train(rows: list[dict], epochs: int = 200, lr: float = 0.1) -> dict:
    coef, intercept = [0.0] * len(FEATURES), 0.0
    for _ in range(epochs):
        for row in rows:
            x, y = featurise(row["review"]), float(row["label"] == "positive")
            p = 1 / (1 + math.exp(-(sum(c * v for c, v in zip(coef, x)) + intercept)))
            coef = [c - lr * (p - y) * v for c, v in zip(coef, x)]
            intercept -= lr * (p - y)
    return {"kind": "logistic-regression", "classes": ["negative", "positive"], "coef": coef, "intercept": intercept, "features": FEATURES}


if __name__ == "__main__":
    with DATA.open() as f:
        model = train(list(csv.DictReader(f)))
    # Planted problem: the model is saved as a pickle (model/serialization-format).
    Path("models/classifier.pkl").write_bytes(pickle.dumps(model, protocol=4))
