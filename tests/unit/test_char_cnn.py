"""elmo_mini.char_cnn: the fast path equals the plain one, in values and gradients, with few shapes."""

from __future__ import annotations

import torch

from elmo_mini import batch_to_ids


def test_fast_char_cnn_equals_plain(tiny_bilm):
    sentences = [["the", "cat", "sat", "the"], ["a" * 60, "", "☃"], []]
    ids = batch_to_ids(sentences)
    with torch.no_grad():
        fast = tiny_bilm.char_cnn(ids, fast=True)
        plain = tiny_bilm.char_cnn(ids, fast=False)
    torch.testing.assert_close(fast, plain, rtol=1e-6, atol=1e-6)
    assert (fast[2] == 0).all() and (fast[1, 3] == 0).all()


def test_fast_char_cnn_gradients_equal_plain(tiny_bilm):
    """The fast path's filler rows and cut characters must not leak into any weight's gradient."""
    ids = batch_to_ids([["the", "cat", "sat", "the"], ["snuffleupagus", "☃"]])
    grads = []
    for fast in (True, False):
        tiny_bilm.zero_grad()
        tiny_bilm.char_cnn(ids, fast=fast).square().sum().backward()
        grads.append({name: p.grad.clone() for name, p in tiny_bilm.char_cnn.named_parameters()})
    for name, grad in grads[0].items():
        torch.testing.assert_close(grad, grads[1][name], rtol=1e-5, atol=1e-6, msg=name)


def test_fast_char_cnn_gives_convolutions_few_shapes(tiny_bilm):
    """oneDNN builds a kernel per input shape: the fast path rounds the convolutions' input up
    (words to a multiple of ROW_MULTIPLE, characters to one of CHAR_MULTIPLE, at most 50), so
    batches of 1 to 40 distinct words of up to 14 characters meet five shapes (41 without the rounding)."""
    from elmo_mini.char_cnn import CHAR_MULTIPLE, ROW_MULTIPLE

    shapes = set()
    hook = tiny_bilm.char_cnn.convolutions[0].register_forward_pre_hook(
        lambda module, args: shapes.add(tuple(args[0].shape))
    )
    with torch.no_grad():
        for n_words in range(1, 41):
            words = [chr(ord("a") + i % 26) * (1 + i % 12) + str(i) for i in range(n_words)]
            tiny_bilm.char_cnn(batch_to_ids([words]))
        tiny_bilm.char_cnn(batch_to_ids([["a" * 60]]))  # longer than 50 characters
    hook.remove()
    for n_rows, _, n_chars in shapes:
        assert n_rows % ROW_MULTIPLE == 0 and (n_chars % CHAR_MULTIPLE == 0 or n_chars == 50)
    assert len(shapes) <= 5, shapes
