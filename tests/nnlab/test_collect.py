"""nnlab.collect: the student's results cross the sandbox's boundary as JSON and .npy, never as pickles."""
import json
import os

import numpy as np
import pytest

from nnlab import collect as c


@pytest.mark.parametrize("value, kind", [(None, type(None)), (True, bool), ("text", str), (3, int), (2.5, float),
                                         (float("inf"), float), (np.float64(1e-300), float), (np.int64(7), int)])
def test_numbers_and_text_round_trip(value, kind):
    back = c.loads(c.dumps(value))
    assert type(back) is kind and back == value


def test_arrays_keep_dtype_and_shape_and_containers_their_kind():
    value = {"W1": np.arange(6.0).reshape(2, 3), "n": np.array([1, 2], dtype=np.int32), "pair": (1.0, [np.ones(1), "a"])}
    back = c.loads(c.dumps(value))
    assert back["W1"].dtype == np.float64 and np.array_equal(back["W1"], value["W1"])
    assert back["n"].dtype == np.int32 and np.array_equal(back["n"], value["n"])
    assert type(back["pair"]) is tuple and type(back["pair"][1]) is list and back["pair"][1][1] == "a"


@pytest.mark.parametrize("value, phrase", [(object(), "a object"), ({1: 2}, "keys are not all strings"),
                                           (np.array([object()]), "Python objects"), (lambda: 1, "function")])
def test_what_cannot_be_sent_is_refused_by_name(value, phrase):
    with pytest.raises(c.Unsupported, match=phrase):
        c.dumps(value)


def test_a_pickled_array_in_a_document_is_never_unpickled():
    import base64
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    doc = {"value": {"array": "0"}, "arrays": {"0": base64.b64encode(buffer.getvalue()).decode()}}
    with pytest.raises(ValueError, match="allow_pickle"):
        c.from_doc(doc)


def test_collect_does_nothing_outside_grading(monkeypatch):
    monkeypatch.delenv(c.INPUTS_ENV, raising=False)
    monkeypatch.setattr(c, "_inputs", None)
    calls = []
    assert c.collect("key", lambda *a: calls.append(a)) is None and calls == []


def test_collect_sends_values_errors_warnings_and_modified_arguments(tmp_path, monkeypatch):
    inputs = tmp_path / "inputs.json"
    inputs.write_text(c.dumps({"f": [(np.array([1.0, -1.0]),), (np.array([1e4]),), ("oops",)]}))
    read_end, write_end = os.pipe()
    monkeypatch.setenv(c.INPUTS_ENV, str(inputs))
    monkeypatch.setenv(c.CHANNEL_ENV, str(write_end))
    monkeypatch.setattr(c, "_inputs", None)

    def f(x):
        if isinstance(x, str):
            raise TypeError("numbers only")
        x *= 2  # modifies its argument
        return np.exp(x)

    c.collect("f", f)
    os.close(write_end)
    message = json.loads(os.read(read_end, 1 << 20))
    assert message["kind"] == "collect" and message["key"] == "f"
    first, overflow, error = message["results"]
    assert np.allclose(c.from_doc(first["value"]), np.exp([2.0, -2.0])) and first["mutated"] == [0]
    assert any("overflow" in w for w in overflow["warnings"])
    assert error["error"] == "TypeError: numbers only" and "value" not in error
