"""Insights: language, sentiment, contact reasons and structural problems.

Modules (plain Python, no Django models yet):

- ``language``: Dutch / English / other, offline (py3langid).
- ``encoder``: the multilingual sentence encoder every model reads (USE multilingual v3 in numpy).
- ``sentiment``: the shipped sentiment model (``weights/sentiment.npz``, provenance in ``weights/PROVENANCE.md``).
- ``reasons``: the contact-reason classifier: training, "none of the known reasons" threshold, cold start.
- ``pipeline``: language, sentiment and reason of a batch of messages, encoding each message once.
- ``artefacts``: model files as arrays plus a JSON manifest, never pickles.
- ``metrics``, ``datasets``, ``linear``: shared building blocks.

The ``contactpunt insights`` command trains and measures the models on labelled CSV files;
``bench/insights.py`` measures them on the shared data.
"""
