"""Insights: language, sentiment, contact reasons and structural problems.

Models (plain Python, offline):

- ``language``: Dutch / English / other, offline (py3langid).
- ``encoder``: the multilingual sentence encoder every model reads (USE multilingual v3 in numpy).
- ``sentiment``: the shipped sentiment model (``weights/sentiment.npz``, provenance in ``weights/PROVENANCE.md``).
- ``reasons``: the contact-reason classifier: training, "none of the known reasons" threshold, cold start.
- ``pipeline``: language, sentiment and reason of a batch of messages, encoding each message once.
- ``artefacts``: model files as arrays plus a JSON manifest, never pickles.
- ``metrics``, ``datasets``, ``linear``: shared building blocks.

In the product (Django):

- ``models``: the stored insight per inbound message, reason-model versions, seed phrases, spikes, topics.
- ``analysis``: analyse inbound messages in batches of 64 (the task that each announced batch enqueues).
- ``lifecycle``: retrain the reason model on wrap-ups, measure it on held-out rows, activate if not worse.
- ``remarks``: positive and negative remarks per agent, team and contact reason.
- ``spikes``, ``topics``, ``structural``, ``weekly``: structural problems and the weekly report per team.
- ``tasks``: the background tasks (analysis per batch, nightly retraining, six-hourly detection).

The ``contactpunt insights`` command trains and measures the models on labelled CSV files, backfills,
retrains and detects; ``bench/insights.py`` measures the models on the shared data.
"""
