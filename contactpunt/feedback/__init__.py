"""Feedback: surveys, responses and the closed loop."""
