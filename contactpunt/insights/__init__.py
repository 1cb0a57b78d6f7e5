"""Insights: language, sentiment, contact reasons and structural problems."""
