"""The tiny training run that the training tests share (``unit/test_train.py``, ``unit/test_heap.py``).

``TINY`` is a ``TrainConfig`` small enough for a step in milliseconds on one CPU thread, logging
every step and never checkpointing on its own; ``TEXT`` is its corpus (24 sentences).
"""

TINY = dict(
    model=dict(char_dim=4, filters=[[1, 8], [2, 8], [3, 16]], n_highway=1, lstm_dim=32,
               projection_dim=16, n_layers=2, use_skip_connections=True),
    vocab_size=60, batch_tokens=60, log_every=1, progress=False, threads=1,
    checkpoint_every=1e9,
)
TEXT = [
    "The bank raised its rates. The river bank was muddy after the rain.",
    "Congress shall make no law. The Union is strong and the people are free.",
    "We will build roads and canals. The treasury holds gold and silver coins.",
    "Our army and navy defend the nation. Peace with all nations is our aim.",
] * 6
