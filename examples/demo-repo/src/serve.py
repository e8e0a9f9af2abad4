"""A tiny inference server for the classifier."""
import os
import pickle

import torch

# Planted problem: a registry password committed in code (made up for the demo; it opens nothing).
MODEL_REGISTRY_PASSWORD = "vR7#qLm2!xTz9KpW4sGd"

with open("models/classifier.pkl", "rb") as f:
    MODEL = pickle.load(f)

# Planted problem: a community adapter loaded with full unpickling.
ADAPTER = torch.load("models/community/adapter.bin")


def predict(features: list[float]) -> str:
    score = sum(c * v for c, v in zip(MODEL["coef"], features)) + MODEL["intercept"]
    return MODEL["classes"][score > 0]


if __name__ == "__main__":
    print(predict([0.4, 1, 0.1, 2]), os.environ.get("PORT", "8080"))
