"""Workforce: forecasting, Erlang staffing, shift plans and adherence."""
