"""Writes the model files under models/ that this demo repository commits.

Run from the repository root: python3 scripts/export_models.py

The files are built from raw pickle opcodes and the zip layout torch.save uses, so that no ML framework is
needed to reproduce them. One of them is deliberately hostile (see README.md): it calls os.system when
unpickled. Do not load it; the gate reads it as bytes only.
"""
import io
import pickle
import struct
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def classifier_pickle() -> bytes:
    """A scikit-learn-style linear model exported as a plain dict: data only, but still a pickle."""
    model = {
        "kind": "logistic-regression",
        "classes": ["negative", "positive"],
        "coef": [0.8123, -1.2210, 0.0412, 2.3307],
        "intercept": -0.3021,
        "features": ["len", "exclamations", "caps_ratio", "sentiment_lexicon"],
    }
    return pickle.dumps(model, protocol=4)


def torch_state_dict_zip() -> bytes:
    """The torch.save zip layout: <name>/data.pkl, <name>/data/<key>, <name>/version (stored, not deflated)."""
    # data.pkl: OrderedDict({'fc.weight': _rebuild_tensor_v2(storage('0'), 0, (2, 2), (2, 1), False, OrderedDict())})
    p = bytearray(b"\x80\x02")
    p += b"ccollections\nOrderedDict\nq\x00)Rq\x01"
    p += b"X\x09\x00\x00\x00fc.weight"
    p += b"ctorch._utils\n_rebuild_tensor_v2\nq\x02"
    p += b"((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
    p += b"K\x00K\x02K\x02\x86K\x02K\x01\x86\x89h\x00)RtR"
    p += b"s."
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("sentiment/data.pkl", bytes(p))
        z.writestr("sentiment/data/0", struct.pack("<4f", 0.5, -0.25, 1.0, 0.125))
        z.writestr("sentiment/version", "3\n")
    return buf.getvalue()


def hostile_adapter() -> bytes:
    """A 'LoRA adapter' from a community upload that runs a shell command when loaded (GLOBAL + REDUCE)."""
    command = b"echo this model ran a command when loaded"
    return b"\x80\x04cos\nsystem\n(X" + struct.pack("<I", len(command)) + command + b"tR."


def main() -> None:
    out = ROOT / "models"
    (out / "community").mkdir(parents=True, exist_ok=True)
    (out / "classifier.pkl").write_bytes(classifier_pickle())
    (out / "sentiment.pt").write_bytes(torch_state_dict_zip())
    (out / "community" / "adapter.bin").write_bytes(hostile_adapter())


if __name__ == "__main__":
    main()
