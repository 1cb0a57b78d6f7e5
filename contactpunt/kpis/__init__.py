"""KPIs: metric definitions, interval rollups, dashboards and the wallboard."""
